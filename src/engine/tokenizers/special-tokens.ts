/**
 * Splits text at occurrences of special-token strings (control tokens like `<|im_start|>` that a chat template
 * writes). Longest match first at each position, as llama.cpp's tokenizer_st_partition does. User prompts are
 * encoded with no specials, so a prompt cannot forge a control token; only template output is parsed.
 */

export interface TextPart {
  text: string;
  special: boolean;
}

export function splitSpecial(text: string, specials: readonly string[]): TextPart[] {
  if (specials.length === 0) return [{ text, special: false }];
  const sorted = [...new Set(specials)].sort((a, b) => b.length - a.length);
  const parts: TextPart[] = [];
  let plain = '';
  let i = 0;
  outer: while (i < text.length) {
    for (const s of sorted) {
      if (text.startsWith(s, i)) {
        if (plain.length > 0) parts.push({ text: plain, special: false });
        plain = '';
        parts.push({ text: s, special: true });
        i += s.length;
        continue outer;
      }
    }
    plain += text[i];
    i++;
  }
  if (plain.length > 0 || parts.length === 0) parts.push({ text: plain, special: false });
  return parts;
}

/**
 * Fragments of a text made of parts that may or may not contain special tokens (a rendered chat template: the
 * template's own text may, message contents may not). Adjacent plain fragments are joined, so the result is what
 * splitting the whole text would give wherever a content holds no special-token text.
 */
export function splitParts(parts: readonly { text: string; parseSpecial: boolean }[], specials: readonly string[]): TextPart[] {
  const out: TextPart[] = [];
  for (const p of parts) {
    for (const f of p.parseSpecial ? splitSpecial(p.text, specials) : [{ text: p.text, special: false }]) {
      if (f.text.length === 0) continue;
      const last = out.at(-1);
      if (!f.special && last !== undefined && !last.special) last.text += f.text;
      else out.push({ ...f });
    }
  }
  return out;
}

/**
 * The English training text of the shipped language model (whitepaper §2.2.6; docs/models.md): Debian's `fortunes`
 * package (BSD fortune-mod; BSD licence, Debian main), installed with `apt-get install fortunes`, read from
 * /usr/share/games/fortunes. Each fortune (between `%` lines) is one document; files are read in sorted order and
 * every 20th fortune is held out, so the split is the same on every machine with the same package version.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../common/errors.ts';

export const FORTUNES_DIR = '/usr/share/games/fortunes';

/** Files left out: pictures made of characters and a file of non-English text. */
export const EXCLUDED_FILES = new Set(['art', 'ascii-art', 'translate-me']);

export interface Corpus {
  train: string[];
  heldOut: string[];
  files: string[];
}

/** Printable ASCII and newlines only; tabs to spaces, runs of spaces to one, no trailing spaces. */
export function normaliseFortune(s: string): string {
  return s
    .replace(/\t/g, ' ')
    .replace(/[^\x20-\x7e\n]/g, '')
    .split('\n')
    .map((l) => l.replace(/ {2,}/g, ' ').trimEnd())
    .join('\n')
    .trim();
}

export function readFortunes(dir = FORTUNES_DIR, maxChars = 2000): Corpus {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => !f.includes('.') && !EXCLUDED_FILES.has(f)).sort();
  } catch (e) {
    throw new InvalidArgumentError('fortunes', `cannot read ${dir} (apt-get install fortunes): ${(e as Error).message}`);
  }
  const all: string[] = [];
  for (const f of names) {
    for (const raw of readFileSync(join(dir, f), 'latin1').split(/\n%\n/)) {
      const t = normaliseFortune(raw.replace(/^%\n/, ''));
      if (t.length >= 20 && t.length <= maxChars) all.push(t);
    }
  }
  return { train: all.filter((_, i) => i % 20 !== 0), heldOut: all.filter((_, i) => i % 20 === 0), files: names };
}

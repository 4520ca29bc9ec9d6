/**
 * Chat messages → the prompt text and token ids a model was trained on, with the model's own Jinja chat template
 * (whitepaper §2.2.6; `@huggingface/jinja`, the renderer transformers.js uses). The template travels in the model
 * file's tokenizer blob, so every node formats a chat identically.
 *
 * Only the template's output is parsed for special tokens (`<|im_start|>` …); message contents are user text, so a
 * message cannot forge a control token: contents are rendered through a placeholder and encoded without specials.
 */
import { Template } from '@huggingface/jinja';
import { BaseError } from '../../common/errors.ts';
import type { TextTokenizer } from './meta.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatLimits {
  maxMessages: number;
  maxChars: number;
}

export const DEFAULTS: ChatLimits = {
  maxMessages: 256, // a long conversation; each message is one prompt segment
  maxChars: 1 << 20, // 1 Mi characters of content in total: far beyond any 4k-token context
};

export class ChatTemplateError extends BaseError<{ reason: string }> {
  constructor(reason: string, cause?: unknown) {
    super('CHAT_TEMPLATE', `chat template: ${reason}`, { details: { reason }, cause });
  }
}

/** Sentinels around each message's content in the rendered text (private-use code points no template writes). */
const OPEN = '\u{F0000}';
const CLOSE = '\u{F0001}';

/**
 * Renders `messages` and encodes the result: template text with special tokens parsed, message contents as plain
 * text. `addGenerationPrompt` appends the assistant turn's opening, as transformers' apply_chat_template does.
 */
export function applyChatTemplate(tok: TextTokenizer, messages: readonly ChatMessage[], addGenerationPrompt = true, limits: ChatLimits = DEFAULTS): { text: string; ids: number[] } {
  if (tok.chatTemplate === null) throw new ChatTemplateError('the model has no chat template');
  if (messages.length === 0 || messages.length > limits.maxMessages) throw new ChatTemplateError(`${messages.length} messages (1 to ${limits.maxMessages})`);
  let chars = 0;
  for (const m of messages) {
    if (!['system', 'user', 'assistant'].includes(m.role) || typeof m.content !== 'string') throw new ChatTemplateError('bad message');
    if (m.content.includes(OPEN) || m.content.includes(CLOSE)) throw new ChatTemplateError('message contains a reserved character');
    chars += m.content.length;
  }
  if (chars > limits.maxChars) throw new ChatTemplateError(`${chars} characters of content exceed ${limits.maxChars}`);
  let rendered: string;
  try {
    rendered = new Template(tok.chatTemplate).render({
      messages: messages.map((m) => ({ role: m.role, content: `${OPEN}${m.content}${CLOSE}` })),
      add_generation_prompt: addGenerationPrompt,
      bos_token: tok.llm.piece(tok.bosId),
      eos_token: tok.llm.piece(tok.eosId),
    });
  } catch (e) {
    throw new ChatTemplateError((e as Error).message.slice(0, 200), e);
  }
  // Template text: special tokens parsed; message contents: plain text. One tokenization over all parts.
  const parts = rendered.split(new RegExp(`(${OPEN}[\\s\\S]*?${CLOSE})`, 'u')).map((p) => {
    const isContent = p.startsWith(OPEN) && p.endsWith(CLOSE);
    return { text: isContent ? p.slice(OPEN.length, -CLOSE.length) : p, parseSpecial: !isContent };
  });
  const text = parts.map((p) => p.text).join('');
  const ids = tok.llm.encodeParts(parts);
  return { text, ids };
}

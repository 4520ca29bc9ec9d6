/**
 * Typed errors of the language-model tokenizers (whitepaper §2.2.6: the tokenizer is part of the model; its
 * vocabulary comes from an untrusted file and its input from an untrusted prompt).
 */
import { BaseError } from '../../common/errors.ts';

export class LlmTokenizerError extends BaseError<{ reason: string; index?: number }> {
  constructor(reason: string, index?: number) {
    super('LLM_TOKENIZER_BAD_VOCAB', `bad tokenizer: ${reason}`, { details: index === undefined ? { reason } : { reason, index } });
  }
}

export class LlmTokenizerInputError extends BaseError<{ reason: string; length?: number; max?: number }> {
  constructor(reason: string, details: { length?: number; max?: number } = {}) {
    super('LLM_TOKENIZER_BAD_INPUT', reason, { details: { reason, ...details } });
  }
}

/**
 * Where a language model's tokenizer blob sits in the weights blob (engine.md §4.1 `tokenizer`): the byte range and
 * the keccak256 of those bytes. Its own file so the model metadata type (graph.ts) needs nothing else from here.
 */
export interface TokenizerRef {
  offset: number;
  length: number;
  keccak: string;
}

// Messages between the tokenizer playground and its worker: one module, both sides.
import type { TokenizerKind } from './lab-state';

export interface ToTokenizer {
  type: 'tokenize';
  seq: number;               // answers carry the request's number; the worker answers only the latest
  kind: TokenizerKind;
  vocabSize: number;
  corpus: 'austen' | 'text';
  text: string;
  merges: number | null;     // encode with only the first k merges (BPE), or all
}

export interface TokenView { id: number; text: string; special: boolean }

export type FromTokenizer =
  | { type: 'progress'; seq: number; done: number; total: number; what: string }
  | { type: 'tokens'; seq: number; tokens: TokenView[]; vocabSize: number;
      /** Learned merges of this tokenizer (0 for char and pretrained GPT-2, whose merges are not stepped). */
      mergeCount: number;
      /** The last merge applied at this stepper position: its two parts and the token they make. */
      merge: { left: string; right: string; result: string; id: number } | null;
      /** Milliseconds the tokenizer took to train for this request (null: it was already trained). */
      trainMs: number | null }
  | { type: 'error'; seq: number; message: string };

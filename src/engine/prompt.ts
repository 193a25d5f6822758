// Text around the cursor → the token ids the model sees.
//
//   plain:     [bos] prefix
//   FIM, psm:  [bos] <PRE> prefix <SUF> suffix <MID>     (the model then writes the middle)
//   FIM, spm:  [bos] <SUF> suffix <PRE> prefix           (the middle continues the prefix)
//
// spm keeps the last prefix token next to the first generated one (a small model continues the
// code as it would without a suffix), and the prompt only grows at its end while the user types
// before an unchanged suffix, so the KV cache keeps matching.
//
// `context` is repository context (snippets of other files, src/completion/repo-context.ts). It
// sits right before the prefix in every order (the model reads it as code above the current file),
// is tokenized on its own and never cut with the prefix: while it stays the same its tokens (and
// their KV cache) stay the same, and the prefix's room is what the context leaves.
//   plain:     [bos] context prefix
//   FIM, psm:  [bos] <PRE> context prefix <SUF> suffix <MID>
//   FIM, spm:  [bos] <SUF> suffix <PRE> context prefix
//
// With token healing the tokens of the word at the cursor (at least the last token) are held
// back and their text becomes a constraint on the first generated token(s). A context longer than the budget is cut at the front of the
// prefix (and the far end of the suffix), in steps of CUT_STEP tokens, so that the start of the
// context stays put while the user types and the KV cache keeps matching.

import type { TextTokenizer } from './tokenizer.js';

export const CUT_STEP = 64;

export interface PromptOptions {
  /** Most tokens the prompt may use (the window less the tokens to generate). */
  budget: number;
  heal: boolean;
  /** Most suffix tokens to keep in a FIM prompt (the nearest ones). */
  maxSuffixTokens?: number;
  /** Token to put first when the document is not cut (the model's bos). */
  bos?: number;
  /** Text read before the prefix (repository context); at most half the budget is kept. */
  context?: string;
}

/** Where each run of prompt tokens came from (FIM markers and bos apart from the text). */
export type PromptPartKind = 'bos' | 'fim' | 'context' | 'prefix' | 'suffix';

export interface PromptPart {
  kind: PromptPartKind;
  ids: number[];
}

export interface Prompt {
  ids: number[];
  /** `ids` split by origin, in order; their concatenation is `ids`. */
  parts: PromptPart[];
  /** The prefix tokens held back by healing (their text is `healed`). */
  heldIds: number[];
  /** Text held back by token healing: the completion must start with it (and it is not shown). */
  healed: string;
  fim: boolean;
  /** Prefix tokens dropped at the front to fit the window. */
  cutTokens: number;
  /** Tokens of the repository context in `ids`. */
  contextTokens: number;
}

/** Longest word-ish tail to heal, in characters, and the most tokens to hold back for it. */
const MAX_HEALED_CHARS = 24;
const MAX_HEALED_TOKENS = 4;

/**
 * How many tokens to hold back: those that spell the identifier being typed (`ret` + `u` for
 * `retu`, so that `return` can be one token again), or just the last token when the prefix ends
 * in punctuation or space. Never a special token or part of a multi-byte character (then none).
 */
function heldBack(tokenizer: TextTokenizer, ids: readonly number[], prefix: string): number {
  const word = /[\p{L}\p{N}_$]+$/u.exec(prefix)?.[0] ?? '';
  let held = 0;
  let chars = 0;
  while (held < Math.min(ids.length, MAX_HEALED_TOKENS)) {
    const id = ids[ids.length - 1 - held];
    const text = tokenizer.tokenText(id);
    // A special token, or a piece of a multi-byte character (decodes to U+FFFD), cannot be re-spelled.
    if (tokenizer.isSpecial(id) || text.includes('\uFFFD')) break;
    if (held > 0 && (chars >= word.length || chars + text.length > MAX_HEALED_CHARS)) break;
    held++;
    chars += text.length;
  }
  return held;
}

export function buildPrompt(tokenizer: TextTokenizer, prefix: string, suffix: string | undefined, options: PromptOptions): Prompt {
  let prefixIds = tokenizer.encode(prefix);
  let healed = '';
  let heldIds: number[] = [];
  if (options.heal) {
    const held = heldBack(tokenizer, prefixIds, prefix);
    heldIds = prefixIds.slice(prefixIds.length - held);
    healed = tokenizer.decode(heldIds);
    prefixIds = prefixIds.slice(0, prefixIds.length - held);
  }
  const fim = tokenizer.fim !== undefined && suffix !== undefined && suffix.length > 0;
  const suffixIds = fim ? tokenizer.encode(suffix).slice(0, options.maxSuffixTokens ?? 64) : [];
  const spm = fim && tokenizer.fim?.order === 'spm';
  // The context's last tokens are kept (the header of the current file ends it).
  const contextIds = options.context ? tokenizer.encode(options.context).slice(-Math.floor(options.budget / 2)) : [];
  const overhead = (fim ? (spm ? 2 : 3) + suffixIds.length : 0) + 1 + contextIds.length;
  const room = Math.max(1, options.budget - overhead);
  let cutTokens = 0;
  if (prefixIds.length > room) {
    cutTokens = Math.min(prefixIds.length - 1, Math.ceil((prefixIds.length - room) / CUT_STEP) * CUT_STEP);
    prefixIds = prefixIds.slice(cutTokens);
  }
  const start = (cutTokens === 0 || contextIds.length > 0) && options.bos !== undefined ? [options.bos] : [];
  // The context block always sits right before the prefix, so the two read as one run of code.
  const bos: PromptPart = { kind: 'bos', ids: start };
  const text: PromptPart[] = [{ kind: 'context', ids: contextIds }, { kind: 'prefix', ids: prefixIds }];
  const marker = (id: number): PromptPart => ({ kind: 'fim', ids: [id] });
  const template = fim ? tokenizer.fim : undefined;
  const parts: PromptPart[] = !template
    ? [bos, ...text]
    : spm
      ? [bos, marker(template.suffix), { kind: 'suffix', ids: suffixIds }, marker(template.prefix), ...text]
      : [bos, marker(template.prefix), ...text, marker(template.suffix), { kind: 'suffix', ids: suffixIds }, marker(template.middle)];
  if (parts.every((p) => p.ids.length === 0)) parts[0].ids = [options.bos ?? tokenizer.eosIds[0] ?? 0];
  const nonEmpty = parts.filter((p) => p.ids.length > 0);
  return { ids: nonEmpty.flatMap((p) => p.ids), parts: nonEmpty, heldIds, healed, fim, cutTokens, contextTokens: contextIds.length };
}

// Text around the cursor → the token ids the model sees.
//
//   plain:  [bos] prefix
//   FIM:    [bos] <PRE> prefix <SUF> suffix <MID>        (the model then writes the middle)
//
// With token healing the last prefix token is held back and its text becomes a constraint on
// the first generated token(s). A context longer than the budget is cut at the front of the
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
}

export interface Prompt {
  ids: number[];
  /** Text held back by token healing: the completion must start with it (and it is not shown). */
  healed: string;
  fim: boolean;
  /** Prefix tokens dropped at the front to fit the window. */
  cutTokens: number;
}

export function buildPrompt(tokenizer: TextTokenizer, prefix: string, suffix: string | undefined, options: PromptOptions): Prompt {
  let prefixIds = tokenizer.encode(prefix);
  let healed = '';
  const last = prefixIds.at(-1);
  if (options.heal && last !== undefined && !tokenizer.isSpecial(last)) {
    healed = tokenizer.tokenText(last);
    prefixIds = prefixIds.slice(0, -1);
  }
  const fim = tokenizer.fim !== undefined && suffix !== undefined && suffix.length > 0;
  const suffixIds = fim ? tokenizer.encode(suffix).slice(0, options.maxSuffixTokens ?? 64) : [];
  const overhead = (fim ? 3 + suffixIds.length : 0) + 1;
  const room = Math.max(1, options.budget - overhead);
  let cutTokens = 0;
  if (prefixIds.length > room) {
    cutTokens = Math.min(prefixIds.length - 1, Math.ceil((prefixIds.length - room) / CUT_STEP) * CUT_STEP);
    prefixIds = prefixIds.slice(cutTokens);
  }
  const start = cutTokens === 0 && options.bos !== undefined ? [options.bos] : [];
  const ids = fim && tokenizer.fim
    ? [...start, tokenizer.fim.prefix, ...prefixIds, tokenizer.fim.suffix, ...suffixIds, tokenizer.fim.middle]
    : [...start, ...prefixIds];
  if (ids.length === 0) ids.push(options.bos ?? tokenizer.eosIds[0] ?? 0);
  return { ids, healed, fim, cutTokens };
}

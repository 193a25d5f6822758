// Prompt lookup: code repeats itself, so the tokens that followed the last occurrence of the
// current n-gram are a good guess for what comes next. The guess (a draft) is checked by the
// model in one forward pass; only tokens the model agrees with are kept.

export interface LookupOptions {
  /** Longest and shortest n-gram to match at the end of the sequence. */
  maxMatch: number;
  minMatch: number;
  /** Most draft tokens to propose. */
  maxDraft: number;
  /** Only search this many most recent tokens. */
  searchWindow: number;
}

export const DEFAULT_LOOKUP: LookupOptions = { maxMatch: 4, minMatch: 2, maxDraft: 8, searchWindow: 2048 };

/** The tokens after the most recent earlier occurrence of the longest matching suffix n-gram. */
export function promptLookupDraft(tokens: readonly number[], options: LookupOptions = DEFAULT_LOOKUP): number[] {
  const end = tokens.length;
  const from = Math.max(0, end - options.searchWindow);
  for (let n = Math.min(options.maxMatch, end - 1); n >= options.minMatch; n--) {
    // Most recent first: the closest repetition is the likeliest to continue the same way.
    for (let start = end - n - 1; start >= from; start--) {
      let match = true;
      for (let j = 0; j < n && match; j++) match = tokens[start + j] === tokens[end - n + j];
      if (!match) continue;
      const draft = tokens.slice(start + n, Math.min(start + n + options.maxDraft, end));
      if (draft.length > 0) return draft;
    }
  }
  return [];
}

/**
 * Whether the model accepts a draft token given the logits that predict it: the greedy choice
 * always; with acceptRatio < 1, also a token at least that fraction as likely as the greedy one
 * (a lenient check that prefers copying when the model finds the copy nearly as good).
 */
export function acceptsDraft(logits: ArrayLike<number>, token: number, best: number, acceptRatio: number): boolean {
  if (token === best) return true;
  return acceptRatio < 1 && logits[token] - logits[best] >= Math.log(acceptRatio);
}

/**
 * Line lookup: when the text typed on the current line (less its indentation) starts an earlier
 * line, the rest of the most recent such line — what a programmer copying a pattern would type.
 */
export function lineLookup(prefix: string, minTyped = 1): string | undefined {
  const lineStart = prefix.lastIndexOf('\n') + 1;
  const typed = prefix.slice(lineStart).trimStart();
  if (typed.length < minTyped) return undefined;
  let end = lineStart - 1; // the newline before the current line
  while (end > 0) {
    const start = prefix.lastIndexOf('\n', end - 1) + 1;
    const line = prefix.slice(start, end).replace(/\r$/, '').trimStart();
    if (line.length > typed.length && line.startsWith(typed)) return line.slice(typed.length);
    end = start - 1;
  }
  return undefined;
}

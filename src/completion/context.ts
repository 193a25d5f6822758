// The text the model sees around the cursor, cut so that it is stable while the user types:
// the prefix starts at a line boundary after a start point that moves in fixed steps, so most
// keystrokes leave the start (and hence the KV cache) untouched.

export interface ContextLimits {
  /** Characters before the cursor to consider (soft: up to one step more). */
  maxPrefixChars: number;
  /** Characters after the cursor to consider. */
  maxSuffixChars: number;
  /** The prefix start moves in multiples of this. */
  step: number;
}

export const DEFAULT_LIMITS: ContextLimits = { maxPrefixChars: 6000, maxSuffixChars: 600, step: 1024 };

/** [start, end) offsets of the document text to read for a cursor at `offset`. */
export function contextRange(offset: number, documentLength: number, limits: ContextLimits = DEFAULT_LIMITS): { start: number; end: number } {
  const start = Math.max(0, Math.floor((offset - limits.maxPrefixChars) / limits.step) * limits.step);
  return { start, end: Math.min(documentLength, offset + limits.maxSuffixChars) };
}

/** What the inline provider reads for a cursor at `offset` of a whole document's text (the CLI's way in). */
export function windowAround(documentText: string, offset: number, limits: ContextLimits = DEFAULT_LIMITS): { text: string; cursor: number; startsDocument: boolean } {
  const { start, end } = contextRange(offset, documentText.length, limits);
  return { text: documentText.slice(start, end), cursor: offset - start, startsDocument: start === 0 };
}

export interface CursorContext {
  prefix: string;
  suffix: string;
  /** The current line up to / after the cursor. */
  linePrefix: string;
  lineSuffix: string;
  /** Up to 3 lines after the cursor's line. */
  nextLines: string[];
}

/**
 * Splits the text read by contextRange at the cursor. `text` starts at document offset `start`;
 * when that is not the document start, the partial first line is dropped.
 */
export function splitAtCursor(text: string, cursor: number, startsDocument: boolean): CursorContext {
  let prefix = text.slice(0, cursor);
  let suffix = text.slice(cursor);
  if (!startsDocument) {
    const nl = prefix.indexOf('\n');
    if (nl >= 0) prefix = prefix.slice(nl + 1);
  }
  // Never split a surrogate pair: a lone half would become U+FFFD in the tokenizer.
  if (/[\uD800-\uDBFF]$/.test(prefix)) prefix = prefix.slice(0, -1);
  if (/^[\uDC00-\uDFFF]/.test(suffix)) suffix = suffix.slice(1);
  const lineStart = prefix.lastIndexOf('\n') + 1;
  const lineEnd = suffix.indexOf('\n');
  const afterLine = lineEnd < 0 ? [] : suffix.slice(lineEnd + 1).split('\n').slice(0, 3);
  return {
    prefix,
    suffix,
    linePrefix: prefix.slice(lineStart),
    lineSuffix: (lineEnd < 0 ? suffix : suffix.slice(0, lineEnd)).replace(/\r$/, ''),
    nextLines: afterLine.map((l) => l.replace(/\r$/, '')),
  };
}

/** True when the cursor sits between the two halves of a surrogate pair. */
export function splitsSurrogatePair(before: string, after: string): boolean {
  return /[\uD800-\uDBFF]$/.test(before) && /^[\uDC00-\uDFFF]/.test(after);
}

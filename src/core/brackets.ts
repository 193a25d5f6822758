// Bracket depth over text, for the stop rules and the suggestion shape: ( [ { open, ) ] } close.

export const OPENERS = '([{';
export const CLOSERS = ')]}';

/**
 * Scans `text` starting at `depth` open brackets. `unopened` is the index of the first closer that
 * takes the depth below zero (-1 when none); `depth` is the depth at the end. With `ignoreUnopened`,
 * a closer with nothing open is skipped (depth stays at 0) instead.
 */
export function scanBrackets(text: string, depth = 0, ignoreUnopened = false): { depth: number; unopened: number } {
  let unopened = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (OPENERS.includes(ch)) depth++;
    else if (CLOSERS.includes(ch)) {
      if (ignoreUnopened && depth === 0) continue;
      if (--depth < 0 && unopened < 0) unopened = i;
    }
  }
  return { depth, unopened };
}

// Keystrokes worth answering before they happen. While a suggestion is on screen and the model is
// idle, the pipeline computes the suggestion for the likeliest next edits, so that when the user
// makes one the answer comes from memory: accepting the suggestion (Tab), pressing Enter at the
// end of the line, or typing the likeliest character the suggestion did not start with.

import type { StepCandidate } from '../engine/generate.js';
import type { CursorContext } from './context.js';
import { firstShownToken, type RequestRecord } from './request-record.js';

/** Why an edit is expected, for the record and the stats. */
/** ('cursor': the place itself, answered before anything is typed there, see CompletionPipeline.prepareAt.) */
export type AheadReason = 'cursor' | 'accept' | 'enter' | 'next-char';

export interface AheadEdit {
  /** Text the edit inserts at the cursor (the cursor ends after it). */
  insert: string;
  reason: AheadReason;
}

/**
 * A line that looks finished (a statement's end, a block opened or closed, a list item): Enter is
 * then likely. Elsewhere at the end of a line (every key typed there), it is not worth a model call.
 */
const LINE_DONE = /\S\s*(;|\{|\}|,|\(|\[|=>)\s*$/;

/** Below this probability, a next character is not worth a model call. */
export const MIN_NEXT_CHAR_PROB = 0.1;

/**
 * The edits to answer ahead, likeliest first: the shown suggestion accepted; the likeliest first
 * character of the model's other candidates for the first shown token (typing the shown text's own
 * first character is answered from memory already); Enter at the end of a line that looks finished
 * and has no suggestion (with the indentation an editor gives the new line).
 */
export function editsAhead(ctx: CursorContext, shown: string, record: RequestRecord | undefined, max: number): AheadEdit[] {
  const edits: AheadEdit[] = [];
  if (shown) edits.push({ insert: shown, reason: 'accept' });
  const next = record && likeliestNextChar(record, shown[0]);
  if (next) edits.push({ insert: next, reason: 'next-char' });
  if (ctx.lineSuffix === '' && !shown && LINE_DONE.test(ctx.linePrefix)) {
    edits.push({ insert: '\n' + indentAfterEnter(ctx.linePrefix, indentUnit(ctx.prefix)), reason: 'enter' });
  }
  return edits.slice(0, Math.max(0, max));
}

/**
 * The likeliest first visible character among the first shown token's candidates, their
 * probabilities summed per character, other than `except`; undefined below MIN_NEXT_CHAR_PROB.
 * A candidate's visible text starts after what of the healed text is still to be spelled.
 */
export function likeliestNextChar(record: Pick<RequestRecord, 'tokens' | 'healed' | 'typed'>, except: string | undefined): string | undefined {
  if (record.typed > 0) return undefined; // served after typing into it: the candidates lie behind the cursor
  const index = firstShownToken(record);
  const candidates: StepCandidate[] = record.tokens[index]?.candidates ?? [];
  const spelled = record.tokens
    .slice(0, index)
    .map((t) => t.text)
    .join('');
  const pending = record.healed.slice(spelled.length); // healed text this token still had to spell
  const byChar = new Map<string, number>();
  for (const c of candidates) {
    if (!c.text.startsWith(pending)) continue;
    const ch = [...c.text.slice(pending.length)][0];
    if (ch === undefined || ch === except || /\s/.test(ch)) continue;
    byChar.set(ch, (byChar.get(ch) ?? 0) + c.prob);
  }
  let best: [string, number] | undefined;
  for (const entry of byChar) if (!best || entry[1] > best[1]) best = entry;
  return best && best[1] >= MIN_NEXT_CHAR_PROB ? best[0] : undefined;
}

/** The indentation an editor gives a new line after `linePrefix`: the same, one unit deeper after an opener. */
export function indentAfterEnter(linePrefix: string, unit: string): string {
  const indent = /^[ \t]*/.exec(linePrefix)![0];
  return /[{([]\s*$|=>\s*$/.test(linePrefix) ? indent + unit : indent;
}

/** The file's indentation unit, read from its lines: a tab, or the smallest step between space indents (2 when unknown). */
export function indentUnit(text: string): string {
  const lines = text.split('\n').slice(-200);
  if (lines.some((l) => l.startsWith('\t'))) return '\t';
  let smallest = Infinity;
  let previous = 0;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const spaces = /^ */.exec(line)![0].length;
    if (spaces > previous) smallest = Math.min(smallest, spaces - previous);
    previous = spaces;
  }
  return ' '.repeat(Number.isFinite(smallest) ? smallest : 2);
}

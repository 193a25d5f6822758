// What kind of suggestion fits the cursor, and cleaning the model's text into ghost text that
// never breaks the line after the cursor. Whether to show it at all is the gate's call (gate.ts).

import type { CursorContext } from './context.js';
import { scanBrackets } from '../core/brackets.js';

const CLOSERS = /^[\s)\]}>'"`;,]*$/;
const BLOCK_OPENER = /(\{|\(|\[|=>|:)\s*$/;

/**
 * 'block' (several lines) at the end of a line that opens a block or on an empty line,
 * 'line' elsewhere; undefined where no suggestion should appear (text after the cursor that is
 * more than closing brackets and punctuation: inserting there would split it).
 */
export function suggestionMode(ctx: CursorContext, multiline: boolean): 'line' | 'block' | undefined {
  if (!CLOSERS.test(ctx.lineSuffix)) return 'line';
  const atLineEnd = ctx.lineSuffix.trim() === '';
  if (multiline && atLineEnd && (ctx.linePrefix.trim() === '' || BLOCK_OPENER.test(ctx.linePrefix))) return 'block';
  return 'line';
}

/** The ghost text to show, or undefined when the suggestion should be dropped. */
export function shapeSuggestion(text: string, ctx: CursorContext): string | undefined {
  let out = text.replace(/[ \t]+$/gm, '').replace(/\s+$/, '');
  if (ctx.lineSuffix.trim()) {
    // Mid-line: one line at most, and not what already follows the cursor.
    if (out.includes('\n')) out = out.slice(0, out.indexOf('\n'));
    out = trimOverlapWithLineSuffix(out, ctx.lineSuffix);
  }
  out = trimUnbalancedClosers(out, ctx.linePrefix);
  if (!/[\p{L}\p{N}]/u.test(out)) return undefined; // only whitespace or punctuation
  if (ctx.lineSuffix.trim() && out.trim().startsWith(ctx.lineSuffix.trim())) return undefined; // repeats the text after the cursor
  const nextLine = ctx.nextLines.find((l) => l.trim() !== '');
  if (out.includes('\n') && nextLine !== undefined && out.split('\n').some((l) => l.trim() !== '' && l.trim() === nextLine.trim())) {
    // Multi-line suggestion that re-types the next line: keep only what comes before it.
    const lines = out.split('\n');
    const at = lines.findIndex((l) => l.trim() !== '' && l.trim() === nextLine.trim());
    out = lines.slice(0, at).join('\n').replace(/\s+$/, '');
    if (!/[\p{L}\p{N}]/u.test(out)) return undefined;
  } else if (!out.includes('\n') && ctx.lineSuffix.trim() === '' && nextLine !== undefined && (ctx.linePrefix + out).trim() === nextLine.trim()) {
    return undefined; // the whole line already follows
  }
  return out;
}

/** Drops the end of `text` that the line after the cursor already has (`foo(a|)` + `b)` → `b`). */
function trimOverlapWithLineSuffix(text: string, lineSuffix: string): string {
  const closers = lineSuffix.trimStart();
  for (let k = Math.min(text.length, closers.length); k > 0; k--) {
    const tail = closers.slice(0, k);
    if (CLOSERS.test(tail) && text.endsWith(tail)) return text.slice(0, text.length - k);
  }
  return text;
}

/** Cuts a single-line suggestion where it closes a bracket that its line never opened. */
function trimUnbalancedClosers(text: string, linePrefix: string): string {
  if (text.includes('\n')) return text; // multi-line suggestions are cut by the block stop rule
  const { unopened } = scanBrackets(text, scanBrackets(linePrefix, 0, true).depth);
  return unopened < 0 ? text : text.slice(0, unopened).replace(/\s+$/, '');
}

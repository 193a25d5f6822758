// Where a cursor captured earlier is now: the panel pins a context, the user keeps editing, and
// Insert must go where that context still is — not at the offset it had when it was pinned.

/** Characters of context on each side that must still match. */
const ANCHOR_CHARS = 200;

/**
 * The offset in `text` between the tail of `prefix` and the head of `suffix`: the old offset when
 * they still surround it, else their one occurrence; undefined when gone or ambiguous.
 */
export function relocateCursor(text: string, oldOffset: number, prefix: string, suffix: string): number | undefined {
  const before = prefix.slice(-ANCHOR_CHARS);
  const after = suffix.slice(0, ANCHOR_CHARS);
  const fits = (at: number) => text.slice(Math.max(0, at - before.length), at) === before && text.startsWith(after, at);
  if (oldOffset >= 0 && oldOffset <= text.length && fits(oldOffset)) return oldOffset;
  const anchor = before + after;
  if (anchor.length === 0) return undefined;
  const first = text.indexOf(anchor);
  if (first < 0 || text.indexOf(anchor, first + 1) >= 0) return undefined;
  return first + before.length;
}

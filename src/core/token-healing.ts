// Token healing: when the prompt ends inside what would be one token (the user typed `retu`),
// back up over the last prompt token and constrain the first generated token(s) to start with
// the removed text, so the model can produce `return` as one token instead of `retu` + `rn`.

/**
 * Whether a token can continue a healed prompt: its text must extend the removed text, or be a
 * prefix of it (then more of the removed text must follow).
 */
export function healingAllows(tokenText: string, pending: string): boolean {
  if (tokenText.length === 0) return false;
  return tokenText.startsWith(pending) || pending.startsWith(tokenText);
}

/** Remaining constraint after a token was taken. */
export function healingRemainder(tokenText: string, pending: string): string {
  return pending.startsWith(tokenText) ? pending.slice(tokenText.length) : '';
}

/**
 * (vocab) logits with every token that violates the constraint set to −Infinity.
 * `tokenTexts[id]` is the decoded text of each vocabulary entry ('' for special tokens).
 */
export function constrainToHealing(logits: ArrayLike<number>, tokenTexts: readonly string[], pending: string): Float32Array {
  const out = new Float32Array(logits.length);
  let any = false;
  for (let id = 0; id < logits.length; id++) {
    const ok = healingAllows(tokenTexts[id] ?? '', pending);
    out[id] = ok ? logits[id] : -Infinity;
    any ||= ok;
  }
  if (!any) throw new Error(`no token continues the healed text ${JSON.stringify(pending)}`);
  return out;
}

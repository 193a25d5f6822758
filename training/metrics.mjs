// Line-completion metrics shared by the evals (training/eval.mjs, training/eval-v2.mjs).

/** Levenshtein distance (two rows). */
function lev(a, b) {
  if (a === b) return 0;
  const m = a.length, n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j), cur = new Array(n + 1);
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    [prev, cur] = [cur, prev];
  }
  return prev[n];
}

/** Edit similarity, 0..100: 100 × (1 − Levenshtein / longer length). */
export const es = (p, t) => (Math.max(p.length, t.length) === 0 ? 100 : 100 * (1 - lev(p, t) / Math.max(p.length, t.length)));

/** The first line, right-trimmed. */
export const firstLine = (s) => { const i = s.indexOf('\n'); return (i < 0 ? s : s.slice(0, i)).trimEnd(); };

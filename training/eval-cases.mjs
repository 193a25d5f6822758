// The evals' case sampler, shared by training/eval.mjs, training/eval-v2.mjs and
// scripts/gate-eval.ts: a seeded RNG, the lines worth cutting, and line cuts at a random column.
// A library: importing it runs nothing.

/** A seeded RNG (mulberry32): the same seed, the same cases. */
export function makeRng(seed) {
  let s = seed >>> 0;
  const rnd = () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
  return { rnd, randint: (a, b) => a + Math.floor(rnd() * (b - a + 1)) };
}

/**
 * Lines worth cutting: not the first, ≥ 6 characters, a letter or digit, not a comment. Each with
 * its document index, line index, offset of its start, and its text (with any `\r`).
 */
export function linePool(docs) {
  const pool = [];
  docs.forEach((d, di) => {
    let off = 0;
    d.text.split('\n').forEach((line, li) => {
      const t = line.trim();
      if (li > 0 && t.length >= 6 && /[A-Za-z0-9_$]/.test(t) && !/^(\*|\/\/|\/\*)/.test(t)) pool.push({ di, li, off, line });
      off += line.length + 1;
    });
  });
  return pool;
}

/**
 * `n` line cuts, each from a different line: the line cut at a random column after its
 * indentation; the target is the rest of the line (right-trimmed), the prefix the whole document
 * before the cut, the suffix the document after the line (from the newline that ends it).
 */
export function lineCuts(docs, n, seed) {
  const { randint } = makeRng(seed);
  const pool = linePool(docs);
  const cases = [];
  const used = new Set();
  while (cases.length < n && used.size < pool.length) {
    const p = pool[randint(0, pool.length - 1)];
    const key = `${p.di}:${p.li}`;
    if (used.has(key)) continue;
    used.add(key);
    const { text, pkg, path } = docs[p.di];
    const indent = p.line.length - p.line.trimStart().length;
    const col = randint(indent, p.line.trimEnd().length - 1);
    const target = p.line.slice(col).trimEnd();
    if (!target.trim()) continue;
    cases.push({ pkg, doc: `${pkg}/${path}`, line: p.li, col, prefix: text.slice(0, p.off + col), suffix: text.slice(p.off + p.line.length), target });
  }
  return cases;
}

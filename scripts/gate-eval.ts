// Collects the gate's evidence: line cuts of held-out code (the cases of training/eval.mjs: same
// sampler, same seed), each completed through the product's CLI (`complete --jsonl`, prefix only,
// to the end of the line), with the gate's features and how right the shown text is.
//
//   node --import tsx scripts/gate-eval.ts [--model models/nexttoken-small] [--cases 1500] [--seed 7]
//        [--data training/data/eval.jsonl] [--out training/runs/gate-cases.jsonl]
//
// One JSON line per case: pkg, doc, typed (the line before the cursor), target (rest of the line),
// text (shaped ghost text, '' when shaping drops it), features (gate.ts), the CLI's confidence and
// shown, exact (text === target), es (edit similarity 0..100), acceptedChars (characters of text up
// to its first wrong one).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { splitAtCursor } from '../src/completion/context.js';
import { gateFeatures } from '../src/completion/gate.js';
import { shapeSuggestion } from '../src/completion/suggestion-shape.js';
import { DEFAULT_PIPELINE } from '../src/completion/pipeline.js';

const root = path.join(__dirname, '..');
const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const modelDir = path.resolve(arg('model', path.join(root, 'models', 'nexttoken-small')));
const nCases = Number(arg('cases', '1500'));
const dataFile = arg('data', path.join(root, 'training', 'data', 'eval.jsonl'));
const outFile = arg('out', path.join(root, 'training', 'runs', 'gate-cases.jsonl'));

// ---------- cases (training/eval.mjs makeCases, same RNG and seed) ----------
let seed = Number(arg('seed', '7')) >>> 0;
function rnd() { seed = (seed + 0x6d2b79f5) >>> 0; let t = seed; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; }
const randint = (a: number, b: number) => a + Math.floor(rnd() * (b - a + 1));

interface Doc { pkg: string; path: string; text: string }
interface Case { pkg: string; doc: string; prefix: string; target: string }

function makeCases(docs: Doc[], n: number): Case[] {
  const pool: { di: number; li: number; off: number }[] = [];
  docs.forEach((d, di) => {
    let off = 0;
    d.text.split('\n').forEach((line, li) => {
      const t = line.trim();
      if (li > 0 && t.length >= 6 && /[A-Za-z0-9_$]/.test(t) && !/^(\*|\/\/|\/\*)/.test(t)) pool.push({ di, li, off });
      off += line.length + 1;
    });
  });
  const cases: Case[] = [];
  const used = new Set<string>();
  while (cases.length < n && used.size < pool.length) {
    const p = pool[randint(0, pool.length - 1)];
    const key = `${p.di}:${p.li}`;
    if (used.has(key)) continue;
    used.add(key);
    const text = docs[p.di].text;
    const nl = text.indexOf('\n', p.off);
    const line = text.slice(p.off, nl < 0 ? text.length : nl);
    const indent = line.length - line.trimStart().length;
    const col = randint(indent, line.trimEnd().length - 1);
    const target = line.slice(col).trimEnd();
    if (!target.trim()) continue;
    cases.push({ pkg: docs[p.di].pkg, doc: `${docs[p.di].pkg}/${docs[p.di].path}`, prefix: text.slice(0, p.off + col), target });
  }
  return cases;
}

function lev(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}
const editSimilarity = (p: string, t: string) => (Math.max(p.length, t.length) === 0 ? 100 : 100 * (1 - lev(p, t) / Math.max(p.length, t.length)));
const acceptedChars = (p: string, t: string) => { let i = 0; while (i < p.length && i < t.length && p[i] === t[i]) i++; return i; };
const languageOf = (file: string) => (/\.(tsx)$/.test(file) ? 'typescriptreact' : /\.(ts|cts|mts)$/.test(file) ? 'typescript' : 'javascript');

async function main() {
  const docs: Doc[] = fs.readFileSync(dataFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const cases = makeCases(docs, nCases);
  const child = spawn(process.execPath, [path.join(root, 'dist', 'cli.js'), 'complete', '--jsonl', '--model', modelDir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const answers = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const out = fs.createWriteStream(outFile);
  const started = Date.now();
  for (const [i, c] of cases.entries()) {
    const language = languageOf(c.doc);
    child.stdin.write(JSON.stringify({ prefix: c.prefix, maxTokens: DEFAULT_PIPELINE.maxTokens, stop: 'line', language }) + '\n');
    const answer = JSON.parse((await answers.next()).value as string);
    const ctx = splitAtCursor(c.prefix, c.prefix.length, true);
    const text = shapeSuggestion(answer.text, ctx) ?? '';
    const features = gateFeatures(answer, text, ctx, language);
    out.write(JSON.stringify({
      pkg: c.pkg, doc: c.doc, typed: ctx.linePrefix, target: c.target, text, features,
      confidence: answer.confidence, shown: answer.shown,
      exact: text !== '' && text === c.target, es: text === '' ? 0 : editSimilarity(text, c.target), acceptedChars: acceptedChars(text, c.target),
    }) + '\n');
    if ((i + 1) % 100 === 0) process.stderr.write(`${i + 1}/${cases.length} ${Math.round((Date.now() - started) / 1000)} s\n`);
  }
  child.stdin.end();
  out.end();
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});

// Collects the gate's evidence: line cuts of held-out code (the cases of training/eval.mjs: the
// same sampler, training/eval-cases.mjs, and seed), each completed through the product's CLI
// (`complete --jsonl`, prefix only, to the end of the line), with the gate's features and how
// right the shown text is.
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
import { lineCuts, type EvalDoc } from '../training/eval-cases.mjs';
import { es as editSimilarity } from '../training/metrics.mjs';

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
const seed = Number(arg('seed', '7'));

const acceptedChars = (p: string, t: string) => { let i = 0; while (i < p.length && i < t.length && p[i] === t[i]) i++; return i; };
const languageOf = (file: string) => (/\.(tsx)$/.test(file) ? 'typescriptreact' : /\.(ts|cts|mts)$/.test(file) ? 'typescript' : 'javascript');

async function main() {
  const docs: EvalDoc[] = fs.readFileSync(dataFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const cases = lineCuts(docs, nCases, seed); // the cases of training/eval.mjs: same sampler, same seed
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

#!/usr/bin/env node
// Cross-file eval: does a completion use the name another file declares?
//
//   node training/crossfile-eval.mjs [--model models/nexttoken-small] [--data training/data/crossfile.jsonl]
//                                    [--settings off,context,monitor] [--budgets 256] [--cases N (evenly spaced)] [--fim]
//                                    [--choose N (valid names scored whole by the model; 0 = mask only; default the CLI's)]
//                                    [--out training/runs/crossfile.json]
//
// Cases come from training/crossfile-cases.mjs: a line cut right before a name declared only in
// a file the current file imports. For each setting the product's CLI (`dist/cli.js complete
// --jsonl`) completes to the end of the line from the prefix (with --fim also the text after
// the line), and the case's workspace files go with the request:
//   off        no files (today's completions)
//   context    repository context within each budget of --budgets (tokens)
//   monitor    context (first budget) + the TypeScript language-service monitor at the `.` before
//              the name (--monitor-budget MS, default 5000: the eval measures what guidance is
//              worth; the service's time is reported beside it)
// Reported: EM (right-trimmed line), ES = 100 * (1 - lev / max len), and identifier match
// (the completion's first identifier is the name), also split by whether the name already
// occurs in the current file's prefix.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { es, firstLine } from './metrics.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) => (v.startsWith('--') ? [...a, [v.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : true]] : a), []));
const modelDir = path.resolve(args.model ?? path.join(root, 'models', 'nexttoken-small'));
const dataFile = path.resolve(args.data ?? path.join(here, 'data', 'crossfile.jsonl'));
const settings = String(args.settings ?? 'off,context').split(',');
const budgets = String(args.budgets ?? '256').split(',').map(Number);
const outFile = path.resolve(args.out ?? path.join(here, 'runs', 'crossfile.json'));
const MAX_TOKENS = 48;

let cases = fs.readFileSync(dataFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
// --cases N: an evenly spaced subset (the file is grouped by package).
if (args.cases && Number(args.cases) < cases.length) { const step = cases.length / Number(args.cases); cases = Array.from({ length: Number(args.cases) }, (_, i) => cases[Math.floor(i * step)]); }

const firstIdentifier = (s) => /^[A-Za-z_$][\w$]*/.exec(s)?.[0] ?? '';

function summarize(preds, subset) {
  const idx = subset ?? cases.map((_, i) => i);
  if (!idx.length) return { cases: 0 };
  let em = 0, s = 0, id = 0;
  for (const i of idx) {
    const p = preds[i], c = cases[i];
    if (p === c.target) em++;
    s += es(p, c.target);
    if (firstIdentifier(p) === c.name) id++;
  }
  const pct = (x) => +(100 * x / idx.length).toFixed(1);
  return { cases: idx.length, EM: pct(em), ES: +(s / idx.length).toFixed(1), identifierMatch: pct(id) };
}

function cli(extra) {
  const child = spawn(process.execPath, [path.join(root, 'dist', 'cli.js'), 'complete', '--jsonl', '--model', modelDir, ...extra], { stdio: ['pipe', 'pipe', 'inherit'] });
  const rl = readline.createInterface({ input: child.stdout });
  const waiting = [];
  rl.on('line', (l) => waiting.shift()?.(JSON.parse(l)));
  return {
    ask: (req) => new Promise((res) => { waiting.push(res); child.stdin.write(JSON.stringify(req) + '\n'); }),
    close: () => child.stdin.end(),
  };
}

const runs = [];
for (const setting of settings) for (const budget of setting === 'context' ? budgets : setting === 'monitor' ? [budgets[0]] : [0]) runs.push({ setting, budget, name: setting === 'off' ? 'off' : setting === 'monitor' ? `context-${budget}+monitor` : `context-${budget}` });
const flagsFor = (run) => [
  '--context', run.setting === 'off' ? 'off' : 'on', '--context-budget', String(run.budget),
  '--monitor', run.setting === 'monitor' ? 'ts' : 'off', '--monitor-budget', String(args['monitor-budget'] ?? 5000),
];

const report = { model: path.relative(root, modelDir), data: path.relative(root, dataFile), cases: cases.length, fim: !!args.fim, packages: [...new Set(cases.map((c) => c.pkg))], nameInPrefix: cases.filter((c) => c.nameInPrefix).length, results: {} };
const samples = cases.map((c) => ({ pkg: c.pkg, path: c.path, line: c.line, name: c.name, target: c.target }));
for (const run of runs) {
  const engine = cli(flagsFor(run));
  const preds = [];
  const ms = [];
  const contextTokens = [];
  const monitorMs = [];
  let guided = 0;
  for (const [i, c] of cases.entries()) {
    const answer = await engine.ask({ prefix: c.prefix, suffix: args.fim ? c.suffix : undefined, path: c.path, files: run.setting === 'off' ? undefined : c.files, maxTokens: MAX_TOKENS, stop: 'line', chooseNames: args.choose === undefined ? undefined : Number(args.choose) });
    if (answer.error) throw new Error(answer.error);
    preds.push(firstLine(answer.text));
    ms.push(answer.ms);
    contextTokens.push(answer.contextTokens ?? 0);
    if (answer.monitor) { monitorMs.push(answer.monitor.ms); if (answer.monitor.validNames > 0) guided++; }
    samples[i][run.name] = preds[i];
    if ((i + 1) % 50 === 0) console.error(run.name, `${i + 1}/${cases.length}`, JSON.stringify(summarize(preds, preds.map((_, j) => j))));
  }
  engine.close();
  const inPrefix = cases.map((c, i) => (c.nameInPrefix ? i : -1)).filter((i) => i >= 0);
  const notInPrefix = cases.map((c, i) => (c.nameInPrefix ? -1 : i)).filter((i) => i >= 0);
  ms.sort((a, b) => a - b);
  report.results[run.name] = {
    ...summarize(preds),
    nameInPrefix: summarize(preds, inPrefix),
    nameNotInPrefix: summarize(preds, notInPrefix),
    msMedian: ms[ms.length >> 1],
    contextTokensMean: +(contextTokens.reduce((a, b) => a + b, 0) / cases.length).toFixed(1),
    ...(run.setting === 'monitor' ? { monitorAnswered: guided, monitorMsMedian: +monitorMs.sort((a, b) => a - b)[monitorMs.length >> 1]?.toFixed(1), monitorMsP95: +monitorMs[Math.floor(monitorMs.length * 0.95)]?.toFixed(1) } : {}),
  };
  console.error(run.name, JSON.stringify(report.results[run.name]));
}
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, JSON.stringify(report, null, 2) + '\n');
fs.writeFileSync(outFile.replace(/\.json$/, '-samples.jsonl'), samples.map((s) => JSON.stringify(s)).join('\n') + '\n');
console.log(JSON.stringify(report, null, 2));

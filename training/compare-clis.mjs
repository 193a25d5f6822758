#!/usr/bin/env node
// Same single-file requests (no workspace files) through two builds of the CLI: are the
// completions identical? A change that must leave single-file completions alone (repository
// context, the language-server monitor) is checked against main's build this way, token for
// token, in a minute instead of the v2 suite's fifteen.
//
//   node training/compare-clis.mjs CLI_A MODEL_A CLI_B MODEL_B [--data training/data/eval.jsonl] [--requests 80]
//
// Requests: lines of held-out files (eval.jsonl) cut at their middle, alternately prefix only
// and with the suffix (the next lines), 48 tokens, stop at the end of the line.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import readline from 'node:readline';
const [cliA, modelA, cliB, modelB] = process.argv.slice(2);
const flag = (name, fallback) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : fallback; };
const N = Number(flag('requests', 80));
const rows = fs.readFileSync(flag('data', new URL('./data/eval.jsonl', import.meta.url)), 'utf8').split('\n').filter(Boolean).slice(0, 400).map((l) => JSON.parse(l));
let seed = 7;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const reqs = [];
for (const r of rows) {
  if (reqs.length >= N) break;
  const lines = r.text.split('\n');
  const li = 5 + Math.floor(rnd() * Math.max(1, lines.length - 10));
  const line = lines[li] ?? '';
  if (line.trim().length < 8) continue;
  const col = Math.floor(line.length / 2);
  const before = lines.slice(Math.max(0, li - 60), li).join('\n') + '\n' + line.slice(0, col);
  const after = line.slice(col) + '\n' + lines.slice(li + 1, li + 20).join('\n');
  reqs.push(reqs.length % 2 ? { prefix: before, suffix: after, maxTokens: 48, stop: 'line' } : { prefix: before, maxTokens: 48, stop: 'line' });
}
async function run(cli, model) {
  const child = spawn(process.execPath, [cli, 'complete', '--jsonl', '--model', model], { stdio: ['pipe', 'pipe', 'inherit'] });
  const out = [];
  const rl = readline.createInterface({ input: child.stdout });
  const done = new Promise((res) => rl.on('close', res));
  rl.on('line', (l) => out.push(JSON.parse(l).text));
  for (const r of reqs) child.stdin.write(JSON.stringify(r) + '\n');
  child.stdin.end();
  await done;
  return out;
}
const a = await run(cliA, modelA);
const b = await run(cliB, modelB);
const same = a.filter((t, i) => t === b[i]).length;
console.log(JSON.stringify({ requests: reqs.length, identical: same, differing: a.map((t, i) => (t === b[i] ? null : { i, a: t, b: b[i] })).filter(Boolean).slice(0, 5) }));

#!/usr/bin/env node
// Evaluate a NextToken model folder on the held-out packages (training/data/eval.jsonl).
//
//   node training/eval.mjs --model models/nexttoken-small [--engine cli|ort] [--cases 400] [--seed 7]
//                          [--next-token-tokens 60000] [--out training/runs/eval.json] [--rerank] [--accept-ratio R]
//   node training/eval.mjs --model models/nexttoken-small --suite v2 --out training/runs/eval-v1.json
//                          (issue 13's broader eval: three paths, smoke prompts, drafting settings; see eval-v2.mjs)
//
// 1. Next-token prediction (onnxruntime-node on the exported model, windows of the model's
//    context advancing by half a window): top-1 / top-5 accuracy and bits per character.
// 2. Line completion: a line of a held-out file is cut at a random column (fixed seed; blank and
//    punctuation-only lines skipped); the model completes to the end of the line, without the
//    text after the cursor (plain) and with it (FIM: the suffix starts at the line's end).
//    Exact match (right-trimmed) and edit similarity ES = 100 * (1 - lev / max(len)).
//    --engine cli runs the product: `node dist/cli.js complete --jsonl --model DIR` (token
//    healing, FIM template from the tokenizer, stop at end of line, repetition guard).
//    --engine ort is a plain greedy loop over onnxruntime-node (no healing), for development.
// 3. The non-neural baseline on the same cases: the rest of the most recent earlier line of the
//    file that starts with the same (left-trimmed) text as the current line before the cursor.
// 4. --rerank (cli engine): also score the baseline's copied line against the model's own line
//    with `nexttoken score` (log p(candidate + newline | last 2,000 characters of the prefix),
//    per character) and keep the likelier — measured, not shipped.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { lineCuts } from './eval-cases.mjs';
import { es, firstLine } from './metrics.mjs';
import { fileURLToPath } from 'node:url';
import { Tokenizer } from '@huggingface/tokenizers';
import ort from 'onnxruntime-node';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) => (v.startsWith('--') ? [...a, [v.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : true]] : a), []));
const modelDir = path.resolve(args.model ?? path.join(root, 'models', 'nexttoken-small'));
const engineName = args.engine ?? (fs.existsSync(path.join(root, 'dist', 'cli.js')) ? 'cli' : 'ort');
const N_CASES = Number(args.cases ?? 400);
const SEED = Number(args.seed ?? 7);
const MAX_TOKENS = Number(args['max-tokens'] ?? 48);
const NT_TOKENS = Number(args['next-token-tokens'] ?? 60000);
// --accept-ratio R: the prompt-lookup acceptance of the product's CLI (default: the product's own).
const ACCEPT = args['accept-ratio'] !== undefined ? { acceptRatio: Number(args['accept-ratio']) } : {};
const docsFile = args.data ?? path.join(here, 'data', 'eval.jsonl');
const outFile = args.out ?? path.join(here, 'runs', `eval-${engineName}.json`);

const docs = fs.readFileSync(docsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

// ---------- cases: training/eval-cases.mjs ----------
export function baseline(c) {
  const lineStart = c.prefix.lastIndexOf('\n') + 1;
  const typed = c.prefix.slice(lineStart).trimStart();
  const earlier = c.prefix.slice(0, lineStart).split('\n');
  for (let i = earlier.length - 1; i >= 0; i--) {
    const t = earlier[i].trimStart();
    if (t.startsWith(typed) && t.length > typed.length) return t.slice(typed.length).trimEnd();
  }
  return '';
}


function summarize(preds, cases) {
  let em = 0, s = 0;
  preds.forEach((p, i) => { const q = firstLine(p); if (q === cases[i].target) em++; s += es(q, cases[i].target); });
  return { EM: +(100 * em / cases.length).toFixed(1), ES: +(s / cases.length).toFixed(1) };
}

// ---------- engines ----------
function cliEngine(extraArgs = []) {
  const child = spawn(process.execPath, [path.join(root, 'dist', 'cli.js'), ...extraArgs, '--jsonl', '--model', modelDir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const rl = readline.createInterface({ input: child.stdout });
  const waiting = [];
  rl.on('line', (l) => { const w = waiting.shift(); if (w) w(JSON.parse(l)); });
  return {
    ask(req) { return new Promise((res) => { waiting.push(res); child.stdin.write(JSON.stringify(req) + '\n'); }); },
    close() { child.stdin.end(); },
  };
}

async function ortSession() {
  const tj = JSON.parse(fs.readFileSync(path.join(modelDir, 'tokenizer.json'), 'utf8'));
  const tc = JSON.parse(fs.readFileSync(path.join(modelDir, 'tokenizer_config.json'), 'utf8'));
  const cfg = JSON.parse(fs.readFileSync(path.join(modelDir, 'config.json'), 'utf8'));
  const tok = new Tokenizer(tj, tc);
  const sess = await ort.InferenceSession.create(path.join(modelDir, 'onnx', args.variant ?? 'model.onnx'), { intraOpNumThreads: 2 });
  const L = cfg.num_hidden_layers, KV = cfg.num_key_value_heads, HD = cfg.head_dim, V = cfg.vocab_size;
  const i64 = (a, d) => new ort.Tensor('int64', BigInt64Array.from(a.map(BigInt)), d);
  async function forward(ids, past, pastLen) {
    const feeds = { input_ids: i64(ids, [1, ids.length]), attention_mask: i64(Array(pastLen + ids.length).fill(1), [1, pastLen + ids.length]), position_ids: i64(ids.map((_, i) => pastLen + i), [1, ids.length]) };
    for (let i = 0; i < L; i++) for (const kv of ['key', 'value']) feeds[`past_key_values.${i}.${kv}`] = past?.[`${i}.${kv}`] ?? new ort.Tensor('float32', new Float32Array(0), [1, KV, 0, HD]);
    const out = await sess.run(feeds, ['logits', ...Array.from({ length: L }, (_, i) => [`present.${i}.key`, `present.${i}.value`]).flat()]);
    const next = {};
    for (let i = 0; i < L; i++) for (const kv of ['key', 'value']) next[`${i}.${kv}`] = out[`present.${i}.${kv}`];
    return { logits: out.logits.data, next };
  }
  const id = (s) => tok.encode(s, { add_special_tokens: false }).ids[0];
  return { tok, cfg, forward, V, eot: cfg.eos_token_id, fim: { pre: id('<fim_prefix>'), suf: id('<fim_suffix>'), mid: id('<fim_middle>') } };
}

function ortEngine(o) {
  const window = o.cfg.max_position_embeddings;
  return {
    async ask({ prefix, suffix }) {
      const t0 = Date.now();
      let pre = o.tok.encode(prefix, { add_special_tokens: false }).ids;
      let ids;
      if (suffix) {
        const suf = o.tok.encode(suffix, { add_special_tokens: false }).ids.slice(0, 64);
        pre = pre.slice(-Math.max(1, window - MAX_TOKENS - suf.length - 4));
        ids = [o.fim.pre, ...pre, o.fim.suf, ...suf, o.fim.mid];
      } else ids = pre.slice(-(window - MAX_TOKENS - 1));
      let { logits, next } = await o.forward(ids, null, 0);
      let pastLen = ids.length, row = (ids.length - 1) * o.V;
      const out = [];
      let text = '';
      for (let s = 0; s < MAX_TOKENS; s++) {
        let best = 0;
        for (let v = 1; v < o.V; v++) if (logits[row + v] > logits[row + best]) best = v;
        if (best === o.eot) break;
        out.push(best);
        text = o.tok.decode(out, { skip_special_tokens: true, clean_up_tokenization_spaces: false });
        if (text.includes('\n')) break;
        ({ logits, next } = await o.forward([best], next, pastLen));
        pastLen++; row = 0;
      }
      return { text: firstLine(text), ms: Date.now() - t0 };
    },
    close() {},
  };
}

async function nextTokenMetrics(o, budget) {
  const window = o.cfg.max_position_embeddings;
  let n = 0, top1 = 0, top5 = 0, nll = 0, chars = 0;
  for (const d of docs) {
    if (n >= budget) break;
    const ids = [o.eot, ...o.tok.encode(d.text, { add_special_tokens: false }).ids];
    chars += d.text.length;
    let scored = 1; // position of the next token to score
    while (scored < ids.length) {
      const end = Math.min(ids.length, Math.max(scored + 1, scored + Math.floor(window / 2)));
      const start = Math.max(0, end - window);
      const { logits } = await o.forward(ids.slice(start, end), null, 0);
      for (let p = scored; p < end; p++) {
        const row = (p - 1 - start) * o.V, y = ids[p];
        let mx = -Infinity;
        for (let v = 0; v < o.V; v++) mx = Math.max(mx, logits[row + v]);
        let z = 0, higher = 0;
        for (let v = 0; v < o.V; v++) { z += Math.exp(logits[row + v] - mx); if (logits[row + v] > logits[row + y]) higher++; }
        nll += Math.log(z) + mx - logits[row + y];
        if (higher === 0) top1++;
        if (higher < 5) top5++;
        n++;
      }
      scored = end;
    }
  }
  return { tokens: n, top1: +(100 * top1 / n).toFixed(1), top5: +(100 * top5 / n).toFixed(1), nllPerToken: +(nll / n).toFixed(4), bitsPerChar: +(nll / Math.LN2 / chars).toFixed(4), charsPerToken: +(chars / n).toFixed(3) };
}

// ---------- main ----------
if (args.suite === 'v2') {
  const { runSuiteV2 } = await import('./eval-v2.mjs');
  const nextToken = NT_TOKENS > 0 ? async () => nextTokenMetrics(await ortSession(), NT_TOKENS) : undefined;
  await runSuiteV2({ args, root, modelDir, docs, nextToken });
  process.exit(0);
} else if (args.suite) throw new Error(`unknown suite ${args.suite}`);
const cases = lineCuts(docs, N_CASES, SEED);
const t0 = Date.now();
const report = { model: path.relative(root, modelDir), engine: engineName, cases: cases.length, seed: SEED, maxTokens: MAX_TOKENS, heldOut: [...new Set(docs.map((d) => d.pkg))] };
const o = await ortSession();
if (NT_TOKENS > 0) { report.nextToken = await nextTokenMetrics(o, NT_TOKENS); console.error('next-token', JSON.stringify(report.nextToken)); }

const base = cases.map(baseline);
report.baseline = summarize(base, cases);
const eng = engineName === 'cli' ? cliEngine(['complete']) : ortEngine(o);
const preds = { plain: [], fim: [] };
const ms = [];
for (let i = 0; i < cases.length; i++) {
  const c = cases[i];
  const a = await eng.ask({ prefix: c.prefix, maxTokens: MAX_TOKENS, stop: 'line', ...ACCEPT });
  const b = await eng.ask({ prefix: c.prefix, suffix: c.suffix, maxTokens: MAX_TOKENS, stop: 'line', ...ACCEPT });
  preds.plain.push(firstLine(a.text)); preds.fim.push(firstLine(b.text)); ms.push(a.ms, b.ms);
  if ((i + 1) % 50 === 0) console.error(`${i + 1}/${cases.length}`, JSON.stringify({ plain: summarize(preds.plain, cases.slice(0, i + 1)), fim: summarize(preds.fim, cases.slice(0, i + 1)), baseline: summarize(base.slice(0, i + 1), cases.slice(0, i + 1)) }));
}
eng.close();
report.model_plain = summarize(preds.plain, cases);
report.model_fim = summarize(preds.fim, cases);
report.msPerCompletion = { median: ms.sort((x, y) => x - y)[ms.length >> 1], mean: +(ms.reduce((x, y) => x + y, 0) / ms.length).toFixed(1) };

if (args.rerank && engineName === 'cli') {
  const sc = cliEngine(['score']);
  const lp = async (before, text) => (await sc.ask({ before, text })).logprob;
  const limit = Math.min(cases.length, Number(args['rerank-cases'] ?? cases.length));
  const out = { plain: [], fim: [] };
  let swapped = 0;
  for (let i = 0; i < limit; i++) {
    const c = cases[i], b = base[i];
    const ctx = c.prefix.slice(-2000);
    let sb;
    for (const mode of ['plain', 'fim']) {
      const g = preds[mode][i];
      if (!b || b === g) { out[mode].push(g); continue; }
      sb ??= (await lp(ctx, b + '\n')) / (b.length + 1);
      const sg = (await lp(ctx, g + '\n')) / (g.length + 1);
      out[mode].push(sb > sg ? b : g);
      if (sb > sg) swapped++;
    }
  }
  const sub = cases.slice(0, limit);
  report.rerank = { cases: limit, swapped, baseline: summarize(base.slice(0, limit), sub), plain: summarize(preds.plain.slice(0, limit), sub), fim: summarize(preds.fim.slice(0, limit), sub), rerank_plain: summarize(out.plain, sub), rerank_fim: summarize(out.fim, sub) };
  sc.close();
}
report.seconds = Math.round((Date.now() - t0) / 1000);
const ratio = (m) => ({ ES_x: +(report[m].ES / report.baseline.ES).toFixed(2), EM_x: +(report[m].EM / Math.max(0.1, report.baseline.EM)).toFixed(2) });
report.vsBaseline = { plain: ratio('model_plain'), fim: ratio('model_fim') };
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, JSON.stringify(report, null, 2) + '\n');
if (args.samples) fs.writeFileSync(outFile.replace(/\.json$/, '-samples.jsonl'), cases.map((c, i) => JSON.stringify({ doc: c.doc, line: c.line, typed: c.prefix.slice(c.prefix.lastIndexOf('\n') + 1), target: c.target, baseline: base[i], plain: preds.plain[i], fim: preds.fim[i] })).join('\n') + '\n');
console.log(JSON.stringify(report, null, 2));

// `nexttoken bench` (npm run bench): where NextToken stands against native ONNX Runtime and
// transformers.js on the same model and machine, and what a keystroke costs. Prints a
// markdown table and writes bench-results/bench.json. Per-thread figures come from child
// processes because ORT fixes its thread count once per process.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ortWeb from 'onnxruntime-web';
import { readModelFolder } from '../engine/load-model.js';
import { nodeModelFiles } from '../engine/node-model-files.js';
import { bundledModelFolder, loadNodeEngine } from '../engine/node-runtime.js';
import type { OrtModule } from '../engine/ort.js';
import { TsNames } from '../ts-names.js';
import { replayTyping } from './keystroke-replay.js';
import { loadTransformersPeer, requirePeer } from './peers.js';
import { cachedDecodeMs, openDecoder, prefillMs, uncachedDecodeMs } from './runtimes.js';
import { median, percentile, round } from './stats.js';

type Flags = Record<string, string | boolean>;

const PROMPTS = [
  'import * as fs from "node:fs";\n\nexport function readJson(file: string): unknown {\n\tconst text = fs.readFileSync(file, "utf8");\n\treturn ',
  'export class Stack<T> {\n\tprivate items: T[] = [];\n\n\tpush(item: T): void {\n\t\tthis.items.push(item);\n\t}\n\n\tpop(): T | undefined {\n\t\treturn ',
  'const server = http.createServer((req, res) => {\n\tif (req.url === "/health") {\n\t\tres.writeHead(200);\n\t\t',
  'export async function retry<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {\n\tlet lastError: unknown;\n\tfor (let i = 0; i < attempts; i++) {\n\t\ttry {\n\t\t\treturn ',
  'interface User {\n\tid: string;\n\tname: string;\n\temail: string;\n}\n\nexport function byEmail(users: User[], email: string): User | undefined {\n\treturn users.',
];

export async function runBench(flags: Flags): Promise<number> {
  const model = typeof flags.model === 'string' ? flags.model : bundledModelFolder();
  if (flags.phase === 'threads') return phaseThreads(model, Number(flags.threads ?? 1));
  if (flags.phase === 'coldstart') return phaseColdStart(model);
  if (flags.phase === 'replay') return phaseReplay(model, flags);
  if (flags.phase === 'replay-context') return phaseReplayContext(model, flags);
  const quick = flags.quick === true;
  const runs = quick ? 5 : 15;
  const log = (s: string) => process.stderr.write(s + '\n');
  const report: Record<string, unknown> = { machine: describeMachine(), model, date: new Date().toISOString() };

  log('• decode with and without the KV cache (onnxruntime-web, WASM, 1 thread)');
  const engine = await loadNodeEngine(model, { threads: 1 });
  const folder = await readModelFolder(nodeModelFiles(model));
  const web = await openDecoder(ortWeb as OrtModule, folder, 'wasm');
  const window = folder.shape.maxPositions;
  const pasts = [16, 128, 256, 512, 1024, window - 1].filter((p, i, a) => p < window && a.indexOf(p) === i);
  const decode = [];
  for (const past of pasts) {
    const cached = await cachedDecodeMs(web, past, runs);
    const uncached = await uncachedDecodeMs(web, past, Math.max(3, Math.round(runs / 3)));
    decode.push({ past, cachedMs: round(cached), uncachedMs: round(uncached), speedup: round(uncached / cached, 1) });
  }
  report.decode = decode;

  log('• onnxruntime-node (native CPU) on the same model');
  const ortNode = requirePeer('onnxruntime-node') as OrtModule;
  const native = await openDecoder(ortNode, folder, 'cpu');
  const runtimes = [];
  for (const past of [128, 512].filter((p) => p < window)) {
    const webMs = await cachedDecodeMs(web, past, runs);
    const nodeMs = await cachedDecodeMs(native, past, runs);
    runtimes.push({ past, webMs: round(webMs), nodeMs: round(nodeMs), ratio: round(webMs / nodeMs, 2) });
  }
  const prefillNative = await prefillMs(native, Math.min(512, window - 1), Math.max(3, runs / 3));
  report.runtimes = { decode: runtimes, prefill512NodeMs: round(prefillNative) };
  await native.dispose();
  await web.dispose();

  log('• prefill and decode per WASM thread count (child processes)');
  report.threads = [1, 2].map((threads) => JSON.parse(execFileSync(process.execPath, [process.argv[1], 'bench', '--phase', 'threads', '--threads', String(threads), '--model', model], { encoding: 'utf8' })));

  log('• transformers.js generate() against NextToken, cold completions (16 tokens, greedy)');
  const peer = await loadTransformersPeer(model);
  const cold = { nexttoken: [] as number[], transformers: [] as number[] };
  for (const prompt of PROMPTS) {
    await peer.complete(prompt, 2); // warm
    const t = await peer.complete(prompt, 16);
    const n = await engine.complete({ prefix: prompt, maxTokens: 16, stop: 'none', heal: false });
    cold.transformers.push(t.ms / t.tokens);
    cold.nexttoken.push(n.ms / Math.max(1, n.tokens.length));
  }
  report.cold = { nexttokenMsPerToken: round(median(cold.nexttoken)), transformersMsPerToken: round(median(cold.transformers)), ratio: round(median(cold.nexttoken) / median(cold.transformers), 2) };

  log('• keystroke replay against transformers.js (a request per keystroke)');
  const source = fs.readFileSync(typeof flags.replay === 'string' ? flags.replay : path.join(__dirname, '..', 'src', 'completion', 'pipeline.ts'), 'utf8');
  const peerKeys = quick ? 20 : 60;
  const peerTimes: number[] = [];
  for (let i = 1; i <= peerKeys; i++) peerTimes.push((await peer.complete(source.slice(0, 600 + i), 12)).ms);
  const replayShort = await replayTyping(await loadNodeEngine(model), source.slice(0, 600 + peerKeys), 600 + peerKeys);
  report.keystrokePeer = { keystrokes: peerKeys, transformersP50Ms: round(median(peerTimes)), transformersP95Ms: round(percentile(peerTimes, 95)) };

  log('• keystroke replay (NextToken completion path)');
  const chars = quick ? 400 : 1500;
  const replay = await replayTyping(engine, source, chars);
  report.keystroke = Object.fromEntries(Object.entries(replay).map(([k, v]) => [k, round(v, 3)]));
  (report.keystrokePeer as Record<string, number>).nexttokenP50Ms = round(replayShort.p50Ms);
  (report.keystrokePeer as Record<string, number>).ratio = round(median(peerTimes) / replayShort.p50Ms, 1);

  log('• memory over 1,000 completions');
  const rssLoaded = process.memoryUsage().rss;
  for (let i = 0; i < 1000; i++) await engine.complete({ prefix: source.slice(0, 200 + ((i * 37) % 1200)), maxTokens: 8 });
  const rssAfter = process.memoryUsage().rss;
  report.memory = { rssLoadedMB: round(rssLoaded / 2 ** 20, 1), rssAfter1000MB: round(rssAfter / 2 ** 20, 1) };

  log('• cold start (fresh process: runtime + model load + first suggestion)');
  const coldStarts = Array.from({ length: quick ? 2 : 4 }, () => JSON.parse(execFileSync(process.execPath, [process.argv[1], 'bench', '--phase', 'coldstart', '--model', model], { encoding: 'utf8' })));
  report.coldStart = { loadMs: round(median(coldStarts.map((c) => c.loadMs))), firstSuggestionMs: round(median(coldStarts.map((c) => c.firstSuggestionMs))) };
  await engine.dispose();

  const out = typeof flags.out === 'string' ? flags.out : path.join(process.cwd(), 'bench-results', 'bench.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(report, null, 2));
  process.stdout.write(formatReport(report) + `\n(JSON: ${out})\n`);
  return 0;
}

async function phaseThreads(model: string, threads: number): Promise<number> {
  await loadNodeEngine(model, { threads }).then((e) => e.dispose());
  const folder = await readModelFolder(nodeModelFiles(model));
  const session = await openDecoder(ortWeb as OrtModule, folder, 'wasm');
  const window = folder.shape.maxPositions;
  const result = {
    threads,
    prefill128Ms: round(await prefillMs(session, Math.min(128, window - 1), 5)),
    prefill512Ms: round(await prefillMs(session, Math.min(512, window - 1), 3)),
    decode128Ms: round(await cachedDecodeMs(session, Math.min(128, window - 2), 15)),
  };
  await session.dispose();
  process.stdout.write(JSON.stringify(result));
  return 0;
}

/**
 * `bench --phase replay [--replay FILE] [--chars N]`: the keystroke replay alone, under each
 * gate preset and with the gate off (threshold 0): how often ghost text shows, and how much of it
 * a user would accept.
 */
async function phaseReplay(model: string, flags: Flags): Promise<number> {
  const file = typeof flags.replay === 'string' ? flags.replay : path.join(__dirname, '..', 'src', 'completion', 'pipeline.ts');
  const source = fs.readFileSync(file, 'utf8');
  const chars = typeof flags.chars === 'string' ? Number(flags.chars) : 1500;
  const engine = await loadNodeEngine(model, { threads: 1 });
  process.stdout.write(`Keystroke replay of ${path.basename(file)}, ${Math.min(chars, source.length)} keystrokes\n\n| gate | keystrokes with ghost text | chars accepted per shown suggestion | shown suggestions exactly right |\n|---|---:|---:|---:|\n`);
  for (const threshold of [0, 'eager', 'balanced', 'conservative'] as const) {
    const r = await replayTyping(engine, source, chars, { threshold });
    process.stdout.write(`| ${threshold === 0 ? 'off (0)' : threshold} | ${round(r.ghostTextRate * 100, 1)} % | ${round(r.acceptedCharsPerShown, 2)} | ${round(r.exactShownRate * 100, 1)} % |\n`);
  }
  await engine.dispose();
  return 0;
}

async function phaseColdStart(model: string): Promise<number> {
  const processStart = 0; // performance.now() counts from process start
  const loadStarted = performance.now();
  const engine = await loadNodeEngine(model, { threads: 1 });
  const loaded = performance.now();
  await engine.complete({ prefix: PROMPTS[0], maxTokens: 16 });
  process.stdout.write(JSON.stringify({ loadMs: loaded - loadStarted, firstSuggestionMs: performance.now() - processStart }));
  await engine.dispose();
  return 0;
}

function describeMachine() {
  const cpus = os.cpus();
  return { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memoryGiB: round(os.totalmem() / 2 ** 30, 1), os: `${os.type()} ${os.release()}`, node: process.version, onnxruntimeWeb: ortWeb.env.versions?.web ?? '?' };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- bench.json's loose shape
function formatReport(r: Record<string, any>): string {
  const m = r.machine;
  const lines = [`Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, onnxruntime-web ${m.onnxruntimeWeb}`, `Model: ${r.model}`, ''];
  lines.push('| past | cached decode ms | uncached (recompute) ms | recompute / cached |', '|---:|---:|---:|---:|');
  for (const d of r.decode) lines.push(`| ${d.past} | ${d.cachedMs} | ${d.uncachedMs} | ${d.speedup}× |`);
  const first = r.decode[0];
  const last = r.decode.at(-1);
  lines.push('', `Cached decode at past ${last.past} is ${round(last.cachedMs / first.cachedMs, 2)}× its cost at past ${first.past}; recompute grows ${round(last.uncachedMs / first.uncachedMs, 1)}×.`, '');
  lines.push('| runtime, same model | decode ms/token @128 | @512 | NextToken / onnxruntime-node |', '|---|---:|---:|---:|');
  const rt = r.runtimes.decode;
  lines.push(`| NextToken (onnxruntime-web, WASM, 1 thread) | ${rt[0]?.webMs ?? '–'} | ${rt[1]?.webMs ?? '–'} | ${rt.at(-1)?.ratio ?? '–'}× |`);
  lines.push(`| onnxruntime-node (native CPU) | ${rt[0]?.nodeMs ?? '–'} | ${rt[1]?.nodeMs ?? '–'} | 1× |`, '');
  lines.push('| WASM threads | prefill 128 ms | prefill 512 ms | decode @128 ms |', '|---:|---:|---:|---:|');
  for (const t of r.threads) lines.push(`| ${t.threads} | ${t.prefill128Ms} | ${t.prefill512Ms} | ${t.decode128Ms} |`);
  lines.push('', '| against transformers.js (same model) | NextToken | transformers.js | ratio |', '|---|---:|---:|---:|');
  lines.push(`| cold completion, ms per token (16 tokens, greedy) | ${r.cold.nexttokenMsPerToken} | ${r.cold.transformersMsPerToken} | ${r.cold.ratio}× |`);
  lines.push(`| keystroke replay, p50 ms per keystroke (${r.keystrokePeer.keystrokes} keys) | ${r.keystrokePeer.nexttokenP50Ms} | ${r.keystrokePeer.transformersP50Ms} | ${r.keystrokePeer.ratio}× faster |`, '');
  const k = r.keystroke;
  lines.push(`Keystroke replay (${k.keystrokes} keystrokes, ${k.suggestions} suggestions): p50 ${k.p50Ms} ms, p95 ${k.p95Ms} ms; single-line p50 ${k.singleLineP50Ms} ms, p95 ${k.singleLineP95Ms} ms; ${k.tokensPerKeystroke} tokens computed per keystroke; ${round(k.memoryHitRate * 100, 1)} % served from memory (LRU/typed-ahead); ${round(k.kvReuseRate * 100, 1)} % of prompt tokens reused from the KV cache; ghost text on ${round(k.ghostTextRate * 100, 1)} % of keystrokes, ${round(k.acceptedCharsPerShown, 2)} characters accepted per shown suggestion (up to its first wrong character), ${round(k.exactShownRate * 100, 1)} % of shown suggestions exactly right.`);
  lines.push(`Memory: RSS ${r.memory.rssLoadedMB} MB with the model loaded, ${r.memory.rssAfter1000MB} MB after 1,000 completions.`);
  lines.push(`Cold start: model load ${r.coldStart.loadMs} ms; process start to first suggestion ${r.coldStart.firstSuggestionMs} ms.`);
  return lines.join('\n');
}

/**
 * `bench --phase replay-context [--context on|off] [--monitor ts|off] [--monitor-budget MS] [--chars N] [--replay FILE]`:
 * the keystroke replay alone, typing src/completion/pipeline.ts with the other files of its folder
 * as workspace files (repository context from its imports and open editors) or without them; with
 * --monitor ts the TypeScript language service guides every `.`/`?.`, inside the timed request.
 */
async function phaseReplayContext(model: string, flags: Flags): Promise<number> {
  const file = typeof flags.replay === 'string' ? flags.replay : path.join(__dirname, '..', 'src', 'completion', 'pipeline.ts');
  const source = fs.readFileSync(file, 'utf8');
  const folder = path.dirname(file);
  const files = fs.readdirSync(folder).filter((f) => f.endsWith('.ts') && path.join(folder, f) !== file).map((f) => ({ path: f, text: fs.readFileSync(path.join(folder, f), 'utf8') }));
  const related = flags.context === 'off' ? undefined : { path: path.basename(file), files, openEditors: files.slice(0, 3) };
  const engine = await loadNodeEngine(model, { threads: 1 });
  // --monitor ts: the TypeScript language service over the same files answers at each `.`/`?.`.
  const monitor = flags.monitor === 'ts' ? new TsNames() : undefined;
  monitor?.warm();
  const validNames = monitor && ((before: string) => monitor.namesAt(path.basename(file), before, files, Number(flags['monitor-budget'] ?? 50)).names);
  const replay = await replayTyping(engine, source, Number(flags.chars ?? 1500), { related, validNames });
  const report = { file: path.basename(file), context: related ? 'on' : 'off', monitor: monitor ? 'ts' : 'off', ...Object.fromEntries(Object.entries(replay).map(([k, v]) => [k, round(v, 3)])) };
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  await engine.dispose();
  return 0;
}

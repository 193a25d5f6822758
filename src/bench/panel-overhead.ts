// The open panel's cost on the keystroke path: the keystroke replay with the panel closed and
// open (each request's record mapped and serialised as postMessage would), on two engines typed
// into key by key, in turn (the order alternating per key), so that both meet the same load on
// a shared machine. Prints figures; asserts nothing. The figures, most robust first:
//   1. engine calls, counted at the engine: the same open and closed (the panel makes no model
//      call of its own);
//   2. CPU time per keystroke (p95 and the median paired difference): what this process spent,
//      which other jobs on the machine do not inflate;
//   3. time to suggestion p95, per round, and the median of the rounds (after an uncounted
//      warm-up round).
//
//   npm run build && node --import tsx src/bench/panel-overhead.ts [chars=400] [rounds=3] [model folder]

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundledModelFolder, loadNodeEngine } from '../engine/node-runtime.js';
import { TypingReplay, type KeystrokeCost } from './keystroke-replay.js';
import { median, percentile } from './stats.js';

type Mode = 'closed' | 'open';
const MODES: readonly Mode[] = ['closed', 'open'];

interface Round {
  p95Ms: Record<Mode, number>;
  cpuP95Ms: Record<Mode, number>;
  /** Median over keystrokes of (open − closed) CPU milliseconds. */
  pairedCpuMs: number;
  engineCalls: Record<Mode, number>;
  panelUsPerKey: number;
}

/** One round: two fresh engines (each starts with an empty KV cache), typed into in turn. */
async function round(model: string, source: string, chars: number): Promise<Round> {
  const replays = {} as Record<Mode, TypingReplay>;
  const engines = [];
  for (const mode of MODES) {
    const engine = await loadNodeEngine(model, { threads: 1 });
    engines.push(engine);
    replays[mode] = new TypingReplay(engine, source, chars, { panelOpen: mode === 'open' });
  }
  const costs: Record<Mode, KeystrokeCost[]> = { closed: [], open: [] };
  for (let i = 1; i <= replays.closed.keystrokes; i++) {
    for (const mode of i % 2 ? MODES : [...MODES].reverse()) costs[mode].push(await replays[mode].type(i));
  }
  await Promise.all(engines.map((e) => e.dispose()));
  // Latency figures cover the keystrokes that got a suggestion (the same ones in both modes).
  const suggested = (mode: Mode) => costs[mode].filter((c) => c.suggested);
  const p95 = (mode: Mode, of: keyof Omit<KeystrokeCost, 'suggested'>) => percentile(suggested(mode).map((c) => c[of]), 95);
  const open = replays.open.report();
  return {
    p95Ms: { closed: p95('closed', 'ms'), open: p95('open', 'ms') },
    cpuP95Ms: { closed: p95('closed', 'cpuMs'), open: p95('open', 'cpuMs') },
    pairedCpuMs: median(costs.open.map((c, i) => c.cpuMs - costs.closed[i].cpuMs)),
    engineCalls: { closed: replays.closed.engineCalls, open: replays.open.engineCalls },
    panelUsPerKey: (open.panelMs / open.keystrokes) * 1000,
  };
}

const percent = (open: number, closed: number) => `${open >= closed ? '+' : ''}${((open / closed - 1) * 100).toFixed(1)} %`;

async function main(): Promise<void> {
  const [chars = '400', rounds = '3', model = bundledModelFolder()] = process.argv.slice(2);
  const source = fs.readFileSync(path.join(__dirname, '..', 'completion', 'pipeline.ts'), 'utf8');
  console.log(`load average at start: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (${os.cpus().length} cores)`);
  await round(model, source, 100); // warm-up, not counted: the first replay in a process also pays for compiling the JavaScript
  const results: Round[] = [];
  for (let r = 0; r < Number(rounds); r++) {
    const x = await round(model, source, Number(chars));
    results.push(x);
    console.log(
      `round ${r + 1}: engine calls closed ${x.engineCalls.closed}, open ${x.engineCalls.open}; ` +
        `p95 closed ${x.p95Ms.closed.toFixed(2)} ms, open ${x.p95Ms.open.toFixed(2)} ms (${percent(x.p95Ms.open, x.p95Ms.closed)}); ` +
        `CPU p95 closed ${x.cpuP95Ms.closed.toFixed(2)} ms, open ${x.cpuP95Ms.open.toFixed(2)} ms (${percent(x.cpuP95Ms.open, x.cpuP95Ms.closed)}); ` +
        `paired CPU difference (median) ${(x.pairedCpuMs * 1000).toFixed(0)} µs; records to the panel ${x.panelUsPerKey.toFixed(0)} µs per keystroke`,
    );
  }
  const mid = (f: (x: Round) => number) => median(results.map(f));
  const calls = (mode: Mode) => results.map((x) => x.engineCalls[mode]).join('/');
  const sameCalls = results.every((x) => x.engineCalls.open === x.engineCalls.closed);
  console.log(`engine calls: closed ${calls('closed')}, open ${calls('open')} — ${sameCalls ? 'the same in every round' : 'DIFFERENT'}`);
  console.log(`median of the rounds' p95: closed ${mid((x) => x.p95Ms.closed).toFixed(2)} ms, open ${mid((x) => x.p95Ms.open).toFixed(2)} ms (${percent(mid((x) => x.p95Ms.open), mid((x) => x.p95Ms.closed))}); median of the per-round ratios ${percent(mid((x) => x.p95Ms.open / x.p95Ms.closed), 1)}`);
  console.log(`median of the rounds' CPU p95: closed ${mid((x) => x.cpuP95Ms.closed).toFixed(2)} ms, open ${mid((x) => x.cpuP95Ms.open).toFixed(2)} ms (${percent(mid((x) => x.cpuP95Ms.open), mid((x) => x.cpuP95Ms.closed))})`);
  console.log(`load average at end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

void main();

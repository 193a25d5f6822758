// What recording each generated step's top candidates (the panel's distributions, `top` in a
// completion request) costs on the keystroke path. Prints figures; asserts nothing.
//   1. Per step, on rows of logits the model gave for this file: the recording as the loop does
//      it (topProbs, token texts) against materialising the softmax first and decoding each
//      candidate (how it was done before), CPU time, the median of 20 alternating passes.
//   2. The same completions with `top` 0 and 10, in turn on one engine (the order alternating),
//      the prompt already in the KV cache so that only the decode loop is timed: CPU time of
//      this process (which other jobs on the machine do not inflate) and wall-clock per token.
//
//   node --import tsx src/bench/record-cost.ts [repeats=8] [tokens=32] [model folder]

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundledModelFolder, loadNodeEngine } from '../engine/node-runtime.js';
import { RECORD_CANDIDATES } from '../completion/request-record.js';
import { softmax, topIndices, topProbs } from '../core/logits.js';
import type { Engine } from '../engine/engine.js';
import { median } from './stats.js';

async function main(): Promise<void> {
  const [repeats = '8', tokens = '32', model = bundledModelFolder()] = process.argv.slice(2);
  const source = fs.readFileSync(path.join(__dirname, '..', 'completion', 'pipeline.ts'), 'utf8');
  const prompts = [800, 1500, 2200, 3000, 3900].map((n) => source.slice(0, n));
  const engine = await loadNodeEngine(model, { threads: 1 });
  const tops = [0, RECORD_CANDIDATES];
  const spent = new Map(tops.map((top) => [top, { cpuMs: 0, ms: 0, tokens: 0 }]));
  console.log(`load average at start: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (${os.cpus().length} cores)`);
  await perStep(engine, source);
  for (let r = 0; r < Number(repeats); r++) {
    for (const prefix of prompts) {
      for (const top of r % 2 ? [...tops].reverse() : tops) {
        const request = { prefix, maxTokens: Number(tokens), stop: 'none' as const, heal: false, top };
        await engine.complete({ ...request, top: 0 }); // the prompt into the KV cache: only decoding is timed
        const cpu = process.cpuUsage();
        const started = performance.now();
        const result = await engine.complete(request);
        const ms = performance.now() - started;
        const used = process.cpuUsage(cpu);
        const s = spent.get(top)!;
        s.cpuMs += (used.user + used.system) / 1000;
        s.ms += ms;
        s.tokens += result.tokens.length;
      }
    }
  }
  await engine.dispose();
  const perToken = (top: number, of: 'cpuMs' | 'ms') => (spent.get(top)![of] / spent.get(top)!.tokens) * 1000;
  for (const of of ['cpuMs', 'ms'] as const) {
    const [without, withTop] = tops.map((top) => perToken(top, of));
    console.log(`${of === 'cpuMs' ? 'CPU' : 'wall'} per generated token: top 0 ${without.toFixed(0)} µs, top ${RECORD_CANDIDATES} ${withTop.toFixed(0)} µs (+${(withTop - without).toFixed(0)} µs, ${(((withTop - without) / without) * 100).toFixed(1)} %)`);
  }
  console.log(`${spent.get(0)!.tokens} tokens each; load average at end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

/** Part 1: the recording alone, per step, on real rows of logits. */
async function perStep(engine: Engine, source: string): Promise<void> {
  const ids = engine.tokenizer.encode(source.slice(0, 3000));
  const rows: Float32Array[] = []; // (vocab) each
  for (let n = 100; n < 400; n += 6) rows.push(await engine.nextLogitsFor(ids.slice(0, n)));
  const { tokenizer } = engine;
  const k = RECORD_CANDIDATES;
  const ways = {
    'softmax, then top-k, decoding each candidate': (row: Float32Array) => {
      const probs = softmax(row);
      return topIndices(probs, k).map((id) => ({ id, text: tokenizer.decode([id]), prob: probs[id] }));
    },
    'topProbs and tokenText (the loop)': (row: Float32Array) => topProbs(row, k).map(({ id, prob }) => ({ id, text: tokenizer.tokenText(id), prob })),
  };
  const names = Object.keys(ways) as (keyof typeof ways)[];
  const cpu = new Map(names.map((name) => [name, [] as number[]]));
  for (let pass = 0; pass < 21; pass++) {
    for (const name of pass % 2 ? [...names].reverse() : names) {
      const started = process.cpuUsage();
      for (const row of rows) ways[name](row);
      const used = process.cpuUsage(started);
      if (pass > 0) cpu.get(name)!.push((used.user + used.system) / rows.length); // pass 0 warms up
    }
  }
  for (const name of names) console.log(`recording top ${k} per step, ${name}: ${median(cpu.get(name)!).toFixed(0)} µs CPU (${rows.length} rows)`);
}

void main();

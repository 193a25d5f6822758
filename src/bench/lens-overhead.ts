// The logit lens's cost on the keystroke path: the keystroke replay on the same weights exported
// without and with the lens outputs (residual_stream in model.onnx, onnx/lens.onnx beside it),
// alternated to spread noise. Completions never fetch the lens, so the figures should agree
// within the noise. Prints figures; asserts nothing.
//
//   npm run build && node --import tsx src/bench/lens-overhead.ts <folder without lens> <folder with lens> [chars=1500] [rounds=2]
// (make the two folders with training/export_onnx.py, once with --no-lens)

import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadNodeEngine } from '../engine/node-runtime.js';
import { replayTyping } from './keystroke-replay.js';
import { median } from './stats.js';

async function main(): Promise<void> {
  const [without, withLens, chars = '1500', rounds = '2'] = process.argv.slice(2);
  if (!without || !withLens) throw new Error('usage: lens-overhead.ts <folder without lens> <folder with lens> [chars] [rounds]');
  const source = fs.readFileSync(path.join(__dirname, '..', 'completion', 'pipeline.ts'), 'utf8');
  const folders = { 'without lens': without, 'with lens': withLens } as const;
  type Kind = keyof typeof folders;
  const results: Record<Kind, { p50: number; p95: number; calls: number }[]> = { 'without lens': [], 'with lens': [] };
  for (let r = 0; r < Number(rounds); r++) {
    const order: Kind[] = r % 2 === 0 ? ['without lens', 'with lens'] : ['with lens', 'without lens'];
    for (const kind of order) {
      const engine = await loadNodeEngine(folders[kind], { threads: 1 }); // a fresh engine: each run starts with an empty KV cache
      const report = await replayTyping(engine, source, Number(chars));
      const lens = engine.info.lens;
      await engine.dispose();
      results[kind].push({ p50: report.p50Ms, p95: report.p95Ms, calls: report.modelCalls });
      console.log(`round ${r + 1} ${kind} (engine reports lens: ${lens}): p50 ${report.p50Ms.toFixed(2)} ms, p95 ${report.p95Ms.toFixed(2)} ms, ${report.modelCalls} model calls for ${report.keystrokes} keystrokes`);
    }
  }
  const p95 = (kind: Kind) => median(results[kind].map((x) => x.p95));
  const rounds95 = (kind: Kind) => results[kind].map((x) => x.p95.toFixed(2)).join(' / ');
  console.log(`p95 per round: without lens ${rounds95('without lens')} ms, with lens ${rounds95('with lens')} ms; median: ${p95('without lens').toFixed(2)} vs ${p95('with lens').toFixed(2)} ms`);
}

void main();

// The open panel's cost on the keystroke path: the keystroke replay with the panel closed and
// open (each request's record mapped and serialised for the webview), alternated to spread
// noise. Prints figures; asserts nothing.
//
//   npm run build && node --import tsx src/bench/panel-overhead.ts [chars=400] [rounds=3] [model folder]

import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundledModelFolder, loadNodeEngine } from '../engine/node-runtime.js';
import { replayTyping } from './keystroke-replay.js';
import { median } from './stats.js';

async function main(): Promise<void> {
  const [chars = '400', rounds = '3', model = bundledModelFolder()] = process.argv.slice(2);
  const source = fs.readFileSync(path.join(__dirname, '..', 'completion', 'pipeline.ts'), 'utf8');
  const results: Record<'closed' | 'open', { p50: number; p95: number; calls: number }[]> = { closed: [], open: [] };
  for (let r = 0; r < Number(rounds); r++) {
    for (const mode of r % 2 === 0 ? (['closed', 'open'] as const) : (['open', 'closed'] as const)) {
      const engine = await loadNodeEngine(model, { threads: 1 }); // a fresh engine: each run starts with an empty KV cache
      const report = await replayTyping(engine, source, Number(chars), { panelOpen: mode === 'open' });
      await engine.dispose();
      results[mode].push({ p50: report.p50Ms, p95: report.p95Ms, calls: report.modelCalls });
      const panel = mode === 'open' ? `; records to the panel: ${((report.panelMs / report.keystrokes) * 1000).toFixed(0)} µs per keystroke` : '';
      console.log(`round ${r + 1} panel ${mode}: p50 ${report.p50Ms.toFixed(2)} ms, p95 ${report.p95Ms.toFixed(2)} ms, ${report.modelCalls} model calls for ${report.keystrokes} keystrokes${panel}`);
    }
  }
  const p95 = (mode: 'closed' | 'open') => median(results[mode].map((x) => x.p95));
  console.log(`median p95: closed ${p95('closed').toFixed(2)} ms, open ${p95('open').toFixed(2)} ms (${((p95('open') / p95('closed') - 1) * 100).toFixed(1)} %); model calls closed ${results.closed.map((x) => x.calls).join('/')}, open ${results.open.map((x) => x.calls).join('/')}`);
}

void main();

// Memory of the engine worker: the process's RSS before the worker starts (the host's share),
// with the bundled model loaded in the worker, and after 1,000 completions through it.
// Prints figures; asserts nothing. Run after `npm run build`:
//   node --import tsx src/bench/worker-memory.ts [model folder] [completions]

import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundledModelFolder } from '../engine/node-runtime.js';
import { startNodeWorkerEngine } from '../engine/node-worker-client.js';
import { mb } from './memory-parts.js';

const rss = () => process.memoryUsage().rss;

async function main(): Promise<void> {
  const model = process.argv[2] ?? bundledModelFolder();
  const count = Number(process.argv[3] ?? 1000);
  const source = fs.readFileSync(path.join(__dirname, '..', 'engine', 'engine.ts'), 'utf8');
  const before = rss();
  const engine = await startNodeWorkerEngine({ folder: model, threads: 1 });
  const loaded = rss();
  let peak = loaded;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    await engine.complete({ prefix: source.slice(0, 200 + ((i * 37) % 1200)), maxTokens: 8 });
    if (i % 50 === 0) peak = Math.max(peak, rss());
  }
  const after = rss();
  peak = Math.max(peak, after);
  const ms = performance.now() - started;
  await engine.dispose();
  console.log(`model ${path.basename(model)} (${engine.info.variant}, ${engine.info.backend})`);
  console.log(`process RSS before the worker: ${mb(before)}`);
  console.log(`with the model loaded in the worker: ${mb(loaded)} (worker share ${mb(loaded - before)})`);
  console.log(`after ${count} completions: ${mb(after)} (worker share ${mb(after - before)}), peak ${mb(peak)}; ${(ms / count).toFixed(1)} ms per completion`);
  console.log(`after the worker is disposed: ${mb(rss())}`);
}

void main();

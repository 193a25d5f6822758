// Cold start and memory of the engine worker, part by part. Prints figures; asserts nothing.
// Run after `npm run build`:
//   node --import tsx src/bench/cold-start.ts [model folder] [completions] [--tiny] [--session '{"enableCpuMemArena":false}']
//     [--flags-before '--liftoff-only'] [--flags-after '--no-liftoff-only']
// --tiny: create a session on the tiny test model first, so that the WASM runtime's start-up
// (reading and compiling the .wasm, ORT's environment) is timed apart from the model's session.
// --session: ORT session options laid over the engine's (to try them without changing it).
// --flags-before / --flags-after: V8 flags the worker sets before the runtime starts / once loaded.
// The worker is cold each run (a new thread); the .wasm is compiled again in each.

import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { bundledModelFolder, findWasmFolder } from '../engine/node-runtime.js';
import type { Mark, ProbeOptions } from './cold-start-worker.js';
import { mb, memoryParts } from './memory-parts.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const at = args.indexOf(name);
    if (at < 0) return undefined;
    const [, value] = args.splice(at, 2);
    return value;
  };
  const tiny = args.includes('--tiny');
  if (tiny) args.splice(args.indexOf('--tiny'), 1);
  const sessionOptions = JSON.parse(flag('--session') ?? '{}') as Record<string, unknown>;
  const flagsBefore = flag('--flags-before')?.split(' ').filter(Boolean);
  const flagsAfter = flag('--flags-after')?.split(' ').filter(Boolean);
  const model = args[0] ?? bundledModelFolder();
  const completions = Number(args[1] ?? 0);

  const root = path.join(__dirname, '..', '..');
  const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nexttoken-cold-')), 'probe.js');
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'cold-start-worker.ts')],
    outfile: script,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'es2022',
    logLevel: 'warning',
    define: { 'import.meta.url': '__importMetaUrl' },
    banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
  const probe: ProbeOptions = {
    model,
    wasmFolder: findWasmFolder(path.join(root, 'dist')),
    tinyModel: tiny ? path.join(root, 'test', 'fixtures', 'models', 'tiny-llama') : undefined,
    sessionOptions,
    source: fs.readFileSync(path.join(root, 'src', 'engine', 'engine.ts'), 'utf8'),
    completions,
    flagsBefore,
    flagsAfter,
  };

  const host = memoryParts();
  const spawned = performance.timeOrigin + performance.now();
  const marks: Mark[] = [];
  await new Promise<void>((resolve, reject) => {
    const worker = new Worker(script, { workerData: probe });
    worker.on('message', (message: Mark | { error: string }) => ('error' in message ? reject(new Error(message.error)) : marks.push(message)));
    worker.on('error', reject);
    worker.on('exit', () => resolve());
  });
  const after = memoryParts();

  console.log(`model ${path.basename(model)}; load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}; session options ${JSON.stringify(sessionOptions)}; V8 flags ${flagsBefore?.join(' ') ?? '-'} / after load ${flagsAfter?.join(' ') ?? '-'}`);
  console.log(`host before the worker: RSS ${mb(host.rss)} (code ${mb(host.code)})`);
  console.log('| part | ms since spawn | ms for this part | RSS | worker share | WASM memory | code |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  let previous = spawned;
  for (const m of marks) {
    const row = [m.part, (m.at - spawned).toFixed(0), (m.at - previous).toFixed(0), mb(m.memory.rss), mb(m.memory.rss - host.rss), mb(m.memory.wasmMemory), mb(m.memory.code)];
    console.log(`| ${row.join(' | ')} |`);
    previous = m.at;
  }
  console.log(`host after the worker exited: RSS ${mb(after.rss)}`);
  fs.rmSync(path.dirname(script), { recursive: true, force: true });
}

void main();

// The engine as the Node hosts use it (CLI, tests, benchmarks, desktop extension host):
// onnxruntime-web's Node build on WASM, with its runtime files beside the bundle.

import * as ort from 'onnxruntime-web';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { Engine, type EngineOptions } from './engine.js';
import { nodeModelFiles } from './node-model-files.js';
import { configureRuntime } from './ort.js';

let configured: number | undefined;

/** Where ort-wasm-simd-threaded.{mjs,wasm} live (dist/ in a build, node_modules in tests), as a file URL. */
export function findWasmFolder(start = typeof __dirname === 'string' ? __dirname : process.cwd()): string {
  const candidates = [start, path.join(start, '..', 'dist'), path.join(process.cwd(), 'dist'), path.join(process.cwd(), 'node_modules', 'onnxruntime-web', 'dist')];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'ort-wasm-simd-threaded.wasm')));
  if (!found) throw new Error(`onnxruntime-web's wasm files were not found (looked in ${candidates.join(', ')})`);
  return pathToFileURL(found).href + '/';
}

/**
 * Threads are a process-wide ORT setting: the first load fixes them. The first load also compiles
 * the WASM runtime (14 MB of code) with V8's baseline compiler only (Liftoff): V8 fixes a module's
 * tiers when it compiles it, and with TurboFan tier-up the worker held ~70 MB more and loaded
 * ~1 s slower on 2 cores, for no faster completions (BENCHMARKS.md, "Memory and cold start").
 * The flag is process-wide, so it is set for this compile only and restored right after.
 * `liftoffOnly: false` (or NEXTTOKEN_WASM_TIERUP=1) keeps V8's default tiers.
 */
export async function loadNodeEngine(modelFolder: string, options: EngineOptions & { threads?: number; wasmFolder?: string; liftoffOnly?: boolean } = {}): Promise<Engine> {
  const firstLoad = configured === undefined;
  if (configured === undefined) {
    configured = options.threads ?? 1;
    configureRuntime(ort, { wasmPaths: options.wasmFolder ?? findWasmFolder(), numThreads: configured });
  }
  const liftoffOnly = firstLoad && (options.liftoffOnly ?? process.env.NEXTTOKEN_WASM_TIERUP !== '1') && !v8FlagOn('liftoff-only');
  if (liftoffOnly) v8.setFlagsFromString('--liftoff-only');
  try {
    return await Engine.load(ort, nodeModelFiles(modelFolder), { ...options, threads: configured, backends: ['wasm'] });
  } finally {
    if (liftoffOnly) v8.setFlagsFromString('--no-liftoff-only');
  }
}

/** A V8 flag given on the command line (then left alone). */
function v8FlagOn(name: string): boolean {
  return process.execArgv.some((arg) => arg === `--${name}` || arg === `--${name.replace(/-/g, '_')}`);
}

/** The model that ships with NextToken: models/nexttoken-small beside dist/ (or the repo root). */
export function bundledModelFolder(): string {
  const roots = [typeof __dirname === 'string' ? path.join(__dirname, '..') : undefined, process.cwd()].filter((r): r is string => !!r);
  for (const root of roots) {
    const dir = path.join(root, 'models', 'nexttoken-small');
    if (fs.existsSync(path.join(dir, 'config.json'))) return dir;
  }
  return path.join(roots[0], 'models', 'nexttoken-small');
}

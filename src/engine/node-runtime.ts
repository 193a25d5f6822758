// The engine as the Node hosts use it (CLI, tests, benchmarks, desktop extension host):
// onnxruntime-web's Node build on WASM, with its runtime files beside the bundle.

import * as ort from 'onnxruntime-web';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
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

/** Threads are a process-wide ORT setting: the first load fixes them. */
export async function loadNodeEngine(modelFolder: string, options: EngineOptions & { threads?: number; wasmFolder?: string } = {}): Promise<Engine> {
  if (configured === undefined) {
    configured = options.threads ?? 1;
    configureRuntime(ort, { wasmPaths: options.wasmFolder ?? findWasmFolder(), numThreads: configured });
  }
  return Engine.load(ort, nodeModelFiles(modelFolder), { ...options, threads: configured, backends: ['wasm'] });
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

// The probe that cold-start.ts runs in a worker_threads worker (bundled on the fly to a temp
// file): the engine's real load path (Engine.load over onnxruntime-web's Node build), with a mark
// after each part — worker started, WASM runtime up (optional: a tiny session first), model folder
// read (JSON, tokenizer, ONNX bytes), ORT session created, engine ready, first and second
// completion, then `completions` more — each mark with the time and the memory at that point.

import * as ort from 'onnxruntime-web';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { Engine } from '../engine/engine.js';
import { nodeModelFiles } from '../engine/node-model-files.js';
import { configureRuntime } from '../engine/ort.js';
import { memoryParts, type MemoryParts } from './memory-parts.js';

export interface ProbeOptions {
  model: string;
  wasmFolder: string;
  /** Create a session on this tiny model first, to time the WASM runtime apart from the model. */
  tinyModel?: string;
  /** Session options laid over the engine's own (graphOptimizationLevel, enableCpuMemArena, …). */
  sessionOptions?: Record<string, unknown>;
  /** The two prompts of the first and second completion, then the loop's text. */
  source: string;
  completions: number;
  /** V8 flags set in the worker before the runtime starts, and those set once the session exists. */
  flagsBefore?: string[];
  flagsAfter?: string[];
}

export interface Mark {
  part: string;
  /** performance.timeOrigin + performance.now(): comparable across threads. */
  at: number;
  memory: MemoryParts;
}

const options = workerData as ProbeOptions;
const port = parentPort!;
const mark = (part: string) => port.postMessage({ part, at: performance.timeOrigin + performance.now(), memory: memoryParts() } satisfies Mark);

async function main(): Promise<void> {
  mark('worker started (bundle evaluated)');
  for (const flag of options.flagsBefore ?? []) v8.setFlagsFromString(flag);
  configureRuntime(ort, { wasmPaths: options.wasmFolder, numThreads: 1 });
  if (options.tinyModel) {
    const tiny = await ort.InferenceSession.create(new Uint8Array(fs.readFileSync(path.join(options.tinyModel, 'onnx', 'model.onnx'))));
    await tiny.release();
    mark('WASM runtime up (tiny session)');
  }
  // Engine.load as the worker runs it, with a mark at the session's creation.
  const timed = {
    ...ort,
    InferenceSession: {
      create: async (bytes: Uint8Array, sessionOptions: Record<string, unknown>) => {
        mark('model folder read');
        const session = await ort.InferenceSession.create(bytes, { ...sessionOptions, ...options.sessionOptions });
        mark('ORT session created');
        return session;
      },
    },
  } as unknown as typeof ort;
  const engine = await Engine.load(timed, nodeModelFiles(options.model), { backends: ['wasm'], threads: 1 });
  for (const flag of options.flagsAfter ?? []) v8.setFlagsFromString(flag);
  mark('engine ready');
  const src = options.source;
  await engine.complete({ prefix: src.slice(0, 1500), maxTokens: 8 });
  mark('first completion');
  await engine.complete({ prefix: src.slice(2000, 3300), maxTokens: 8 });
  mark('second completion');
  for (let i = 0; i < options.completions; i++) {
    await engine.complete({ prefix: src.slice(0, 200 + ((i * 37) % 1200)), maxTokens: 8 });
  }
  mark(`after ${options.completions} more completions`);
  await engine.dispose();
  mark('engine disposed');
  (globalThis as { gc?: () => void }).gc?.();
  mark('after gc');
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    port.postMessage({ error: error.stack ?? error.message });
    process.exit(1);
  },
);

// The engine in a worker_threads worker (desktop extension host, tests, benchmarks).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { WorkerEngine, type WorkerEngineOptions } from './worker-client.js';
import type { EnginePort, FromWorker, LoadSpec } from './worker-protocol.js';

/** dist/engine-worker.js: beside this bundle in a build, under dist/ from the repo root in tests. */
export function findWorkerScript(start = typeof __dirname === 'string' ? __dirname : process.cwd()): string {
  const candidates = [path.join(start, 'engine-worker.js'), path.join(start, '..', 'dist', 'engine-worker.js'), path.join(process.cwd(), 'dist', 'engine-worker.js')];
  const found = candidates.find((file) => fs.existsSync(file));
  if (!found) throw new Error(`the engine worker bundle was not found (looked for ${candidates.join(', ')}); run npm run build`);
  return found;
}

/** `worker` is exposed for tests that kill the thread as a crash would. */
export function nodeWorkerPort(script = findWorkerScript()): EnginePort & { worker: Worker } {
  const worker = new Worker(script);
  let terminated = false;
  let exited = false;
  const exitHandlers: ((reason: string) => void)[] = [];
  const exit = (reason: string) => {
    if (exited || terminated) return;
    exited = true;
    for (const handler of exitHandlers) handler(reason);
  };
  worker.on('error', (error) => exit(`error: ${error.message}`));
  worker.on('exit', (code) => exit(`exit code ${code}`));
  return {
    worker,
    post: (message) => worker.postMessage(message),
    onMessage: (handler) => void worker.on('message', (message: FromWorker) => handler(message)),
    onExit: (handler) => void exitHandlers.push(handler),
    terminate: async () => {
      terminated = true;
      await worker.terminate();
    },
  };
}

export function startNodeWorkerEngine(spec: LoadSpec, options: Omit<WorkerEngineOptions, 'spawn' | 'spec'> & { script?: string } = {}): Promise<WorkerEngine> {
  const script = options.script ?? findWorkerScript();
  return WorkerEngine.start({ ...options, spec, spawn: () => nodeWorkerPort(script) });
}

// Entry point of the engine worker on Node (desktop extension host, tests): built to
// dist/engine-worker.js and started with worker_threads by node-worker-client.ts.

import { parentPort } from 'node:worker_threads';
import { serveEngine } from './engine-worker.js';
import { loadNodeEngine } from './node-runtime.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('engine-worker.js runs as a worker thread');

serveEngine({
  post: (message: FromWorker) => port.postMessage(message),
  onMessage: (handler) => port.on('message', (message: ToWorker) => handler(message)),
  load: (spec, beforePass) => loadNodeEngine(spec.folder, { variant: spec.variant, threads: spec.threads, wasmFolder: spec.wasmFolder, beforePass }),
  yieldToEvents: () => new Promise((resolve) => setImmediate(resolve)),
});

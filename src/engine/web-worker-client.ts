// The engine in a browser Worker (web extension hosts). The worker cannot read the model folder
// itself (vscode.workspace.fs lives on the extension host's thread): it asks, and this side
// answers from the ModelFiles it was given.

import type { ModelFiles } from './model-files.js';
import { answerFileRequest } from './remote-model-files.js';
import { WorkerEngine, type WorkerEngineOptions } from './worker-client.js';
import type { EnginePort, FileRequestMessage, FromWorker, LoadSpec } from './worker-protocol.js';

/** A port over `new Worker(script)`; the worker's file requests are answered from `files`. */
export function webWorkerPort(script: string, files: ModelFiles): EnginePort {
  const worker = new Worker(script, { name: 'NextToken engine' });
  let over = false;
  const exitHandlers: ((reason: string) => void)[] = [];
  const messageHandlers: ((message: FromWorker) => void)[] = [];
  const exit = (reason: string) => {
    if (over) return;
    over = true;
    worker.terminate(); // a worker with an uncaught error may be left half-alive: end it, a new one starts
    for (const handler of exitHandlers) handler(reason);
  };
  worker.addEventListener('message', (event: MessageEvent<FromWorker | FileRequestMessage>) => {
    const message = event.data;
    if (message.type === 'file') {
      void answerFileRequest(files, message).then(({ answer, transfer }) => over || worker.postMessage(answer, transfer));
      return;
    }
    for (const handler of messageHandlers) handler(message);
  });
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    exit(`error: ${event.message || 'the worker script failed'}`);
  });
  worker.addEventListener('messageerror', () => exit('a message could not be read'));
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (handler) => void messageHandlers.push(handler),
    onExit: (handler) => void exitHandlers.push(handler),
    terminate: async () => {
      over = true;
      worker.terminate();
    },
  };
}

export function startWebWorkerEngine(spec: LoadSpec, files: ModelFiles, options: Omit<WorkerEngineOptions, 'spawn' | 'spec'> & { script: string }): Promise<WorkerEngine> {
  return WorkerEngine.start({ ...options, spec, spawn: () => webWorkerPort(options.script, files) });
}

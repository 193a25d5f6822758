// Entry point of the engine worker in web hosts (VS Code for the Web: the extension host is itself
// a browser worker, and this is a Worker it starts): built to dist/web/engine-worker.js as a
// classic script. onnxruntime-web's WebGPU build runs both the WebGPU and the WASM execution
// providers here; the model's files are read by the extension host and sent over (remote-model-files.ts).

import * as ort from 'onnxruntime-web/webgpu';
import { Engine } from './engine.js';
import { serveEngine } from './engine-worker.js';
import { configureRuntime, type Backend } from './ort.js';
import { remoteModelFiles } from './remote-model-files.js';
import type { FileAnswerMessage, FileRequestMessage, FromWorker, ToWorker } from './worker-protocol.js';

const scope = globalThis as unknown as {
  postMessage(message: FromWorker | FileRequestMessage): void;
  addEventListener(type: 'message', listener: (event: { data: ToWorker | FileAnswerMessage }) => void): void;
  navigator?: { gpu?: { requestAdapter(): Promise<unknown> } };
};
let configured = false;
let answers: ((answer: FileAnswerMessage) => void) | undefined;

serveEngine({
  post: (message) => scope.postMessage(message),
  onMessage: (handler) =>
    scope.addEventListener('message', ({ data }) => {
      if (data.type === 'file') answers?.(data);
      else handler(data);
    }),
  load: async (spec, beforePass) => {
    if (!configured) {
      // Before the first session: ORT reads these once. One thread: the page is not cross-origin isolated.
      configureRuntime(ort, { wasmPaths: spec.wasmFolder, numThreads: 1 });
      configured = true;
    }
    const remote = remoteModelFiles(spec.folder, (request) => scope.postMessage(request));
    answers = remote.receive;
    const backends: Backend[] = (await hasWebGpuAdapter()) ? ['webgpu', 'wasm'] : ['wasm'];
    return Engine.load(ort, remote.files, { variant: spec.variant, backend: spec.backend, backends, threads: 1, beforePass });
  },
  // A macrotask turn, so that 'cancel' messages are read between forward passes.
  yieldToEvents: () =>
    new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => (channel.port1.close(), resolve());
      channel.port2.postMessage(null);
    }),
});

async function hasWebGpuAdapter(): Promise<boolean> {
  const gpu = scope.navigator?.gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) != null;
  } catch {
    return false;
  }
}

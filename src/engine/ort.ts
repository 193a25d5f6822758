// The onnxruntime-web module is passed in by the host: the Node build imports `onnxruntime-web`
// (its ort.node build, WASM with worker_threads), the browser build `onnxruntime-web/webgpu`.
// The engine only depends on the types.

import type * as Ort from 'onnxruntime-web';

export type OrtModule = typeof Ort;
export type OrtSession = Ort.InferenceSession;
export type OrtTensor = Ort.Tensor;
export type Backend = 'wasm' | 'webgpu';

export interface RuntimeOptions {
  /** Folder (file path in Node, URL in a browser) holding ort-wasm-*.{mjs,wasm}. Never a CDN. */
  wasmPaths?: string;
  /** WASM threads; 1 where the host is not cross-origin isolated (browser worker hosts). */
  numThreads?: number;
}

/** Must run before the first session is created: ORT reads these once. */
export function configureRuntime(ort: OrtModule, options: RuntimeOptions): void {
  if (options.wasmPaths !== undefined) ort.env.wasm.wasmPaths = options.wasmPaths;
  if (options.numThreads !== undefined) ort.env.wasm.numThreads = options.numThreads;
  ort.env.logLevel = 'error';
}

export async function createSession(ort: OrtModule, model: Uint8Array, backend: Backend): Promise<OrtSession> {
  return ort.InferenceSession.create(model, {
    executionProviders: [backend], // one at a time: ['webgpu', 'wasm'] silently falls back to CPU
    graphOptimizationLevel: 'all',
  });
}

// The fallback for a web host that cannot start a Worker: the engine on the extension host's
// own thread (onnxruntime-web's WebGPU build, WebGPU or WASM, the faster kept), as NextToken ran
// before the engine moved into a worker. Forward passes then block this thread.

import * as ort from 'onnxruntime-web/webgpu';
import * as vscode from 'vscode';
import { Engine } from '../engine/engine.js';
import type { ModelFiles } from '../engine/model-files.js';
import { configureRuntime, type Backend } from '../engine/ort.js';
import type { Settings } from './settings.js';

let configured = false;

export async function loadInProcess(dist: vscode.Uri, files: ModelFiles, settings: Settings): Promise<Engine> {
  if (!configured) {
    // Before the first session: a failed runtime load cannot be retried in this worker.
    // One thread: the worker is not cross-origin isolated.
    configureRuntime(ort, { wasmPaths: dist.toString(true) + '/', numThreads: 1 });
    configured = true;
  }
  const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<unknown> } } | undefined)?.gpu;
  const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
  const backends: Backend[] = adapter ? ['webgpu', 'wasm'] : ['wasm'];
  return Engine.load(ort, files, { variant: settings.onnxVariant, backend: settings.backend, backends, threads: 1 });
}

// Web VS Code (browser worker extension host): onnxruntime-web's WebGPU build, which runs both
// the WebGPU and the WASM execution providers; the faster one on this machine is kept.

import * as ort from 'onnxruntime-web/webgpu';
import * as vscode from 'vscode';
import { Engine } from '../engine/engine.js';
import { configureRuntime, type Backend } from '../engine/ort.js';
import { activateWith } from './activate.js';
import { vscodeModelFiles } from './vscode-model-files.js';

let configured = false;
/** The bundled model's onnx/ folder, listed at build time (scripts/build.mjs): HTTP cannot list it. */
declare const BUNDLED_ONNX_FILES: string[];

export function activate(context: vscode.ExtensionContext): void {
  const bundledModel = vscode.Uri.joinPath(context.extensionUri, 'models', 'nexttoken-small');
  activateWith(context, {
    kind: 'web',
    bundledModel,
    load: async (folder, settings) => {
      if (!configured) {
        // Before the first session: a failed runtime load cannot be retried in this worker.
        // One thread: the worker is not cross-origin isolated.
        configureRuntime(ort, { wasmPaths: vscode.Uri.joinPath(context.extensionUri, 'dist/').toString(true), numThreads: 1 });
        configured = true;
      }
      const backends: Backend[] = (await hasWebGpuAdapter()) ? ['webgpu', 'wasm'] : ['wasm'];
      const bundled = folder.toString() === bundledModel.toString();
      return Engine.load(ort, vscodeModelFiles(folder, bundled ? { onnx: BUNDLED_ONNX_FILES } : {}), { variant: settings.onnxVariant, backend: settings.backend, backends, threads: 1 });
    },
  });
}

export function deactivate(): void {}

async function hasWebGpuAdapter(): Promise<boolean> {
  const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<unknown> } } | undefined)?.gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) != null;
  } catch {
    return false;
  }
}

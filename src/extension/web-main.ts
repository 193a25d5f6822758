// Web VS Code (browser worker extension host): the engine runs in a Worker of its own
// (dist/web/engine-worker.js: onnxruntime-web's WebGPU build, which runs both the WebGPU and the
// WASM execution providers; the faster one on this machine is kept). This thread reads the model's
// files for it (vscode.workspace.fs) and only sends messages. Where no worker can be started, the
// engine runs on this thread as before (web-in-process.ts), with a warning in the log.

import * as vscode from 'vscode';
import { ModelError } from '../engine/errors.js';
import { startWebWorkerEngine } from '../engine/web-worker-client.js';
import { activateWith } from './activate.js';
import { vscodeModelFiles } from './vscode-model-files.js';
import { loadInProcess } from './web-in-process.js';

/** The bundled model's onnx/ folder, listed at build time (scripts/build.mjs): HTTP cannot list it. */
declare const BUNDLED_ONNX_FILES: string[];

export function activate(context: vscode.ExtensionContext): void {
  const bundledModel = vscode.Uri.joinPath(context.extensionUri, 'models', 'nexttoken-small');
  const dist = vscode.Uri.joinPath(context.extensionUri, 'dist');
  let log: vscode.LogOutputChannel | undefined;
  activateWith(
    context,
    {
      kind: 'web',
      bundledModel,
      load: async (folder, settings) => {
        const bundled = folder.toString() === bundledModel.toString();
        const files = vscodeModelFiles(folder, bundled ? { onnx: BUNDLED_ONNX_FILES } : {});
        const spec = { folder: files.location, variant: settings.onnxVariant, backend: settings.backend, threads: 1, wasmFolder: dist.toString(true) + '/' };
        try {
          const engine = await startWebWorkerEngine(spec, files, { script: vscode.Uri.joinPath(dist, 'web', 'engine-worker.js').toString(true), log: (m) => log?.warn(m) });
          log?.info('the model runs in a web worker');
          return engine;
        } catch (error) {
          // A bad model folder or a load that timed out is the model's fault: the worker is fine.
          if (error instanceof ModelError) throw error;
          log?.warn(`the engine worker could not start (${(error as Error).message}): the model runs on the extension host's thread`);
          return loadInProcess(dist, files, settings);
        }
      },
    },
    (channel) => (log = channel),
  );
}

export function deactivate(): void {}

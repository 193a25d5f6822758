// Desktop VS Code (Node extension host): the engine runs in a worker_threads worker
// (dist/engine-worker.js, onnxruntime-web's Node build on WASM); this thread only sends messages.

import * as vscode from 'vscode';
import { startNodeWorkerEngine } from '../engine/node-worker-client.js';
import { activateWith } from './activate.js';

export function activate(context: vscode.ExtensionContext): void {
  let log: ((message: string) => void) | undefined;
  activateWith(
    context,
    {
      kind: 'desktop',
      bundledModel: vscode.Uri.joinPath(context.extensionUri, 'models', 'nexttoken-small'),
      load: (folder, settings) =>
        startNodeWorkerEngine(
          { folder: folder.fsPath, variant: settings.onnxVariant, threads: settings.threads, wasmFolder: vscode.Uri.joinPath(context.extensionUri, 'dist').toString(true) + '/' },
          { script: vscode.Uri.joinPath(context.extensionUri, 'dist', 'engine-worker.js').fsPath, log: (m) => log?.(m) },
        ),
    },
    (channel) => (log = (m) => channel.warn(m)),
  );
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions (the worker with the model).
}

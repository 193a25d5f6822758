// Desktop VS Code (Node extension host): onnxruntime-web's Node build on WASM, files from disk.

import * as vscode from 'vscode';
import { loadNodeEngine } from '../engine/node-runtime.js';
import { activateWith } from './activate.js';

export function activate(context: vscode.ExtensionContext): void {
  activateWith(context, {
    kind: 'desktop',
    bundledModel: vscode.Uri.joinPath(context.extensionUri, 'models', 'nexttoken-small'),
    load: (folder, settings) =>
      loadNodeEngine(folder.fsPath, {
        variant: settings.onnxVariant,
        backend: 'wasm',
        threads: settings.threads,
        wasmFolder: vscode.Uri.joinPath(context.extensionUri, 'dist').toString(true) + '/',
      }),
  });
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

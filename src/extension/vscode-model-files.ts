// ModelFiles over vscode.workspace.fs: works for file:// on the desktop and for the virtual
// file systems of web hosts (the bundled model is read from the extension's own URI).

import * as vscode from 'vscode';
import type { ModelFiles } from '../engine/model-files.js';

export function vscodeModelFiles(folder: vscode.Uri): ModelFiles {
  const at = (rel: string) => (rel ? vscode.Uri.joinPath(folder, ...rel.split('/')) : folder);
  const fs = vscode.workspace.fs;
  return {
    location: folder.scheme === 'file' ? folder.fsPath : folder.toString(true),
    readText: async (rel) => new TextDecoder().decode(await fs.readFile(at(rel))),
    readBytes: async (rel) => fs.readFile(at(rel)),
    list: async (rel) => (await fs.readDirectory(at(rel))).map(([name]) => name).sort(),
    size: async (rel) => {
      try {
        return (await fs.stat(at(rel))).size;
      } catch {
        return undefined;
      }
    },
  };
}

// ModelFiles over vscode.workspace.fs: works for file:// on the desktop and for the virtual
// file systems of web hosts (the bundled model is read from the extension's own URI).

import * as vscode from 'vscode';
import type { ModelFiles } from '../engine/model-files.js';

/**
 * `listings`: what is known to be in folders that cannot be listed (the bundled model served
 * over HTTP in web hosts: its onnx/ folder, recorded at build time), so nothing is probed.
 */
export function vscodeModelFiles(folder: vscode.Uri, listings: Record<string, readonly string[]> = {}): ModelFiles {
  const at = (rel: string) => (rel ? vscode.Uri.joinPath(folder, ...rel.split('/')) : folder);
  const fs = vscode.workspace.fs;
  // Where stat cannot tell (extension resources served over HTTP in web hosts), the size comes
  // from reading the file; the bytes are kept for the read that follows.
  let lastRead: { rel: string; bytes: Uint8Array } | undefined;
  const read = async (rel: string) => {
    if (lastRead?.rel === rel) return lastRead.bytes;
    return fs.readFile(at(rel));
  };
  return {
    location: folder.scheme === 'file' ? folder.fsPath : folder.toString(true),
    readText: async (rel) => new TextDecoder().decode(await read(rel)),
    readBytes: async (rel) => {
      const bytes = await read(rel);
      lastRead = undefined;
      return bytes;
    },
    list: async (rel) => {
      try {
        return (await fs.readDirectory(at(rel))).map(([name]) => name).sort();
      } catch (error) {
        if (listings[rel]) return [...listings[rel]].sort();
        throw error;
      }
    },
    size: async (rel) => {
      // Over HTTP (web hosts) stat answers size 0 whether or not the file exists: read it instead.
      const stat = await Promise.resolve(fs.stat(at(rel))).catch(() => undefined);
      if (stat && stat.size > 0) return stat.size;
      if (lastRead?.rel === rel) return lastRead.bytes.length;
      try {
        const bytes = await fs.readFile(at(rel));
        lastRead = { rel, bytes };
        return bytes.length;
      } catch {
        return undefined;
      }
    },
  };
}

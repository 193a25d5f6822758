// Model files across the worker boundary, for web hosts: there only the editor's thread can
// read the model folder (vscode.workspace.fs, the bundled model served over HTTP), so the
// engine worker asks for each file by message and the editor's thread answers. The bytes of
// the ONNX file are transferred, not copied. Limits (regular file, size caps) are the editor
// side's ModelFiles', and its errors (ModelError 'bad-file', …) arrive as themselves.

import type { ModelFiles } from './model-files.js';
import { deserializeError } from './worker-client.js';
import { serializeError, type FileAnswerMessage, type FileRequestMessage } from './worker-protocol.js';

/** The worker's side: a ModelFiles whose every read is a 'file' request; `receive` takes the answers. */
export function remoteModelFiles(location: string, post: (request: FileRequestMessage) => void): { files: ModelFiles; receive(answer: FileAnswerMessage): void } {
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 1;
  const ask = <T>(op: FileRequestMessage['op'], path: string, maxBytes?: number) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      post({ type: 'file', id, op, path, maxBytes });
    });
  return {
    files: {
      location,
      readText: (path, maxBytes) => ask<string>('readText', path, maxBytes),
      readBytes: (path, maxBytes) => ask<Uint8Array>('readBytes', path, maxBytes),
      list: (path) => ask<string[]>('list', path),
      size: async (path) => (await ask<number | null>('size', path)) ?? undefined,
    },
    receive(answer) {
      const pending = waiting.get(answer.id);
      if (!pending) return;
      waiting.delete(answer.id);
      if (answer.error) pending.reject(deserializeError(answer.error));
      else pending.resolve(answer.value);
    },
  };
}

/** The editor's side: answers one request from `files`; ONNX bytes go in `transfer`. */
export async function answerFileRequest(files: ModelFiles, request: FileRequestMessage): Promise<{ answer: FileAnswerMessage; transfer: ArrayBuffer[] }> {
  const { id, op, path, maxBytes } = request;
  try {
    switch (op) {
      case 'readText':
        return { answer: { type: 'file', id, value: await files.readText(path, maxBytes) }, transfer: [] };
      case 'readBytes': {
        const bytes = await files.readBytes(path, maxBytes);
        // A view on part of a larger buffer is copied; a whole buffer is handed over.
        const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
        return { answer: { type: 'file', id, value: own }, transfer: [own.buffer as ArrayBuffer] };
      }
      case 'list':
        return { answer: { type: 'file', id, value: await files.list(path) }, transfer: [] };
      case 'size':
        return { answer: { type: 'file', id, value: (await files.size(path)) ?? null }, transfer: [] };
      default:
        throw new Error(`unknown model file operation ${String(op)}`);
    }
  } catch (error) {
    return { answer: { type: 'file', id, error: serializeError(error) }, transfer: [] };
  }
}

// ModelFiles over the Node file system (CLI, tests, desktop extension host).

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ModelError } from './errors.js';
import type { ModelFiles } from './model-files.js';

export function nodeModelFiles(folder: string): ModelFiles {
  const root = path.resolve(folder);
  const at = (rel: string) => path.join(root, rel);
  /** stat (following links) before open: opening a FIFO blocks a thread until a writer comes. */
  const read = async (rel: string, maxBytes = Infinity): Promise<Buffer> => {
    const stat = await fs.stat(at(rel));
    if (!stat.isFile()) throw new ModelError('bad-file', `${rel} in ${root} is not a regular file (${kindOf(stat)})`);
    if (stat.size > maxBytes) throw new ModelError('bad-file', `${rel} in ${root} is ${stat.size} bytes; the limit for it is ${maxBytes}`);
    const handle = await fs.open(at(rel), 'r');
    try {
      // One byte more than stat said: a file that grew since (or a lying stat) is caught, not read on.
      const buffer = Buffer.alloc(stat.size + 1);
      let filled = 0;
      while (filled < buffer.length) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled > stat.size) throw new ModelError('bad-file', `${rel} in ${root} changed while it was read`);
      return buffer.subarray(0, filled);
    } finally {
      await handle.close();
    }
  };
  return {
    location: root,
    readText: async (rel, maxBytes) => (await read(rel, maxBytes)).toString('utf8'),
    readBytes: async (rel, maxBytes) => new Uint8Array(await read(rel, maxBytes)),
    list: async (rel) => (await fs.readdir(at(rel))).sort(),
    size: async (rel) => {
      try {
        return (await fs.stat(at(rel))).size;
      } catch {
        return undefined;
      }
    },
  };
}

function kindOf(stat: import('node:fs').Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}

// ModelFiles over the Node file system (CLI, tests, desktop extension host).

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ModelFiles } from './model-files.js';

export function nodeModelFiles(folder: string): ModelFiles {
  const root = path.resolve(folder);
  const at = (rel: string) => path.join(root, rel);
  return {
    location: root,
    readText: (rel) => fs.readFile(at(rel), 'utf8'),
    readBytes: async (rel) => new Uint8Array(await fs.readFile(at(rel))),
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

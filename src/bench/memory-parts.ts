// Where a Node process's resident memory is, from /proc/self/smaps (Linux; zeros elsewhere):
// WASM linear memory (the runtime's heap: the model's weights, the ORT arena, tensors), machine
// code (V8's JIT code for JS and WASM: executable anonymous mappings), and the rest (V8 heaps,
// malloc). RSS is per process, so in a worker these are the whole process's figures.

import * as fs from 'node:fs';

export interface MemoryParts {
  rss: number;
  /** Resident pages of mappings of 4 GiB or more: V8 reserves WASM memories that way. */
  wasmMemory: number;
  /** Resident executable anonymous pages (JIT code, WASM code). */
  code: number;
  /** This thread's V8 heap in use. */
  heapUsed: number;
  /** ArrayBuffers of this thread (the model's bytes while they are held, tensors' copies). */
  arrayBuffers: number;
}

const FOUR_GIB = 4 * 1024 ** 3;

export function memoryParts(): MemoryParts {
  const usage = process.memoryUsage();
  const parts: MemoryParts = { rss: usage.rss, wasmMemory: 0, code: 0, heapUsed: usage.heapUsed, arrayBuffers: usage.arrayBuffers };
  let smaps: string;
  try {
    smaps = fs.readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return parts;
  }
  let size = 0;
  let executable = false;
  let anonymous = false;
  for (const line of smaps.split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ (\S+) \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (header) {
      executable = header[1].includes('x');
      anonymous = header[2] === '0' && (header[3] === '' || header[3].startsWith('[anon'));
      continue;
    }
    const field = /^(Size|Rss):\s+(\d+) kB/.exec(line);
    if (!field) continue;
    const bytes = Number(field[2]) * 1024;
    if (field[1] === 'Size') size = bytes;
    else if (size >= FOUR_GIB) parts.wasmMemory += bytes;
    else if (executable && anonymous) parts.code += bytes;
  }
  return parts;
}

export const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;

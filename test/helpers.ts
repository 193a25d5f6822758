// Shared test setup: the committed tiny fixtures, loaded the way the product loads models.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before } from 'node:test';
import * as ort from 'onnxruntime-web';
import type { Engine } from '../src/engine/engine.js';
import { DecoderSession } from '../src/engine/decoder-session.js';
import { readModelFolder } from '../src/engine/load-model.js';
import { nodeModelFiles } from '../src/engine/node-model-files.js';
import { loadNodeEngine } from '../src/engine/node-runtime.js';
import { createSession } from '../src/engine/ort.js';

export const FIXTURES = ['tiny-gpt2', 'tiny-llama'] as const;
export const fixturePath = (name: string) => path.join(__dirname, 'fixtures', 'models', name);
export const reference = (name: string) => JSON.parse(fs.readFileSync(path.join(fixturePath(name), 'reference.json'), 'utf8'));

export const loadFixtureEngine = (name: string) => loadNodeEngine(fixturePath(name), { threads: 1 });

/** A bare DecoderSession (forward pass + KV cache) and the folder's tokenizer. */
export async function openSession(name: string) {
  await loadNodeEngine(fixturePath(name)).then((e) => e.dispose()); // configures the runtime once
  const folder = await readModelFolder(nodeModelFiles(fixturePath(name)));
  const session = new DecoderSession(ort, await createSession(ort, folder.onnx, 'wasm'), folder.shape);
  return { session, tokenizer: folder.tokenizer, shape: folder.shape };
}

/** Runs `use` on a fresh bare session of a fixture, disposing it after. */
export async function withSession<T>(name: string, use: (opened: Awaited<ReturnType<typeof openSession>>) => Promise<T>): Promise<T> {
  const opened = await openSession(name);
  try {
    return await use(opened);
  } finally {
    await opened.session.dispose();
  }
}

/** One fixture engine for a whole test file: loaded before its tests, disposed after; call the getter inside a test. */
export function fixtureEngineForFile(name: string): () => Engine {
  let engine: Engine | undefined;
  before(async () => {
    engine = await loadFixtureEngine(name);
  });
  after(() => engine?.dispose());
  return () => engine!;
}

export const CODE_SAMPLES = [
  'function add(a, b) {\n\treturn a + b;\n}\n',
  'const greeting = `héllo, wörld — ünïcode ✓`;\r\nif (a !== b) { console.log("x"); }\r\n',
  'let party = "🎉👩‍💻🇫🇷"; // emoji, ZWJ and flags\n\t\t// tabs\n',
  'export class Point {\n  constructor(public x: number, public y: number) {}\n  norm(): number { return Math.sqrt(this.x ** 2 + this.y ** 2); }\n}\n',
  '日本語のコメント\u00a0and NBSP, \u2028line separator, trailing spaces   \n',
];

// 5,000 keystrokes with random edits, cursor jumps and cancellations through the completion
// path: one decode at a time, never a stale suggestion, the KV cache inside the window, and
// memory back at its baseline afterwards.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as ort from 'onnxruntime-web';
import { contextRange } from '../../src/completion/context.js';
import { CompletionPipeline, DEFAULT_PIPELINE } from '../../src/completion/pipeline.js';
import { Engine } from '../../src/engine/engine.js';
import { nodeModelFiles } from '../../src/engine/node-model-files.js';
import { seededRng } from '../../src/core/sampler.js';
import { fixturePath, loadFixtureEngine } from '../helpers.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const heap = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/** onnxruntime-web with every session's run() instrumented to count overlapping calls. */
function countingOrt() {
  const counts = { active: 0, maxActive: 0, runs: 0 };
  const InferenceSession = {
    create: async (...args: Parameters<typeof ort.InferenceSession.create>) => {
      const session = await ort.InferenceSession.create(...args);
      const run = session.run.bind(session);
      (session as { run: unknown }).run = async (...a: Parameters<typeof run>) => {
        counts.active++;
        counts.runs++;
        counts.maxActive = Math.max(counts.maxActive, counts.active);
        try {
          return await run(...a);
        } finally {
          counts.active--;
        }
      };
      return session;
    },
  };
  return { module: { ...ort, InferenceSession } as unknown as typeof ort, counts };
}

const SOURCE = `export interface Point { x: number; y: number }\n\nexport function distance(a: Point, b: Point): number {\n\tconst dx = a.x - b.x;\n\tconst dy = a.y - b.y;\n\treturn Math.sqrt(dx * dx + dy * dy);\n}\n`;

test('typing storm: 5,000 keystrokes, one decode at a time, no stale suggestion, bounded cache and memory', async () => {
  (await loadFixtureEngine('tiny-gpt2')).dispose(); // configures the runtime
  const { module, counts } = countingOrt();
  const engine = await Engine.load(module, nodeModelFiles(fixturePath('tiny-gpt2')), { backends: ['wasm'] });
  const pipeline = new CompletionPipeline(engine, { ...DEFAULT_PIPELINE, debounceMs: 2, maxTokens: 8, maxBlockTokens: 16 });
  const rng = seededRng(5000);
  const baseline = { heap: 0 };
  let doc = SOURCE;
  let cursor = doc.length;
  let started = 0;
  let stale = 0;
  let served = 0;
  let maxCached = 0;
  const pending: Promise<unknown>[] = [];

  for (let k = 0; k < 5000; k++) {
    const r = rng();
    if (r < 0.7) doc = doc.slice(0, cursor) + 'abcdefghij(){};\n\t '[Math.floor(rng() * 18)] + doc.slice(cursor++);
    else if (r < 0.8 && cursor > 0) doc = doc.slice(0, cursor - 1) + doc.slice(cursor--);
    else if (r < 0.9) cursor = Math.floor(rng() * (doc.length + 1));
    else {
      doc = doc.slice(0, cursor) + SOURCE.slice(0, 40) + doc.slice(cursor);
      cursor += 40;
    }
    if (doc.length > 6000) {
      doc = doc.slice(-3000);
      cursor = Math.min(cursor, doc.length);
    }

    const seq = ++started;
    const external = new AbortController();
    const { start, end } = contextRange(cursor, doc.length);
    const request = pipeline.provide({ text: doc.slice(start, end), cursor: cursor - start, startsDocument: start === 0, signal: external.signal });
    if (rng() < 0.1) setTimeout(() => external.abort(), rng() * 5);
    pending.push(
      request.then(
        (suggestion) => {
          if (suggestion) served++;
          // A model answer must not arrive after a newer keystroke (memory hits answer synchronously, from their own text).
          if (suggestion?.source === 'model' && seq !== started) stale++;
          maxCached = Math.max(maxCached, engine.cacheStats.cached);
        },
        (error) => assert.equal((error as Error).name, 'AbortError'),
      ),
    );
    if (k % 4 === 0) await new Promise((resolve) => setTimeout(resolve, rng() * 3));
    if (k === 500) {
      await Promise.all(pending.splice(0));
      baseline.heap = heap();
    }
  }
  await Promise.all(pending);
  assert.equal(counts.maxActive, 1, 'at most one forward pass at a time');
  assert.equal(stale, 0, 'no suggestion answered a keystroke older than the newest');
  assert.ok(served > 0 && counts.runs > 0);
  assert.ok(maxCached <= engine.shape.maxPositions, `cache ${maxCached} within the window`);
  const growth = heap() - baseline.heap;
  assert.ok(growth < 16 * 1024 * 1024, `memory returns near its baseline (grew ${(growth / 1048576).toFixed(1)} MB)`);
  console.log(`storm: ${counts.runs} forward passes, ${served} suggestions served, ${pipeline.stats.cancelled} cancelled, ${pipeline.stats.fromMemory} from memory, heap growth ${(growth / 1048576).toFixed(2)} MB`);
  await engine.dispose();
});

// 5,000 keystrokes with random edits, cursor jumps and cancellations through the completion
// path, with the engine in its worker and the panel asking for explanations in between (as it
// does when it follows the cursor): every answer equals what a fresh engine gives for the same
// request (no request ever sees another's KV cache), the host keeps running while long requests
// run, never a stale suggestion, the cache inside the window, and memory back at its baseline.
// Fails with the engine's lock removed (interleaved requests corrupt each other's answers) and
// with the worker removed (an in-process engine starves the host's timers).

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { contextRange, splitAtCursor } from '../../src/completion/context.js';
import { CompletionPipeline, DEFAULT_PIPELINE, type CompletionEngine } from '../../src/completion/pipeline.js';
import type { CompletionRequest, CompletionResult } from '../../src/engine/engine.js';
import type { EngineApi } from '../../src/engine/engine-api.js';
import { startNodeWorkerEngine } from '../../src/engine/node-worker-client.js';
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

const SOURCE = `export interface Point { x: number; y: number }\n\nexport function distance(a: Point, b: Point): number {\n\tconst dx = a.x - b.x;\n\tconst dy = a.y - b.y;\n\treturn Math.sqrt(dx * dx + dy * dy);\n}\n`;
/** A file the user scores with Score Selection during the storm (a long request). */
const LONG_FILE = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'engine', 'engine.ts'), 'utf8').slice(0, 4_000);

test('typing storm: 5,000 keystrokes and panel explanations through the worker, answers as from a fresh engine, host never starved, no stale suggestion, bounded cache and memory', { timeout: 600_000 }, async () => {
  const engine: EngineApi & { cacheStats: { cached: number } } = await startNodeWorkerEngine({ folder: fixturePath('tiny-gpt2') });
  const completions: { request: CompletionRequest; result: CompletionResult }[] = [];
  const recording: CompletionEngine = {
    complete: async (request) => {
      const result = await engine.complete(request);
      if (!request.signal?.aborted) completions.push({ request: { ...request, signal: undefined }, result });
      return result;
    },
  };
  const pipeline = new CompletionPipeline(recording, { ...DEFAULT_PIPELINE, debounceMs: 2, maxTokens: 8, maxBlockTokens: 16 });
  const explanations: { prefix: string; suffix: string; greedy: number; logprob: number }[] = [];
  const scores: { ticks: number; ms: number }[] = [];
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 10);
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
    if (k % 25 === 0) {
      // The panel follows the cursor: an explanation runs beside the keystrokes, not cancelled by them.
      const ctx = splitAtCursor(doc.slice(start, end), cursor - start, start === 0);
      pending.push(engine.explain({ prefix: ctx.prefix, suffix: ctx.suffix, top: 5, maskSize: 4 }).then((e) => explanations.push({ prefix: ctx.prefix, suffix: ctx.suffix, greedy: e.greedy.id, logprob: e.logprob })));
    }
    if (k % 1000 === 999) {
      // Score Selection on a long file while typing goes on: the host's timers must keep firing.
      const before = ticks;
      const t0 = performance.now();
      pending.push(engine.score({ text: LONG_FILE }).then(() => scores.push({ ticks: ticks - before, ms: performance.now() - t0 })));
    }
    // Bursts of typing with a pause now and then, long enough for a suggestion to come back.
    const pause = k % 10 === 9 ? 20 + rng() * 30 : k % 2 === 0 ? rng() * 4 : 0;
    if (pause) await new Promise((resolve) => setTimeout(resolve, pause));
    if (k === 500) {
      await Promise.all(pending.splice(0));
      baseline.heap = heap();
    }
  }
  await Promise.all(pending);
  clearInterval(ticker);
  const growth = heap() - baseline.heap;
  await engine.dispose();

  // Every answer the storm got, recomputed by a fresh in-process engine: the same tokens.
  const reference = await loadFixtureEngine('tiny-gpt2');
  let wrong = 0;
  for (const { request, result } of completions) {
    const fresh = await reference.complete(request);
    if (fresh.tokens.map((t) => t.id).join() !== result.tokens.map((t) => t.id).join()) wrong++;
  }
  let wrongExplanations = 0;
  for (const e of explanations) {
    const fresh = await reference.explain({ prefix: e.prefix, suffix: e.suffix, top: 5, maskSize: 4 });
    if (fresh.greedy.id !== e.greedy || Math.abs(fresh.logprob - e.logprob) > 1e-3) {
      wrongExplanations++;
      console.log(`explanation differs: greedy ${e.greedy} vs ${fresh.greedy.id}, logprob ${e.logprob} vs ${fresh.logprob}`);
    }
  }
  await reference.dispose();

  console.log(`storm: ${completions.length} completions and ${explanations.length} explanations checked (${wrong} and ${wrongExplanations} differ), ${served} suggestions served, ${pipeline.stats.cancelled} cancelled, ${pipeline.stats.fromMemory} from memory, heap growth ${(growth / 1048576).toFixed(2)} MB; long scores: ${scores.map((s) => `${s.ms.toFixed(0)} ms/${s.ticks} ticks`).join(', ')}`);
  assert.ok(completions.length > 50 && explanations.length > 50, 'the storm reached the model');
  assert.equal(wrong, 0, 'every completion equals a fresh engine\'s: no request ran on another\'s cache');
  assert.equal(wrongExplanations, 0, 'every explanation equals a fresh engine\'s');
  assert.equal(stale, 0, 'no suggestion answered a keystroke older than the newest');
  assert.ok(served > 0);
  assert.equal(scores.length, 5);
  for (const s of scores) assert.ok(s.ticks > 0, `the host's timer fired while a ${s.ms.toFixed(0)} ms score ran (it ticked ${s.ticks} times)`);
  assert.ok(maxCached <= 128, `cache ${maxCached} within the window`);
  assert.ok(growth < 16 * 1024 * 1024, `memory returns near its baseline (grew ${(growth / 1048576).toFixed(1)} MB)`);
});

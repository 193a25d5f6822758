// The engine in a worker: the host's event loop keeps running while the model works, a cancel
// stops a request at the next forward pass, and a killed worker comes back (needs `npm run build`:
// the worker is dist/engine-worker.js, as it ships).

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { bundledModelFolder } from '../src/engine/node-runtime.js';
import { nodeWorkerPort, startNodeWorkerEngine } from '../src/engine/node-worker-client.js';
import { WorkerEngine } from '../src/engine/worker-client.js';
import { fixturePath } from './helpers.js';

/** Real code, long enough that the bundled model scores it for a couple of seconds on 2 cores. */
const LONG_TEXT = ['src/engine/engine.ts', 'src/engine/generate.ts', 'src/engine/decoder-session.ts', 'src/completion/pipeline.ts']
  .map((f) => fs.readFileSync(path.join(__dirname, '..', f), 'utf8'))
  .join('\n')
  .slice(0, 8_000);

/** Counts ticks of a 10 ms timer on this (the host's) thread while `work` runs. */
async function ticksDuring<T>(work: () => Promise<T>): Promise<{ ticks: number; ms: number; outcome: PromiseSettledResult<T> }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const started = performance.now();
  const [outcome] = await Promise.allSettled([work()]);
  clearInterval(timer);
  return { ticks, ms: performance.now() - started, outcome };
}

test('while the worker scores for seconds the host timer keeps ticking, and an abort at 30 ms stops the score at the next forward pass', { timeout: 120_000 }, async () => {
  const engine = await startNodeWorkerEngine({ folder: bundledModelFolder(), threads: 1 });
  try {
    const full = await ticksDuring(() => engine.score({ text: LONG_TEXT }));
    assert.equal(full.outcome.status, 'fulfilled');
    const fullPasses = engine.lastPasses;
    console.log(`score of ${LONG_TEXT.length} chars: ${full.ms.toFixed(0)} ms, ${fullPasses} forward passes, host timer ticked ${full.ticks} times`);
    assert.ok(full.ticks >= 50, `the host's 10 ms timer ticked ${full.ticks} times during a ${full.ms.toFixed(0)} ms score (at least 50 expected)`);

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const cancelled = await ticksDuring(() => engine.score({ text: LONG_TEXT, signal: controller.signal }));
    assert.equal(cancelled.outcome.status, 'rejected', 'the aborted score must not finish');
    const error = (cancelled.outcome as PromiseRejectedResult).reason as Error & { passes: number; passesAfterCancel: number };
    assert.equal(error.name, 'AbortError');
    console.log(`aborted at 30 ms: ended after ${cancelled.ms.toFixed(0)} ms, ${error.passes} of ${fullPasses} passes, ${error.passesAfterCancel} after the cancel was read`);
    assert.equal(error.passesAfterCancel, 0, 'no forward pass starts after the cancel message is read');
    assert.ok(error.passes < fullPasses, 'the score stopped before its end');

    // The worker is free again: the next request is answered.
    assert.ok((await engine.score({ text: 'const a = 1;' })).tokens.length > 0);
  } finally {
    await engine.dispose();
  }
});

test('results and errors cross the worker boundary: same answers as in process, ModelError and RequestError keep their names', { timeout: 60_000 }, async () => {
  const engine = await startNodeWorkerEngine({ folder: fixturePath('tiny-llama') });
  try {
    const tokens: string[] = [];
    const result = await engine.complete({ prefix: 'function add(a, b) {\n', maxTokens: 8, stop: 'none', onToken: (t) => tokens.push(t.text) });
    assert.ok(result.tokens.length > 0);
    assert.deepEqual(tokens.slice(0, result.tokens.length), result.tokens.map((t) => t.text), 'tokens stream back as they are picked');
    const progress: number[] = [];
    const scored = await engine.score({ text: LONG_TEXT.slice(0, 3000), onProgress: (done) => progress.push(done) });
    assert.ok(progress.length > 1 && progress.at(-1) === scored.tokens.length, 'score progress streams back per window');
    assert.equal(await engine.decode(result.tokens.map((t) => t.id)), result.tokens.map((t) => t.text).join(''));
    await assert.rejects(engine.complete({ prefix: 'x', maxTokens: 'abc' as never }), { name: 'RequestError', message: /maxTokens/ });
  } finally {
    await engine.dispose();
  }
  await assert.rejects(startNodeWorkerEngine({ folder: fixturePath('does-not-exist') }), { name: 'ModelError', problem: 'missing-folder' });
});

test('a worker killed mid-request is restarted with backoff, logged once; the editor misses one suggestion', { timeout: 60_000 }, async () => {
  const logs: string[] = [];
  const ports: ReturnType<typeof nodeWorkerPort>[] = [];
  const engine = await WorkerEngine.start({
    spec: { folder: fixturePath('tiny-gpt2') },
    spawn: () => {
      const port = nodeWorkerPort();
      ports.push(port);
      return port;
    },
    log: (m) => logs.push(m),
    backoffMs: { first: 50, max: 1000 },
  });
  try {
    const inFlight = engine.score({ text: LONG_TEXT.slice(0, 8000) });
    setTimeout(() => void ports[0].worker.terminate(), 20); // as a crash would: the client is not told
    await assert.rejects(inFlight, { name: 'AbortError' }, 'the request in flight ends as cancelled, not as a failure');
    const next = await engine.complete({ prefix: 'let x = ', maxTokens: 4 });
    assert.ok(next.tokens.length > 0 || next.stopReason === 'eos', 'the next request is served by a new worker');
    assert.equal(engine.restarts, 1);
    assert.equal(ports.length, 2);
    assert.equal(logs.length, 1, 'the crash is logged once');
    assert.match(logs[0], /restarting/);
  } finally {
    await engine.dispose();
  }
});

test('a load that hangs times out with a ModelError and its worker is terminated', { timeout: 30_000 }, async () => {
  let terminated = false;
  const hung = WorkerEngine.start({
    spec: { folder: 'anything' },
    spawn: () => ({ post: () => undefined, onMessage: () => undefined, onExit: () => undefined, terminate: async () => void (terminated = true) }),
    loadTimeoutMs: 200,
  });
  await assert.rejects(hung, { name: 'ModelError', problem: 'timeout' });
  assert.ok(terminated);
});

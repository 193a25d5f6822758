// The first model load compiles onnxruntime-web's WASM runtime with V8's baseline compiler only
// (node-runtime.ts: ~70 MB less in the engine worker, BENCHMARKS.md "Memory and cold start").
// The V8 flag is process-wide (the extension host's other extensions share it), so it must be
// set for that compile only and restored after, whether the load succeeds or fails.

import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import v8 from 'node:v8';
import { loadNodeEngine } from '../src/engine/node-runtime.js';
import { fixturePath } from './helpers.js';

test('the first load sets --liftoff-only around the compile and restores it; later loads leave V8 alone', async () => {
  const flags = mock.method(v8, 'setFlagsFromString');
  // The first load fails (no such folder) after the flag was set: it must still be restored.
  await assert.rejects(loadNodeEngine(fixturePath('no-such-model'), { threads: 1 }));
  assert.deepEqual(flags.mock.calls.map((c) => c.arguments[0]), ['--liftoff-only', '--no-liftoff-only']);
  const engine = await loadNodeEngine(fixturePath('tiny-llama'), { threads: 1 });
  const result = await engine.complete({ prefix: 'function add(a, b) {\n  return', maxTokens: 4 });
  assert.equal(typeof result.text, 'string');
  await engine.dispose();
  assert.deepEqual(flags.mock.calls.map((c) => c.arguments[0]), ['--liftoff-only', '--no-liftoff-only'], 'only the first load compiles the runtime');
  flags.mock.restore();
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdaptiveDebounce, NewestWins, sleep } from '../src/completion/debounce.js';
import { CompletionPipeline, DEFAULT_PIPELINE } from '../src/completion/pipeline.js';
import { SuggestionMemory } from '../src/completion/suggestion-memory.js';
import type { CompletionRequest, CompletionResult } from '../src/engine/engine.js';

test('typed-ahead reuse: typing the start of the ghost text shows the rest without a model call', () => {
  const memory = new SuggestionMemory();
  memory.remember('const total = ', '\n', 'items.length;');
  assert.deepEqual(memory.lookup('const total = it', '\n'), { text: 'ems.length;', source: 'typed-ahead', record: undefined, typed: 2 });
  assert.deepEqual(memory.lookup('const total = ', '\n'), { text: 'items.length;', source: 'cache', record: undefined, typed: 0 });
  assert.equal(memory.lookup('const total = x', '\n'), undefined, 'typed something else');
  assert.equal(memory.lookup('const total = items.length;', '\n'), undefined, 'typed it all');
});

test('the LRU forgets the least recently used context', () => {
  const memory = new SuggestionMemory(2);
  memory.remember('a', '', 'x1');
  memory.remember('b', '', 'x2');
  memory.lookup('a', '');
  memory.remember('c', '', 'x3');
  assert.ok(memory.lookup('a', ''));
  assert.equal(memory.lookup('b', ''), undefined);
});

test('the debounce grows with fast typing, within [base, 4 × base]', () => {
  const d = new AdaptiveDebounce(40);
  assert.equal(d.delayFor(0), 40);
  let t = 0;
  let delay = 0;
  for (let i = 0; i < 20; i++) delay = d.delayFor((t += 120)); // a steady 120 ms between keys
  assert.ok(delay > 40 && delay <= 160, `${delay}`);
  const slow = new AdaptiveDebounce(40);
  slow.delayFor(0);
  assert.equal(slow.delayFor(30), 40, 'never below the base');
});

test('newest wins: starting a request aborts the one before', async () => {
  const newest = new NewestWins();
  const first = newest.begin();
  const second = newest.begin();
  assert.ok(first.aborted && !second.aborted);
  await assert.rejects(sleep(1000, first), { name: 'AbortError' });
});

/** An engine that answers from a table, counting calls; the real engine is tested elsewhere. */
function fakeEngine(answer: (prefix: string) => string) {
  const calls: CompletionRequest[] = [];
  return {
    calls,
    async complete(request: CompletionRequest): Promise<CompletionResult> {
      calls.push(request);
      if (request.signal?.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
      const text = answer(request.prefix);
      return { text, tokens: [{ id: 1, text, prob: 0.5, logprob: Math.log(0.5), cumulativeLogprob: Math.log(0.5) }], logprob: Math.log(0.5), stopReason: 'line', ms: 1, healed: '', fim: false, promptTokens: 1, reusedTokens: 0, computedTokens: 1, drafted: 0, accepted: 0, rejected: [], forwardPasses: 1, overridden: 0, prompt: { parts: [], cutTokens: 0, heldBack: [] }, sampling: { temperature: 0, topK: 40, topP: 0.95 } };
    },
  };
}

test('the pipeline serves a keystroke that types into the suggestion from memory', async () => {
  const engine = fakeEngine(() => 'items.length;');
  const pipeline = new CompletionPipeline(engine, { ...DEFAULT_PIPELINE, debounceMs: 0 });
  const first = await pipeline.provide({ text: 'const total = ', cursor: 14, startsDocument: true, immediate: true });
  assert.equal(first?.text, 'items.length;');
  const second = await pipeline.provide({ text: 'const total = ite', cursor: 17, startsDocument: true });
  assert.deepEqual([second?.text, second?.source], ['ms.length;', 'typed-ahead']);
  assert.equal(engine.calls.length, 1);
});

test('a newer keystroke cancels the older request during its debounce', async () => {
  const engine = fakeEngine((p) => `${p.length}x`);
  const pipeline = new CompletionPipeline(engine, { ...DEFAULT_PIPELINE, debounceMs: 30 });
  const older = pipeline.provide({ text: 'let a = ', cursor: 8, startsDocument: true });
  const newer = pipeline.provide({ text: 'let a = b', cursor: 9, startsDocument: true });
  await assert.rejects(older, { name: 'AbortError' });
  assert.equal((await newer)?.text, '9x');
  assert.equal(engine.calls.length, 1);
});

test('by default a keystroke reaches the engine without a wait of its own (VS Code already waits 50 ms)', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const engine = fakeEngine(() => 'items.length;');
  const pipeline = new CompletionPipeline(engine, DEFAULT_PIPELINE);
  for (let i = 0; i < 5; i++) {
    // typing fast, a key every 60 ms: an adaptive debounce would grow here
    const pending = pipeline.provide({ text: `const t${i} = `, cursor: 11, startsDocument: true });
    t.mock.timers.tick(0);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(engine.calls.length, i + 1, `keystroke ${i} waited on a timer`);
    await pending;
    t.mock.timers.tick(60);
  }
});

test('the text after the cursor is sent mid-line, and at the end of a line only when asked to', async () => {
  const engine = fakeEngine(() => 'x');
  const at = async (fillInTheMiddle: 'always' | 'midline' | 'never', text: string, cursor: number) => {
    const pipeline = new CompletionPipeline(engine, { ...DEFAULT_PIPELINE, debounceMs: 0, fillInTheMiddle });
    await pipeline.provide({ text, cursor, startsDocument: true, immediate: true });
    return engine.calls.at(-1)!.suffix;
  };
  assert.equal(await at('midline', 'f(a, b);\nnext();', 4), ' b);\nnext();');
  assert.equal(await at('midline', 'const a = \nnext();', 10), undefined);
  assert.equal(await at('always', 'const a = \nnext();', 10), '\nnext();');
  assert.equal(await at('never', 'f(a, b);', 4), undefined);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitAtCursor } from '../src/completion/context.js';
import { CompletionPipeline, DEFAULT_PIPELINE, type KeystrokeRequest } from '../src/completion/pipeline.js';
import type { RecordToken } from '../src/completion/request-record.js';
import { editsAhead, indentAfterEnter, indentUnit, likeliestNextChar } from '../src/completion/speculation.js';
import type { CompletionRequest, CompletionResult } from '../src/engine/engine.js';
import { fixtureEngineForFile } from './helpers.js';

const token = (text: string, candidates: [string, number][]): RecordToken => ({
  id: 1,
  text,
  prob: 0.5,
  logprob: Math.log(0.5),
  cumulativeLogprob: Math.log(0.5),
  source: 'model',
  candidates: candidates.map(([t, prob], id) => ({ id, text: t, prob })),
  healingConstrained: false,
});

test('the edits answered ahead: accepting the suggestion, Enter with the new line\'s indentation, the likeliest other first character', () => {
  const ctx = splitAtCursor('class A {\n  run() {', 19, true);
  const record = { tokens: [token(' return', [[' return', 0.5], ['this', 0.3], ['const', 0.05], ['try', 0.08]])], healed: '', typed: 0 };
  assert.deepEqual(editsAhead(ctx, ' return', record as never, 3), [
    { insert: ' return', reason: 'accept' },
    { insert: 't', reason: 'next-char' }, // 'this' 0.3 + 'try' 0.08: the probability of a character sums its tokens
  ]);
  assert.deepEqual(editsAhead(ctx, ' return', record as never, 1), [{ insert: ' return', reason: 'accept' }]);
  assert.deepEqual(editsAhead(ctx, '', undefined, 3), [{ insert: '\n    ', reason: 'enter' }], 'nothing shown after a block opener: Enter, one level deeper');
  assert.deepEqual(editsAhead(splitAtCursor('  const total = ite', 19, true), '', undefined, 3), [], 'a line still being typed: no Enter');
  assert.deepEqual(
    editsAhead(splitAtCursor('f(a|b', 3, true), '', undefined, 3),
    [],
    'mid-line with nothing shown: no Enter (it would split the line), nothing to accept',
  );
});

test('the next character skips the shown one, whitespace and the unlikely, and starts after the healed text', () => {
  const tokens = [token(' return', [[' return', 0.6], ['x', 0.05], ['y', 0.04]])];
  assert.equal(likeliestNextChar({ tokens, healed: '', typed: 0 }, ' '), undefined, 'x and y are each below the floor');
  const healed = [token('items', [['items', 0.5], ['iter', 0.3], ['it', 0.2], ['j', 0.1]])];
  assert.equal(likeliestNextChar({ tokens: healed, healed: 'it', typed: 0 }, 'e'), undefined, '"iter" shows "er", whose first character is the shown one');
  assert.equal(likeliestNextChar({ tokens: healed, healed: 'it', typed: 0 }, 'x'), 'e');
  assert.equal(likeliestNextChar({ tokens: healed, healed: 'it', typed: 2 }, 'x'), undefined, 'served after typing: the candidates lie behind the cursor');
});

test('indentation after Enter follows the file: one unit deeper after an opener', () => {
  assert.equal(indentUnit('a {\n    b;\n}\n'), '    ');
  assert.equal(indentUnit('a {\n\tb;\n}\n'), '\t');
  assert.equal(indentUnit('one line'), '  ');
  assert.equal(indentAfterEnter('  if (x) {', '  '), '    ');
  assert.equal(indentAfterEnter('  foo();', '  '), '  ');
  assert.equal(indentAfterEnter('  const f = () =>', '  '), '    ');
});

const engineForFile = fixtureEngineForFile('tiny-llama');
const at = (text: string): KeystrokeRequest => ({ text, cursor: text.length, startsDocument: true, immediate: true });
const SOURCE = 'export function add(a: number, b: number): number {\n  return a + b;\n}\n\nexport function sub(a: number, b: number): number {\n  return';

test('with the model idle, accepting the suggestion is answered from memory with exactly what a fresh request computes', async () => {
  const ahead = new CompletionPipeline(engineForFile(), { ...DEFAULT_PIPELINE, suggestionThreshold: 0, computeAhead: 3 });
  const first = await ahead.provide(at(SOURCE));
  assert.ok(first?.text, 'a suggestion to accept');
  await ahead.idle();
  assert.ok(ahead.stats.ahead >= 1, `${ahead.stats.ahead} edits answered ahead`);
  const calls = ahead.stats.modelCalls;
  const accepted = await ahead.provide(at(SOURCE + first.text));
  assert.equal(ahead.stats.modelCalls, calls, 'no model call for the keystroke');
  assert.equal(accepted?.source ?? 'nothing shown', accepted ? 'cache' : 'nothing shown');
  assert.equal(ahead.latest?.ahead, 'accept');
  assert.equal(ahead.stats.aheadServed, 1);

  const fresh = new CompletionPipeline(engineForFile(), { ...DEFAULT_PIPELINE, suggestionThreshold: 0 });
  const expected = await fresh.provide(at(SOURCE + first.text));
  assert.equal(accepted?.text, expected?.text);
  assert.deepEqual(ahead.latest?.tokens.map((t) => t.id), fresh.latest?.tokens.map((t) => t.id));
});

test('off (the default outside the editor), nothing is computed ahead', async () => {
  const pipeline = new CompletionPipeline(engineForFile(), { ...DEFAULT_PIPELINE, suggestionThreshold: 0 });
  await pipeline.provide(at(SOURCE));
  await pipeline.idle();
  assert.equal(pipeline.stats.ahead, 0);
  assert.equal(pipeline.stats.modelCalls, 1);
});

/** An engine whose calls wait until released or aborted, so a test can see what is in flight. */
function heldEngine() {
  const calls: { request: CompletionRequest; release: () => void; aborted: boolean }[] = [];
  return {
    calls,
    complete(request: CompletionRequest): Promise<CompletionResult> {
      return new Promise((resolve, reject) => {
        const text = 'x + 1;';
        const call = {
          request,
          aborted: false,
          release: () => resolve({ text, tokens: [token(text, [[text, 0.9]])], logprob: Math.log(0.9), stopReason: 'line', ms: 1, healed: '', fim: false, promptTokens: 1, reusedTokens: 0, computedTokens: 1, drafted: 0, accepted: 0, rejected: [], forwardPasses: 1, overridden: 0, prompt: { parts: [], cutTokens: 0, heldBack: [] }, sampling: { temperature: 0, topK: 40, topP: 0.95 } } as CompletionResult),
        };
        request.signal?.addEventListener('abort', () => ((call.aborted = true), reject(Object.assign(new Error('cancelled'), { name: 'AbortError' }))), { once: true });
        calls.push(call);
      });
    },
  };
}

test('the next keystroke aborts the edit being answered ahead, and its own request runs', async () => {
  const engine = heldEngine();
  const pipeline = new CompletionPipeline(engine, { ...DEFAULT_PIPELINE, suggestionThreshold: 0, computeAhead: 3 });
  const first = pipeline.provide(at('const y = '));
  await new Promise((resolve) => setImmediate(resolve));
  engine.calls[0].release();
  assert.equal((await first)?.text, 'x + 1;');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(engine.calls.length, 2, 'accepting "x + 1;" is being answered ahead');
  assert.equal(engine.calls[1].request.prefix, 'const y = x + 1;');
  const typed = pipeline.provide(at('const y = z'));
  assert.ok(engine.calls[1].aborted, 'the keystroke aborted it');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(engine.calls[2].request.prefix, 'const y = z');
  engine.calls[2].release();
  assert.equal((await typed)?.text, 'x + 1;');
});

test('a cursor answered before anything is typed there: the same place asked is served from memory, and the first key typed reuses the cache up to the cursor', async () => {
  const engine = engineForFile();
  const pipeline = new CompletionPipeline(engine, { ...DEFAULT_PIPELINE, suggestionThreshold: 0, computeAhead: 3 });
  pipeline.prepareAt(at(SOURCE));
  await pipeline.idle();
  assert.equal(pipeline.stats.aheadByReason.cursor.answered, 1);
  const published = () => pipeline.latest;
  assert.equal(published(), undefined, 'nothing published: the panel shows what is on screen');
  const calls = pipeline.stats.modelCalls;
  const there = await pipeline.provide(at(SOURCE));
  assert.equal(pipeline.stats.modelCalls, calls, 'the same place: no model call');
  assert.equal(published()?.ahead, 'cursor');
  assert.equal(pipeline.stats.aheadByReason.cursor.served, there ? 1 : 0);

  // The first key typed there, on an engine whose cache holds other text, without and with the cursor answered ahead.
  const elsewhere = async () => new CompletionPipeline(engine, { ...DEFAULT_PIPELINE, suggestionThreshold: 0 }).provide(at('# other text\nimport os\n'));
  await elsewhere();
  const cold = new CompletionPipeline(engine, { ...DEFAULT_PIPELINE, suggestionThreshold: 0 });
  const SHORT = 'const total = 1;\nfunction add(a, b) {\n  return'; // inside the tiny model's window: the prompt is not cut
  await cold.provide(at(SHORT + ' q'));
  await elsewhere();
  const prepared = new CompletionPipeline(engine, { ...DEFAULT_PIPELINE, suggestionThreshold: 0, computeAhead: 1 });
  prepared.prepareAt(at(SHORT));
  await prepared.idle();
  await prepared.provide(at(SHORT + ' q'));
  assert.equal(prepared.latest?.ahead, undefined, 'a real request for the typed key');
  const [withCursor, without] = [prepared.latest!.cache, cold.latest!.cache];
  assert.ok(withCursor.reused >= withCursor.promptTokens - 4 && without.reused < 4, `reused ${withCursor.reused} of ${withCursor.promptTokens} prompt tokens vs ${without.reused} without`);
  assert.deepEqual(prepared.latest?.tokens.map((t) => t.id), cold.latest?.tokens.map((t) => t.id), 'the same answer');
});

test('a cursor is not answered ahead while a keystroke waits, nor when computing ahead is off', async () => {
  const engine = heldEngine();
  const pipeline = new CompletionPipeline(engine, { ...DEFAULT_PIPELINE, suggestionThreshold: 0, computeAhead: 3 });
  const typed = pipeline.provide(at('const y = '));
  pipeline.prepareAt(at('let z = '));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(engine.calls.map((c) => c.request.prefix), ['const y = '], 'the keystroke waits: no cursor answered');
  engine.calls[0].release();
  await typed;

  const off = heldEngine();
  new CompletionPipeline(off, { ...DEFAULT_PIPELINE, suggestionThreshold: 0 }).prepareAt(at('let z = '));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(off.calls.length, 0, 'computing ahead off');
});

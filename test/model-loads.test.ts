// Model loads are tagged with a generation: a newer setting wins, stale loads are disposed, a
// hung load times out, "Use Bundled Model" always recovers, and a reload under pending
// keystrokes is not counted as a completion failure. Score Selection is capped; closed
// documents' scores are dropped.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeDocument, installVscodeStub } from './vscode-stub.js';

const world = installVscodeStub();

/** An engine stand-in that records its disposal. */
function fakeEngine(name: string, complete: () => Promise<unknown> = async () => ({ text: 'x', tokens: [], logprob: 0, ms: 1 })) {
  const engine = { name, disposed: false, info: { name, loadMs: 0, backendTimings: {} }, complete, dispose: async () => void (engine.disposed = true) };
  return engine;
}
const deferred = <T>() => {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
};

/** Loads that hang in these tests time out after 3 s, so that no timer outlives the file by long. */
async function manager(load: (folder: { path: string }) => Promise<unknown>, timeoutMs = 3000) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the stub answers require('vscode') only
  const vscode = require('vscode');
  const { ModelManager } = await import('../src/extension/model-manager.js');
  const { readSettings } = await import('../src/extension/settings.js');
  const log = vscode.window.createOutputChannel('NextToken', { log: true });
  return new ModelManager({ kind: 'desktop', bundledModel: vscode.Uri.file('/bundled'), load: load as never }, readSettings(), log, timeoutMs);
}

test('a newer model setting wins over a load still running; the stale load is disposed when it lands', async () => {
  const { readSettings } = await import('../src/extension/settings.js');
  const loads: { folder: string; done: ReturnType<typeof deferred<ReturnType<typeof fakeEngine>>> }[] = [];
  const models = await manager((folder) => {
    const done = deferred<ReturnType<typeof fakeEngine>>();
    loads.push({ folder: folder.path, done });
    return done.promise;
  });
  const first = models.get();
  world.settings.modelFolder = '/models/newer';
  await models.updateSettings(readSettings());
  const second = models.get();
  const stale = fakeEngine('old');
  const fresh = fakeEngine('new');
  loads[1].done.resolve(fresh);
  assert.equal(await second, fresh);
  loads[0].done.resolve(stale);
  assert.equal(await first, fresh, 'the stale load hands over to the current one');
  assert.equal(models.engine, fresh);
  assert.equal(loads[1].folder, '/models/newer');
  assert.ok(stale.disposed, 'the stale engine is disposed');
  assert.ok(!fresh.disposed);
  delete world.settings.modelFolder;
});

test('a hung load times out with a clear error, and Use Bundled Model (reset) recovers', async () => {
  let hang = true;
  const late = deferred<ReturnType<typeof fakeEngine>>();
  const lateEngine = fakeEngine('late');
  const models = await manager(() => (hang ? late.promise : Promise.resolve(fakeEngine('bundled'))), 100);
  assert.equal(await models.get(), undefined);
  assert.equal(models.state, 'error');
  assert.match(models.error!, /did not load within/);
  hang = false;
  await models.reset();
  assert.equal((await models.get() as unknown as { name: string }).name, 'bundled');
  late.resolve(lateEngine);
  await new Promise((r) => setTimeout(r, 10));
  assert.ok(lateEngine.disposed, 'a load that lands after its timeout is disposed');
});

test('Use Bundled Model recovers even while a load hangs (before any timeout)', async () => {
  let hang = true;
  const models = await manager(() => (hang ? new Promise(() => undefined) : Promise.resolve(fakeEngine('bundled'))));
  void models.get();
  assert.equal(models.state, 'loading');
  hang = false;
  await models.reset();
  assert.equal((await models.get() as unknown as { name: string }).name, 'bundled');
  assert.equal(models.state, 'ready');
});

test('a model reload while keystrokes are pending is not a completion failure', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the stub answers require('vscode') only
  const vscode = require('vscode');
  const { InlineProvider } = await import('../src/extension/inline-provider.js');
  const { CompletionPipeline, DEFAULT_PIPELINE } = await import('../src/completion/pipeline.js');
  const { readSettings } = await import('../src/extension/settings.js');
  // eslint-disable-next-line prefer-const -- assigned after the engine that reads it is made
  let models: Awaited<ReturnType<typeof manager>>;
  const engine = fakeEngine('reloading', async () => {
    await models.reset(); // the user switches models while this keystroke is in flight
    throw new Error('the engine was disposed');
  });
  models = await manager(async () => engine);
  await models.get();
  const pipeline = new CompletionPipeline(engine as never, { ...DEFAULT_PIPELINE, debounceMs: 0 });
  const provider = new InlineProvider(models, () => pipeline, readSettings, () => undefined);
  const doc = fakeDocument('const a = ');
  const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };
  for (let i = 0; i < 4; i++) {
    await models.get();
    await provider.provideInlineCompletionItems(doc as never, doc.positionAt(10) as never, { triggerKind: 1 } as never, token as never);
  }
  assert.notEqual(models.state, 'error', 'completions stay on');
  assert.equal(world.logs.filter((l) => l.includes('completion failed')).length, 0);
  void vscode;
});

test('Score Selection refuses more than 64k characters with a message, and closed documents drop their scores', async () => {
  const { ScoreDecorations, MAX_SCORE_CHARS } = await import('../src/extension/score-decorations.js');
  let asked = false;
  const models = await manager(async () => {
    asked = true;
    return fakeEngine('x');
  });
  const decorations = new ScoreDecorations(models);
  const doc = fakeDocument('x'.repeat(MAX_SCORE_CHARS + 1));
  const editor = { document: doc, selection: { isEmpty: true } };
  await decorations.scoreSelection(editor as never);
  assert.equal(asked, false, 'the model is not even loaded');
  assert.match(world.warnings.at(-1)!, /at most 65,536/);
  (decorations as unknown as { scored: Map<string, unknown> }).scored.set(doc.uri.toString(), []);
  for (const listener of world.closeListeners) listener(doc);
  assert.equal(decorations.scoredDocuments, 0);
  decorations.dispose();
});

test('typing in a document that was never scored sends the editor no decoration updates; an edit clears a scored one', async () => {
  const { ScoreDecorations } = await import('../src/extension/score-decorations.js');
  const decorations = new ScoreDecorations(await manager(async () => fakeEngine('x')));
  const doc = fakeDocument('let a = 1;');
  let updates = 0;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the stub answers require('vscode') only
  const { window } = require('vscode');
  window.visibleTextEditors = [{ document: doc, setDecorations: () => updates++ }];
  const keystroke = { document: doc, contentChanges: [{ text: 'x' }] };
  try {
    for (let i = 0; i < 20; i++) for (const listener of world.changeListeners) listener(keystroke);
    assert.equal(updates, 0, 'every keystroke cleared decorations that were never set (one message to the editor per bucket)');
    (decorations as unknown as { scored: Map<string, unknown> }).scored.set(doc.uri.toString(), []);
    for (const listener of world.changeListeners) listener(keystroke);
    assert.ok(updates > 0, 'an edit to a scored document clears its colours');
    assert.equal(decorations.scoredDocuments, 0);
  } finally {
    window.visibleTextEditors = [];
    decorations.dispose();
  }
});

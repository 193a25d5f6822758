import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeDocument, installVscodeStub } from './vscode-stub.js';

test('minConfidence moves to suggestionThreshold once, and a threshold already set wins', async () => {
  const world = installVscodeStub({ settings: { minConfidence: 0.02 } });
  const { migrateMinConfidence, readSettings } = await import('../src/extension/settings.js');
  assert.equal(readSettings().pipeline.suggestionThreshold, 0.02, 'before the migration the old value still counts');
  await migrateMinConfidence();
  assert.deepEqual([world.settings.suggestionThreshold, world.settings.minConfidence], [0.02, undefined]);
  assert.equal(readSettings().pipeline.suggestionThreshold, 0.02);

  world.settings = { minConfidence: 0.5, suggestionThreshold: 'conservative' };
  await migrateMinConfidence();
  assert.deepEqual([world.settings.suggestionThreshold, world.settings.minConfidence], ['conservative', undefined]);

  world.settings = {};
  assert.equal(readSettings().pipeline.suggestionThreshold, 'balanced', 'the default');
  world.settings = { suggestionThreshold: 'eager' };
  assert.equal(readSettings().pipeline.suggestionThreshold, 'eager');
  world.settings = {};
});

test('the inline provider hides a held-back suggestion on typing and shows it on an explicit trigger', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the stub answers require('vscode') only
  const vscode = require('vscode');
  const { ModelManager } = await import('../src/extension/model-manager.js');
  const { InlineProvider } = await import('../src/extension/inline-provider.js');
  const { CompletionPipeline, DEFAULT_PIPELINE } = await import('../src/completion/pipeline.js');
  const { readSettings } = await import('../src/extension/settings.js');
  const text = 'items.reduce((a, b) => a + b, 0);';
  const lp = Math.log(0.05); // 12 tokens at 5 % each: far below any preset
  const tokens = Array.from({ length: 12 }, (_, i) => ({ id: i + 1, text: i === 0 ? text : '', prob: 0.05, logprob: lp, cumulativeLogprob: lp * (i + 1) }));
  const engine = {
    complete: async () => ({ text, tokens, logprob: lp * 12, stopReason: 'line', ms: 1, healed: '', fim: false, promptTokens: 1, reusedTokens: 0, computedTokens: 1, drafted: 0, accepted: 0 }),
    dispose: async () => undefined,
    info: { name: 'fake', loadMs: 0, backendTimings: {} },
  };
  const log = vscode.window.createOutputChannel('NextToken', { log: true });
  const models = new ModelManager({ kind: 'desktop', bundledModel: vscode.Uri.file('/m'), load: async () => engine as never }, readSettings(), log);
  const pipeline = new CompletionPipeline(engine as never, { ...DEFAULT_PIPELINE, debounceMs: 0 });
  const seen: { shown?: boolean }[] = [];
  const provider = new InlineProvider(models, () => pipeline, readSettings, (s) => seen.push({ shown: s.gate?.shown }));
  const doc = fakeDocument('const total = ');
  const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };
  const at = doc.positionAt(14);
  const typed = await provider.provideInlineCompletionItems(doc as never, at as never, { triggerKind: vscode.InlineCompletionTriggerKind.Automatic } as never, token as never);
  assert.equal(typed, undefined, 'held back while typing');
  const invoked = await provider.provideInlineCompletionItems(doc as never, at as never, { triggerKind: vscode.InlineCompletionTriggerKind.Invoke } as never, token as never);
  assert.equal(invoked?.[0]?.insertText, text, 'Alt+\\ shows it');
  assert.deepEqual(seen, [{ shown: false }, { shown: true }], 'the status bar hears both decisions');
  assert.deepEqual([pipeline.stats.shown, pipeline.stats.heldBack], [1, 1]);
});

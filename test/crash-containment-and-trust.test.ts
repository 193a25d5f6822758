import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFromWebview } from '../src/protocol.js';
import { fakeDocument, installVscodeStub } from './vscode-stub.js';

const world = installVscodeStub();

test('failures inside completion requests are logged once and turn completions off after three in a row', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the stub answers require('vscode') only
  const vscode = require('vscode');
  const { ModelManager, MAX_CONSECUTIVE_FAILURES } = await import('../src/extension/model-manager.js');
  const { InlineProvider } = await import('../src/extension/inline-provider.js');
  const { CompletionPipeline, DEFAULT_PIPELINE } = await import('../src/completion/pipeline.js');
  const { readSettings } = await import('../src/extension/settings.js');
  const broken = { complete: async () => { throw new Error('ORT: out of memory'); }, dispose: async () => undefined, info: { name: 'broken', loadMs: 0, backendTimings: {} } };
  const log = vscode.window.createOutputChannel('NextToken', { log: true });
  const models = new ModelManager({ kind: 'desktop', bundledModel: vscode.Uri.file('/m'), load: async () => broken as never }, readSettings(), log);
  const pipeline = new CompletionPipeline(broken as never, { ...DEFAULT_PIPELINE, debounceMs: 0 });
  const provider = new InlineProvider(models, () => pipeline, readSettings, () => undefined);
  const doc = fakeDocument('const a = ');
  const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };
  for (let i = 0; i < MAX_CONSECUTIVE_FAILURES + 2; i++) {
    assert.equal(await provider.provideInlineCompletionItems(doc as never, doc.positionAt(10) as never, { triggerKind: 1 } as never, token as never), undefined);
  }
  assert.equal(models.state, 'error');
  assert.match(models.error!, /turned off after 3 failures/);
  assert.equal(world.logs.filter((l) => l.includes('completion failed')).length, 1, 'logged once, not per keystroke');
  assert.equal(world.errors.length, 0, 'no error popup per keystroke');
  assert.equal(pipeline.stats.failures, MAX_CONSECUTIVE_FAILURES, 'no requests reach the engine once off');
});

test('in an untrusted workspace the model folder setting is ignored: only the bundled model loads', async () => {
  const { readSettings } = await import('../src/extension/settings.js');
  world.settings.modelFolder = '/tmp/evil-model';
  world.trusted = false;
  assert.equal(readSettings().modelFolder, '');
  world.trusted = true;
  assert.equal(readSettings().modelFolder, '/tmp/evil-model');
  delete world.settings.modelFolder;
});

test('settings are validated: out-of-range numbers are clamped, unknown enums fall back', async () => {
  const { readSettings } = await import('../src/extension/settings.js');
  Object.assign(world.settings, { temperature: 99, maxTokens: -4, onnxVariant: '../../etc/passwd', backend: 'cuda', threads: 'many' });
  const s = readSettings();
  assert.equal(s.pipeline.temperature, 2);
  assert.equal(s.pipeline.maxTokens, 1);
  assert.equal(s.onnxVariant, 'auto');
  assert.equal(s.backend, 'auto');
  assert.equal(s.threads, 1);
  for (const k of ['temperature', 'maxTokens', 'onnxVariant', 'backend', 'threads']) delete world.settings[k];
});

test('malformed webview messages are rejected by type and range', () => {
  const vocab = 1000;
  for (const bad of [
    null, 42, 'ready', [], {}, { type: 'nope' }, { type: 'appendToken' }, { type: 'appendToken', id: -1 }, { type: 'appendToken', id: 1000 }, { type: 'appendToken', id: 1.5 },
    { type: 'appendToken', id: '3' }, { type: 'step', mode: 'beam' }, { type: 'setSampling', sampling: { temperature: -1, topK: 40, topP: 0.9, seed: 1 } },
    { type: 'setSampling', sampling: { temperature: 1, topK: 40, topP: 0, seed: 1 } }, { type: 'setSampling', sampling: { temperature: NaN, topK: 40, topP: 0.9, seed: 1 } },
    { type: 'setSampling', sampling: { temperature: 1, topK: 4.5, topP: 0.9, seed: 1 } }, { type: 'setSampling' }, { type: 'setPinned', pinned: 'yes' }, { type: 'setMaskSize', size: 1000 },
  ]) {
    assert.equal(parseFromWebview(bad, vocab), undefined, JSON.stringify(bad));
  }
  assert.deepEqual(parseFromWebview({ type: 'appendToken', id: 7, extra: '<script>' }, vocab), { type: 'appendToken', id: 7 });
  assert.deepEqual(parseFromWebview({ type: 'showAnyway', id: 3 }, vocab), { type: 'showAnyway' });
  assert.deepEqual(parseFromWebview({ type: 'setSampling', sampling: { temperature: 0.7, topK: 40, topP: 0.9, seed: 3 } }, vocab), { type: 'setSampling', sampling: { temperature: 0.7, topK: 40, topP: 0.9, seed: 3 } });
});

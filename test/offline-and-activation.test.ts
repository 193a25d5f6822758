// Offline by construction: the engine and the extension's activation and first completion run
// with every network entry point trapped, and none is touched.

import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { test } from 'node:test';
import { fakeDocument, installVscodeStub } from './vscode-stub.js';
import { fixturePath } from './helpers.js';

const attempts: string[] = [];
function trapNetwork(): void {
  const trap = (name: string) => () => {
    attempts.push(name);
    throw new Error(`network access attempted: ${name}`);
  };
  globalThis.fetch = trap('fetch') as typeof fetch;
  for (const [mod, names] of [[http, ['request', 'get']], [https, ['request', 'get']], [net, ['connect', 'createConnection']], [tls, ['connect']], [dgram, ['createSocket']]] as const) {
    for (const n of names) (mod as unknown as Record<string, unknown>)[n] = trap(`${n}`);
  }
  net.Socket.prototype.connect = trap('Socket.connect') as typeof net.Socket.prototype.connect;
  (globalThis as { WebSocket?: unknown }).WebSocket = trap('WebSocket');
}

test('activation registers commands, the inline provider and the panel, returns before any model work, then preloads the model', async () => {
  trapNetwork();
  const world = installVscodeStub({ settings: { modelFolder: fixturePath('tiny-llama') } });
  const { activateWith } = await import('../src/extension/activate.js');
  const { loadNodeEngine } = await import('../src/engine/node-runtime.js');
  let loads = 0;
  const context = { subscriptions: [] as { dispose(): unknown }[], extensionUri: { scheme: 'file', path: '/ext' } };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the stub answers require('vscode') only
  const vscode = require('vscode');
  activateWith(context as never, {
    kind: 'desktop',
    bundledModel: vscode.Uri.file(fixturePath('tiny-gpt2')),
    load: (folder: { fsPath: string }) => (loads++, loadNodeEngine(folder.fsPath)),
  });
  assert.equal(loads, 0, 'activation itself does no model work');
  assert.ok(world.logs.some((l) => l.includes('NextToken activated')));
  // Right after activation the model loads in the background, before any keystroke asks for it.
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(loads, 1, 'the model is preloaded without a request');
  for (const id of ['nexttoken.toggle', 'nexttoken.explain', 'nexttoken.chooseModel', 'nexttoken.showLog', 'nexttoken.scoreSelection']) assert.ok(world.registered.commands.includes(id), id);
  assert.equal(world.registered.providers, 1);
  assert.deepEqual(world.registered.views, ['nexttoken.panel']);

  // First completion: served by the preloaded model (the configured folder, trusted workspace), offline.
  const doc = fakeDocument('function add(a, b) {\n\treturn a + b;\n}\n\nconst x = add(');
  const position = doc.positionAt(doc.getText().length);
  const items = await world.registered.inline.provideInlineCompletionItems(doc, position, { triggerKind: 0 }, { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) });
  assert.equal(loads, 1);
  assert.ok(world.logs.some((l) => l.includes('tiny-llama')), 'the configured model folder was used');
  assert.ok(Array.isArray(items) && items.length === 1, `one suggestion, got ${JSON.stringify(items)}`);
  assert.ok(typeof items[0].insertText === 'string' && items[0].insertText.length > 0, 'with text');
  assert.deepEqual(attempts, [], 'no network entry point was touched');

  // Everything registered is disposed with the extension.
  const before = world.disposed;
  for (const d of context.subscriptions) await d.dispose();
  assert.ok(world.disposed - before >= context.subscriptions.length - 1);
});

test('the engine completes, explains and scores with the network trapped', async () => {
  trapNetwork();
  const { loadNodeEngine } = await import('../src/engine/node-runtime.js');
  const engine = await loadNodeEngine(fixturePath('tiny-gpt2'));
  await engine.complete({ prefix: 'let a = 1;\n', maxTokens: 8 });
  await engine.explain({ prefix: 'let a = 1;\n', attentions: true });
  await engine.score({ text: 'let a = 1;\n' });
  await engine.dispose();
  assert.deepEqual(attempts, []);
});

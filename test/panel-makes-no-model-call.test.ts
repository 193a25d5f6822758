// The panel host (src/extension/panel-view.ts) under the vscode stub: while a record exists for
// the active editor, moving the cursor and "Explain Next Token" at the record's cursor make no
// engine call, and the panel posts the record behind the ghost text, unchanged.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RequestRecord } from '../src/completion/request-record.js';
import type { StateMessage } from '../src/protocol.js';
import type { Engine } from '../src/engine/engine.js';
import { loadFixtureEngine } from './helpers.js';
import { fakeDocument, installVscodeStub } from './vscode-stub.js';

installVscodeStub();
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the stub answers require('vscode') only
const vscode = require('vscode');
const selectionListeners: ((e: unknown) => void)[] = [];
vscode.window.onDidChangeTextEditorSelection = (listener: (e: unknown) => void) => (selectionListeners.push(listener), { dispose() {} });

let engine: Engine;
before(async () => {
  engine = await loadFixtureEngine('tiny-llama');
});
after(() => engine.dispose());

test('with a record for the active editor, cursor moves make no model call and Explain Next Token there no new request (at most the lens); the panel shows that record', async () => {
  const { PanelView } = await import('../src/extension/panel-view.js');
  const { CompletionPipeline, DEFAULT_PIPELINE } = await import('../src/completion/pipeline.js');
  const { keystrokeAt } = await import('../src/extension/keystroke.js');

  // Every engine method the panel could reach is counted; the inline provider's pipeline counts its own.
  const panelCalls: string[] = [];
  const countingEngine = new Proxy(engine, {
    get: (target, name) => {
      const value = Reflect.get(target, name);
      return typeof value === 'function' ? (...args: unknown[]) => (panelCalls.push(String(name)), value.apply(target, args)) : value;
    },
  });
  let pipelineCalls = 0;
  const pipeline = new CompletionPipeline({ complete: (r) => (pipelineCalls++, engine.complete(r)) }, { ...DEFAULT_PIPELINE, debounceMs: 0 });
  const models = { engine: countingEngine, state: 'ready', get: async () => countingEngine, onDidChange: () => ({ dispose() {} }) };
  const log = { info() {}, warn() {}, error() {} };
  const panel = new PanelView(vscode.Uri.file('/ext'), models as never, () => pipeline, log as never);
  pipeline.onRecord = (record) => panel.record(record);

  const posted: StateMessage[] = [];
  const webview = {
    options: {},
    html: '',
    cspSource: 'vscode-resource:',
    asWebviewUri: (uri: unknown) => uri,
    onDidReceiveMessage: () => ({ dispose() {} }),
    postMessage: async (message: { type: string }) => (message.type === 'state' && posted.push(message as StateMessage), true),
  };
  panel.resolveWebviewView({ webview, visible: true, onDidChangeVisibility: () => ({ dispose() {} }), onDidDispose: () => ({ dispose() {} }) } as never);

  // The inline provider's request at the end of a line: the record the editor's ghost text came from.
  const text = 'function add(a: number, b: number) {\n  return a + b;\n}\nfunction sub(a: number, b: number) {\n  return a';
  const document = fakeDocument(text);
  const at = (offset: number) => {
    const p = document.positionAt(offset);
    return new vscode.Position(p.line, p.character);
  };
  const editor = { document, selection: { active: at(text.length) }, viewColumn: 1 };
  vscode.window.activeTextEditor = editor;
  const suggestion = await pipeline.provide(keystrokeAt(document as never, editor.selection.active, { immediate: true }));
  assert.equal(pipelineCalls, 1);
  const shown = posted.at(-1)?.record;
  assert.ok(shown, 'the panel shows the record');
  assert.equal(shown.shown, suggestion?.text ?? '');

  // The cursor moves around the document (VS Code fires selection changes) and comes back.
  for (let offset = text.length; offset >= 0; offset -= 7) {
    editor.selection = { active: at(offset) };
    for (const listener of selectionListeners) listener({ textEditor: editor, selections: [editor.selection] });
  }
  editor.selection = { active: at(text.length) };
  for (const listener of selectionListeners) listener({ textEditor: editor, selections: [editor.selection] });
  assert.deepEqual(panelCalls, [], 'a cursor move made the panel call the engine');
  // "Explain Next Token" where the record was made: the record, not a new request. The user asked
  // to look inside, so the panel may make one call for the logit lens at the record's own prompt
  // (issue 16), and only one however often it is asked.
  await panel.explainCursor();
  await panel.explainCursor();

  assert.ok(panelCalls.every((name) => name === 'explain') && panelCalls.length <= 1, `the panel called the engine: ${panelCalls.join(', ')}`);
  assert.equal(pipelineCalls, 1, 'a second pipeline request was made');
  const last = posted.at(-1)!;
  assert.equal(last.status, 'ready');
  assert.equal(last.record?.id, shown.id);
  assert.equal(last.record?.shown, suggestion?.text ?? '');
  assert.deepEqual(last.record?.tokens, (pipeline.latest as RequestRecord).tokens);
  panel.dispose();
});

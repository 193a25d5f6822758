import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeDocument, installVscodeStub } from './vscode-stub.js';

installVscodeStub();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const vscode = require('vscode');
vscode.CompletionItemKind = { Text: 0, Method: 1, Function: 2, Constructor: 3, Field: 4, Variable: 5, Class: 6, Interface: 7, Module: 8, Property: 9, Keyword: 13, Snippet: 14, Enum: 12, EnumMember: 19, Constant: 20, Struct: 21, Event: 22 };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { MemberNames } = require('../src/extension/member-names.js') as typeof import('../src/extension/member-names.js');

function documentWith(text: string) {
  const doc = fakeDocument(text);
  const lines = text.split('\n');
  return { ...doc, lineAt: (line: number) => ({ ...doc.lineAt(line), text: lines[line] }) };
}
const text = 'const acc = new Accessor();\nacc.';
const at = { line: 1, character: 4 };
const settings = { enabled: true, timeBudgetMs: 50 };

test('right after `.`, the names are the members the completion providers list; keywords and snippets are not names', async () => {
  let asked = 0;
  vscode.commands.executeCommand = async () => (asked++, { items: [
    { label: 'getSize', kind: 1 },
    { label: { label: 'bytes' }, kind: 9 },
    { label: 'for', kind: 13 },
    { label: 'log', kind: 14 },
  ] });
  const names = new MemberNames(() => undefined);
  assert.deepEqual(await names.at(documentWith(text) as never, at as never, settings), ['getSize', 'bytes']);
  assert.equal(await names.at(documentWith('const acc = 1;\nacc') as never, { line: 1, character: 3 } as never, settings), undefined, 'not a trigger point');
  assert.equal(await names.at(documentWith(text) as never, at as never, { ...settings, enabled: false }), undefined);
  assert.equal(asked, 1);
});

test('a language server that hangs is given up after the budget; one that throws is logged once', async () => {
  const logged: string[] = [];
  const names = new MemberNames((m) => logged.push(m));
  vscode.commands.executeCommand = () => new Promise(() => undefined);
  const started = Date.now();
  assert.equal(await names.at(documentWith(text) as never, at as never, { enabled: true, timeBudgetMs: 20 }), undefined);
  assert.ok(Date.now() - started < 5000);
  vscode.commands.executeCommand = async () => {
    throw new Error('server crashed');
  };
  assert.equal(await names.at(documentWith(text) as never, at as never, settings), undefined);
  assert.equal(await names.at(documentWith(text) as never, at as never, settings), undefined);
  assert.equal(logged.length, 1);
});

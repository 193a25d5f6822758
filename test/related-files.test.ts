import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeDocument, installVscodeStub } from './vscode-stub.js';

const world = installVscodeStub();
// The parts of the workspace API the collector reads, over an in-memory disk.
const disk = new Map<string, Uint8Array>();
const reads: string[] = [];
// eslint-disable-next-line @typescript-eslint/no-require-imports
const vscode = require('vscode');
vscode.FileType = { File: 1, Directory: 2 };
vscode.workspace.textDocuments = [];
vscode.workspace.asRelativePath = (uri: { path: string }) => uri.path.replace(/^\/ws\//, '');
vscode.workspace.fs = {
  stat: async (uri: { path: string }) => {
    const bytes = disk.get(uri.path);
    if (!bytes) throw new Error('ENOENT');
    return { type: 1, size: bytes.length };
  },
  readFile: async (uri: { path: string }) => (reads.push(uri.path), disk.get(uri.path)!),
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { RelatedFilesCollector } = require('../src/extension/related-files.js') as typeof import('../src/extension/related-files.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DEFAULT_CONTEXT } = require('../src/completion/repo-context.js') as typeof import('../src/completion/repo-context.js');

const put = (path: string, text: string | Uint8Array) => disk.set(path, typeof text === 'string' ? new TextEncoder().encode(text) : text);
function documentAt(path: string, text: string) {
  const doc = fakeDocument(text);
  return { ...doc, uri: vscode.Uri.file(path), isClosed: false };
}

put('/ws/src/a.ts', "import { b } from './b';\nexport class A { run(): void {} }\n");
put('/ws/src/b.ts', "import { A } from './a.js';\nimport { c } from './c';\nexport const b = 1;\n");
put('/ws/src/c.ts', "import { b } from './b';\nexport const c = 2;\n");
put('/ws/src/big.ts', 'export const big = 1;\n' + 'x'.repeat(1_100_000));
put('/ws/src/bin.ts', new Uint8Array([101, 120, 0, 1, 2, 3]));
const current = documentAt('/ws/src/main.ts', "import { A } from './a';\nimport { b } from './b';\nimport { big } from './big';\nimport { bin } from './bin';\nnew A().");

test('imported files are read through the workspace, transitively; cyclic imports terminate', async () => {
  const related = await new RelatedFilesCollector().collect(current as never, DEFAULT_CONTEXT);
  assert.deepEqual(related?.files?.map((f) => f.path).sort(), ['src/a.ts', 'src/b.ts', 'src/c.ts']);
  assert.equal(related?.path, 'src/main.ts');
});

test('files over 1 MB and binary files are skipped, and the big one is never read', async () => {
  reads.length = 0;
  const related = await new RelatedFilesCollector().collect(current as never, DEFAULT_CONTEXT);
  assert.ok(!related?.files?.some((f) => /big|bin/.test(f.path)));
  assert.ok(!reads.includes('/ws/src/big.ts'), 'stat said too big: not read');
});

test('an untrusted workspace gives open editors only', async () => {
  world.trusted = false;
  vscode.workspace.textDocuments = [documentAt('/ws/src/open.ts', 'export const open = 1;')];
  try {
    const related = await new RelatedFilesCollector().collect(current as never, DEFAULT_CONTEXT);
    assert.equal(related?.files, undefined);
    assert.equal(related?.recentEdits, undefined);
    assert.deepEqual(related?.openEditors?.map((f) => f.path), ['src/open.ts']);
  } finally {
    world.trusted = true;
    vscode.workspace.textDocuments = [];
  }
});

test('context off, or a workspace API that throws, gives no context and no error', async () => {
  assert.equal(await new RelatedFilesCollector().collect(current as never, { ...DEFAULT_CONTEXT, enabled: false }), undefined);
  const stat = vscode.workspace.fs.stat;
  vscode.workspace.fs.stat = async () => { throw new Error('boom'); };
  vscode.workspace.textDocuments = undefined;
  try {
    assert.equal(await new RelatedFilesCollector().collect(current as never, DEFAULT_CONTEXT), undefined);
  } finally {
    vscode.workspace.fs.stat = stat;
    vscode.workspace.textDocuments = [];
  }
});

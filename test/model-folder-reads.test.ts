// What loading a model asks of its folder: only files the folder lists, each file read once —
// on the desktop (a listable folder) and in web hosts, where extension files come over HTTP: a
// folder cannot be listed, stat says 0 bytes for every path, and a missing file is a logged 404.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readModelFolder } from '../src/engine/load-model.js';
import type { ModelFiles } from '../src/engine/model-files.js';
import { nodeModelFiles } from '../src/engine/node-model-files.js';
import { fixturePath } from './helpers.js';
import { installVscodeStub } from './vscode-stub.js';

const exists = (dir: string, rel: string) => fs.existsSync(path.join(dir, rel));

test('a listable folder: only listed files are asked for, and the ONNX file is read once', async () => {
  const dir = fixturePath('tiny-llama-fp16'); // has onnx/model_fp16.onnx only: auto must not try the others
  const inner = nodeModelFiles(dir);
  const asked: string[] = [];
  const reads: string[] = [];
  const files: ModelFiles = {
    ...inner,
    readText: (rel) => (reads.push(rel), asked.push(rel), inner.readText(rel)),
    readBytes: (rel) => (reads.push(rel), asked.push(rel), inner.readBytes(rel)),
    size: (rel) => (asked.push(rel), inner.size(rel)),
  };
  const folder = await readModelFolder(files);
  assert.equal(folder.variant, 'fp16');
  assert.deepEqual(asked.filter((rel) => !exists(dir, rel) && rel !== 'generation_config.json'), [], 'nothing that is not there');
  assert.equal(reads.filter((rel) => rel === 'onnx/model_fp16.onnx').length, 1);
});

test('a web host (HTTP): no request for a file that is not there, and each file fetched once', async () => {
  installVscodeStub();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the stub answers require('vscode') only
  const vscode = require('vscode');
  const dir = fixturePath('tiny-gpt2');
  const fetched: string[] = [];
  const notFound: string[] = [];
  vscode.workspace.fs = {
    stat: async () => ({ size: 0 }), // over HTTP: no size, whether or not the file exists
    readDirectory: async () => {
      throw new Error('cannot list over HTTP');
    },
    readFile: async (uri: { path: string }) => {
      const rel = path.relative(dir, uri.path);
      fetched.push(rel);
      if (!fs.existsSync(uri.path)) {
        notFound.push(rel);
        throw new Error(`404 ${rel}`);
      }
      return new Uint8Array(fs.readFileSync(uri.path));
    },
  };
  const { vscodeModelFiles } = await import('../src/extension/vscode-model-files.js');
  const folder = await readModelFolder(vscodeModelFiles(vscode.Uri.file(dir), { onnx: fs.readdirSync(path.join(dir, 'onnx')) }));
  assert.equal(folder.variant, 'fp32');
  assert.ok(folder.onnx.length > 1000);
  assert.deepEqual(notFound.filter((rel) => rel !== 'generation_config.json'), [], 'no 404 but the optional generation_config.json');
  for (const rel of new Set(fetched)) assert.equal(fetched.filter((f) => f === rel).length, 1, `${rel} fetched once`);
});

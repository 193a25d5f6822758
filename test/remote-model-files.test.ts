// The web host's engine worker cannot read the model folder: it asks for each file by message and
// the extension host's thread answers (src/engine/remote-model-files.ts). Checked over a real
// MessageChannel (structured clone and transfer, as between a browser Worker and its host).

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import * as ort from 'onnxruntime-web';
import { Engine } from '../src/engine/engine.js';
import { ModelError } from '../src/engine/errors.js';
import type { ModelFiles } from '../src/engine/model-files.js';
import { nodeModelFiles } from '../src/engine/node-model-files.js';
import { answerFileRequest, remoteModelFiles } from '../src/engine/remote-model-files.js';
import type { FileAnswerMessage, FileRequestMessage } from '../src/engine/worker-protocol.js';
import { fixturePath, loadFixtureEngine } from './helpers.js';

/** `files` as the worker sees them: every call a message to the host's side and back. */
function acrossChannel(files: ModelFiles): { files: ModelFiles; close(): void } {
  const { port1: worker, port2: host } = new MessageChannel();
  const remote = remoteModelFiles(`remote ${files.location}`, (request) => worker.postMessage(request));
  worker.on('message', (answer: FileAnswerMessage) => remote.receive(answer));
  host.on('message', async (request: FileRequestMessage) => {
    const { answer, transfer } = await answerFileRequest(files, request);
    host.postMessage(answer, transfer);
  });
  return { files: remote.files, close: () => (worker.close(), host.close()) };
}

test('a model loaded through file requests completes exactly as one read from disk', async () => {
  const direct = await loadFixtureEngine('tiny-llama'); // also configures the runtime
  const channel = acrossChannel(nodeModelFiles(fixturePath('tiny-llama')));
  try {
    const remote = await Engine.load(ort, channel.files, { backends: ['wasm'], threads: 1 });
    assert.deepEqual(remote.info.vocabSize, direct.info.vocabSize);
    for (const prefix of ['function add(a, b) {\n  return', 'const x = ']) {
      const [a, b] = [await direct.complete({ prefix, maxTokens: 8 }), await remote.complete({ prefix, maxTokens: 8 })];
      assert.deepEqual(b.tokens.map((t) => t.id), a.tokens.map((t) => t.id), prefix);
    }
    await remote.dispose();
  } finally {
    channel.close();
    await direct.dispose();
  }
});

test('the ONNX bytes are handed to the worker, not copied', async () => {
  const bytes = new Uint8Array(1 << 20).fill(7);
  const files: ModelFiles = { location: 'memory', readText: async () => '', readBytes: async () => bytes, list: async () => [], size: async () => bytes.length };
  const channel = acrossChannel(files);
  try {
    const received = await channel.files.readBytes('onnx/model.onnx');
    assert.equal(received.length, 1 << 20);
    assert.equal(received[12345], 7);
    assert.equal(bytes.buffer.byteLength, 0, 'the host side no longer holds the buffer (transferred)');
  } finally {
    channel.close();
  }
});

test('a refused file reaches the worker as the same ModelError, naming the file; a missing one has no size', async () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'nexttoken-remote-'));
  fs.mkdirSync(path.join(folder, 'config.json')); // a folder where a file should be
  const channel = acrossChannel(nodeModelFiles(folder));
  try {
    await assert.rejects(channel.files.readText('config.json', 1 << 20), (e: Error) => e instanceof ModelError && e.problem === 'bad-file' && /config\.json/.test(e.message));
    assert.equal(await channel.files.size('tokenizer.json'), undefined);
    assert.deepEqual(await channel.files.list(''), ['config.json']);
    await assert.rejects(Engine.load(ort, channel.files, { backends: ['wasm'] }), (e: Error) => e instanceof ModelError && /config\.json/.test(e.message));
  } finally {
    channel.close();
    fs.rmSync(folder, { recursive: true, force: true });
  }
});

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readModelFolder } from '../src/engine/load-model.js';
import { nodeModelFiles } from '../src/engine/node-model-files.js';
import { CODE_SAMPLES, FIXTURES, fixturePath } from './helpers.js';

const bundled = path.join(__dirname, '..', 'models', 'nexttoken-small');
const folders = [...FIXTURES.map(fixturePath), ...(fs.existsSync(path.join(bundled, 'tokenizer.json')) ? [bundled] : [])];

for (const folder of folders) {
  test(`${path.basename(folder)}: encode → decode is exact on code with tabs, CRLF, unicode and emoji`, async () => {
    const { tokenizer } = await readModelFolder(nodeModelFiles(folder));
    for (const text of CODE_SAMPLES) assert.equal(tokenizer.decode(tokenizer.encode(text)), text);
    // Token by token as well: the streaming decoder joins pieces of multi-byte characters.
    const text = CODE_SAMPLES.join('');
    const ids = tokenizer.encode(text);
    assert.equal(tokenizer.decode(ids), text);
    assert.ok(!tokenizer.decode(tokenizer.encode('a !== b')).includes('a!=='), 'no space clean-up');
  });
}

test('FIM tokens are detected from the tokenizer, not from the model name', async () => {
  const llama = await readModelFolder(nodeModelFiles(fixturePath('tiny-llama')));
  const gpt2 = await readModelFolder(nodeModelFiles(fixturePath('tiny-gpt2')));
  assert.deepEqual(llama.tokenizer.fim?.names, ['<fim_prefix>', '<fim_suffix>', '<fim_middle>']);
  assert.equal(gpt2.tokenizer.fim, undefined);
});

// Training samples with repository context (training/context-samples.mjs) are what the editor
// sends: the block the product builds for the same file and cursor, laid out token for token as
// the engine's prompt builder lays it out, followed by the text the model should write.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { contextBlock, DEFAULT_CONTEXT, type WorkspaceFile } from '../src/completion/repo-context.js';
import { readModelFolder, type ModelFolder } from '../src/engine/load-model.js';
import { nodeModelFiles } from '../src/engine/node-model-files.js';
import { buildPrompt } from '../src/engine/prompt.js';
import { contextText, packageIndex, relatedFiles, sampleIds, withOpenEditors, type SpecialIds } from '../training/context-samples.mjs';
import { fixturePath } from './helpers.js';

const pkg = 'demo';
const docs = [
  { path: 'src/session.ts', text: 'export interface ConnectOptions {\n  timeoutMs: number;\n}\n\nexport interface Session {\n  name: string;\n  connect(options: ConnectOptions): Promise<void>;\n}\n' },
  { path: 'src/registry.ts', text: "import type { Session } from './session';\n\nexport class Registry {\n  private sessions = new Map<string, Session>();\n\n  lookupByName(name: string): Session | undefined {\n    return this.sessions.get(name);\n  }\n\n  register(session: Session): void {\n    this.sessions.set(session.name, session);\n  }\n}\n" },
  { path: 'src/main.ts', text: "import { Registry } from './registry';\n\nconst registry = new Registry();\n\nexport function open(name: string) {\n  const session = registry.lookupByName(name);\n  return session?.connect({ timeoutMs: 1000 });\n}\n" },
  { path: 'src/format.ts', text: 'export function pad(text: string, width: number): string {\n  return text.padStart(width);\n}\n\nexport const SEPARATOR = " | ";\n' },
].map((d) => ({ pkg, ...d }));
const files = packageIndex(docs).get(pkg)!;
const main = docs[2];
const cursor = main.text.indexOf('lookupByName(');
const rnd = () => 0.5;

let bundled: ModelFolder;
let tinyPsm: ModelFolder;
before(async () => {
  bundled = await readModelFolder(nodeModelFiles(path.join(__dirname, '..', 'models', 'nexttoken-small')));
  tinyPsm = await readModelFolder(nodeModelFiles(fixturePath('tiny-llama')));
});

const specialOf = (folder: ModelFolder): SpecialIds => {
  const fim = folder.tokenizer.fim!;
  return { eot: folder.tokenizer.eosIds[0], bos: folder.shape.bosTokenId, prefix: fim.prefix, middle: fim.middle, suffix: fim.suffix };
};
/** The engine's prompt for prefix/suffix/context, whole (no cut, no healing). */
const enginePrompt = (folder: ModelFolder, prefix: string, suffix: string | undefined, context: string, budget = 8192) =>
  buildPrompt(folder.tokenizer, prefix, suffix, { budget, heal: false, bos: folder.shape.bosTokenId, context, maxSuffixTokens: budget });

test('the block is the one the product builds from the whole package, with the imports first and the current file last', () => {
  const related = withOpenEditors(relatedFiles(main, files), files, rnd, 1);
  assert.deepEqual(related.files.map((f) => f.path), ['src/registry.ts', 'src/session.ts'], 'imports resolved two levels deep');
  assert.deepEqual(related.openEditors.map((f) => f.path), ['src/format.ts'], 'open editors are other files of the package');
  const prefix = main.text.slice(0, cursor);
  const block = contextText(prefix, related, 256);
  const product = contextBlock(prefix, { path: main.path, text: main.text, files, openEditors: related.openEditors }, { ...DEFAULT_CONTEXT, budgetTokens: 256 });
  assert.equal(block, product.text);
  assert.ok(block.startsWith('// src/registry.ts\n'), block);
  assert.ok(block.includes('  lookupByName(name: string): Session | undefined'), block);
  assert.ok(block.endsWith('\n// src/main.ts\n'), block);
});

test('a FIM (spm) sample with context is the engine prompt for prefix+middle and suffix, token for token, then <|endoftext|>', async () => {
  const special = specialOf(bundled);
  assert.equal(bundled.tokenizer.fim?.order, 'spm');
  const encode = (t: string) => bundled.tokenizer.encode(t);
  const related = withOpenEditors(relatedFiles(main, files), files, rnd, 1);
  for (const [a, b] of [[cursor, main.text.indexOf('(name);')], [cursor + 3, cursor + 20], [main.text.indexOf('return'), main.text.length - 2]]) {
    const context = contextText(main.text.slice(0, a), related, 256);
    const [prefix, middle, suffix] = [main.text.slice(0, a), main.text.slice(a, b), main.text.slice(b)];
    const sample = await sampleIds({ encode, special, fim: 'spm', context, prefix, middle, suffix });
    const prompt = enginePrompt(bundled, prefix + middle, suffix, context);
    assert.ok(prompt.fim && prompt.contextTokens > 0);
    assert.deepEqual(sample, [...prompt.ids, special.eot]);
  }
});

test('a plain sample with context is the engine prompt for the chunk, token for token; without a suffix FIM falls back to it', async () => {
  const special = specialOf(bundled);
  const encode = (t: string) => bundled.tokenizer.encode(t);
  const context = contextText(main.text.slice(0, cursor), relatedFiles(main, files), 128);
  const chunk = main.text.slice(main.text.indexOf('export function'));
  const expected = [...enginePrompt(bundled, chunk, undefined, context).ids, special.eot];
  assert.deepEqual(await sampleIds({ encode, special, context, prefix: chunk }), expected);
  assert.deepEqual(await sampleIds({ encode, special, fim: 'spm', context, prefix: chunk.slice(0, 30), middle: chunk.slice(30), suffix: '' }), expected);
});

test('a psm sample with context is the engine prompt then the middle', async () => {
  const special = specialOf(tinyPsm);
  assert.equal(tinyPsm.tokenizer.fim?.order, 'psm');
  const encode = (t: string) => tinyPsm.tokenizer.encode(t);
  const context = contextText(main.text.slice(0, cursor), relatedFiles(main, files), 256);
  const [prefix, middle, suffix] = [main.text.slice(0, cursor), 'lookupByName', main.text.slice(cursor + 12)];
  const sample = await sampleIds({ encode, special, fim: 'psm', context, prefix, middle, suffix });
  assert.deepEqual(sample, [...enginePrompt(tinyPsm, prefix, suffix, context).ids, ...encode(middle), special.eot]);
});

test('a context longer than the engine keeps loses its first tokens, as in the engine', async () => {
  const special = specialOf(bundled);
  const encode = (t: string) => bundled.tokenizer.encode(t);
  const many: WorkspaceFile[] = Array.from({ length: 30 }, (_, i) => ({ path: `src/part${i}.ts`, text: `export const part${i}Value = ${i};\nexport function part${i}Name(): string {\n  return 'part ${i}';\n}\n` }));
  const text = many.map((f) => `import { part${f.path.slice(8, -3)}Name } from './${f.path.slice(4, -3)}';\n`).join('') + '\nexport const all = [\n';
  const context = contextText(text, { path: 'src/all.ts', text, files: many }, 4000);
  const budget = 400;
  const chunk = 'export const all = [\n';
  const prompt = enginePrompt(bundled, chunk, undefined, context, budget);
  assert.ok(encode(context).length > budget / 2 && prompt.contextTokens === budget / 2, 'the engine cut the block');
  assert.deepEqual(await sampleIds({ encode, special, context, prefix: chunk, maxContextTokens: budget / 2 }), [...prompt.ids, special.eot]);
});

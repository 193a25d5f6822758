import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  contextBlock,
  DEFAULT_CONTEXT,
  importedFiles,
  jaccard,
  identifiers,
  MAX_FILE_BYTES,
  outline,
  outlinePieces,
  rankSnippets,
  resolveImport,
  selectSnippets,
  type RelatedFiles,
} from '../src/completion/repo-context.js';

const accessor = [
  "import { Endianness } from './endian';",
  'export class Accessor {',
  '  private cache = new Map<number, number>();',
  '  constructor(readonly bytes: Uint8Array) {}',
  '  getSize(): number {',
  '    return this.bytes.length;',
  '  }',
  '  readUint32(offset: number, order: Endianness): number {',
  '    return 0;',
  '  }',
  '}',
].join('\n');
const endian = 'export enum Endianness {\n  Big,\n  Little,\n}\n';
const unrelated = Array.from({ length: 30 }, (_, i) => `export const colour${i} = 'red';`).join('\n');

const current = "import { Accessor } from './accessor.js';\n\nexport function size(acc: Accessor) {\n  return acc.";

test('relative imports resolve to .ts files, including `.js` specifiers, index files and parent folders', () => {
  const paths = new Set(['src/accessor.ts', 'src/util/index.ts', 'lib/x.tsx']);
  assert.equal(resolveImport('src/b.ts', './accessor.js', paths), 'src/accessor.ts');
  assert.equal(resolveImport('src/b.ts', './accessor', paths), 'src/accessor.ts');
  assert.equal(resolveImport('src/b.ts', './util', paths), 'src/util/index.ts');
  assert.equal(resolveImport('src/deep/c.ts', '../../lib/x', paths), 'lib/x.tsx');
  assert.equal(resolveImport('src/b.ts', './missing', paths), undefined);
});

test('imports are followed transitively and cyclic imports terminate, each file once', () => {
  const files = [
    { path: 'a.ts', text: "import { b } from './b';\nexport const a = 1;" },
    { path: 'b.ts', text: "import { a } from './a';\nimport { c } from './c';\nexport const b = 2;" },
    { path: 'c.ts', text: "import { b } from './b';\nexport const c = 3;" },
  ];
  const found = importedFiles('a.ts', files[0].text, files, 10).map((f) => f.path);
  assert.deepEqual(found, ['b.ts', 'c.ts']);
});

test('an outline keeps declarations and public members, not bodies or private members', () => {
  const text = outline(accessor);
  assert.match(text, /getSize\(\): number/);
  assert.match(text, /readUint32\(offset: number, order: Endianness\): number/);
  assert.doesNotMatch(text, /return this\.bytes/);
  assert.doesNotMatch(text, /cache/);
  assert.match(outline(endian), /Big,\n\s+Little,/);
});

test('ranking puts the imported file first and a similar window above an unrelated one', () => {
  const related: RelatedFiles = {
    path: 'src/b.ts',
    files: [{ path: 'src/accessor.ts', text: accessor }, { path: 'src/endian.ts', text: endian }],
    openEditors: [
      { path: 'src/colours.ts', text: unrelated },
      { path: 'src/use.ts', text: 'const acc = new Accessor(bytes);\nconst n = acc.getSize();' },
    ],
  };
  const ranked = rankSnippets(current, related, DEFAULT_CONTEXT);
  assert.equal(ranked[0].path, 'src/accessor.ts');
  assert.equal(ranked[0].kind, 'outline', 'a declaration of the imported file');
  const use = ranked.findIndex((s) => s.path === 'src/use.ts');
  const colours = ranked.findIndex((s) => s.path === 'src/colours.ts');
  assert.ok(use < colours, 'a window that shares identifiers ranks above one that does not');
  assert.ok(jaccard(identifiers('acc.getSize()'), identifiers('acc getSize x')) > jaccard(identifiers('acc.getSize()'), identifiers('colour red')));
});

test('the block fits the token budget and reads as code: a path comment, the snippet, then the current file', () => {
  const related: RelatedFiles = { path: 'src/b.ts', files: [{ path: 'src/accessor.ts', text: accessor }], openEditors: [{ path: 'src/colours.ts', text: unrelated }] };
  for (const budget of [40, 80, 160, 400]) {
    const block = contextBlock(current, related, { ...DEFAULT_CONTEXT, budgetTokens: budget }, (t) => t.length);
    assert.ok(block.text.length <= budget, `block of ${block.text.length} tokens within ${budget}`);
  }
  const block = contextBlock(current, related, DEFAULT_CONTEXT);
  assert.match(block.text, /^\/\/ src\/accessor\.ts\n/);
  assert.match(block.text, /getSize/);
  assert.ok(block.text.endsWith('// src/b.ts\n'));
  assert.deepEqual(contextBlock(current, related, { ...DEFAULT_CONTEXT, enabled: false }), { text: '', snippets: [] });
  assert.deepEqual(contextBlock(current, related, { ...DEFAULT_CONTEXT, budgetTokens: 0 }), { text: '', snippets: [] });
});

test('the block stays the same while the user types on a line (the KV cache keeps it)', () => {
  const related: RelatedFiles = { path: 'src/b.ts', files: [{ path: 'src/accessor.ts', text: accessor }], openEditors: [{ path: 'src/colours.ts', text: unrelated }] };
  const blocks = new Set<string>();
  const line = 'getSize() + acc.readUint32(0, order)';
  for (let i = 0; i <= line.length; i++) blocks.add(contextBlock(current + line.slice(0, i), related, DEFAULT_CONTEXT).text);
  assert.equal(blocks.size, 1);
});

test('files over 1 MB and binary files are skipped', () => {
  const big = 'export const big = 1;\n' + 'x'.repeat(MAX_FILE_BYTES);
  const binary = 'export const bin = 1;\u0000\u0001\u0002';
  const related: RelatedFiles = {
    path: 'b.ts',
    files: [{ path: 'big.ts', text: big }, { path: 'bin.ts', text: binary }],
    openEditors: [{ path: 'big2.ts', text: big }, { path: 'bin2.ts', text: binary }],
    recentEdits: [{ path: 'bin3.ts', text: binary }],
  };
  const text = "import { big } from './big';\nimport { bin } from './bin';\n";
  assert.deepEqual(rankSnippets(text, { ...related, text }, DEFAULT_CONTEXT), []);
});

test('sources can be turned off one by one', () => {
  const related: RelatedFiles = { path: 'src/b.ts', files: [{ path: 'src/accessor.ts', text: accessor }], openEditors: [{ path: 'src/colours.ts', text: unrelated }], recentEdits: [{ path: 'src/e.ts', text: 'edited()' }] };
  const sourcesOf = (sources: typeof DEFAULT_CONTEXT.sources) => new Set(rankSnippets(current, related, { ...DEFAULT_CONTEXT, sources }).map((s) => s.source));
  assert.deepEqual(sourcesOf(['editors']), new Set(['editors']));
  assert.deepEqual(sourcesOf(['imports', 'edits']), new Set(['imports', 'edits']));
});

test('selection takes at most one window per file besides its outline', () => {
  const long = Array.from({ length: 100 }, (_, i) => `acc.getSize(${i});`).join('\n');
  const ranked = rankSnippets(current, { path: 'src/b.ts', openEditors: [{ path: 'src/long.ts', text: long }] }, DEFAULT_CONTEXT);
  assert.ok(ranked.length > 3);
  assert.equal(selectSnippets(ranked, 10_000).length, 1);
});

test('an outline has one piece per top-level declaration, named, at its line', () => {
  const pieces = outlinePieces(accessor + '\n' + endian);
  assert.deepEqual(pieces.map((p) => [p.name, p.line]), [['Accessor', 1], ['Endianness', 11]]);
  assert.match(pieces[0].text, /^export class Accessor \{\n(.*\n)* {2}getSize\(\): number\n/);
  assert.ok(pieces[0].text.endsWith('}'));
});

test('among the imported declarations, the one the code above the cursor names (or imports) ranks first', () => {
  const files = [{ path: 'src/shapes.ts', text: 'export class Circle {\n  radius(): number\n}\nexport class Square {\n  side(): number\n}\nexport class Polygon {\n  corners(): number\n}\n' }];
  const top = (prefix: string) => rankSnippets(prefix, { path: 'src/main.ts', text: prefix, files }, DEFAULT_CONTEXT)[0].text.split('\n')[0];
  // Imported by name far above (out of the lines the ranking compares), or named just above.
  const filler = Array.from({ length: 40 }, (_, i) => `const v${i} = ${i};`).join('\n');
  assert.equal(top(`import { Square } from './shapes';\n${filler}\nconst s = make();\ns.`), 'export class Square {');
  assert.equal(top("import * as shapes from './shapes';\nconst r = radius;\nconst p = new shapes.Polygon();\np."), 'export class Polygon {');
});

test('the block names each file once, then its snippets in line order', () => {
  const two = accessor + '\nexport function open(): Accessor {\n  return new Accessor(new Uint8Array());\n}\n';
  const related: RelatedFiles = { path: 'src/b.ts', files: [{ path: 'src/accessor.ts', text: two }, { path: 'src/endian.ts', text: endian }] };
  const text = "import { Accessor, open } from './accessor';\nimport { Endianness } from './endian';\nconst acc = open();\nacc.";
  const block = contextBlock(text, { ...related, text }, { ...DEFAULT_CONTEXT, budgetTokens: 2000 });
  assert.equal(block.text.match(/\/\/ src\/accessor\.ts\n/g)?.length, 1);
  const lines = block.snippets.filter((s) => s.path === 'src/accessor.ts').map((s) => s.line);
  assert.deepEqual(lines, [...lines].sort((a, b) => a - b));
  assert.ok(block.text.indexOf('export class Accessor') < block.text.indexOf('export function open'));
});

test('a declaration too long for the budget keeps its first members and its closing brace', () => {
  const members = Array.from({ length: 30 }, (_, i) => `  member${i}(): number {\n    return ${i};\n  }`).join('\n');
  const big = `export class Big {\n${members}\n}\n`;
  const text = "import { Big } from './big';\nconst b = new Big();\nb.";
  const block = contextBlock(text, { path: 'src/b.ts', text, files: [{ path: 'src/big.ts', text: big }] }, { ...DEFAULT_CONTEXT, budgetTokens: 60 }, (t) => Math.ceil(t.length / 4));
  assert.match(block.text, /export class Big \{\n {2}member0\(\): number\n/);
  assert.match(block.text, /\/\/ …\n\}\n/);
  assert.doesNotMatch(block.text, /member29/);
  assert.ok(Math.ceil(block.text.length / 4) <= 60 + 4);
});

test('the ranking reads the lines above the cursor: the line being typed never changes it', () => {
  const related: RelatedFiles = {
    path: 'src/b.ts',
    openEditors: [
      { path: 'src/colours.ts', text: unrelated },
      { path: 'src/use.ts', text: 'const acc = new Accessor(bytes);\nconst n = acc.getSize();' },
    ],
  };
  const above = 'function paint() {\n  const colour = pick();\n';
  const line = '  return acc.getSize() + new Accessor(bytes).getSize() + colour3 + colour4 + colour5 + red';
  const scores = (prefix: string) => rankSnippets(prefix, related, DEFAULT_CONTEXT).map((s) => `${s.path}:${s.line}:${s.score}`);
  for (let i = 0; i <= line.length; i += 7) assert.deepEqual(scores(above + line.slice(0, i)), scores(above), `after typing ${JSON.stringify(line.slice(0, i))}`);
});

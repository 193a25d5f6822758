// The CLI's command line: node:util parseArgs in strict mode; a bad flag or number exits 2 with one line.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { main, OPTIONS, parseCommandLine, USAGE, UsageError } from '../src/cli.js';

test('known options parse; numbers and choices are checked', () => {
  const { command, flags } = parseCommandLine(['complete', '--max-tokens', '5', '--temperature', '0.5', '--stop', 'block', '--json', '--no-lookup']);
  assert.equal(command, 'complete');
  assert.deepEqual({ ...flags }, { 'max-tokens': '5', temperature: '0.5', stop: 'block', json: true, 'no-lookup': true });
  assert.throws(() => parseCommandLine(['complete', '--max-token', '5']), (e: unknown) => e instanceof UsageError && /unknown option --max-token/.test(e.message));
  assert.throws(() => parseCommandLine(['complete', '--temperature', 'abc']), /--temperature needs a number, got "abc"/);
  assert.throws(() => parseCommandLine(['complete', '--top-k', '']), /--top-k needs a number/);
  assert.throws(() => parseCommandLine(['complete', '--stop', 'paragraph']), /--stop is one of line \| block \| none/);
  assert.throws(() => parseCommandLine(['complete', 'extra']), /unexpected argument extra/);
});

test('a usage error exits 2 with exactly one line on stderr, before any model is loaded', async () => {
  const written: string[] = [];
  const original = process.stderr.write;
  process.stderr.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    assert.equal(await main(['complete', '--max-token', '5']), 2);
    assert.equal(await main(['complete', '--temperature', 'abc']), 2);
    assert.equal(await main(['frobnicate']), 2);
  } finally {
    process.stderr.write = original;
  }
  assert.equal(written.length, 3);
  for (const line of written) assert.match(line, /^nexttoken: [^\n]+\n$/);
});

test('the options table is the whole truth: every flag the code reads is declared, every declared flag is read and in --help', () => {
  // The code that reads flags: the CLI and the bench it hands them to.
  const sources = ['src/cli.ts', 'src/bench/bench.ts'].map((file) => fs.readFileSync(path.join(__dirname, '..', file), 'utf8'));
  const read = new Set<string>();
  for (const source of sources) {
    for (const m of source.matchAll(/\bflags\.([A-Za-z]\w*)/g)) read.add(m[1]);
    for (const m of source.matchAll(/\bflags\[['"]([\w-]+)['"]\]/g)) read.add(m[1]);
    for (const m of source.matchAll(/\b(?:str|num)\(flags, ['"]([\w-]+)['"]/g)) read.add(m[1]);
  }
  const declared = Object.keys(OPTIONS);
  assert.ok(read.size >= 20, `found ${read.size} flag reads: the scan itself is broken`);
  assert.deepEqual([...read].filter((name) => !declared.includes(name)), [], 'read but not declared in OPTIONS');
  assert.deepEqual(declared.filter((name) => !read.has(name)), [], 'declared in OPTIONS but never read');
  const usage = USAGE.split('\n');
  for (const name of declared) assert.ok(usage.some((line) => line.startsWith(`  --${name} `) || line === `  --${name}`), `--${name} is not in --help`);
});

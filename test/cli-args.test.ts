// The CLI's command line: node:util parseArgs in strict mode; a bad flag or number exits 2 with one line.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main, parseCommandLine, UsageError } from '../src/cli.js';

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

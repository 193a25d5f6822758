// `nexttoken explain --record`: the CLI replays an editor request that carried repository context
// (imports, open editors, recent edits: editor state the CLI cannot rebuild) and language-server
// names, from the request's record alone, and makes the same prompt and the same candidates.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { recordJson, replayOf } from '../src/cli.js';
import { windowAround } from '../src/completion/context.js';
import { CompletionPipeline, DEFAULT_PIPELINE } from '../src/completion/pipeline.js';
import { blockOf, contextBlock, type RelatedFiles } from '../src/completion/repo-context.js';
import { firstShownCandidates, type RequestRecord } from '../src/completion/request-record.js';
import type { Engine } from '../src/engine/engine.js';
import { fixturePath, loadFixtureEngine } from './helpers.js';

const MODEL = 'tiny-llama';
let engine: Engine;
before(async () => {
  engine = await loadFixtureEngine(MODEL);
});
after(() => engine.dispose());

const DOC = [
  "import { Registry } from './registry';",
  '',
  'export function open(registry: Registry, name: string) {',
  '  const session = registry.',
  '  return session;',
  '}',
  '',
].join('\n');
const CURSOR = DOC.indexOf('registry.\n') + 'registry.'.length;

/** What the editor knew: an imported file, another open editor, a recent edit; and the names its language server gave at `registry.`. */
const RELATED: RelatedFiles = {
  path: 'src/main.ts',
  text: DOC,
  files: [{ path: 'src/registry.ts', text: 'export class Registry {\n  lookupByName(name: string): Session {\n    return this.sessions.get(name);\n  }\n  listSessions(): Session[] {\n    return [];\n  }\n}\n' }],
  openEditors: [{ path: 'src/session.ts', text: 'export class Session {\n  constructor(readonly name: string) {}\n  close(): void {}\n}\n' }],
  recentEdits: [{ path: 'src/util.ts', text: 'export const sessionName = (s: Session) => s.name;\n' }],
};
const NAMES = ['lookupByName', 'listSessions'];

/** The editor's request at the cursor: the same pipeline, with the editor's knowledge hook. */
async function editorRequest(): Promise<RequestRecord> {
  const pipeline = new CompletionPipeline(engine, { ...DEFAULT_PIPELINE, debounceMs: 0 });
  pipeline.editor = { related: async () => RELATED, validNames: async () => NAMES };
  await pipeline.provide({ ...windowAround(DOC, CURSOR), immediate: true, origin: { key: 'file:///w/src/main.ts', offset: CURSOR } });
  assert.ok(pipeline.latest, 'the editor request left a record');
  return pipeline.latest;
}

function cliExplain(docFile: string, extra: string[]) {
  const cli = path.join(__dirname, '..', 'src', 'cli.ts');
  const out = execFileSync(process.execPath, ['--import', 'tsx', cli, 'explain', '--json', '--model', fixturePath(MODEL), '--file', docFile, '--cursor', String(CURSOR), '--top', '10', ...extra], { encoding: 'utf8', timeout: 120_000 });
  return JSON.parse(out) as ReturnType<typeof recordJson> & { record: RequestRecord };
}

const promptIds = (r: RequestRecord) => r.prompt.parts.map((p) => ({ kind: p.kind, ids: p.tokens.map((t) => t.id) }));

test('a record replayed by explain --record makes the editor request’s prompt, candidates and ghost text', async () => {
  const record = await editorRequest();
  // The request used editor state of every kind, and the language server's names changed the decode.
  assert.deepEqual(new Set(record.context?.snippets.map((s) => s.source)), new Set(['imports', 'editors', 'edits']));
  assert.equal(record.context?.path, 'src/main.ts');
  assert.deepEqual(record.monitor?.names, NAMES);
  assert.ok((record.monitor?.maskedSteps ?? 0) > 0, 'the mask constrained a step');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nexttoken-replay-'));
  try {
    const docFile = path.join(dir, 'main.ts');
    const recordFile = path.join(dir, 'record.json');
    fs.writeFileSync(docFile, DOC);
    fs.writeFileSync(recordFile, JSON.stringify(recordJson(record, 10))); // the form explain --json prints
    const replayed = cliExplain(docFile, ['--record', recordFile]);
    assert.deepEqual(promptIds(replayed.record), promptIds(record), 'the same prompt tokens, part by part');
    assert.ok(replayed.record.prompt.parts.some((p) => p.kind === 'context'));
    assert.deepEqual(replayed.candidates, firstShownCandidates(record).candidates.slice(0, 10));
    assert.deepEqual(replayed.record.tokens.map((t) => t.id), record.tokens.map((t) => t.id));
    assert.equal(replayed.shown, record.shown);
    assert.deepEqual(replayed.record.context, record.context);
    assert.deepEqual(replayed.record.monitor, record.monitor);

    // Without the record the CLI has no context and no names: the comparison above can tell.
    const bare = cliExplain(docFile, []);
    assert.notDeepEqual(promptIds(bare.record), promptIds(record));
    assert.equal(bare.record.monitor, undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the block made again from a record’s snippets and path is the block the ranking made', () => {
  const prefix = DOC.slice(0, CURSOR);
  for (const budget of [40, 120, 400]) {
    const block = contextBlock(prefix, RELATED, { enabled: true, budgetTokens: budget, sources: ['imports', 'editors', 'edits'] });
    assert.ok(block.snippets.length > 0, `budget ${budget}`);
    const fromRecord = JSON.parse(JSON.stringify({ snippets: block.snippets, path: block.path }));
    assert.equal(blockOf(fromRecord.snippets, fromRecord.path).text, block.text, `budget ${budget}`);
  }
  assert.deepEqual(blockOf([], 'src/main.ts'), { text: '', snippets: [] });
});

test('replayOf takes a record or explain --json’s answer, and refuses one it cannot replay exactly', () => {
  const snippets = [{ path: 'src/a.ts', source: 'imports', kind: 'outline', line: 0, text: 'export class A {}', score: 2, tokens: 5 }];
  const record = { mode: 'line', suffix: { setting: 'never' }, sampling: { temperature: 0, maxTokens: 32 }, context: { snippets, tokens: 9, path: 'src/b.ts' }, monitor: { validNames: 1, maskedSteps: 1, names: ['run'] } };
  for (const json of [record, { shown: '', candidates: [], record }]) {
    const replay = replayOf(json);
    assert.equal(replay.context?.text, '// src/a.ts\nexport class A {}\n\n// src/b.ts\n');
    assert.deepEqual(replay.validNames, ['run']);
    assert.equal(replay.fim, 'never');
  }
  assert.throws(() => replayOf({ ...record, monitor: { validNames: 1, maskedSteps: 1 } }), /no names list/);
  assert.throws(() => replayOf({ ...record, context: { snippets: [{ path: 'x' }], tokens: 1 } }), /snippets must list/);
  assert.throws(() => replayOf(null), /not a request record/);
});

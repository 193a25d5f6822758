// nexttoken — the engine without an editor: complete, explain, score, bench.
// JSON shapes printed here are a public interface (see README "CLI").

import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { parseArgs } from 'node:util';
import { DEFAULT_LOOKUP, type CompletionResult, type Engine, type Explanation, type ScoreResult, type StopMode } from './engine/engine.js';
import type { OnnxVariant } from './engine/load-model.js';
import { bundledModelFolder, loadNodeEngine } from './engine/node-runtime.js';
import { formatExplanation, formatRecord, formatScore } from './cli-format.js';
import { splitAtCursor, windowAround } from './completion/context.js';
import { DEFAULT_THRESHOLD, judgeCompletion, type GateDecision } from './completion/gate.js';
import { CompletionPipeline, DEFAULT_PIPELINE, type PipelineSettings } from './completion/pipeline.js';
import { firstShownCandidates, type RequestRecord } from './completion/request-record.js';
import { DEFAULT_SAMPLING, DEFAULT_SEED } from './core/logits.js';
import { blockOf, contextBlock, DEFAULT_CONTEXT, type ContextBlock, type Snippet, type WorkspaceFile } from './completion/repo-context.js';
import { TsNames, type NamesAnswer } from './ts-names.js';

type Flags = Record<string, string | boolean>;

/** Most characters of --file/stdin text kept for complete/explain (the end, where the cursor is), cut before tokenizing. */
export const MAX_PREFIX_CHARS = 64 * 1024;

interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** The value's name in --help; a number flag is checked to be one, a choice to be one of the choices. */
  value?: string;
  number?: true;
  choices?: readonly string[];
  /** Its line in --help. */
  help: string;
}

/**
 * Every option any command takes (bench's too), and the one place each is described: the parser,
 * the number and choice checks and --help are made from it. Anything else is a usage error.
 * test/cli-args.test.ts checks that the code reads each one and reads no other.
 */
export const OPTIONS = {
  model: { type: 'string', value: 'DIR', help: 'model folder (default: the bundled model)' },
  variant: { type: 'string', choices: ['auto', 'fp32', 'fp16', 'quantized', 'q4'], help: 'ONNX file of the folder (default auto)' },
  threads: { type: 'string', value: 'N', number: true, help: 'WASM threads (default 1)' },
  prefix: { type: 'string', value: 'TEXT', help: 'text before the cursor' },
  suffix: { type: 'string', value: 'TEXT', help: 'text after it' },
  text: { type: 'string', value: 'TEXT', help: 'the text (the same as --prefix)' },
  file: { type: 'string', value: 'F', help: 'read the text from a file (stdin when no text is given)' },
  'max-tokens': { type: 'string', value: 'N', number: true, help: '(complete) default 32' },
  stop: { type: 'string', choices: ['line', 'block', 'none'], help: '(complete) where to stop (default line)' },
  temperature: { type: 'string', value: 'T', number: true, help: 'sampling temperature (0 = greedy, the default)' },
  'top-k': { type: 'string', value: 'K', number: true, help: 'sampling: keep the K likeliest tokens' },
  'top-p': { type: 'string', value: 'P', number: true, help: 'sampling: keep the likeliest tokens up to mass P' },
  seed: { type: 'string', value: 'S', number: true, help: 'sampling seed' },
  top: { type: 'string', value: 'N', number: true, help: '(explain) candidates to list, default 10' },
  lens: { type: 'boolean', help: '(explain) also the logit lens: the top candidates after every layer' },
  'no-lookup': { type: 'boolean', help: '(complete) no prompt-lookup drafting' },
  'accept-ratio': { type: 'string', value: 'R', number: true, help: '(complete) keep a drafted token at least R × as likely as the greedy one (default 1e-4; 1 = plain greedy)' },
  language: { type: 'string', value: 'ID', help: "(complete) VS Code language id, for the gate's confidence" },
  context: { type: 'string', choices: ['on', 'off'], help: '(complete) snippets of the request\'s "files" ahead of the prefix (default on when files are given)' },
  'context-budget': { type: 'string', value: 'N', number: true, help: `(complete) most tokens of repository context (default ${DEFAULT_CONTEXT.budgetTokens})` },
  monitor: { type: 'string', choices: ['ts', 'off'], help: '(complete) at `.`/`?.` keep the next name to one the TypeScript language service finds valid (default ts when files are given)' },
  'monitor-budget': { type: 'string', value: 'MS', number: true, help: '(complete) wait at most this long for the language service (default 100), else decode unconstrained' },
  json: { type: 'boolean', help: 'one JSON object on stdout' },
  jsonl: { type: 'boolean', help: '(complete, score) one JSON request per stdin line, one JSON result per line' },
  cursor: { type: 'string', value: 'N', number: true, help: "(explain) explain the inline request at character offset N of the text: the editor's pipeline request, with the options below" },
  line: { type: 'string', value: 'L', number: true, help: '(explain) or at line L (1-based) ...' },
  column: { type: 'string', value: 'C', number: true, help: '(explain) ... and column C (1-based)' },
  fim: { type: 'string', choices: ['always', 'midline', 'never'], help: '(explain at a cursor) suffix decision (default midline)' },
  'no-heal': { type: 'boolean', help: '(explain at a cursor) no token healing' },
  'no-multiline': { type: 'boolean', help: '(explain at a cursor) line suggestions only' },
  'time-budget': { type: 'string', value: 'MS', number: true, help: '(explain at a cursor) default 1500' },
  record: { type: 'string', value: 'F', help: "(explain at a cursor) replay an editor request: the repository context and language-server names of its record (JSON: a record, or explain --json's answer), with its suffix setting, temperature and max tokens unless given" },
  quick: { type: 'boolean', help: '(bench) the short run' },
  phase: { type: 'string', choices: ['threads', 'coldstart', 'replay', 'replay-context'], help: '(bench) one phase alone' },
  replay: { type: 'string', value: 'F', help: '(bench) the file the keystroke replay types (default src/completion/pipeline.ts)' },
  chars: { type: 'string', value: 'N', number: true, help: '(bench --phase replay) characters to type, default 1500' },
  out: { type: 'string', value: 'F', help: '(bench) where to write the JSON (default bench-results/bench.json)' },
  help: { type: 'boolean', short: 'h', help: 'this text' },
} as const satisfies Record<string, OptionSpec>;

const SPECS: [string, OptionSpec][] = Object.entries(OPTIONS);
const PARSE_OPTIONS = Object.fromEntries(SPECS.map(([name, o]) => [name, o.short ? { type: o.type, short: o.short } : { type: o.type }]));
const NUMBERS = SPECS.filter(([, o]) => o.number).map(([name]) => name);
const CHOICES = Object.fromEntries(SPECS.flatMap(([name, o]) => (o.choices ? [[name, o.choices]] : [])));

export const USAGE = `nexttoken <command> [options]

commands
  complete   continue the text (from --prefix, --file or stdin)
  explain    the next-token candidates and the chain rule over the text
  score      log-probability of the text by the chain rule, token by token
  bench      benchmarks (see BENCHMARKS.md)

options
${SPECS.map(([name, o]) => `  ${`--${name}${o.choices ? ` ${o.choices.join('|')}` : o.value ? ` ${o.value}` : ''}`.padEnd(26)} ${o.help}\n`).join('')}`;

/** A bad command line: main prints its one-line message and exits 2. */
export class UsageError extends Error {}

export function parseCommandLine(argv: string[]): { command: string; flags: Flags } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: PARSE_OPTIONS, strict: true, allowPositionals: true });
  } catch (error) {
    const unknown = /Unknown option '([^']+)'/.exec((error as Error).message);
    throw new UsageError(unknown ? `unknown option ${unknown[1]}` : (error as Error).message.split('\n')[0]);
  }
  const [command = 'help', ...extra] = parsed.positionals;
  if (extra.length) throw new UsageError(`unexpected argument ${extra[0]}`);
  const flags = parsed.values as Flags;
  for (const key of NUMBERS) {
    if (typeof flags[key] === 'string' && (flags[key] === '' || !Number.isFinite(Number(flags[key])))) throw new UsageError(`--${key} needs a number, got "${flags[key]}"`);
  }
  for (const [key, allowed] of Object.entries(CHOICES)) {
    if (typeof flags[key] === 'string' && !allowed.includes(flags[key] as string)) throw new UsageError(`--${key} is one of ${allowed.join(' | ')}, got "${flags[key]}"`);
  }
  return { command, flags };
}

const num = (flags: Flags, key: string, fallback: number) => (typeof flags[key] === 'string' ? Number(flags[key]) : fallback);
const str = (flags: Flags, key: string) => (typeof flags[key] === 'string' ? (flags[key] as string) : undefined);

async function readInputText(flags: Flags): Promise<string> {
  if (typeof flags.prefix === 'string') return flags.prefix;
  if (typeof flags.text === 'string') return flags.text;
  if (typeof flags.file === 'string') return fs.readFileSync(flags.file, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

interface CompleteLine {
  prefix: string;
  suffix?: string;
  maxTokens?: number;
  stop?: StopMode;
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
  /** Prompt lookup: false turns it off; below 1 accepts near-greedy draft tokens (see README). */
  lookup?: boolean;
  acceptRatio?: number;
  /** VS Code language id, for the gate (as the extension passes it). */
  language?: string;
  /** Drafting knobs (see DraftSettings): shortest n-gram match, characters typed before a line draft. */
  minMatch?: number;
  minTyped?: number;
  /** The current file's path, and other files of the workspace (repository context). */
  path?: string;
  files?: WorkspaceFile[];
  /** Per request: false turns the context off; a number sets its token budget. */
  context?: boolean;
  contextBudget?: number;
  /** Per request: false turns the language-server monitor off; chooseNames as in CompletionRequest. */
  monitor?: boolean;
  chooseNames?: number;
}

interface ContextFlags {
  enabled: boolean;
  budgetTokens: number;
  /** The language-server monitor (undefined when off) and its time budget. */
  monitor?: TsNames;
  monitorBudgetMs: number;
}

export function completionJson(result: CompletionResult, gate?: GateDecision, snippets: Snippet[] = [], monitor?: NamesAnswer) {
  return {
    text: result.text,
    confidence: gate?.confidence,
    shown: gate?.shown,
    tokens: result.tokens.map(({ id, text, prob, logprob, cumulativeLogprob }) => ({ id, text, prob, logprob, cumulativeLogprob })),
    logprob: result.logprob,
    stopReason: result.stopReason,
    ms: round(result.ms),
    healed: result.healed,
    promptTokens: result.promptTokens,
    reusedTokens: result.reusedTokens,
    computedTokens: result.computedTokens,
    drafted: result.drafted,
    accepted: result.accepted,
    overridden: result.overridden,
    contextTokens: result.contextTokens,
    snippets: snippets.map(({ path, source, kind, line, score, tokens }) => ({ path, source, kind, line, score: Math.round(score * 1000) / 1000, tokens })),
    monitor: monitor && { validNames: monitor.names.length, ms: round(monitor.ms), reason: monitor.reason, masked: result.masked ?? [], scored: result.scoredNames?.map((n) => ({ name: n.name, logprob: n.logprob })) },
  };
}

/**
 * The default gate's decision on a completion, as the extension makes it for a document whose
 * text is prefix + suffix with the cursor between them (shaping first: what shaping drops is not shown).
 */
export function defaultGate(line: CompleteLine, result: CompletionResult): GateDecision {
  const ctx = splitAtCursor(line.prefix + (line.suffix ?? ''), line.prefix.length, true);
  return judgeCompletion(result, ctx, { threshold: DEFAULT_THRESHOLD, language: line.language }).gate;
}

async function completeJson(engine: Engine, line: CompleteLine, contextFlags: ContextFlags) {
  const { result, snippets, monitor } = await complete(engine, line, contextFlags);
  return completionJson(result, defaultGate(line, result), snippets, monitor);
}

/** The repository context of a request: snippets of its `files` ahead of the prefix. */
function requestContext(line: CompleteLine, contextFlags: ContextFlags) {
  const files = Array.isArray(line.files) ? line.files.filter((f) => typeof f?.path === 'string' && typeof f?.text === 'string') : [];
  const block = contextBlock(line.prefix, { path: line.path, text: line.prefix + (line.suffix ?? ''), files, openEditors: files }, {
    ...DEFAULT_CONTEXT,
    enabled: contextFlags.enabled && line.context !== false && files.length > 0,
    budgetTokens: line.contextBudget ?? contextFlags.budgetTokens,
  });
  return { ...block, files };
}

async function complete(engine: Engine, line: CompleteLine, contextFlags: ContextFlags): Promise<{ result: CompletionResult; snippets: Snippet[]; monitor?: NamesAnswer }> {
  const context = requestContext(line, contextFlags);
  const files = context.files;
  const monitor = contextFlags.monitor && files.length > 0 && line.monitor !== false ? contextFlags.monitor.namesAt(line.path ?? '', line.prefix, files, contextFlags.monitorBudgetMs) : undefined;
  const result = await engine.complete({
    prefix: line.prefix,
    suffix: line.suffix,
    context: context.text || undefined,
    validNames: monitor?.names,
    chooseNames: line.chooseNames,
    maxTokens: line.maxTokens,
    stop: line.stop,
    sampling: { temperature: line.temperature ?? DEFAULT_SAMPLING.temperature, topK: line.topK ?? DEFAULT_SAMPLING.topK, topP: line.topP ?? DEFAULT_SAMPLING.topP },
    seed: line.seed,
    lookup: line.lookup === false ? false : { acceptRatio: line.acceptRatio ?? DEFAULT_LOOKUP.acceptRatio, minMatch: line.minMatch ?? DEFAULT_LOOKUP.minMatch, minTyped: line.minTyped ?? DEFAULT_LOOKUP.minTyped },
  });
  return { result, snippets: context.snippets, monitor: monitor?.reason === 'no-trigger' ? undefined : monitor };
}

export function explanationJson(e: Explanation) {
  return {
    candidates: e.candidates.map(({ id, text, prob, logprob, processedProb, kept }) => ({ id, text, prob, logprob, processedProb, kept })),
    sampling: e.sampling,
    context: e.context.map(({ id, text, logprob, cumulativeLogprob }) => ({ id, text, logprob, cumulativeLogprob })),
    logprob: e.logprob,
    perplexity: e.perplexity,
    // --lens: one row per layer (0 = the embedding; the last is the model's own distribution), or null and why
    ...(e.lens && ('rows' in e.lens ? { lens: e.lens.rows } : { lens: null, lensUnavailable: e.lens.unavailable })),
    ms: round(e.ms),
  };
}

export function scoreJson(s: ScoreResult) {
  return {
    tokens: s.tokens.map(({ id, text, logprob, cumulativeLogprob, rank }) => ({ id, text, prob: logprob === null ? null : Math.exp(logprob), logprob, cumulativeLogprob, rank })),
    logprob: s.logprob,
    perplexity: s.perplexity,
    bitsPerChar: s.bitsPerChar,
    chars: s.chars,
    ms: round(s.ms),
  };
}

/**
 * What a replay takes from an editor's request record (`--record`): the context block made again
 * from its snippets and path (blockOf, as the editor made it), the names the language server gave,
 * and the settings the record shows. Accepts a record or explain --json's `{ record }`.
 */
export function replayOf(json: unknown): { context?: ContextBlock; validNames?: readonly string[]; fim?: PipelineSettings['fillInTheMiddle']; temperature?: number; maxTokens?: number; mode?: 'line' | 'block' } {
  const holder = json as { record?: unknown } | null;
  const record = (holder && typeof holder === 'object' && holder.record && typeof holder.record === 'object' ? holder.record : json) as Partial<RequestRecord> | null;
  if (!record || typeof record !== 'object') throw new UsageError('--record: not a request record (a JSON object)');
  const snippets = record.context?.snippets;
  if (record.context && (!Array.isArray(snippets) || snippets.some((s) => typeof s?.path !== 'string' || typeof s?.text !== 'string'))) throw new UsageError('--record: context.snippets must list {path, text}');
  const names = record.monitor?.names;
  if (record.monitor && (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))) throw new UsageError('--record: monitor has no names list (the record cannot be replayed exactly)');
  const fim = record.suffix?.setting;
  return {
    context: snippets?.length ? blockOf(snippets, typeof record.context?.path === 'string' ? record.context.path : undefined) : undefined,
    validNames: names?.length ? names : undefined,
    fim: fim === 'always' || fim === 'midline' || fim === 'never' ? fim : undefined,
    temperature: typeof record.sampling?.temperature === 'number' ? record.sampling.temperature : undefined,
    maxTokens: typeof record.sampling?.maxTokens === 'number' ? record.sampling.maxTokens : undefined,
    mode: record.mode === 'line' || record.mode === 'block' ? record.mode : undefined,
  };
}

/** The inline provider's request at a cursor of a whole text, made by the same pipeline; its record. */
async function explainInlineRequest(engine: Engine, text: string, flags: Flags): Promise<RequestRecord | undefined> {
  let offset = num(flags, 'cursor', NaN);
  if (Number.isNaN(offset)) {
    const lines = text.split('\n');
    const line = Math.max(1, Math.min(lines.length, num(flags, 'line', 1)));
    offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + Math.min(lines[line - 1].length, num(flags, 'column', 1) - 1);
  }
  const recordFile = str(flags, 'record');
  const replay = recordFile === undefined ? {} : replayOf(readRecordFile(recordFile));
  const fim = str(flags, 'fim') ?? replay.fim ?? DEFAULT_PIPELINE.fillInTheMiddle; // one of OPTIONS.fim.choices: parseCommandLine checked it
  // The record's max tokens are its mode's (line or block).
  const recordMax = (mode: 'line' | 'block') => (replay.mode === mode ? replay.maxTokens : undefined);
  const settings: PipelineSettings = {
    ...DEFAULT_PIPELINE,
    debounceMs: 0,
    maxTokens: num(flags, 'max-tokens', recordMax('line') ?? DEFAULT_PIPELINE.maxTokens),
    maxBlockTokens: recordMax('block') ?? DEFAULT_PIPELINE.maxBlockTokens,
    temperature: num(flags, 'temperature', replay.temperature ?? DEFAULT_PIPELINE.temperature),
    timeBudgetMs: num(flags, 'time-budget', DEFAULT_PIPELINE.timeBudgetMs),
    multiline: !flags['no-multiline'],
    fillInTheMiddle: fim as PipelineSettings['fillInTheMiddle'],
    heal: !flags['no-heal'],
  };
  const pipeline = new CompletionPipeline(engine, settings);
  await pipeline.provide({ ...windowAround(text, Math.max(0, Math.min(text.length, offset))), immediate: true, context: replay.context, validNames: replay.validNames });
  return pipeline.latest;
}

function readRecordFile(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--record ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** The record as JSON, with the candidate list the first shown token was picked from up front. */
export function recordJson(record: RequestRecord | undefined, top: number) {
  if (!record) return { shown: null, candidates: [], record: null };
  const first = firstShownCandidates(record);
  return { shown: record.shown, candidates: first.candidates.slice(0, top), picked: first.picked ?? null, record };
}

const round = (ms: number) => Math.round(ms * 100) / 100;

async function eachJsonLine(handle: (request: Record<string, unknown>) => Promise<unknown>): Promise<void> {
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    try {
      process.stdout.write(JSON.stringify(await handle(JSON.parse(line))) + '\n');
    } catch (error) {
      process.stdout.write(JSON.stringify({ error: (error as Error).message }) + '\n');
    }
  }
}

export async function main(argv: string[]): Promise<number> {
  let command: string, flags: Flags;
  try {
    ({ command, flags } = parseCommandLine(argv));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`nexttoken: ${error.message} (nexttoken help lists the options)\n`);
    return 2;
  }
  if (command === 'help' || flags.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === 'bench') {
    const { runBench } = await import('./bench/bench.js');
    return runBench(flags);
  }
  if (!['complete', 'explain', 'score'].includes(command)) {
    process.stderr.write(`nexttoken: unknown command ${command} (nexttoken help lists the commands)\n`);
    return 2;
  }
  const engine = await loadNodeEngine(str(flags, 'model') ?? bundledModelFolder(), {
    variant: (str(flags, 'variant') ?? 'auto') as OnnxVariant,
    threads: num(flags, 'threads', 1),
  });
  try {
    if (command === 'complete') {
      const contextFlags: ContextFlags = {
        enabled: flags.context !== 'off',
        budgetTokens: num(flags, 'context-budget', DEFAULT_CONTEXT.budgetTokens),
        monitor: flags.monitor === 'off' ? undefined : new TsNames((message) => process.stderr.write(`nexttoken: ${message}\n`)),
        monitorBudgetMs: num(flags, 'monitor-budget', 100),
      };
      if (contextFlags.monitor && flags.jsonl) contextFlags.monitor.warm();
      if (flags.jsonl) {
        await eachJsonLine(async (request) => completeJson(engine, request as unknown as CompleteLine, contextFlags));
        return 0;
      }
      const line: CompleteLine = {
        prefix: (await readInputText(flags)).slice(-MAX_PREFIX_CHARS),
        suffix: str(flags, 'suffix'),
        maxTokens: num(flags, 'max-tokens', 32),
        stop: (str(flags, 'stop') ?? 'line') as StopMode,
        temperature: num(flags, 'temperature', DEFAULT_SAMPLING.temperature),
        topK: num(flags, 'top-k', DEFAULT_SAMPLING.topK),
        topP: num(flags, 'top-p', DEFAULT_SAMPLING.topP),
        seed: flags.seed === undefined ? undefined : num(flags, 'seed', DEFAULT_SEED),
        lookup: flags['no-lookup'] ? false : undefined,
        acceptRatio: num(flags, 'accept-ratio', DEFAULT_LOOKUP.acceptRatio),
        language: str(flags, 'language'),
      };
      if (flags.json) process.stdout.write(JSON.stringify(await completeJson(engine, line, contextFlags), null, 2) + '\n');
      else process.stdout.write((await complete(engine, line, contextFlags)).result.text + '\n');
      return 0;
    }
    if (command === 'explain' && (flags.cursor !== undefined || flags.line !== undefined)) {
      const record = await explainInlineRequest(engine, await readInputText(flags), flags);
      process.stdout.write(flags.json ? JSON.stringify(recordJson(record, num(flags, 'top', 10)), null, 2) + '\n' : formatRecord(record));
      return record ? 0 : 1;
    }
    if (command === 'explain') {
      const explanation = await engine.explain({
        prefix: (await readInputText(flags)).slice(-MAX_PREFIX_CHARS),
        suffix: str(flags, 'suffix'),
        top: num(flags, 'top', 10),
        sampling: { temperature: num(flags, 'temperature', DEFAULT_SAMPLING.temperature), topK: num(flags, 'top-k', DEFAULT_SAMPLING.topK), topP: num(flags, 'top-p', DEFAULT_SAMPLING.topP) },
        lens: flags.lens === true,
      });
      process.stdout.write(flags.json ? JSON.stringify(explanationJson(explanation), null, 2) + '\n' : formatExplanation(explanation));
      return 0;
    }
    if (flags.jsonl) {
      await eachJsonLine(async (request) => scoreJson(await engine.score({ text: String(request.text ?? ''), before: request.before as string | undefined })));
      return 0;
    }
    const score = await engine.score({ text: await readInputText(flags) });
    process.stdout.write(flags.json ? JSON.stringify(scoreJson(score), null, 2) + '\n' : formatScore(score));
    return 0;
  } finally {
    await engine.dispose();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`nexttoken: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}

// nexttoken — the engine without an editor: complete, explain, score, bench.
// JSON shapes printed here are a public interface (see README "CLI").

import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { DEFAULT_LOOKUP, type CompletionResult, type Engine, type Explanation, type ScoreResult, type StopMode } from './engine/engine.js';
import type { OnnxVariant } from './engine/load-model.js';
import { bundledModelFolder, loadNodeEngine } from './engine/node-runtime.js';
import { formatExplanation, formatScore } from './cli-format.js';

const USAGE = `nexttoken <command> [options]

commands
  complete   continue the text (from --prefix, --file or stdin)
  explain    the next-token candidates and the chain rule over the text
  score      log-probability of the text by the chain rule, token by token
  bench      benchmarks (see BENCHMARKS.md)

options
  --model DIR         model folder (default: the bundled model)
  --variant V         auto | fp32 | fp16 | quantized | q4
  --threads N         WASM threads (default 1)
  --prefix TEXT       text before the cursor      --suffix TEXT   text after it
  --file F            read the text from a file (stdin when neither is given)
  --max-tokens N      (complete) default 32       --stop line|block|none (default line)
  --temperature T --top-k K --top-p P --seed S    sampling (temperature 0 = greedy)
  --top N             (explain) candidates to list, default 10
  --no-lookup         (complete) no prompt-lookup drafting
  --accept-ratio R    (complete) keep a drafted token at least R × as likely as the greedy one (default 1e-4; 1 = plain greedy)
  --json              one JSON object on stdout
  --jsonl             (complete, score) one JSON request per stdin line, one JSON result per line
`;

type Flags = Record<string, string | boolean>;

function parseArgs(argv: string[]): { command: string; flags: Flags } {
  const [command = 'help', ...rest] = argv;
  const flags: Flags = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const key = arg.slice(2);
    const next = rest[i + 1];
    if (next === undefined || next.startsWith('--')) flags[key] = true;
    else flags[key] = rest[++i];
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
  /** Drafting knobs (see DraftSettings): shortest n-gram match, characters typed before a line draft. */
  minMatch?: number;
  minTyped?: number;
}

export function completionJson(result: CompletionResult) {
  return {
    text: result.text,
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
  };
}

function complete(engine: Engine, line: CompleteLine) {
  return engine.complete({
    prefix: line.prefix,
    suffix: line.suffix,
    maxTokens: line.maxTokens,
    stop: line.stop,
    sampling: { temperature: line.temperature ?? 0, topK: line.topK ?? 40, topP: line.topP ?? 0.95 },
    seed: line.seed,
    lookup: line.lookup === false ? false : { acceptRatio: line.acceptRatio ?? DEFAULT_LOOKUP.acceptRatio, minMatch: line.minMatch ?? DEFAULT_LOOKUP.minMatch, minTyped: line.minTyped ?? DEFAULT_LOOKUP.minTyped },
  });
}

export function explanationJson(e: Explanation) {
  return {
    candidates: e.candidates.map(({ id, text, prob, logprob, processedProb, kept }) => ({ id, text, prob, logprob, processedProb, kept })),
    sampling: e.sampling,
    context: e.context.map(({ id, text, logprob, cumulativeLogprob }) => ({ id, text, logprob, cumulativeLogprob })),
    logprob: e.logprob,
    perplexity: e.perplexity,
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
  const { command, flags } = parseArgs(argv);
  if (command === 'help' || flags.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === 'bench') {
    const { runBench } = await import('./bench/bench.js');
    return runBench(flags);
  }
  if (!['complete', 'explain', 'score'].includes(command)) {
    process.stderr.write(`unknown command ${command}\n\n${USAGE}`);
    return 2;
  }
  const engine = await loadNodeEngine(str(flags, 'model') ?? bundledModelFolder(), {
    variant: (str(flags, 'variant') ?? 'auto') as OnnxVariant,
    threads: num(flags, 'threads', 1),
  });
  try {
    if (command === 'complete') {
      if (flags.jsonl) {
        await eachJsonLine(async (request) => completionJson(await complete(engine, request as unknown as CompleteLine)));
        return 0;
      }
      const result = await complete(engine, {
        prefix: await readInputText(flags),
        suffix: str(flags, 'suffix'),
        maxTokens: num(flags, 'max-tokens', 32),
        stop: (str(flags, 'stop') ?? 'line') as StopMode,
        temperature: num(flags, 'temperature', 0),
        topK: num(flags, 'top-k', 40),
        topP: num(flags, 'top-p', 0.95),
        seed: flags.seed === undefined ? undefined : num(flags, 'seed', 0),
        lookup: flags['no-lookup'] ? false : undefined,
        acceptRatio: num(flags, 'accept-ratio', DEFAULT_LOOKUP.acceptRatio),
      });
      process.stdout.write(flags.json ? JSON.stringify(completionJson(result), null, 2) + '\n' : result.text + '\n');
      return 0;
    }
    if (command === 'explain') {
      const explanation = await engine.explain({
        prefix: await readInputText(flags),
        suffix: str(flags, 'suffix'),
        top: num(flags, 'top', 10),
        sampling: { temperature: num(flags, 'temperature', 1), topK: num(flags, 'top-k', 40), topP: num(flags, 'top-p', 0.95) },
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

// The engine: one model, one KV-cache session, and the three things the product asks of it —
// complete (ghost text), explain (the next-token distribution and why), score (the chain rule
// over a text). Requests run one at a time; the cache is reused across them.

import { bitsPerChar, chainRule, perplexity } from '../core/chain-rule.js';
import { DEFAULT_SAMPLING, GREEDY, processLogits, softmax, topIndices, type SamplingParams } from '../core/logits.js';
import { lineLookup } from '../core/prompt-lookup.js';
import { pickSample, seededRng } from '../core/sampler.js';
import { beforeLineSuffix, endOfBlock, endOfLine, repeatedNgram, timeBudget, type StopRule } from '../core/stop-rules.js';
import { chooseBackend } from './backend-choice.js';
import { abortError, type CacheStats, type DecoderSession } from './decoder-session.js';
import { generate, type GenerateOptions, type GeneratedToken, type Generation } from './generate.js';
import { readModelFolder, type OnnxVariant } from './load-model.js';
import { lensRows, LogitLens, NO_LENS, type LensRow } from './logit-lens.js';
import type { ModelFiles } from './model-files.js';
import type { ModelShape } from './model-config.js';
import type { Backend, OrtModule } from './ort.js';
import { buildPrompt, type Prompt, type PromptPartKind } from './prompt.js';
import { checkCompletionRequest, checkExplainRequest, checkScoreRequest } from './request-checks.js';
import type { TextTokenizer } from './tokenizer.js';

export type StopMode = 'line' | 'block' | 'none';

export interface EngineOptions {
  variant?: OnnxVariant;
  /** Backends this host can run, in order of preference; 'auto' times each and keeps the fastest. */
  backends?: readonly Backend[];
  backend?: Backend | 'auto';
  /** WASM threads the host configured (reported only). */
  threads?: number;
  /** Awaited before every forward pass (a worker yields to its event loop here, to read cancel messages). */
  beforePass?: () => Promise<void>;
}

export interface EngineInfo {
  name: string;
  modelType: string;
  variant: string;
  backend: Backend;
  backendTimings: Partial<Record<Backend, number>>;
  threads: number;
  window: number;
  vocabSize: number;
  fim: boolean;
  attentions: boolean;
  /** The model exports the logit lens (explain can show the prediction after every layer). */
  lens: boolean;
  loadMs: number;
}

export interface ContextRequest {
  /** Text before the cursor. */
  prefix: string;
  /** Text after the cursor (used when the model has fill-in-the-middle tokens). */
  suffix?: string;
  /** Repository context read before the prefix (snippets of other files; see src/completion/repo-context.ts). */
  context?: string;
  signal?: AbortSignal;
}

export interface CompletionRequest extends ContextRequest {
  maxTokens?: number;
  /**
   * Window positions kept free for generation when the prompt is cut to fit: maxTokens, or this
   * many when more, up to a quarter of the window (a small model keeps its prompt). Requests
   * that give the same reserve cut the prefix at the same place and share the KV cache, whatever
   * their maxTokens: the pipeline gives line and block requests its larger one.
   */
  reserveTokens?: number;
  stop?: StopMode;
  sampling?: Partial<SamplingParams>;
  seed?: number;
  /** Token healing at the cursor (default on). */
  heal?: boolean;
  /** Prompt-lookup drafting (default DEFAULT_LOOKUP; acceptRatio 1 = output identical to plain greedy). Fields left out take the defaults. */
  lookup?: false | Partial<DraftSettings>;
  timeBudgetMs?: number;
  /** Each generated token as it is picked (streamed back from the worker). */
  onToken?: (token: GeneratedToken) => void;
  /** Record this many candidates of each step's distribution (for the request record; default 0). */
  top?: number;
  /** Names a language server says are valid at the cursor (a trigger point); the first identifier generated stays a prefix of one. */
  validNames?: readonly string[];
  /**
   * Score at most this many valid names whole and spell the likeliest (name-choice.ts). Default 0,
   * mask only: on the cross-file eval (models/README.md) scoring 8 lowered identifier match.
   */
  chooseNames?: number;
}

/** The prompt as the model saw it, in parts (plain data: it crosses to the panel and the worker boundary). */
export interface PromptRecord {
  parts: { kind: PromptPartKind; tokens: { id: number; text: string; special: boolean }[] }[];
  /** Prefix tokens dropped at the front to fit the window. */
  cutTokens: number;
  /** The prefix tokens held back by token healing. */
  heldBack: { id: number; text: string }[];
}

export interface CompletionResult extends Generation {
  ms: number;
  healed: string;
  fim: boolean;
  promptTokens: number;
  /** Of which repository context (absent from engines that take none). */
  contextTokens?: number;
  /** Prompt tokens found in the KV cache / fed to the model for this request (generation steps not counted). */
  reusedTokens: number;
  computedTokens: number;
  prompt: PromptRecord;
  /** The sampling the loop used (defaults filled in). */
  sampling: SamplingParams;
}

export interface ChainToken {
  id: number;
  text: string;
  special: boolean;
  /** log P(token | past); null for the first token, which nothing predicted. */
  logprob: number | null;
  cumulativeLogprob: number;
  /** 0 = the model's top choice for this position. */
  rank: number | null;
}

export interface Candidate {
  id: number;
  text: string;
  special: boolean;
  /** Raw model probability (temperature 1). */
  prob: number;
  logprob: number;
  /** Probability after temperature/top-k/top-p (0 when cut). */
  processedProb: number;
  kept: boolean;
}

export interface ExplainRequest extends ContextRequest {
  /** Explain after exactly these prompt ids (a request record's prompt) instead of building one from prefix/suffix. */
  promptIds?: readonly number[];
  /** Tokens appended after the context by stepping through generation in the panel. */
  appended?: readonly number[];
  sampling?: Partial<SamplingParams>;
  top?: number;
  /** How many of the last context tokens the mask/attention view covers. */
  maskSize?: number;
  attentions?: boolean;
  /** Also the logit lens: the prediction after every layer, for the next token. */
  lens?: boolean;
  /** The token whose rank the lens follows through the layers (default: the token this explanation picks). */
  lensToken?: number;
  /** With temperature > 0: also draw one token from the processed distribution with this seed. */
  seed?: number;
}

/** Candidates per layer in the lens. */
export const LENS_TOP = 5;

export interface Explanation {
  context: ChainToken[];
  candidates: Candidate[];
  sampling: SamplingParams & { cutBy: string; keptCount: number; keptMass: number };
  /** The model's top choice. */
  greedy: Candidate;
  /** The token a seeded draw picks (when a seed and temperature > 0 were given). */
  sampled?: Candidate;
  logprob: number;
  perplexity: number;
  /** (layers, heads, n, n) attention over the last n context tokens, when the model exports it. */
  attention?: { layers: number; heads: number; size: number; weights: number[] };
  /** When the lens was asked for: one row per layer (embedding first, the model's own distribution last), or why there is none. */
  lens?: { rows: LensRow[] } | { unavailable: string };
  maskTokens: ChainToken[];
  cache: CacheStats & { cached: number };
  fim: boolean;
  cutTokens: number;
  ms: number;
}

export interface ScoredToken extends ChainToken {
  /** The likeliest alternatives at this position, when asked for. */
  alternatives?: { id: number; text: string; prob: number }[];
}

export interface ScoreRequest {
  text: string;
  /** Text that conditions the score without being scored. */
  before?: string;
  /** How many alternatives to list per token. */
  alternatives?: number;
  signal?: AbortSignal;
  /** Tokens scored so far of the total, after each window. */
  onProgress?: (scored: number, total: number) => void;
}

export interface ScoreResult {
  tokens: ScoredToken[];
  logprob: number;
  perplexity: number;
  bitsPerChar: number;
  chars: number;
  ms: number;
}


export interface DraftSettings {
  /** Keep a drafted token at least this fraction as likely as the model's top choice (1 = plain greedy). */
  acceptRatio: number;
  /** Shortest n-gram (tokens) that starts an n-gram draft; 0 = no n-gram drafts. */
  minMatch: number;
  /** Characters typed on the line (less indentation) before an earlier line may be drafted; 0 = no line drafts. */
  minTyped: number;
}

/**
 * Prompt lookup as completions use it by default: copy-first, model-verified. Drafts (the rest of
 * an earlier line that starts like the current one; n-gram drafts, what followed the current
 * n-gram earlier, only when minMatch > 0) are kept unless the model finds a token under 1/10,000 as likely as its own top choice. On
 * held-out code this lifts line completion well above greedy decoding (models/README.md);
 * acceptRatio 1 gives plain greedy output.
 */
// minMatch 0 (no n-gram drafts) from the drafting table of models/README.md "Evaluation v2":
// same EM, +0.7 ES, garbage copies 52.5 % → 21.7 % (prefix only) and 76 % → 39 % (mid-line).
export const DEFAULT_LOOKUP: DraftSettings = { acceptRatio: 1e-4, minMatch: 0, minTyped: 1 };

export class Engine {
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  /** Special tokens other than the end token: a FIM-trained model may predict <fim_suffix> where a prefix often ended in training, but it is never code. */
  private readonly suppressed: number[];

  private constructor(
    readonly info: EngineInfo,
    readonly tokenizer: TextTokenizer,
    readonly shape: ModelShape,
    private readonly session: DecoderSession,
    private readonly lens: LogitLens | undefined,
  ) {
    this.suppressed = [...tokenizer.specialIds].filter((id) => !tokenizer.eosIds.includes(id) && !shape.eosTokenIds.includes(id));
  }

  static async load(ort: OrtModule, files: ModelFiles, options: EngineOptions = {}): Promise<Engine> {
    const started = performance.now();
    const folder = await readModelFolder(files, options.variant);
    const offered = options.backends ?? ['wasm'];
    const candidates = options.backend && options.backend !== 'auto' ? [options.backend] : offered;
    const choice = await chooseBackend(ort, folder.onnx, folder.shape, candidates);
    const info: EngineInfo = {
      name: folder.name,
      modelType: folder.shape.modelType,
      variant: folder.variant,
      backend: choice.backend,
      backendTimings: choice.timings,
      threads: options.threads ?? 1,
      window: folder.shape.maxPositions,
      vocabSize: folder.shape.vocabSize,
      fim: folder.tokenizer.fim !== undefined,
      attentions: choice.session.hasAttentions,
      lens: choice.session.hasResidualStream && folder.readLens !== undefined,
      loadMs: performance.now() - started,
    };
    choice.session.beforePass = options.beforePass;
    const lens = info.lens ? new LogitLens(ort, folder.readLens!) : undefined;
    return new Engine(info, folder.tokenizer, folder.shape, choice.session, lens);
  }

  /** Ghost text for the cursor. */
  complete(request: CompletionRequest): Promise<CompletionResult> {
    checkCompletionRequest(request);
    return this.exclusive(request.signal, async () => {
      const started = performance.now();
      const maxTokens = Math.max(1, Math.min(request.maxTokens ?? 32, this.shape.maxPositions - 2));
      const reserve = Math.max(maxTokens, Math.min(request.reserveTokens ?? 0, Math.floor(this.shape.maxPositions / 4)));
      const prompt = this.prompt(request, reserve, request.heal ?? true);
      await this.session.prepare(prompt.ids, request.signal);
      const { lastReused, lastComputed } = this.session.stats;
      const sampling = { ...DEFAULT_SAMPLING, ...request.sampling };
      const generation = await generate(this.session, this.tokenizer, {
        maxTokens: Math.min(maxTokens, this.shape.maxPositions - prompt.ids.length),
        sampling,
        rng: sampling.temperature > 0 ? seededRng(request.seed ?? Date.now()) : undefined,
        stopRules: stopRules(request.stop ?? 'line', request.timeBudgetMs, prompt.fim ? request.suffix : undefined),
        healed: prompt.healed,
        suppress: this.suppressed,
        signal: request.signal,
        onToken: request.onToken,
        top: request.top,
        lookup: this.lookup(request, prompt.healed),
        monitor: request.validNames?.length ? { names: request.validNames, choose: request.chooseNames ?? 0 } : undefined,
      });
      return {
        ...generation,
        ms: performance.now() - started,
        healed: prompt.healed,
        fim: prompt.fim,
        promptTokens: prompt.ids.length,
        contextTokens: prompt.contextTokens,
        reusedTokens: lastReused,
        computedTokens: lastComputed,
        prompt: this.promptRecord(prompt),
        sampling,
      };
    });
  }

  /** The next-token distribution at the cursor, with the chain rule over the context. */
  explain(request: ExplainRequest): Promise<Explanation> {
    checkExplainRequest(request);
    return this.exclusive(request.signal, async () => {
      const started = performance.now();
      const appended = request.appended ?? [];
      const prompt = request.promptIds ? { ids: [...request.promptIds], fim: false, cutTokens: 0 } : this.prompt(request, 1 + appended.length, false);
      const ids = [...prompt.ids, ...appended];
      const maskSize = Math.max(1, Math.min(request.maskSize ?? 16, ids.length));
      await this.session.prepare(ids, request.signal);
      const cacheStats = { ...this.session.stats, cached: this.session.ids.length };
      let attention: Explanation['attention'];
      const withAttentions = request.attentions === true && this.session.hasAttentions;
      const withLens = request.lens === true && this.lens !== undefined;
      let lensLogits: Float32Array | undefined;
      if (withAttentions || withLens) {
        // Recompute the last n positions (one for the lens alone) with the optional outputs
        // fetched: attention rows (n, past + n), the residual stream at the last position.
        const outputs = await this.session.refeed(withAttentions ? maskSize : 1, { attentions: withAttentions, residuals: withLens, signal: request.signal });
        if (outputs.attentions) attention = lastSquare(outputs.attentions, maskSize);
        if (outputs.residuals) lensLogits = await this.lens!.logits(outputs.residuals);
      }
      const logits = this.session.nextLogits!;
      const raw = softmax(logits);
      const sampling = { ...DEFAULT_SAMPLING, ...request.sampling };
      const processed = processLogits(logits, sampling);
      const candidate = (id: number): Candidate => ({
        id,
        text: this.tokenizer.tokenText(id),
        special: this.tokenizer.isSpecial(id),
        prob: raw[id],
        logprob: Math.log(raw[id]),
        processedProb: processed.probs[id],
        kept: processed.probs[id] > 0,
      });
      const candidates = topIndices(raw, request.top ?? 20).map(candidate);
      const context = this.chainTokens(0, ids.length);
      const scored = context.filter((t) => t.logprob !== null).map((t) => t.logprob!);
      const sampled = request.seed !== undefined && sampling.temperature > 0 ? candidate(pickSample(processed, seededRng(request.seed))) : undefined;
      const picked = request.lensToken !== undefined && request.lensToken < logits.length ? request.lensToken : (sampled ?? candidates[0]).id;
      const lens: Explanation['lens'] = !request.lens
        ? undefined
        : lensLogits
          ? { rows: lensRows(lensLogits, logits.length, picked, LENS_TOP, (id) => this.tokenizer.tokenText(id)) }
          : { unavailable: NO_LENS };
      return {
        context,
        candidates,
        sampling: { ...sampling, cutBy: processed.cutBy, keptCount: processed.kept.length, keptMass: processed.keptMass },
        greedy: candidates[0],
        sampled,
        logprob: context.at(-1)?.cumulativeLogprob ?? 0,
        perplexity: perplexity(scored),
        attention,
        lens,
        maskTokens: context.slice(context.length - maskSize),
        cache: cacheStats,
        fim: prompt.fim,
        cutTokens: prompt.cutTokens,
        ms: performance.now() - started,
      };
    });
  }

  /** log P(text) by the chain rule, token by token; `before` conditions without being scored. */
  score(request: ScoreRequest): Promise<ScoreResult> {
    checkScoreRequest(request);
    return this.exclusive(request.signal, async () => {
      const started = performance.now();
      const bos = this.shape.bosTokenId;
      const head = [...(bos !== undefined ? [bos] : []), ...this.tokenizer.encode(request.before ?? '')];
      const body = this.tokenizer.encode(request.text);
      const all = [...head, ...body];
      const window = this.shape.maxPositions;
      const tokens: ScoredToken[] = [];
      // Windows of `window` tokens advancing by half a window: each scored token sees ≥ window/2 of past.
      let scoredUpTo = head.length;
      while (scoredUpTo < all.length) {
        const end = Math.min(all.length, Math.max(scoredUpTo + 1, scoredUpTo + Math.floor(window / 2)));
        const start = Math.max(0, end - window);
        const alternatives = new Map<number, Float32Array>();
        this.session.rewind(0); // predictions for reused positions are needed again
        const slice = all.slice(start, end);
        await this.session.advance(slice, {
          signal: request.signal,
          onPrediction: request.alternatives ? (pos, row) => pos + start >= scoredUpTo && alternatives.set(pos + start, softmax(row)) : undefined,
        });
        for (let pos = scoredUpTo; pos < end; pos++) {
          const local = pos - start;
          const id = all[pos];
          const lp = this.session.logprobs[local];
          const probs = alternatives.get(pos);
          tokens.push({
            id,
            text: this.tokenizer.tokenText(id),
            special: this.tokenizer.isSpecial(id),
            logprob: Number.isNaN(lp) ? null : lp,
            cumulativeLogprob: 0,
            rank: Number.isNaN(this.session.ranks[local]) ? null : this.session.ranks[local],
            alternatives: probs && topIndices(probs, request.alternatives!).map((alt) => ({ id: alt, text: this.tokenizer.tokenText(alt), prob: probs[alt] })),
          });
        }
        scoredUpTo = end;
        request.onProgress?.(scoredUpTo - head.length, all.length - head.length);
      }
      let cumulative = 0;
      for (const t of tokens) t.cumulativeLogprob = cumulative += t.logprob ?? 0;
      const logprobs = tokens.filter((t) => t.logprob !== null).map((t) => t.logprob!);
      return {
        tokens,
        logprob: cumulative,
        perplexity: perplexity(logprobs),
        bitsPerChar: bitsPerChar(logprobs, request.text.length),
        chars: request.text.length,
        ms: performance.now() - started,
      };
    });
  }

  /** log P(ids[i] | ids[<i]) for i ≥ from, from one fresh forward pass (no cache reuse). */
  scoreIds(ids: readonly number[], from: number, signal?: AbortSignal): Promise<number[]> {
    return this.exclusive(signal, async () => {
      this.session.rewind(0);
      await this.session.advance(ids, { signal });
      return this.session.logprobs.slice(from);
    });
  }

  /** Ids → text (async, like every call a worker answers). */
  async decode(ids: readonly number[]): Promise<string> {
    return this.tokenizer.decode(ids);
  }

  /** Text → ids, as the engine feeds them (no special tokens added). */
  encode(text: string): number[] {
    return this.tokenizer.encode(text);
  }

  /** (vocab) the model's next-token logits after exactly `ids` (reusing the cache). */
  nextLogitsFor(ids: readonly number[], signal?: AbortSignal): Promise<Float32Array> {
    return this.exclusive(signal, async () => {
      await this.session.prepare(ids, signal);
      return this.session.nextLogits!.slice();
    });
  }

  /** The ids a completion of `prefix` (and `suffix`) would start from, without token healing. */
  promptIds(prefix: string, suffix?: string): number[] {
    return this.prompt({ prefix, suffix }, 1, false).ids;
  }

  get cacheStats(): CacheStats & { cached: number } {
    return { ...this.session.stats, cached: this.session.ids.length };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue.catch(() => undefined);
    await this.session.dispose();
    await this.lens?.dispose();
  }

  /** The drafting settings of a completion request, with the line draft it starts from. */
  private lookup(request: CompletionRequest, healed: string): GenerateOptions['lookup'] {
    if (request.lookup === false) return undefined;
    const settings = { ...DEFAULT_LOOKUP, ...request.lookup };
    // Earlier lines of the repository context count as earlier lines of the file.
    const draft = settings.minTyped > 0 ? this.lineDraft((request.context ?? '') + request.prefix, healed, settings.minTyped) : undefined;
    return { acceptRatio: settings.acceptRatio, minMatch: settings.minMatch, draft };
  }

  /** The rest of an earlier line that starts like the current one, as tokens that also spell the healed text. */
  private lineDraft(prefix: string, healed: string, minTyped: number): number[] | undefined {
    const rest = lineLookup(prefix, minTyped);
    return rest === undefined ? undefined : this.tokenizer.encode(healed + rest + '\n');
  }


  private promptRecord(prompt: Prompt): PromptRecord {
    const token = (id: number) => ({ id, text: this.tokenizer.tokenText(id), special: this.tokenizer.isSpecial(id) });
    return {
      parts: prompt.parts.map((p) => ({ kind: p.kind, tokens: p.ids.map(token) })),
      cutTokens: prompt.cutTokens,
      heldBack: prompt.heldIds.map((id) => ({ id, text: this.tokenizer.tokenText(id) })),
    };
  }

  private prompt(request: ContextRequest, reserve: number, heal: boolean): Prompt {
    return buildPrompt(this.tokenizer, request.prefix, request.suffix, {
      budget: this.shape.maxPositions - reserve,
      heal,
      bos: this.shape.bosTokenId,
      context: request.context,
    });
  }

  private chainTokens(from: number, to: number): ChainToken[] {
    const ids = this.session.ids.slice(from, to);
    const logprobs = this.session.logprobs.slice(from, to);
    const steps = chainRule(logprobs.map((lp) => (Number.isNaN(lp) ? 0 : lp)));
    return ids.map((id, i) => ({
      id,
      text: this.tokenizer.tokenText(id),
      special: this.tokenizer.isSpecial(id),
      logprob: Number.isNaN(logprobs[i]) ? null : logprobs[i],
      cumulativeLogprob: steps[i].cumulativeLogprob,
      rank: Number.isNaN(this.session.ranks[from + i]) ? null : this.session.ranks[from + i],
    }));
  }

  /** Runs `task` after every earlier request; a request cancelled while queued never starts. */
  private exclusive<T>(signal: AbortSignal | undefined, task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.disposed) throw new Error('the engine was disposed');
      if (signal?.aborted) throw abortError();
      return task();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/**
 * 'none' is the raw loop (budget, end token, time only); the others add the repetition guard, and
 * with a suffix in the prompt, the stop where the completion re-types the rest of the line.
 */
function stopRules(mode: StopMode, timeBudgetMs: number | undefined, suffix?: string): StopRule[] {
  const rules: StopRule[] = mode === 'none' ? [] : [repeatedNgram()];
  if (mode !== 'none' && suffix) rules.push(beforeLineSuffix(suffix.split('\n')[0]));
  if (mode === 'line') rules.push(endOfLine);
  if (mode === 'block') rules.push(endOfBlock());
  if (timeBudgetMs !== undefined) rules.push(timeBudget(timeBudgetMs));
  return rules;
}

/** The (layers, heads, n, n) block of attention among the last n positions. */
function lastSquare(rows: { layers: number; heads: number; queries: number; keys: number; weights: Float32Array }, n: number) {
  const { layers, heads, queries, keys, weights } = rows;
  const out: number[] = new Array(layers * heads * n * n);
  let o = 0;
  for (let l = 0; l < layers; l++)
    for (let h = 0; h < heads; h++)
      for (let q = queries - n; q < queries; q++) {
        const base = ((l * heads + h) * queries + q) * keys;
        for (let k = keys - n; k < keys; k++) out[o++] = weights[base + k];
      }
  return { layers, heads, size: n, weights: out };
}

export { DEFAULT_SAMPLING, GREEDY };

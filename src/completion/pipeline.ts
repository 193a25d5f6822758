// A keystroke, end to end, without an editor: context → memory → debounce → engine → shape.
// The VS Code provider is a thin adapter over this; the typing replay, the benchmarks and the
// property tests drive it directly.

import type { CompletionRequest, CompletionResult } from '../engine/engine.js';
import { splitAtCursor, splitsSurrogatePair, type CursorContext } from './context.js';
import { AdaptiveDebounce, NewestWins, sleep } from './debounce.js';
import { DEFAULT_THRESHOLD, judgeCompletion, type GateDecision, type SuggestionThreshold } from './gate.js';
import { SuggestionMemory } from './suggestion-memory.js';
import { suggestionMode } from './suggestion-shape.js';

export interface CompletionEngine {
  complete(request: CompletionRequest): Promise<CompletionResult>;
}

export interface PipelineSettings {
  maxTokens: number;
  /** Tokens for a multi-line (block) suggestion. */
  maxBlockTokens: number;
  temperature: number;
  /** The gate (gate.ts): a preset or a confidence in [0, 1]. */
  suggestionThreshold: SuggestionThreshold;
  debounceMs: number;
  multiline: boolean;
  /** The loop stops after this long and shows what it has. */
  timeBudgetMs: number;
  /**
   * When to send the text after the cursor (for models with FIM tokens): 'always', 'midline'
   * (only when the cursor's line continues after it), or 'never'. The bundled model completes a
   * line better from the prefix alone at the end of a line (models/README.md), hence 'midline'.
   */
  fillInTheMiddle: 'always' | 'midline' | 'never';
}

export const DEFAULT_PIPELINE: PipelineSettings = {
  maxTokens: 32,
  maxBlockTokens: 96,
  temperature: 0,
  suggestionThreshold: DEFAULT_THRESHOLD,
  debounceMs: 40,
  multiline: true,
  timeBudgetMs: 1500,
  fillInTheMiddle: 'midline',
};

export interface KeystrokeRequest {
  /** Document text read around the cursor (see contextRange) and the cursor's index in it. */
  text: string;
  cursor: number;
  startsDocument: boolean;
  /** Editor cancellation (VS Code's token), on top of newest-wins. */
  signal?: AbortSignal;
  /** Skip the debounce (explicit trigger, replays). */
  immediate?: boolean;
  /** The user asked for a suggestion (VS Code's Invoke trigger): the gate shows it whatever its confidence. */
  explicit?: boolean;
  /** VS Code language id, for the gate. */
  language?: string;
}

export interface Suggestion {
  text: string;
  source: 'model' | 'cache' | 'typed-ahead';
  ms: number;
  result?: CompletionResult;
  /** The gate's decision (model suggestions only; text from memory was shown before). Not shown: held back, the text is for the panel. */
  gate?: GateDecision;
}

export interface PipelineStats {
  requests: number;
  modelCalls: number;
  fromMemory: number;
  cancelled: number;
  failures: number;
  /** Model suggestions the gate showed / held back. */
  shown: number;
  heldBack: number;
  last?: { ms: number; tokens: number; tokensPerSecond: number; source: Suggestion['source'] };
}

export class CompletionPipeline {
  readonly stats: PipelineStats = { requests: 0, modelCalls: 0, fromMemory: 0, cancelled: 0, failures: 0, shown: 0, heldBack: 0 };
  private readonly memory = new SuggestionMemory();
  private readonly newest = new NewestWins();
  private debounce: AdaptiveDebounce;

  constructor(
    private readonly engine: CompletionEngine,
    private settings: PipelineSettings = DEFAULT_PIPELINE,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.debounce = new AdaptiveDebounce(settings.debounceMs);
  }

  updateSettings(settings: PipelineSettings): void {
    this.settings = settings;
    this.debounce = new AdaptiveDebounce(settings.debounceMs);
    this.memory.clear();
  }

  /**
   * The suggestion for this keystroke, or undefined. Show it only when `gate` is absent or says
   * shown. Throws only AbortError (superseded or cancelled).
   */
  async provide(request: KeystrokeRequest): Promise<Suggestion | undefined> {
    const started = this.now();
    this.stats.requests++;
    if (splitsSurrogatePair(request.text.slice(0, request.cursor), request.text.slice(request.cursor))) return undefined;
    const ctx = splitAtCursor(request.text, request.cursor, request.startsDocument);
    const mode = suggestionMode(ctx, this.settings.multiline);
    if (!mode) return undefined;

    const remembered = this.memory.lookup(ctx.prefix, ctx.suffix);
    if (remembered) {
      this.stats.fromMemory++;
      this.newest.cancel(); // a decode for an older keystroke is stale now
      const ms = this.now() - started;
      this.stats.last = { ms, tokens: 0, tokensPerSecond: 0, source: remembered.source };
      return { text: remembered.text, source: remembered.source, ms };
    }

    const signal = anySignal(this.newest.begin(), request.signal);
    try {
      if (!request.immediate) await sleep(this.debounce.delayFor(started), signal);
      this.stats.modelCalls++;
      const result = await this.engine.complete(this.completionRequest(ctx, mode, signal));
      if (signal.aborted) throw abortError(); // superseded while the last step ran: never return a stale suggestion
      const { text, gate } = judgeCompletion(result, ctx, { threshold: this.settings.suggestionThreshold, explicit: request.explicit, language: request.language });
      const ms = this.now() - started;
      const decodeSeconds = Math.max(result.ms, 1e-3) / 1000;
      this.stats.last = { ms, tokens: result.tokens.length, tokensPerSecond: result.tokens.length / decodeSeconds, source: 'model' };
      if (text === undefined) return undefined;
      if (!gate.shown) {
        this.stats.heldBack++;
        return { text, source: 'model', ms, result, gate };
      }
      this.stats.shown++;
      this.memory.remember(ctx.prefix, ctx.suffix, text);
      return { text, source: 'model', ms, result, gate };
    } catch (error) {
      if ((error as Error).name === 'AbortError') this.stats.cancelled++;
      else this.stats.failures++;
      throw error;
    }
  }

  private completionRequest(ctx: CursorContext, mode: 'line' | 'block', signal: AbortSignal): CompletionRequest {
    const fim = this.settings.fillInTheMiddle;
    const useSuffix = fim === 'always' || (fim === 'midline' && ctx.lineSuffix.trim() !== '');
    return {
      prefix: ctx.prefix,
      suffix: useSuffix ? ctx.suffix : undefined,
      maxTokens: mode === 'block' ? this.settings.maxBlockTokens : this.settings.maxTokens,
      stop: mode,
      sampling: { temperature: this.settings.temperature },
      seed: 0,
      timeBudgetMs: this.settings.timeBudgetMs,
      signal,
    };
  }
}

function abortError(): Error {
  return Object.assign(new Error('cancelled'), { name: 'AbortError' });
}

/** Aborts when any of the signals aborts. */
function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length === 1) return present[0];
  const controller = new AbortController();
  for (const s of present) {
    if (s.aborted) controller.abort();
    else s.addEventListener('abort', () => controller.abort(), { once: true });
  }
  return controller.signal;
}

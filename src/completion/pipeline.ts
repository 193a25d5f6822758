// A keystroke, end to end, without an editor: context → memory → debounce → engine → shape.
// The VS Code provider is a thin adapter over this; the typing replay, the benchmarks and the
// property tests drive it directly.

import { DEFAULT_SAMPLING, DEFAULT_SEED } from '../core/logits.js';
import type { CompletionRequest, CompletionResult } from '../engine/engine.js';
import { splitAtCursor, splitsSurrogatePair, type CursorContext } from './context.js';
import { AdaptiveDebounce, NewestWins, sleep } from './debounce.js';
import { DEFAULT_THRESHOLD, judgeCompletion, type GateDecision, type SuggestionThreshold } from './gate.js';
import { buildRecord, RECORD_CANDIDATES, type RequestOrigin, type RequestRecord } from './request-record.js';
import { ContextMemo } from './context-memo.js';
import { DEFAULT_CONTEXT, type ContextBlock, type ContextSettings, type RelatedFiles } from './repo-context.js';
import { editsAhead, type AheadReason } from './speculation.js';
import { SuggestionMemory } from './suggestion-memory.js';
import { suggestionMode } from './suggestion-shape.js';
import { abortError } from '../core/abort.js';
import { atTrigger } from '../core/vocabulary-mask.js';

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
  /** Token healing at the cursor (the engine's default, on, when absent). */
  heal?: boolean;
  /** Repository context (snippets of related files ahead of the current one); DEFAULT_CONTEXT when absent. */
  context?: ContextSettings;
  /**
   * After each suggestion, while no request waits, answer this many likely next edits ahead
   * (accept, Enter, the likeliest next character: speculation.ts) so that they are served from
   * memory. 0 or absent: none (the editor turns it on; replays and tests ask one key at a time).
   */
  computeAhead?: number;
}

export const DEFAULT_PIPELINE: PipelineSettings = {
  maxTokens: 32,
  maxBlockTokens: 96,
  temperature: DEFAULT_SAMPLING.temperature,
  suggestionThreshold: DEFAULT_THRESHOLD,
  // In the editor VS Code already waits 50 ms after a keystroke and cancels superseded requests;
  // a wait of our own only delays ghost text (BENCHMARKS.md, editor latency).
  debounceMs: 0,
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
  /** Passed through to the request's record (the extension: document and offset). */
  origin?: RequestOrigin;
  /** The user asked for a suggestion (VS Code's Invoke trigger): the gate shows it whatever its confidence. */
  explicit?: boolean;
  /** VS Code language id, for the gate. */
  language?: string;
  /** Other files of the workspace the context may draw on (see repo-context.ts). */
  related?: RelatedFiles;
  /** Names a language server says are valid at the cursor (after `.`/`?.`); the suggestion starts with one. */
  validNames?: readonly string[];
  /** Repository context already chosen (a request record's, replayed by the CLI): used as it is; `related` is not read. */
  context?: ContextBlock;
}

/**
 * The editor's side of a request, asked by the pipeline so that the inline provider and the
 * panel ask the same question: related files for repository context, and the names a language
 * server finds valid at the cursor (the monitor). Each answers undefined when off or unknown.
 */
export interface EditorKnowledge {
  related(origin: RequestOrigin): Promise<RelatedFiles | undefined>;
  validNames(origin: RequestOrigin): Promise<readonly string[] | undefined>;
}

export interface Suggestion {
  text: string;
  source: 'model' | 'cache' | 'typed-ahead';
  ms: number;
  result?: CompletionResult;
  record?: RequestRecord;
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
  /** Edits answered ahead of the keystroke (model calls of their own), and how many were then served; per kind of edit. */
  ahead: number;
  aheadServed: number;
  aheadByReason: Record<AheadReason, { answered: number; served: number }>;
  last?: { ms: number; tokens: number; tokensPerSecond: number; source: Suggestion['source'] };
}

export class CompletionPipeline {
  readonly stats: PipelineStats = { requests: 0, modelCalls: 0, fromMemory: 0, cancelled: 0, failures: 0, shown: 0, heldBack: 0, ahead: 0, aheadServed: 0, aheadByReason: { cursor: { answered: 0, served: 0 }, accept: { answered: 0, served: 0 }, 'next-char': { answered: 0, served: 0 }, enter: { answered: 0, served: 0 } } };
  private readonly memory = new SuggestionMemory();
  /** The repository-context block, ranked again only when what it depends on changes. */
  private readonly contextMemo = new ContextMemo();
  private readonly newest = new NewestWins();
  private debounce: AdaptiveDebounce;
  private nextRecordId = 1;
  /** The edits being answered ahead (aborted by the next request), and the run that answers them. */
  private ahead: AbortController | undefined;
  private aheadRun: Promise<void> = Promise.resolve();
  private waiting = 0;
  /** The record of the latest request that reached the model or memory. */
  latest: RequestRecord | undefined;
  /** Called with each request's record (the panel listens). */
  onRecord: ((record: RequestRecord) => void) | undefined;
  /** What the editor knows beyond the text, asked for a request's origin when the request carries none. */
  editor: EditorKnowledge | undefined;

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
    this.contextMemo.clear();
  }

  /**
   * The suggestion for this keystroke, or undefined. Show it only when `gate` is absent or says
   * shown. Throws only AbortError (superseded or cancelled).
   */
  async provide(request: KeystrokeRequest): Promise<Suggestion | undefined> {
    this.ahead?.abort(); // a real keystroke comes first
    this.waiting++;
    try {
      return await this.answer(request);
    } finally {
      this.waiting--;
    }
  }

  /** Resolves when the edits being answered ahead are done (or were cut short). */
  async idle(): Promise<void> {
    let run: Promise<void>;
    do {
      run = this.aheadRun;
      await run;
    } while (run !== this.aheadRun); // a cursor answered ahead goes on with its likely edits
  }

  /**
   * Answers a cursor before anything is typed there (the model has just loaded, another editor
   * became current, the user clicked somewhere): the answer is remembered, the engine's cache then
   * holds the text up to the cursor, so the first keystroke there computes only its own tokens,
   * and the likely first edits are answered ahead. Any keystroke's request aborts it.
   */
  prepareAt(request: KeystrokeRequest): void {
    if ((this.settings.computeAhead ?? 0) <= 0 || this.waiting > 0) return;
    if (splitsSurrogatePair(request.text.slice(0, request.cursor), request.text.slice(request.cursor))) return;
    const ctx = splitAtCursor(request.text, request.cursor, request.startsDocument);
    const mode = suggestionMode(ctx, this.settings.multiline);
    if (!mode || this.memory.has(ctx.prefix, ctx.suffix)) return;
    this.ahead?.abort();
    const controller = (this.ahead = new AbortController());
    this.aheadRun = (async () => {
      try {
        const { text, gate, record } = await this.decide(ctx, mode, { ...request, explicit: false, signal: undefined }, controller.signal, this.now(), 'cursor');
        this.stats.ahead++;
        this.stats.aheadByReason.cursor.answered++;
        if (!controller.signal.aborted) this.answerAhead(request, ctx, text !== undefined && gate.shown ? text : '', record);
      } catch {
        // aborted by a keystroke, or the engine failed: the keystroke's own request will tell
      }
    })();
  }

  private async answer(request: KeystrokeRequest): Promise<Suggestion | undefined> {
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
      // A held-back suggestion stays held back from memory, unless the user asks for one now.
      const was = remembered.record?.gate;
      const gate = was && !was.shown && request.explicit ? { ...was, shown: true, explicit: true } : was;
      if (gate !== was) this.stats.shown++;
      if (remembered.record?.ahead && remembered.source === 'cache') {
        this.stats.aheadServed++;
        this.stats.aheadByReason[remembered.record.ahead].served++;
      }
      const record = remembered.record && this.publish({ ...remembered.record, origin: request.origin, shown: remembered.text, served: remembered.source, typed: remembered.typed, gate, timings: { ...remembered.record.timings, totalMs: ms } });
      this.answerAhead(request, ctx, gate?.shown === false ? '' : remembered.text, record);
      return remembered.text ? { text: remembered.text, source: remembered.source, ms, record, gate: gate as GateDecision | undefined } : undefined;
    }

    const signal = anySignal(this.newest.begin(), request.signal);
    try {
      if (!request.immediate) await sleep(this.debounce.delayFor(started), signal);
      this.stats.modelCalls++;
      const { text, gate, result, record } = await this.decide(ctx, mode, request, signal, started);
      const ms = this.now() - started;
      const decodeSeconds = Math.max(result.ms, 1e-3) / 1000;
      this.stats.last = { ms, tokens: result.tokens.length, tokensPerSecond: result.tokens.length / decodeSeconds, source: 'model' };
      this.publish(record);
      this.answerAhead(request, ctx, text !== undefined && gate.shown ? text : '', record);
      if (text === undefined) return undefined;
      if (gate.shown) this.stats.shown++;
      else this.stats.heldBack++;
      return { text, source: 'model', ms, result, record, gate };
    } catch (error) {
      if ((error as Error).name === 'AbortError') this.stats.cancelled++;
      else this.stats.failures++;
      throw error;
    }
  }

  /**
   * One model request for a cursor context, judged by the gate and remembered (even when empty:
   * the same place asked again, by the panel, the editor, or after an edit answered ahead, gets
   * the same answer). The record is not published: the caller decides whether it is on screen.
   */
  private async decide(ctx: CursorContext, mode: 'line' | 'block', request: KeystrokeRequest, signal: AbortSignal, started: number, ahead?: AheadReason) {
    const [related, validNames] = await Promise.all([request.context ? undefined : (request.related ?? this.ask('related', request.origin)), request.validNames ?? this.ask('validNames', request.origin)]);
    if (signal.aborted) throw abortError();
    const context = request.context ?? this.contextMemo.blockFor(ctx.prefix, related, this.settings.context ?? DEFAULT_CONTEXT);
    const completion = { ...this.completionRequest(ctx, mode, signal), context: context.text || undefined, validNames: validNames?.length ? validNames : undefined };
    const result = await this.engine.complete(completion);
    if (signal.aborted) throw abortError(); // superseded while the last step ran: never return a stale suggestion
    const { text, gate } = judgeCompletion(result, ctx, { threshold: this.settings.suggestionThreshold, explicit: request.explicit, language: request.language });
    const record: RequestRecord = {
      ...buildRecord(result, { id: this.nextRecordId++, origin: request.origin, mode, suffix: suffixDecision(ctx, this.settings.fillInTheMiddle), shown: text ?? '', seed: completion.seed ?? 0, maxTokens: completion.maxTokens ?? 0, totalMs: this.now() - started }),
      gate: text === undefined ? undefined : gate,
      context: context.snippets.length ? { snippets: context.snippets, tokens: result.contextTokens ?? 0, ...(context.path ? { path: context.path } : {}) } : undefined,
      monitor: completion.validNames ? { validNames: completion.validNames.length, maskedSteps: result.masked?.length ?? 0, names: completion.validNames } : undefined,
      ...(ahead ? { ahead } : {}),
    };
    this.memory.remember(ctx.prefix, ctx.suffix, text ?? '', record);
    return { text, gate, result, record };
  }

  /**
   * While no request waits, answers the likely next edits (speculation.ts) one after another and
   * remembers each answer, so that the keystroke that makes the edit is served from memory with
   * exactly what a request would have computed. The next request aborts it (at the engine's next
   * forward pass). Places where the language server would guide the request are left to it.
   */
  private answerAhead(request: KeystrokeRequest, ctx: CursorContext, shown: string, record: RequestRecord | undefined): void {
    const max = this.settings.computeAhead ?? 0;
    if (max <= 0 || request.signal?.aborted) return;
    this.ahead?.abort();
    const controller = (this.ahead = new AbortController());
    const edits = editsAhead(ctx, shown, record, max);
    this.aheadRun = (async () => {
      for (const edit of edits) {
        if (controller.signal.aborted) return;
        const cursor = ctx.prefix.length + edit.insert.length;
        const next = splitAtCursor(ctx.prefix + edit.insert + ctx.suffix, cursor, true);
        const mode = suggestionMode(next, this.settings.multiline);
        if (!mode || this.memory.has(next.prefix, next.suffix) || (this.editor && atTrigger(next.prefix))) continue;
        try {
          const origin = request.origin && { ...request.origin, offset: request.origin.offset + edit.insert.length };
          await this.decide(next, mode, { ...request, origin, validNames: [], explicit: false, signal: undefined }, controller.signal, this.now(), edit.reason);
          this.stats.ahead++;
          this.stats.aheadByReason[edit.reason].answered++;
        } catch {
          return; // aborted by a keystroke, or the engine failed: the keystroke's own request will tell
        }
      }
    })();
  }

  /** The editor's knowledge never stops a completion: a failure to gather it means none. */
  private async ask<K extends keyof EditorKnowledge>(what: K, origin: RequestOrigin | undefined): Promise<Awaited<ReturnType<EditorKnowledge[K]>> | undefined> {
    if (!origin || !this.editor) return undefined;
    try {
      return (await this.editor[what](origin)) as Awaited<ReturnType<EditorKnowledge[K]>>;
    } catch {
      return undefined;
    }
  }

  private publish(record: RequestRecord): RequestRecord {
    this.latest = record;
    this.onRecord?.(record);
    return record;
  }

  private completionRequest(ctx: CursorContext, mode: 'line' | 'block', signal: AbortSignal): CompletionRequest {
    return {
      prefix: ctx.prefix,
      suffix: suffixDecision(ctx, this.settings.fillInTheMiddle).sent ? ctx.suffix : undefined,
      maxTokens: mode === 'block' ? this.settings.maxBlockTokens : this.settings.maxTokens,
      // One reserve for both modes: the start of a line (block) and the rest of it (line) cut a
      // long prefix at the same place, so the KV cache holds across them instead of being refilled.
      reserveTokens: this.settings.multiline ? Math.max(this.settings.maxTokens, this.settings.maxBlockTokens) : this.settings.maxTokens,
      stop: mode,
      sampling: { temperature: this.settings.temperature },
      seed: DEFAULT_SEED,
      heal: this.settings.heal,
      timeBudgetMs: this.settings.timeBudgetMs,
      top: RECORD_CANDIDATES,
      signal,
    };
  }
}

/** Whether the text after the cursor goes to the model (as fill-in-the-middle), and why. */
function suffixDecision(ctx: CursorContext, setting: PipelineSettings['fillInTheMiddle']): RequestRecord['suffix'] {
  const midline = ctx.lineSuffix.trim() !== '';
  const sent = ctx.suffix.length > 0 && (setting === 'always' || (setting === 'midline' && midline));
  const reason = ctx.suffix.length === 0 ? 'nothing after the cursor' : setting === 'midline' ? (midline ? 'mid-line: the line continues after the cursor' : 'end of line: the prefix alone completes a line better') : `fill-in-the-middle is '${setting}'`;
  return { setting, sent, reason, chars: sent ? ctx.suffix.length : 0 };
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

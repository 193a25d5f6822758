// Replays typing a source file character by character through the completion path (engine +
// provider logic, no editor), one request per keystroke as an editor sends them.

import { contextRange } from '../completion/context.js';
import type { SuggestionThreshold } from '../completion/gate.js';
import { CompletionPipeline, DEFAULT_PIPELINE, type PipelineStats } from '../completion/pipeline.js';
import type { RelatedFiles } from '../completion/repo-context.js';
import type { Engine } from '../engine/engine.js';
import { toRecordView } from '../extension/record-view.js';
import { percentile } from './stats.js';

export interface ReplayReport {
  /** Keys pressed: one per character typed, and one per suggestion accepted with Tab (acceptExact). */
  keystrokes: number;
  accepted: number;
  /** Keystrokes that got a suggestion, and their time to suggestion. */
  suggestions: number;
  /** Share of keystrokes that show ghost text (suggestions the gate held back are not shown). */
  ghostTextRate: number;
  /**
   * Characters a user would accept per shown suggestion: the suggestion taken up to its first
   * character that differs from what the file has next.
   */
  acceptedCharsPerShown: number;
  /** Shown suggestions the file continues with exactly (the whole suggestion is right). */
  exactShownRate: number;
  p50Ms: number;
  p95Ms: number;
  /** Single-line suggestions only (the latency target's scope). */
  singleLineP50Ms: number;
  singleLineP95Ms: number;
  /** Tokens fed to the model per keystroke (prompt + generated). */
  tokensPerKeystroke: number;
  /** Share of keystrokes answered from memory (LRU or typed-ahead), without a model call. */
  memoryHitRate: number;
  /** Share of prompt tokens found in the KV cache on model calls. */
  kvReuseRate: number;
  /** Requests that reached the engine, counted at the engine. */
  modelCalls: number;
  /** Milliseconds spent handing records to an open panel (mapping and serialising), in all. */
  panelMs: number;
  /** Mean repository-context tokens per model call, and how often the context block changed between calls. */
  contextTokens: number;
  contextChanges: number;
  /** Suggestions the language-server monitor guided (a trigger point with valid names), and their p95 (ms). */
  guidedSuggestions: number;
  guidedP95Ms: number;
  /** Edits answered ahead (model calls of their own), and the keystrokes then served from them. */
  aheadAnswered: number;
  aheadServed: number;
  aheadByReason: PipelineStats['aheadByReason'];
}

/**
 * Types `source[0..chars)` into an empty document, asking for a suggestion after each keystroke.
 * With `panelOpen`, each request's record also goes where the open panel sends it: mapped to
 * the panel's view and serialised as postMessage would. With `related`, repository context from
 * those files rides along (the current file's text is what has been typed so far).
 */
export async function replayTyping(engine: Engine, source: string, chars: number, options: ReplayOptions = {}): Promise<ReplayReport> {
  const replay = new TypingReplay(engine, source, chars, options);
  for (let i = 1; i <= replay.keystrokes; i = replay.nextKey(i)) await replay.type(i);
  return replay.report();
}

export interface ReplayOptions {
  panelOpen?: boolean;
  threshold?: SuggestionThreshold;
  related?: RelatedFiles;
  validNames?: (textBeforeCursor: string) => readonly string[] | undefined;
  /**
   * Answer this many likely next edits ahead after each suggestion (pipeline computeAhead), and
   * let the work finish before the next key, as for a typist slower than it (the pause is not timed).
   */
  computeAhead?: number;
  /** The typist accepts (Tab) a shown suggestion that the file continues with exactly, instead of typing it. */
  acceptExact?: boolean;
}

/** What one keystroke cost: wall-clock and this process's CPU time, in milliseconds. */
export interface KeystrokeCost {
  ms: number;
  cpuMs: number;
  /** A suggestion came back (keystrokes without one are not in the latency figures). */
  suggested: boolean;
}

/**
 * The replay one keystroke at a time, so that two replays (the panel open and closed) can be
 * interleaved key by key and meet the same load on a shared machine.
 */
export class TypingReplay {
  readonly keystrokes: number;
  /** Requests that reached the engine, counted at the engine. */
  engineCalls = 0;
  private readonly pipeline: CompletionPipeline;
  private panelMs = 0;
  private shown = 0;
  private acceptedChars = 0;
  private exact = 0;
  private readonly all: number[] = [];
  private readonly singleLine: number[] = [];
  private reused = 0;
  private promptTokens = 0;
  private readonly computedBefore: number;
  private readonly guided: number[] = [];
  private contextTokens = 0;
  private contextChanges = 0;
  private lastBlock = '';
  private contextCalls = 0;
  /** Keys pressed (typed characters, and Tab for each accepted suggestion), and where Tab took the document. */
  private keys = 0;
  private accepts = 0;
  private acceptedTo: number | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly source: string,
    chars: number,
    private readonly options: ReplayOptions = {},
  ) {
    const counted = { complete: (request: Parameters<Engine['complete']>[0]) => (this.engineCalls++, engine.complete(request)) };
    this.pipeline = new CompletionPipeline(counted, { ...DEFAULT_PIPELINE, debounceMs: 0, suggestionThreshold: options.threshold ?? DEFAULT_PIPELINE.suggestionThreshold, computeAhead: options.computeAhead });
    if (options.panelOpen) {
      this.pipeline.onRecord = (record) => {
        const started = performance.now();
        void JSON.stringify({ type: 'state', status: 'ready', record: toRecordView(record) });
        this.panelMs += performance.now() - started;
      };
    }
    // The language server is asked inside the request, as the extension asks it: its time counts.
    const askNames = options.validNames;
    if (askNames) this.pipeline.editor = { related: async () => undefined, validNames: async (origin) => askNames(source.slice(0, origin.offset)) };
    this.keystrokes = Math.min(chars, source.length);
    this.computedBefore = engine.cacheStats.computed;
  }

  /** The document length after the next key: one more character, or the end of an accepted suggestion. */
  nextKey(i: number): number {
    const next = this.acceptedTo ?? i + 1;
    this.acceptedTo = undefined;
    return next;
  }

  /** Types character `i` (1-based: the document is then `source[0..i)`), or lands there by Tab, and asks for a suggestion. */
  async type(i: number): Promise<KeystrokeCost> {
    this.keys++;
    const doc = this.source.slice(0, i);
    const { start } = contextRange(i, doc.length);
    const cpu = process.cpuUsage();
    const started = performance.now();
    const suggestion = await this.pipeline.provide({ text: doc.slice(start), cursor: i - start, startsDocument: start === 0, immediate: true, related: this.options.related && { ...this.options.related, text: doc }, origin: { key: 'replay', offset: i } });
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    await this.pipeline.idle(); // the edits answered ahead, while the typist moves to the next key
    if (suggestion?.record?.monitor && suggestion.source === 'model') this.guided.push(ms);
    const cost = { ms, cpuMs: (used.user + used.system) / 1000, suggested: suggestion !== undefined };
    if (suggestion?.result) {
      this.reused += suggestion.result.reusedTokens;
      this.promptTokens += suggestion.result.promptTokens;
      this.contextTokens += suggestion.result.contextTokens ?? 0;
      const block = (suggestion.record?.context?.snippets ?? []).map((x) => `${x.path}:${x.line}`).join(',');
      if (this.contextCalls++ > 0 && block !== this.lastBlock) this.contextChanges++;
      this.lastBlock = block;
    }
    if (!suggestion) return cost;
    if (suggestion.gate?.shown !== false) {
      this.shown++;
      const accepted = commonPrefixLength(suggestion.text, this.source.slice(i));
      this.acceptedChars += accepted;
      if (accepted === suggestion.text.length) {
        this.exact++;
        if (this.options.acceptExact && i + accepted <= this.keystrokes) {
          this.acceptedTo = i + accepted;
          this.accepts++;
        }
      }
    }
    this.all.push(ms);
    if (!suggestion.text.includes('\n')) this.singleLine.push(ms);
    return cost;
  }

  report(): ReplayReport {
    const { shown, keys: end } = this;
    return {
      keystrokes: end,
      accepted: this.accepts,
      suggestions: this.all.length,
      ghostTextRate: shown / end,
      acceptedCharsPerShown: shown ? this.acceptedChars / shown : 0,
      exactShownRate: shown ? this.exact / shown : 0,
      p50Ms: percentile(this.all, 50),
      p95Ms: percentile(this.all, 95),
      singleLineP50Ms: percentile(this.singleLine, 50),
      singleLineP95Ms: percentile(this.singleLine, 95),
      tokensPerKeystroke: (this.engine.cacheStats.computed - this.computedBefore) / end,
      memoryHitRate: this.pipeline.stats.fromMemory / end,
      kvReuseRate: this.promptTokens ? this.reused / this.promptTokens : 0,
      modelCalls: this.engineCalls,
      panelMs: this.panelMs,
      contextTokens: this.contextCalls ? this.contextTokens / this.contextCalls : 0,
      contextChanges: this.contextChanges,
      guidedSuggestions: this.guided.length,
      guidedP95Ms: percentile(this.guided, 95),
      aheadAnswered: this.pipeline.stats.ahead,
      aheadServed: this.pipeline.stats.aheadServed,
      aheadByReason: structuredClone(this.pipeline.stats.aheadByReason),
    };
  }
}

function commonPrefixLength(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

// Replays typing a source file character by character through the completion path (engine +
// provider logic, no editor), one request per keystroke as an editor sends them.

import { contextRange } from '../completion/context.js';
import type { SuggestionThreshold } from '../completion/gate.js';
import { CompletionPipeline, DEFAULT_PIPELINE } from '../completion/pipeline.js';
import type { RelatedFiles } from '../completion/repo-context.js';
import type { Engine } from '../engine/engine.js';
import { toRecordView } from '../extension/record-view.js';
import { percentile } from './stats.js';

export interface ReplayReport {
  keystrokes: number;
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
}

/**
 * Types `source[0..chars)` into an empty document, asking for a suggestion after each keystroke.
 * With `panelOpen`, each request's record also goes where the open panel sends it: mapped to
 * the panel's view and serialised as postMessage would. With `related`, repository context from
 * those files rides along (the current file's text is what has been typed so far).
 */
export async function replayTyping(engine: Engine, source: string, chars: number, options: ReplayOptions = {}): Promise<ReplayReport> {
  const replay = new TypingReplay(engine, source, chars, options);
  for (let i = 1; i <= replay.keystrokes; i++) await replay.type(i);
  return replay.report();
}

export interface ReplayOptions {
  panelOpen?: boolean;
  threshold?: SuggestionThreshold;
  related?: RelatedFiles;
  validNames?: (textBeforeCursor: string) => readonly string[] | undefined;
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
  private readonly related: RelatedFiles | undefined;
  private readonly guided: number[] = [];
  private contextTokens = 0;
  private contextChanges = 0;
  private lastBlock = '';
  private contextCalls = 0;

  constructor(
    private readonly engine: Engine,
    private readonly source: string,
    chars: number,
    options: ReplayOptions = {},
  ) {
    const counted = { complete: (request: Parameters<Engine['complete']>[0]) => (this.engineCalls++, engine.complete(request)) };
    this.pipeline = new CompletionPipeline(counted, { ...DEFAULT_PIPELINE, debounceMs: 0, suggestionThreshold: options.threshold ?? DEFAULT_PIPELINE.suggestionThreshold });
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
    this.related = options.related;
    this.keystrokes = Math.min(chars, source.length);
    this.computedBefore = engine.cacheStats.computed;
  }

  /** Types character `i` (1-based: the document is then `source[0..i)`) and asks for a suggestion. */
  async type(i: number): Promise<KeystrokeCost> {
    const doc = this.source.slice(0, i);
    const { start } = contextRange(i, doc.length);
    const cpu = process.cpuUsage();
    const started = performance.now();
    const suggestion = await this.pipeline.provide({ text: doc.slice(start), cursor: i - start, startsDocument: start === 0, immediate: true, related: this.related && { ...this.related, text: doc }, origin: { key: 'replay', offset: i } });
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
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
      if (accepted === suggestion.text.length) this.exact++;
    }
    this.all.push(ms);
    if (!suggestion.text.includes('\n')) this.singleLine.push(ms);
    return cost;
  }

  report(): ReplayReport {
    const { shown, keystrokes: end } = this;
    return {
      keystrokes: end,
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
    };
  }
}

function commonPrefixLength(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

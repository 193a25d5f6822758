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
  /** Requests that reached the engine. */
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
export async function replayTyping(
  engine: Engine,
  source: string,
  chars: number,
  options: { panelOpen?: boolean; threshold?: SuggestionThreshold; related?: RelatedFiles; validNames?: (textBeforeCursor: string) => readonly string[] | undefined } = {},
): Promise<ReplayReport> {
  const pipeline = new CompletionPipeline(engine, { ...DEFAULT_PIPELINE, debounceMs: 0, suggestionThreshold: options.threshold ?? DEFAULT_PIPELINE.suggestionThreshold });
  let panelMs = 0;
  // The language server is asked inside the request, as the extension asks it: its time counts.
  const askNames = options.validNames;
  if (askNames) pipeline.editor = { related: async () => undefined, validNames: async (origin) => askNames(source.slice(0, origin.offset)) };
  const guided: number[] = [];
  if (options.panelOpen) {
    pipeline.onRecord = (record) => {
      const started = performance.now();
      void JSON.stringify({ type: 'state', status: 'ready', record: toRecordView(record) });
      panelMs += performance.now() - started;
    };
  }
  let shown = 0;
  let acceptedChars = 0;
  let exact = 0;
  let contextTokens = 0;
  let contextChanges = 0;
  let lastBlock = '';
  let contextCalls = 0;
  const all: number[] = [];
  const singleLine: number[] = [];
  let reused = 0;
  let promptTokens = 0;
  const computedBefore = engine.cacheStats.computed;
  const end = Math.min(chars, source.length);
  for (let i = 1; i <= end; i++) {
    const doc = source.slice(0, i);
    const { start } = contextRange(i, doc.length);
    const started = performance.now();
    const suggestion = await pipeline.provide({ text: doc.slice(start), cursor: i - start, startsDocument: start === 0, immediate: true, related: options.related && { ...options.related, text: doc }, origin: { key: 'replay', offset: i } });
    const ms = performance.now() - started;
    if (suggestion?.record?.monitor && suggestion.source === 'model') guided.push(ms);
    if (suggestion?.result) {
      reused += suggestion.result.reusedTokens;
      promptTokens += suggestion.result.promptTokens;
      contextTokens += suggestion.result.contextTokens ?? 0;
      const block = (suggestion.record?.context?.snippets ?? []).map((x) => `${x.path}:${x.line}`).join(',');
      if (contextCalls++ > 0 && block !== lastBlock) contextChanges++;
      lastBlock = block;
    }
    if (!suggestion) continue;
    if (suggestion.gate?.shown !== false) {
      shown++;
      const accepted = commonPrefixLength(suggestion.text, source.slice(i));
      acceptedChars += accepted;
      if (accepted === suggestion.text.length) exact++;
    }
    all.push(ms);
    if (!suggestion.text.includes('\n')) singleLine.push(ms);
  }
  return {
    keystrokes: end,
    suggestions: all.length,
    ghostTextRate: shown / end,
    acceptedCharsPerShown: shown ? acceptedChars / shown : 0,
    exactShownRate: shown ? exact / shown : 0,
    p50Ms: percentile(all, 50),
    p95Ms: percentile(all, 95),
    singleLineP50Ms: percentile(singleLine, 50),
    singleLineP95Ms: percentile(singleLine, 95),
    tokensPerKeystroke: (engine.cacheStats.computed - computedBefore) / end,
    memoryHitRate: pipeline.stats.fromMemory / end,
    kvReuseRate: promptTokens ? reused / promptTokens : 0,
    guidedSuggestions: guided.length,
    guidedP95Ms: percentile(guided, 95),
    modelCalls: pipeline.stats.modelCalls,
    panelMs,
    contextTokens: contextCalls ? contextTokens / contextCalls : 0,
    contextChanges,
  };
}

function commonPrefixLength(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

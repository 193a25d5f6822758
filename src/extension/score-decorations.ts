// "Score Selection": colour each token of the selection (or file) by the rank the model gave it
// — top-10, top-100, top-1000, beyond (the GLTR view) — with a hover listing the alternatives.

import * as vscode from 'vscode';
import type { ScoredToken } from '../engine/engine.js';
import { markdownText } from './markdown-text.js';
import type { ModelManager } from './model-manager.js';

const BUCKETS = [
  { max: 10, label: 'top 10', color: 'rgba(80, 200, 120, 0.28)' },
  { max: 100, label: 'top 100', color: 'rgba(230, 200, 60, 0.30)' },
  { max: 1000, label: 'top 1000', color: 'rgba(240, 110, 60, 0.32)' },
  { max: Infinity, label: 'beyond 1000', color: 'rgba(170, 90, 230, 0.34)' },
] as const;

const BEFORE_CHARS = 4000;
/** Longest selection scored: about 16k tokens, a minute or so on the bundled model. */
export const MAX_SCORE_CHARS = 64 * 1024;

interface ScoredRange {
  range: vscode.Range;
  token: ScoredToken;
}

export class ScoreDecorations implements vscode.Disposable {
  private readonly types = BUCKETS.map((b) => vscode.window.createTextEditorDecorationType({ backgroundColor: b.color, borderRadius: '2px' }));
  private scored = new Map<string, ScoredRange[]>(); // document uri → ranges
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly models: ModelManager) {
    this.disposables.push(
      vscode.languages.registerHoverProvider({ pattern: '**' }, { provideHover: (doc, pos) => this.hover(doc, pos) }),
      // Only a scored document has colours to clear: for any other, every keystroke would send the
      // editor one decoration update per bucket.
      vscode.workspace.onDidChangeTextDocument((e) => e.contentChanges.length && this.scored.has(e.document.uri.toString()) && this.clear(e.document.uri)),
      vscode.workspace.onDidCloseTextDocument((document) => this.scored.delete(document.uri.toString())),
    );
  }

  async scoreSelection(editor: vscode.TextEditor): Promise<void> {
    const { document } = editor;
    const selection = editor.selection.isEmpty ? new vscode.Range(document.positionAt(0), document.lineAt(document.lineCount - 1).range.end) : editor.selection;
    const startOffset = document.offsetAt(selection.start);
    const length = document.offsetAt(selection.end) - startOffset;
    if (length > MAX_SCORE_CHARS) {
      void vscode.window.showWarningMessage(
        `NextToken: the ${editor.selection.isEmpty ? 'file' : 'selection'} has ${length.toLocaleString('en')} characters; Score Selection takes at most ${MAX_SCORE_CHARS.toLocaleString('en')}. Select a part of it.`,
      );
      return;
    }
    const engine = await this.models.get();
    if (!engine) return;
    const text = document.getText(selection);
    const before = document.getText(new vscode.Range(document.positionAt(Math.max(0, startOffset - BEFORE_CHARS)), selection.start));
    const version = document.version;
    const controller = new AbortController();
    let result;
    try {
      result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'NextToken: scoring', cancellable: true }, (progress, token) => {
        token.onCancellationRequested(() => controller.abort());
        let reported = 0;
        return engine.score({
          text,
          before,
          alternatives: 5,
          signal: controller.signal,
          onProgress: (scored, total) => {
            const percent = (100 * scored) / Math.max(1, total);
            progress.report({ increment: percent - reported, message: `${scored.toLocaleString('en')} of ${total.toLocaleString('en')} tokens` });
            reported = percent;
          },
        });
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      throw error;
    }
    if (document.version !== version) return; // edited while scoring: the offsets no longer hold
    // Token texts join back into `text`; a token that is half a UTF-8 character decodes to U+FFFD,
    // so offsets come from decoding the ids so far whenever that happens.
    const ranges: ScoredRange[] = [];
    let offset = 0;
    for (const [i, token] of result.tokens.entries()) {
      const exact = !token.text.includes('\uFFFD');
      const end = exact ? offset + token.text.length : (await engine.decode(result.tokens.slice(0, i + 1).map((t) => t.id))).length;
      ranges.push({ range: new vscode.Range(document.positionAt(startOffset + offset), document.positionAt(startOffset + Math.min(end, text.length))), token });
      offset = end;
    }
    this.scored.set(document.uri.toString(), ranges);
    this.apply(editor, ranges);
    const counts = BUCKETS.map((b, i) => `${ranges.filter((r) => bucketOf(r.token) === i).length} ${b.label}`);
    void vscode.window.setStatusBarMessage(`NextToken: ${result.tokens.length} tokens · ${counts.join(' · ')} · ${result.bitsPerChar.toFixed(2)} bits/char`, 8000);
  }

  /** Documents with scores kept (for tests: closed documents are dropped). */
  get scoredDocuments(): number {
    return this.scored.size;
  }

  clear(uri?: vscode.Uri): void {
    if (uri) this.scored.delete(uri.toString());
    else this.scored.clear();
    for (const editor of vscode.window.visibleTextEditors) {
      if (!uri || editor.document.uri.toString() === uri.toString()) this.types.forEach((t) => editor.setDecorations(t, []));
    }
  }

  dispose(): void {
    this.types.forEach((t) => t.dispose());
    this.disposables.forEach((d) => d.dispose());
  }

  private apply(editor: vscode.TextEditor, ranges: ScoredRange[]): void {
    this.types.forEach((type, i) => editor.setDecorations(type, ranges.filter((r) => bucketOf(r.token) === i).map((r) => r.range)));
  }

  private hover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const hit = this.scored.get(document.uri.toString())?.find((r) => r.range.contains(position));
    if (!hit) return undefined;
    const { token } = hit;
    const md = new vscode.MarkdownString();
    const p = token.logprob === null ? 'first token (nothing predicted it)' : `P = ${Math.exp(token.logprob).toFixed(4)} · rank ${token.rank! + 1}`;
    md.appendMarkdown(`**NextToken** · ${markdownText(JSON.stringify(token.text))} · ${p}\n\n`);
    if (token.alternatives?.length) {
      md.appendMarkdown('| the model expected | P |\n|---|---:|\n');
      for (const alt of token.alternatives) md.appendMarkdown(`| ${markdownText(JSON.stringify(alt.text))} | ${alt.prob.toFixed(4)} |\n`);
    }
    return new vscode.Hover(md, hit.range);
  }
}

function bucketOf(token: ScoredToken): number {
  const rank = token.rank ?? 0;
  return BUCKETS.findIndex((b) => rank < b.max);
}

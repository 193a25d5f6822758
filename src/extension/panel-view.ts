// The NextToken side view: hosts the webview, follows the cursor (throttled) or a pinned
// context, and runs the panel's step-through loop (predict, pick, append, repeat) on the engine.

import * as vscode from 'vscode';
import { contextRange, splitAtCursor } from '../completion/context.js';
import { relocateCursor } from '../completion/relocate.js';
import { parseFromWebview, type FromWebviewMessage, type SamplingView, type StateMessage, type ToWebviewMessage } from '../protocol.js';
import { toExplanationView } from './explanation-view.js';
import type { ModelManager } from './model-manager.js';
import { makeNonce, panelHtml } from './panel-html.js';

export const PANEL_VIEW_ID = 'nexttoken.panel';
const FOLLOW_DELAY_MS = 250;

interface Target {
  uri: vscode.Uri;
  offset: number;
  prefix: string;
  suffix: string;
  source: string;
}

export class PanelView implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private target: Target | undefined;
  private pinned = false;
  private appended: number[] = [];
  private sampling: SamplingView = { temperature: 0.8, topK: 40, topP: 0.95, seed: 7 };
  private maskSize = 16;
  private last: StateMessage | undefined;
  private followTimer: ReturnType<typeof setTimeout> | undefined;
  private running: AbortController | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly models: ModelManager,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      vscode.window.onDidChangeTextEditorSelection((e) => this.follow(e.textEditor)),
      vscode.window.onDidChangeActiveTextEditor((editor) => editor && this.follow(editor)),
      models.onDidChange(() => void this.refresh()),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const root = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    view.webview.options = { enableScripts: true, localResourceRoots: [root] };
    view.webview.html = panelHtml({
      cspSource: view.webview.cspSource,
      nonce: makeNonce(),
      scriptUri: view.webview.asWebviewUri(vscode.Uri.joinPath(root, 'panel.js')).toString(),
      styleUri: view.webview.asWebviewUri(vscode.Uri.joinPath(root, 'panel.css')).toString(),
    });
    const subscriptions = [
      view.webview.onDidReceiveMessage((raw) => void this.receive(raw)),
      view.onDidChangeVisibility(() => view.visible && this.last && this.post(this.last)),
      view.onDidDispose(() => {
        this.view = undefined;
        subscriptions.forEach((d) => d.dispose());
      }),
    ];
    if (!this.target && vscode.window.activeTextEditor) this.follow(vscode.window.activeTextEditor, 0);
  }

  /** "Explain Next Token": reveal the view for the cursor and pin that context. */
  async explainCursor(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    await vscode.commands.executeCommand(`${PANEL_VIEW_ID}.focus`);
    if (!editor) return this.postState({ status: 'no-editor' });
    this.target = targetAt(editor.document, editor.selection.active);
    this.pinned = true;
    this.appended = [];
    await this.refresh();
  }

  dispose(): void {
    clearTimeout(this.followTimer);
    this.running?.abort();
    this.disposables.forEach((d) => d.dispose());
  }

  private follow(editor: vscode.TextEditor, delay = FOLLOW_DELAY_MS): void {
    if (this.pinned || !this.view?.visible || editor.document.uri.scheme === 'output') return;
    clearTimeout(this.followTimer);
    this.followTimer = setTimeout(() => {
      this.target = targetAt(editor.document, editor.selection.active);
      this.appended = [];
      void this.refresh();
    }, delay);
  }

  private async receive(raw: unknown): Promise<void> {
    const message = parseFromWebview(raw, this.models.engine?.info.vocabSize ?? 0);
    if (!message) {
      this.log.warn(`ignored a malformed message from the panel: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    await this.handle(message);
  }

  private async handle(message: FromWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        if (this.last) this.post(this.last);
        else await this.refresh();
        return;
      case 'setSampling':
        this.sampling = message.sampling;
        return this.refresh();
      case 'appendToken':
        this.appended.push(message.id);
        return this.refresh();
      case 'step': {
        const e = this.last?.explanation;
        const next = message.mode === 'greedy' ? e?.candidates[0]?.id : this.lastSampled;
        if (next === undefined) return;
        this.appended.push(next);
        return this.refresh();
      }
      case 'undoStep':
        this.appended.pop();
        return this.refresh();
      case 'resetSteps':
        this.appended = [];
        return this.refresh();
      case 'setPinned':
        this.pinned = message.pinned;
        if (!message.pinned && vscode.window.activeTextEditor) this.follow(vscode.window.activeTextEditor, 0);
        return this.refresh();
      case 'setMaskSize':
        this.maskSize = message.size;
        return this.refresh();
      case 'insertAccepted':
        return this.insertAccepted();
    }
  }

  private lastSampled: number | undefined;

  /** Recompute the explanation for the current target and post it. */
  private async refresh(): Promise<void> {
    if (!this.view) return;
    const state = this.models.state;
    if (state === 'error') return this.postState({ status: 'error', error: this.models.error });
    if (!this.target) return this.postState({ status: 'no-editor' });
    this.running?.abort();
    const controller = (this.running = new AbortController());
    this.post({ type: 'busy', busy: true });
    try {
      const engine = await this.models.get();
      if (!engine) return this.postState({ status: this.models.state === 'error' ? 'error' : 'loading', error: this.models.error });
      const { prefix, suffix } = this.target;
      const explanation = await engine.explain({
        prefix,
        suffix,
        appended: this.appended,
        sampling: this.sampling,
        seed: this.sampling.seed + this.appended.length,
        top: 20,
        maskSize: this.maskSize,
        attentions: true,
        signal: controller.signal,
      });
      this.lastSampled = explanation.sampled?.id;
      const suggestion = this.appended.length === 0 ? await engine.complete({ prefix, suffix, maxTokens: 24, stop: 'line', signal: controller.signal }) : undefined;
      this.postState({
        status: 'ready',
        explanation: toExplanationView(explanation, { source: this.target.source, pinned: this.pinned, appendedCount: this.appended.length, sampling: this.sampling, suggestion }),
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      this.log.error(`explain failed: ${(error as Error).message}`);
      this.postState({ status: 'error', error: (error as Error).message });
    } finally {
      if (this.running === controller) this.post({ type: 'busy', busy: false });
    }
  }

  private async insertAccepted(): Promise<void> {
    const engine = this.models.engine;
    if (!engine || !this.target || this.appended.length === 0) return;
    const text = await engine.decode(this.appended);
    const document = await vscode.workspace.openTextDocument(this.target.uri);
    // The document may have changed since the context was pinned: insert where that context is now.
    const offset = relocateCursor(document.getText(), this.target.offset, this.target.prefix, this.target.suffix);
    if (offset === undefined) {
      void vscode.window.showWarningMessage('NextToken: the text around the pinned cursor has changed; explain the cursor again before inserting.');
      return;
    }
    const editor = await vscode.window.showTextDocument(document);
    const at = document.positionAt(offset);
    await editor.edit((edit) => edit.insert(at, text));
    const end = document.positionAt(offset + text.length);
    editor.selection = new vscode.Selection(end, end);
    this.target = targetAt(document, end);
    this.appended = [];
    await this.refresh();
  }

  private postState(partial: Omit<StateMessage, 'type' | 'sampling' | 'model'>): void {
    const info = this.models.engine?.info;
    const message: StateMessage = {
      type: 'state',
      ...partial,
      sampling: this.sampling,
      model: info && { name: info.name, backend: info.backend, threads: info.threads, window: info.window, vocabSize: info.vocabSize, fim: info.fim, attentions: info.attentions },
    };
    this.last = message;
    this.post(message);
  }

  private post(message: ToWebviewMessage): void {
    void this.view?.webview.postMessage(message);
  }
}

function targetAt(document: vscode.TextDocument, position: vscode.Position): Target {
  const offset = document.offsetAt(position);
  const length = document.offsetAt(document.lineAt(document.lineCount - 1).range.end);
  const { start, end } = contextRange(offset, length);
  const text = document.getText(new vscode.Range(document.positionAt(start), document.positionAt(end)));
  const ctx = splitAtCursor(text, offset - start, start === 0);
  const name = document.uri.path.split('/').pop() ?? document.uri.toString();
  return { uri: document.uri, offset, prefix: ctx.prefix, suffix: ctx.suffix, source: `${name}:${position.line + 1}:${position.character + 1}` };
}

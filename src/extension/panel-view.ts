// The NextToken side view. It shows the record of the active editor's latest inline request,
// exactly as the completion pipeline kept it: no engine call of its own while a record exists.
// "Explain Next Token" where there is none runs the inline provider's own request (whose
// result the editor's next request then takes from memory). The what-if exploration
// (sampling, stepping, clicking a candidate) is a separate mode on request; it never changes
// what the editor does.

import * as vscode from 'vscode';
import type { CompletionPipeline } from '../completion/pipeline.js';
import { firstShownToken, type RequestRecord } from '../completion/request-record.js';
import { parseFromWebview, type ExplanationView, type FromWebviewMessage, type SamplingView, type StateMessage, type ToWebviewMessage } from '../protocol.js';
import { toExplanationView } from './explanation-view.js';
import { keystrokeAt } from './keystroke.js';
import { toRecordView } from './record-view.js';
import type { ModelManager } from './model-manager.js';
import { makeNonce, panelHtml } from './panel-html.js';

export const PANEL_VIEW_ID = 'nexttoken.panel';
/** Records kept: one per document, the latest. */
const DOCUMENTS_KEPT = 32;

/** What-if mode: tokens appended after the record's context, with their own sampling. */
interface Exploration {
  record: RequestRecord;
  appended: number[];
  sampling: SamplingView;
}

export class PanelView implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Document uri → the latest record of a request made in it. */
  private readonly records = new Map<string, RequestRecord>();
  private exploration: Exploration | undefined;
  private maskSize = 16;
  private last: StateMessage | undefined;
  private running: AbortController | undefined;
  private lastSampled: number | undefined;
  /** The record's first shown step looked into (logit lens and attention), while that record is the latest. */
  private recordLens: { record: RequestRecord; view: ExplanationView } | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly models: ModelManager,
    private readonly pipeline: () => CompletionPipeline | undefined,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.showActive()),
      models.onDidChange(() => this.showActive()),
    );
  }

  /** A request's record from the pipeline: kept for its document, shown when that document is active. */
  record(record: RequestRecord): void {
    const key = record.origin?.key;
    if (!key) return;
    this.records.delete(key);
    this.records.set(key, record);
    if (this.records.size > DOCUMENTS_KEPT) this.records.delete(this.records.keys().next().value!);
    if (key === activeKey()) {
      this.endExploration();
      this.showActive();
    }
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
      view.onDidChangeVisibility(() => view.visible && this.showActive()),
      view.onDidDispose(() => {
        this.view = undefined;
        subscriptions.forEach((d) => d.dispose());
      }),
    ];
    this.showActive();
  }

  /** "Explain Next Token": show the record for the cursor, or make the inline provider's request there. */
  async explainCursor(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    await vscode.commands.executeCommand(`${PANEL_VIEW_ID}.focus`);
    if (!editor) return this.postState({ status: 'no-editor' });
    const { document } = editor;
    const position = editor.selection.active;
    const known = this.records.get(document.uri.toString());
    if (known?.origin && known.origin.offset === document.offsetAt(position) && known.origin.version === document.version) {
      this.showActive();
      return this.lookInside();
    }
    this.post({ type: 'busy', busy: true });
    try {
      const engine = await this.models.get();
      const pipeline = this.pipeline();
      if (!engine || !pipeline) return this.showActive();
      // The same request the inline provider makes here; its record arrives through record().
      await pipeline.provide(keystrokeAt(document, position, { immediate: true }));
      this.showActive();
      await this.lookInside();
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      this.log.error(`explain failed: ${(error as Error).message}`);
      this.postState({ status: 'error', error: (error as Error).message });
    } finally {
      this.post({ type: 'busy', busy: false });
    }
  }

  dispose(): void {
    this.running?.abort();
    this.disposables.forEach((d) => d.dispose());
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
    if (message.type === 'ready') return this.showActive();
    if (message.type === 'showAnyway') return this.showAnyway();
    if (message.type === 'lens') return this.lookInside();
    if (message.type === 'setMaskSize') {
      this.maskSize = message.size;
      if (!this.exploration && this.recordLens) {
        this.recordLens = undefined; // its attention covers the old size
        return this.lookInside();
      }
      return this.exploration && this.explore();
    }
    if (message.type === 'explore' && !message.on) {
      this.endExploration();
      return this.showActive();
    }
    const x = this.exploration ?? this.beginExploration();
    if (!x) return;
    switch (message.type) {
      case 'explore':
        break;
      case 'setSampling':
        x.sampling = message.sampling;
        break;
      case 'appendToken':
        x.appended.push(message.id);
        break;
      case 'step': {
        const next = message.mode === 'greedy' ? this.last?.exploration?.candidates[0]?.id : this.lastSampled;
        if (next === undefined) return;
        x.appended.push(next);
        break;
      }
      case 'undoStep':
        x.appended.pop();
        break;
      case 'resetSteps':
        x.appended = [];
        break;
      case 'insertAccepted':
        return this.insertAccepted(x);
    }
    return this.explore();
  }

  /**
   * The logit lens (and the attention) at the active record's first shown step: the record's own
   * prompt, one engine call, on the user's request only ("Explain Next Token", or the panel's
   * button). A model without the lens gets none: the panel says so from the model's info.
   */
  private async lookInside(): Promise<void> {
    const record = this.records.get(activeKey() ?? '');
    const engine = this.models.engine;
    if (!record || !engine?.info.lens || this.exploration) return;
    if (this.recordLens?.record === record) return this.showActive();
    this.running?.abort();
    const controller = (this.running = new AbortController());
    this.post({ type: 'busy', busy: true });
    try {
      const { temperature, topK, topP, seed } = record.sampling;
      const sampling = { temperature, topK, topP, seed };
      const step = record.tokens[firstShownToken(record)] ?? record.end;
      const explanation = await engine.explain({
        prefix: '',
        promptIds: explorationBase(record),
        sampling,
        top: 20,
        maskSize: this.maskSize,
        attentions: true,
        lens: true,
        lensToken: step?.id,
        signal: controller.signal,
      });
      if (this.records.get(activeKey() ?? '') !== record) return;
      this.recordLens = { record, view: toExplanationView(explanation, { appendedCount: 0, sampling }) };
      this.showActive();
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      this.log.error(`looking inside the step failed: ${(error as Error).message}`);
    } finally {
      if (this.running === controller) this.post({ type: 'busy', busy: false });
    }
  }

  /** The gate held the active editor's suggestion back: ask for it explicitly, which shows it (from memory, no model call). */
  private async showAnyway(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const record = editor && this.records.get(editor.document.uri.toString());
    if (!editor || !record?.origin || editor.document.offsetAt(editor.selection.active) !== record.origin.offset) return;
    await vscode.window.showTextDocument(editor.document, editor.viewColumn);
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
  }

  /** Exploration starts from the record shown: its context up to the first shown token, and its own sampling settings. */
  private beginExploration(): Exploration | undefined {
    const record = this.records.get(activeKey() ?? '');
    if (!record) return undefined;
    const { temperature, topK, topP, seed } = record.sampling;
    this.exploration = { record, appended: [], sampling: { temperature, topK, topP, seed } };
    return this.exploration;
  }

  private endExploration(): void {
    this.running?.abort();
    this.exploration = undefined;
  }

  /** The one engine call the panel makes: the what-if distribution, on the user's request. */
  private async explore(): Promise<void> {
    const x = this.exploration;
    if (!x || !this.view) return;
    this.running?.abort();
    const controller = (this.running = new AbortController());
    this.post({ type: 'busy', busy: true });
    try {
      const engine = await this.models.get();
      if (!engine) return this.showActive();
      const explanation = await engine.explain({
        prefix: '',
        promptIds: explorationBase(x.record),
        appended: x.appended,
        sampling: x.sampling,
        seed: x.sampling.seed + x.appended.length,
        top: 20,
        maskSize: this.maskSize,
        attentions: true,
        lens: engine.info.lens,
        signal: controller.signal,
      });
      if (this.exploration !== x) return;
      this.lastSampled = explanation.sampled?.id;
      this.showActive(toExplanationView(explanation, { appendedCount: x.appended.length, sampling: x.sampling }));
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      this.log.error(`explore failed: ${(error as Error).message}`);
      this.postState({ status: 'error', error: (error as Error).message });
    } finally {
      if (this.running === controller) this.post({ type: 'busy', busy: false });
    }
  }

  private async insertAccepted(x: Exploration): Promise<void> {
    const engine = this.models.engine;
    const origin = x.record.origin;
    if (!engine || !origin || x.appended.length === 0) return;
    const shownFrom = firstShownToken(x.record);
    const respelled = x.record.tokens.slice(0, shownFrom).map((t) => t.text).join('');
    const text = await engine.decode(x.appended);
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(origin.key));
    // The document may have changed since the request: insert only where it was made.
    if (origin.version !== undefined && document.version !== origin.version) {
      void vscode.window.showWarningMessage('NextToken: the document has changed since this explanation; explain the cursor again before inserting.');
      return;
    }
    const editor = await vscode.window.showTextDocument(document);
    // The exploration continues from the tokens that re-spelled the healed (and typed) text: the rest of that text is replaced.
    const at = document.positionAt(origin.offset - (x.record.healed.length + x.record.typed) + respelled.length);
    await editor.edit((edit) => edit.replace(new vscode.Range(at, document.positionAt(origin.offset)), text));
    const end = document.positionAt(document.offsetAt(at) + text.length);
    editor.selection = new vscode.Selection(end, end);
    this.endExploration();
  }

  /** Posts the active editor's record (and the exploration, when there is one). */
  private showActive(exploration = this.last?.exploration): void {
    if (!this.view) return;
    if (this.models.state === 'error') return this.postState({ status: 'error', error: this.models.error });
    const editor = vscode.window.activeTextEditor;
    if (!editor) return this.postState({ status: 'no-editor' });
    const record = this.records.get(editor.document.uri.toString());
    if (!record) return this.postState({ status: this.models.engine ? 'ready' : 'loading' });
    this.postState({
      status: 'ready',
      record: toRecordView(record),
      source: sourceLabel(editor.document, record),
      exploration: this.exploration ? exploration : undefined,
      sampling: this.exploration?.sampling,
      recordLens: this.recordLens?.record === record ? this.recordLens.view : undefined,
    });
  }

  private postState(partial: Omit<StateMessage, 'type' | 'model'>): void {
    const info = this.models.engine?.info;
    const message: StateMessage = {
      type: 'state',
      ...partial,
      model: info && { name: info.name, backend: info.backend, threads: info.threads, window: info.window, vocabSize: info.vocabSize, fim: info.fim, attentions: info.attentions, lens: info.lens },
    };
    this.last = message;
    this.post(message);
  }

  private post(message: ToWebviewMessage): void {
    void this.view?.webview.postMessage(message);
  }
}

const activeKey = (): string | undefined => vscode.window.activeTextEditor?.document.uri.toString();

/** The record's prompt ids and the tokens that re-spelled the healed text: the position of the first shown token. */
function explorationBase(record: RequestRecord): number[] {
  const prompt = record.prompt.parts.flatMap((p) => p.tokens.map((t) => t.id));
  return [...prompt, ...record.tokens.slice(0, firstShownToken(record)).map((t) => t.id)];
}

/** "sample.ts:12:8" for the record's cursor. */
function sourceLabel(document: vscode.TextDocument, record: RequestRecord): string {
  const name = document.uri.path.split('/').pop() ?? document.uri.toString();
  const at = document.positionAt(record.origin?.offset ?? 0);
  return `${name}:${at.line + 1}:${at.character + 1}`;
}

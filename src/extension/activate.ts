// Activation, shared by the desktop and web entry points: register everything and return; the
// model then starts loading in the background, in its worker (off this thread), so that the first
// keystroke finds it ready. Every listener, provider and command goes into context.subscriptions
// and is disposed.

import * as vscode from 'vscode';
import { CompletionPipeline } from '../completion/pipeline.js';
import { ModelManager, type EngineHost } from './model-manager.js';
import { PANEL_VIEW_ID, PanelView } from './panel-view.js';
import { InlineProvider } from './inline-provider.js';
import { ScoreDecorations } from './score-decorations.js';
import { DEFAULT_CONTEXT } from '../completion/repo-context.js';
import type { RequestOrigin } from '../completion/request-record.js';
import { migrateMinConfidence, readSettings } from './settings.js';
import { MemberNames } from './member-names.js';
import { RelatedFilesCollector } from './related-files.js';
import { StatusBar } from './status-bar.js';

/** A click that selects by dragging or double-clicks fires several changes: answer where it settles. */
const CLICK_SETTLE_MS = 250;

export function activateWith(context: vscode.ExtensionContext, host: EngineHost, onLog?: (log: vscode.LogOutputChannel) => void): void {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('NextToken', { log: true });
  onLog?.(log);
  let settings = readSettings();
  const models = new ModelManager(host, settings, log);
  let pipeline: CompletionPipeline | undefined;
  const status = new StatusBar(models, () => settings.enable);
  const panel = new PanelView(context.extensionUri, models, () => pipeline, log);
  const scores = new ScoreDecorations(models);
  const relatedFiles = new RelatedFilesCollector();
  const memberNames = new MemberNames((m) => log.warn(m));
  const inline = new InlineProvider(models, () => pipeline, () => settings, (s) => status.render(pipeline?.stats.last ?? { ms: s.ms, tokens: 0, tokensPerSecond: 0, source: s.source }, pipeline?.stats));

  const register = <T extends vscode.Disposable>(d: T) => (context.subscriptions.push(d), d);
  /** Loads the model in the background (in its worker) when completions are on: the next keystroke finds it ready. */
  const preload = () => void (settings.enable && models.get());
  register(log);
  register({ dispose: () => void models.dispose() });
  register(status);
  register(panel);
  register(scores);
  register(relatedFiles);
  register(models.onDidChange(() => {
    pipeline = models.engine ? new CompletionPipeline(models.engine, settings.pipeline) : undefined;
    if (pipeline) {
      pipeline.onRecord = (record) => panel.record(record);
      // The editor and the panel ask the same question: the pipeline asks the editor for both.
      const documentOf = (origin: RequestOrigin) => vscode.workspace.textDocuments.find((d) => d.uri.toString() === origin.key);
      pipeline.editor = {
        related: async (origin) => {
          const document = documentOf(origin);
          return document && relatedFiles.collect(document, settings.pipeline.context ?? DEFAULT_CONTEXT);
        },
        validNames: async (origin) => {
          const document = documentOf(origin);
          return document && memberNames.at(document, document.positionAt(origin.offset), settings.languageServer);
        },
      };
    }
    status.render();
    inline.prepareCursor(vscode.window.activeTextEditor);
  }));
  register(vscode.window.registerWebviewViewProvider(PANEL_VIEW_ID, panel, { webviewOptions: { retainContextWhenHidden: false } }));
  register(vscode.languages.registerInlineCompletionItemProvider({ pattern: '**' }, inline));
  // The cursor where the user is about to type is answered ahead: when the model is ready, when
  // another editor becomes current, and after a click (typing moves the cursor too, but then a
  // request is on its way already).
  let clicked: ReturnType<typeof setTimeout> | undefined;
  register({ dispose: () => clearTimeout(clicked) });
  register(vscode.window.onDidChangeActiveTextEditor((editor) => inline.prepareCursor(editor)));
  register(vscode.window.onDidChangeTextEditorSelection((e) => {
    if (e.kind !== vscode.TextEditorSelectionChangeKind.Mouse) return;
    clearTimeout(clicked);
    clicked = setTimeout(() => inline.prepareCursor(vscode.window.activeTextEditor), CLICK_SETTLE_MS);
  }));

  const config = vscode.workspace.getConfiguration('nexttoken');
  const setSetting = (key: string, value: unknown) => config.update(key, value, vscode.ConfigurationTarget.Global);
  const commands: Record<string, (...args: unknown[]) => unknown> = {
    'nexttoken.toggle': async () => {
      const enable = !settings.enable;
      await setSetting('enable', enable);
      void vscode.window.setStatusBarMessage(`NextToken completions ${enable ? 'on' : 'off'}`, 3000);
    },
    'nexttoken.showLog': () => log.show(),
    'nexttoken.explain': () => panel.explainCursor(),
    'nexttoken.openPanel': () => vscode.commands.executeCommand(`${PANEL_VIEW_ID}.focus`),
    'nexttoken.scoreSelection': () => vscode.window.activeTextEditor && scores.scoreSelection(vscode.window.activeTextEditor),
    'nexttoken.clearScores': () => scores.clear(),
    'nexttoken.useBundledModel': async () => {
      await setSetting('modelFolder', '');
      await models.reset();
      preload();
    },
    'nexttoken.chooseModel': async () => {
      const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, title: 'Choose a model folder (config.json, tokenizer.json, onnx/model*.onnx)' });
      if (!picked?.[0]) return;
      await setSetting('modelFolder', picked[0].scheme === 'file' ? picked[0].fsPath : picked[0].toString());
      await models.reset();
      preload();
    },
    'nexttoken.statusMenu': async () => {
      const items = [
        { label: settings.enable ? '$(circle-slash) Turn completions off' : '$(check) Turn completions on', command: 'nexttoken.toggle' },
        { label: '$(graph) Open the NextToken panel', command: 'nexttoken.openPanel' },
        { label: '$(lightbulb) Explain next token', command: 'nexttoken.explain' },
        { label: '$(folder-opened) Choose model folder…', command: 'nexttoken.chooseModel' },
        { label: '$(package) Use the bundled model', command: 'nexttoken.useBundledModel' },
        { label: '$(output) Show log', command: 'nexttoken.showLog' },
      ];
      const picked = await vscode.window.showQuickPick(items, { title: 'NextToken' });
      if (picked) await vscode.commands.executeCommand(picked.command);
    },
  };
  for (const [id, run] of Object.entries(commands)) register(vscode.commands.registerCommand(id, run));

  register(vscode.workspace.onDidChangeConfiguration(async (e) => {
    if (!e.affectsConfiguration('nexttoken')) return;
    settings = readSettings();
    pipeline?.updateSettings(settings.pipeline);
    await models.updateSettings(settings);
    preload();
    status.render();
    log.info(`settings changed: completions ${settings.enable ? 'on' : 'off'}`);
  }));
  register(vscode.workspace.onDidGrantWorkspaceTrust(async () => {
    settings = readSettings();
    await models.updateSettings(settings);
  }));

  void migrateMinConfidence().catch((error) => log.warn(`could not migrate nexttoken.minConfidence: ${(error as Error).message}`));
  log.info(`NextToken activated (${host.kind} host, ${(performance.now() - started).toFixed(1)} ms); model ${models.folder.toString(true)} loads in the background`);
  // After activation returns: the worker reads and compiles the model while the user opens a file.
  const afterActivation = setTimeout(preload, 0);
  register({ dispose: () => clearTimeout(afterActivation) });
}

// The model's lifecycle: loaded lazily on first use (never during activation), reloaded when
// its settings change, disposed on deactivate; load errors and repeated request failures are
// contained here and turn completions off with one clear message.

import * as vscode from 'vscode';
import type { Engine } from '../engine/engine.js';
import { ModelError } from '../engine/errors.js';
import type { Settings } from './settings.js';

/** What differs between the desktop (Node) and web (browser worker) hosts. */
export interface EngineHost {
  readonly kind: 'desktop' | 'web';
  readonly bundledModel: vscode.Uri;
  load(folder: vscode.Uri, settings: Settings): Promise<Engine>;
}

export type ModelState = 'idle' | 'loading' | 'ready' | 'error';

/** Consecutive failed requests after which completions are turned off. */
export const MAX_CONSECUTIVE_FAILURES = 3;

export class ModelManager implements vscode.Disposable {
  state: ModelState = 'idle';
  engine: Engine | undefined;
  error: string | undefined;
  private loading: Promise<Engine | undefined> | undefined;
  private failures = 0;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly host: EngineHost,
    private settings: Settings,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get folder(): vscode.Uri {
    const custom = this.settings.modelFolder;
    if (!custom) return this.host.bundledModel;
    return /^[a-z][a-z0-9+.-]+:\/\//i.test(custom) ? vscode.Uri.parse(custom) : vscode.Uri.file(custom);
  }

  /** The engine, loading it first if needed (with a progress notification). */
  get(): Promise<Engine | undefined> {
    if (this.engine) return Promise.resolve(this.engine);
    if (this.state === 'error') return Promise.resolve(undefined);
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  async updateSettings(settings: Settings): Promise<void> {
    const reload = ['modelFolder', 'onnxVariant', 'backend', 'threads'].some((k) => settings[k as keyof Settings] !== this.settings[k as keyof Settings]);
    this.settings = settings;
    if (reload) await this.unload();
  }

  /** A request failed (not cancelled). Repeated failures turn completions off. */
  reportFailure(error: unknown): void {
    this.failures++;
    if (this.failures === 1) this.log.error(`completion failed: ${(error as Error).stack ?? error}`);
    if (this.failures >= MAX_CONSECUTIVE_FAILURES && this.state !== 'error') {
      this.setState('error', `completions turned off after ${this.failures} failures in a row: ${(error as Error).message}`);
    }
  }

  reportSuccess(): void {
    this.failures = 0;
  }

  /** Forget an error and unload, so that the next request loads again. */
  async reset(): Promise<void> {
    this.failures = 0;
    await this.unload();
  }

  async dispose(): Promise<void> {
    await this.unload();
    this.changed.dispose();
  }

  private async load(): Promise<Engine | undefined> {
    const folder = this.folder;
    this.setState('loading');
    this.log.info(`loading model from ${folder.toString(true)} (${this.host.kind}, variant ${this.settings.onnxVariant}, backend ${this.settings.backend}, threads ${this.settings.threads})`);
    try {
      const engine = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'NextToken: loading the model…' },
        () => this.host.load(folder, this.settings),
      );
      const i = engine.info;
      this.log.info(`model ${i.name} ready in ${i.loadMs.toFixed(0)} ms: ${i.modelType}, ${i.variant}, window ${i.window}, vocab ${i.vocabSize}, FIM ${i.fim ? 'yes' : 'no'}, attentions ${i.attentions ? 'yes' : 'no'}`);
      this.log.info(`backend ${i.backend}${Object.keys(i.backendTimings).length ? ` chosen by a timed decode step: ${JSON.stringify(i.backendTimings)} ms` : ''}`);
      this.engine = engine;
      this.setState('ready');
      return engine;
    } catch (error) {
      const message = error instanceof ModelError ? error.message : `the model could not be loaded: ${(error as Error).message}`;
      this.log.error(message);
      this.setState('error', message);
      void vscode.window.showErrorMessage(`NextToken: ${message}. Completions are off until a working model is chosen.`, 'Choose Model Folder…', 'Use Bundled Model', 'Show Log').then((action) => {
        if (action === 'Choose Model Folder…') void vscode.commands.executeCommand('nexttoken.chooseModel');
        if (action === 'Use Bundled Model') void vscode.commands.executeCommand('nexttoken.useBundledModel');
        if (action === 'Show Log') this.log.show();
      });
      return undefined;
    }
  }

  private async unload(): Promise<void> {
    const engine = this.engine;
    this.engine = undefined;
    this.error = undefined;
    this.setState('idle');
    await engine?.dispose();
  }

  private setState(state: ModelState, error?: string): void {
    this.state = state;
    this.error = error;
    this.changed.fire();
  }
}

// The model's lifecycle: loaded in the background right after activation (or on first use), reloaded when
// its settings change, disposed on deactivate; load errors and repeated request failures are
// contained here and turn completions off with one clear message. Loads are tagged with a
// generation: a newer setting wins, a load that finishes after it is disposed, and a load that
// hangs times out (or is simply abandoned by the next reset).

import * as vscode from 'vscode';
import type { EngineApi } from '../engine/engine-api.js';
import { ModelError } from '../engine/errors.js';
import type { Settings } from './settings.js';

/** What differs between the desktop (Node) and web (browser worker) hosts. */
export interface EngineHost {
  readonly kind: 'desktop' | 'web';
  readonly bundledModel: vscode.Uri;
  load(folder: vscode.Uri, settings: Settings): Promise<EngineApi>;
}

export type ModelState = 'idle' | 'loading' | 'ready' | 'error';

/** Consecutive failed requests after which completions are turned off. */
export const MAX_CONSECUTIVE_FAILURES = 3;

/** A load still running after this long is abandoned with an error (a hung file system, a stuck runtime). */
export const LOAD_TIMEOUT_MS = 120_000;

export class ModelManager implements vscode.Disposable {
  state: ModelState = 'idle';
  engine: EngineApi | undefined;
  error: string | undefined;
  /** Bumped by every unload: a load that started under an older generation is stale. */
  generation = 0;
  private loading: Promise<EngineApi | undefined> | undefined;
  private failures = 0;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly host: EngineHost,
    private settings: Settings,
    private readonly log: vscode.LogOutputChannel,
    private readonly loadTimeoutMs = LOAD_TIMEOUT_MS,
  ) {}

  get folder(): vscode.Uri {
    const custom = this.settings.modelFolder;
    if (!custom) return this.host.bundledModel;
    return /^[a-z][a-z0-9+.-]+:\/\//i.test(custom) ? vscode.Uri.parse(custom) : vscode.Uri.file(custom);
  }

  /** The engine, loading it first if needed (with a progress notification). */
  get(): Promise<EngineApi | undefined> {
    if (this.engine) return Promise.resolve(this.engine);
    if (this.state === 'error') return Promise.resolve(undefined);
    if (!this.loading) {
      const loading = this.load(this.generation).finally(() => {
        if (this.loading === loading) this.loading = undefined;
      });
      this.loading = loading;
    }
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

  private async load(generation: number): Promise<EngineApi | undefined> {
    const folder = this.folder;
    this.setState('loading');
    this.log.info(`loading model from ${folder.toString(true)} (${this.host.kind}, variant ${this.settings.onnxVariant}, backend ${this.settings.backend}, threads ${this.settings.threads})`);
    const loading = this.host.load(folder, this.settings);
    try {
      // In the status bar, not a notification: it happens at every start (activate.ts preloads).
      const engine = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'NextToken: loading the model…' }, () =>
        withTimeout(loading, this.loadTimeoutMs),
      );
      if (generation !== this.generation) {
        // The settings changed (or the user reset) while this loaded: a newer load owns the model now.
        void engine.dispose();
        return this.get();
      }
      const i = engine.info;
      this.log.info(`model ${i.name} ready in ${i.loadMs.toFixed(0)} ms: ${i.modelType}, ${i.variant}, window ${i.window}, vocab ${i.vocabSize}, FIM ${i.fim ? 'yes' : 'no'}, attentions ${i.attentions ? 'yes' : 'no'}`);
      this.log.info(`backend ${i.backend}${Object.keys(i.backendTimings).length ? ` chosen by a timed decode step: ${JSON.stringify(i.backendTimings)} ms` : ''}`);
      this.engine = engine;
      this.setState('ready');
      return engine;
    } catch (error) {
      // A load that times out may still finish: whatever it brings is disposed.
      loading.then((late) => late.dispose(), () => undefined);
      if (generation !== this.generation) return this.get();
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
    this.generation++;
    this.loading = undefined; // a load in flight is stale now; the next get() starts a new one
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

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ModelError('timeout', `the model did not load within ${Math.round(ms / 1000)} s`)), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error) => (clearTimeout(timer), reject(error)),
    );
  });
}

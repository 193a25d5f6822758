// VS Code's inline completion API → the completion pipeline. Thin: read the text around the
// cursor, pass VS Code's cancellation through, drop results for a document that changed.

import * as vscode from 'vscode';
import type { CompletionPipeline, Suggestion } from '../completion/pipeline.js';
import { keystrokeAt } from './keystroke.js';
import type { ModelManager } from './model-manager.js';
import { languageEnabled, type Settings } from './settings.js';

export class InlineProvider implements vscode.InlineCompletionItemProvider {
  constructor(
    private readonly models: ModelManager,
    private readonly pipeline: () => CompletionPipeline | undefined,
    private readonly settings: () => Settings,
    private readonly onSuggestion: (suggestion: Suggestion) => void,
  ) {}

  /**
   * Answers an editor's cursor before the user types there (CompletionPipeline.prepareAt): called
   * when the model becomes ready, another editor becomes current, or a click moves the cursor.
   */
  prepareCursor(editor: vscode.TextEditor | undefined): void {
    const settings = this.settings();
    const pipeline = this.pipeline();
    if (!editor || !pipeline || !settings.enable || !editor.selection.isEmpty || editor.document.uri.scheme === 'output') return;
    if (!languageEnabled(settings, editor.document.languageId)) return;
    pipeline.prepareAt(keystrokeAt(editor.document, editor.selection.active, { immediate: true }));
  }

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    const settings = this.settings();
    if (!settings.enable || !languageEnabled(settings, document.languageId) || this.models.state === 'error') return undefined;
    const version = document.version;
    const generation = this.models.generation;
    const engine = await this.models.get();
    const pipeline = this.pipeline();
    if (!engine || !pipeline || token.isCancellationRequested) return undefined;

    const controller = new AbortController();
    const cancel = token.onCancellationRequested(() => controller.abort());
    try {
      const suggestion = await pipeline.provide(
        keystrokeAt(document, position, {
          signal: controller.signal,
          immediate: context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke,
          explicit: context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke,
        }),
      );
      this.models.reportSuccess();
      if (!suggestion || token.isCancellationRequested || document.version !== version) return undefined;
      this.onSuggestion(suggestion);
      if (suggestion.gate?.shown === false) return undefined; // held back by the gate (gate.ts)
      return [new vscode.InlineCompletionItem(suggestion.text, new vscode.Range(position, position))];
    } catch (error) {
      // A model reloaded under a pending keystroke (settings changed, Use Bundled Model) is not a failure.
      if ((error as Error).name !== 'AbortError' && this.models.generation === generation) this.models.reportFailure(error);
      return undefined;
    } finally {
      cancel.dispose();
    }
  }
}

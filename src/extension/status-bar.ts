// The status bar item: model, backend, state and the last latency; a click opens the menu.

import * as vscode from 'vscode';
import type { PipelineStats } from '../completion/pipeline.js';
import { markdownText } from './markdown-text.js';
import type { ModelManager } from './model-manager.js';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('nexttoken.status', vscode.StatusBarAlignment.Right, 100);

  constructor(
    private readonly models: ModelManager,
    private readonly enabled: () => boolean,
  ) {
    this.item.name = 'NextToken';
    this.item.command = 'nexttoken.statusMenu';
    this.item.show();
    this.render();
  }

  /** `gated`: how many model suggestions the gate showed and held back (this model's session). */
  render(last?: PipelineStats['last'], gated?: Pick<PipelineStats, 'shown' | 'heldBack'>): void {
    const info = this.models.engine?.info;
    const where = info ? ` · ${info.backend}` : '';
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown('**NextToken** — local completion\n\n');
    if (info) md.appendMarkdown(`Model ${markdownText(info.name)} (${markdownText(info.modelType)}, ${markdownText(info.variant)}) · backend **${info.backend}** · window ${info.window} · FIM ${info.fim ? 'yes' : 'no'}\n\n`);
    if (!this.enabled()) {
      this.item.text = '$(circle-slash) NextToken';
      md.appendMarkdown('Completions are **off**. Click to turn them on.');
    } else if (this.models.state === 'loading') {
      this.item.text = '$(loading~spin) NextToken';
      md.appendMarkdown('Loading the model…');
    } else if (this.models.state === 'error') {
      this.item.text = '$(error) NextToken';
      md.appendMarkdown(`**Error:** ${markdownText(this.models.error ?? 'unknown')}`);
    } else if (this.models.state === 'idle') {
      this.item.text = '$(sparkle) NextToken';
      md.appendMarkdown('The model is not loaded yet; it loads in the background.');
    } else {
      const latency = last ? ` · ${Math.round(last.ms)} ms${last.source === 'model' && last.tokens ? ` · ${Math.round(last.tokensPerSecond)} tok/s` : ` · ${last.source}`}` : '';
      const counts = gated && gated.shown + gated.heldBack > 0 ? ` · ${gated.shown}/${gated.shown + gated.heldBack} shown` : '';
      this.item.text = `$(sparkle) NextToken${where}${latency}${counts}`;
      md.appendMarkdown('Ready.');
      if (counts) md.appendMarkdown(`\n\nSuggestions shown **${gated!.shown}**, held back **${gated!.heldBack}** by the gate (\`nexttoken.suggestionThreshold\`).`);
    }
    this.item.backgroundColor = this.models.state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.tooltip = md;
  }

  dispose(): void {
    this.item.dispose();
  }
}

// The editor's language-server monitor, first step: when the cursor sits right after `.`/`?.`,
// ask VS Code's completion providers which names are valid there (the live buffer, unsaved edits
// included; the user's document is never edited) and let the model write only those. No answer
// within the time budget, an empty one, or an error: the model decodes unconstrained. Trigger
// points inside generated text are not asked (no API answers "as if this were typed").

import * as vscode from 'vscode';
import { atTrigger } from '../core/vocabulary-mask.js';

/** Item kinds that name a member; keywords, snippets and words from the text are not names. */
function nameKinds(): Set<vscode.CompletionItemKind> {
  const k = vscode.CompletionItemKind;
  return new Set([k.Method, k.Function, k.Constructor, k.Field, k.Variable, k.Class, k.Interface, k.Module, k.Property, k.Enum, k.EnumMember, k.Constant, k.Struct, k.Event]);
}

export interface LanguageServerSettings {
  enabled: boolean;
  /** Longest wait for the answer, in ms. */
  timeBudgetMs: number;
}

export const DEFAULT_LANGUAGE_SERVER: LanguageServerSettings = { enabled: true, timeBudgetMs: 50 };

export class MemberNames {
  private warned = false;

  constructor(private readonly log: (message: string) => void) {}

  /** Valid names at the cursor, or undefined (not a trigger point, off, late, empty, failed). */
  async at(document: vscode.TextDocument, position: vscode.Position, settings: LanguageServerSettings): Promise<string[] | undefined> {
    if (!settings.enabled) return undefined;
    const linePrefix = document.lineAt(position.line).text.slice(0, position.character);
    if (!atTrigger(linePrefix)) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), settings.timeBudgetMs)));
      const answer = await Promise.race([vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, position), late]);
      if (answer === 'late' || !answer) return undefined;
      const kinds = nameKinds();
      const names = answer.items
        .filter((item) => item.kind !== undefined && kinds.has(item.kind))
        .map((item) => (typeof item.label === 'string' ? item.label : item.label.label))
        .filter((name) => /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(name));
      return names.length ? [...new Set(names)] : undefined;
    } catch (error) {
      if (!this.warned) this.log(`language server failed, completing without it: ${(error as Error).message}`);
      this.warned = true;
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}

// The repository-context block across keystrokes. contextBlock (repo-context.ts) reads only the
// lines above the cursor's line, the current file's imports, the related files and the settings;
// while none of them changes (the user types within a line) the block is the same, so it is kept
// instead of being ranked again. Its text (and the KV cache behind it) then stays put by
// construction, and a keystroke pays for a comparison, not for outlining and ranking every file.

import { contextBlock, importedNames, relativeImports, type ContextBlock, type ContextSettings, type RelatedFiles, type WorkspaceFile } from './repo-context.js';

/** What contextBlock's answer depends on, for one request. */
interface BlockInputs {
  /** The prefix up to the cursor's line (the ranking's query leaves the line being typed out). */
  above: string;
  /** Relative imports and imported names of the current file (what it imports, not its whole text). */
  imports: string;
  path: string | undefined;
  files: readonly WorkspaceFile[] | undefined;
  openEditors: readonly WorkspaceFile[] | undefined;
  recentEdits: readonly WorkspaceFile[] | undefined;
  settings: ContextSettings;
}

/** Blocks kept: the keystroke's own, and those of the edits answered ahead of it (Enter, accept). */
const KEPT = 4;

export class ContextMemo {
  /** Latest first. */
  private readonly kept: { inputs: BlockInputs; block: ContextBlock }[] = [];
  /** Blocks computed (not served from the memo): for tests and benchmarks. */
  computed = 0;

  /** contextBlock(prefix, related, settings), reusing the previous block when its inputs are the same. */
  blockFor(prefix: string, related: RelatedFiles | undefined, settings: ContextSettings): ContextBlock {
    if (!settings.enabled || !related || settings.budgetTokens <= 0) return contextBlock(prefix, related, settings);
    const importer = related.text ?? prefix;
    const inputs: BlockInputs = {
      above: prefix.slice(0, prefix.lastIndexOf('\n') + 1),
      imports: [...relativeImports(importer), '|', ...importedNames(importer)].join('\n'),
      path: related.path,
      files: related.files,
      openEditors: related.openEditors,
      recentEdits: related.recentEdits,
      settings,
    };
    const at = this.kept.findIndex((k) => sameInputs(k.inputs, inputs));
    const found = at >= 0 ? this.kept.splice(at, 1)[0] : { inputs, block: contextBlock(prefix, related, settings) };
    if (at < 0) this.computed++;
    this.kept.unshift(found);
    this.kept.length = Math.min(this.kept.length, KEPT);
    return found.block;
  }

  clear(): void {
    this.kept.length = 0;
  }
}

function sameInputs(a: BlockInputs, b: BlockInputs): boolean {
  return (
    a.above === b.above &&
    a.imports === b.imports &&
    a.path === b.path &&
    sameSettings(a.settings, b.settings) &&
    sameFiles(a.files, b.files) &&
    sameFiles(a.openEditors, b.openEditors) &&
    sameFiles(a.recentEdits, b.recentEdits)
  );
}

function sameSettings(a: ContextSettings, b: ContextSettings): boolean {
  return a === b || (a.enabled === b.enabled && a.budgetTokens === b.budgetTokens && a.sources.join() === b.sources.join());
}

/** The same files, path and text, in the same order (the editor sends fresh arrays each keystroke). */
function sameFiles(a: readonly WorkspaceFile[] | undefined, b: readonly WorkspaceFile[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return a.every((f, i) => f.path === b[i].path && f.text === b[i].text);
}

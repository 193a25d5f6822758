// The editor's side of repository context: which other files the completion may read. The
// choice of snippets is pure (src/completion/repo-context.ts); this only gathers candidates:
//   imports   files the current file imports (relative, resolved through vscode.workspace.fs,
//             two levels, cycles end), read from the open document when there is one
//   editors   the other open text documents
//   edits     the lines around the last edits in other documents
// In an untrusted workspace only open editors are read. Files over 1 MB and binary files are
// skipped. Disk reads are cached per file for a few seconds: keystrokes never wait on the disk twice.

import * as vscode from 'vscode';
import { importCandidates, MAX_FILE_BYTES, readableFile, relativeImports, type ContextSettings, type RelatedFiles, type WorkspaceFile } from '../completion/repo-context.js';

const MAX_EDITORS = 20;
const MAX_EDITS = 8;
const EDIT_RADIUS_LINES = 6;
const IMPORT_DEPTH = 2;
const CACHE_MS = 5000;

interface CachedRead {
  at: number;
  text: string | undefined;
}

export class RelatedFilesCollector implements vscode.Disposable {
  private readonly reads = new Map<string, CachedRead>();
  private readonly edits: WorkspaceFile[] = [];
  private readonly listener: vscode.Disposable;

  constructor() {
    this.listener = vscode.workspace.onDidChangeTextDocument((e) => this.noteEdit(e));
  }

  dispose(): void {
    this.listener.dispose();
  }

  /** Candidates for the document's completion; undefined when context is off or gathering failed (completions go on without). */
  async collect(document: vscode.TextDocument, settings: ContextSettings): Promise<RelatedFiles | undefined> {
    if (!settings.enabled) return undefined;
    try {
      return await this.gather(document, settings);
    } catch {
      return undefined;
    }
  }

  private async gather(document: vscode.TextDocument, settings: ContextSettings): Promise<RelatedFiles> {
    const trusted = vscode.workspace.isTrusted;
    const sources = trusted ? settings.sources : settings.sources.filter((s) => s === 'editors');
    const path = relativePath(document.uri);
    const open = vscode.workspace.textDocuments.filter((d) => d !== document && !d.isClosed && d.uri.scheme !== 'output' && d.getText().length <= MAX_FILE_BYTES);
    const related: RelatedFiles = { path, text: document.getText() };
    if (sources.includes('editors')) related.openEditors = open.slice(0, MAX_EDITORS).map((d) => ({ path: relativePath(d.uri), text: d.getText() })).filter((f) => readableFile(f.text));
    if (sources.includes('edits')) related.recentEdits = this.edits.filter((e) => e.path !== path);
    if (sources.includes('imports') && document.uri.scheme !== 'untitled') related.files = await this.imports(document, open);
    return related;
  }

  /** The files `document` imports, then what they import; each file once. */
  private async imports(document: vscode.TextDocument, open: readonly vscode.TextDocument[]): Promise<WorkspaceFile[]> {
    const openByUri = new Map(open.map((d) => [d.uri.toString(), d]));
    const seen = new Set([document.uri.toString()]);
    const out: WorkspaceFile[] = [];
    let frontier: { uri: vscode.Uri; text: string }[] = [{ uri: document.uri, text: document.getText() }];
    for (let level = 0; level < IMPORT_DEPTH && frontier.length; level++) {
      const next: { uri: vscode.Uri; text: string }[] = [];
      for (const file of frontier) {
        for (const spec of relativeImports(file.text)) {
          const found = await this.resolve(file.uri, spec, openByUri);
          if (!found || seen.has(found.uri.toString())) continue;
          seen.add(found.uri.toString());
          out.push({ path: relativePath(found.uri), text: found.text });
          next.push(found);
        }
      }
      frontier = next;
    }
    return out;
  }

  private async resolve(from: vscode.Uri, spec: string, openByUri: ReadonlyMap<string, vscode.TextDocument>): Promise<{ uri: vscode.Uri; text: string } | undefined> {
    const name = from.path.slice(from.path.lastIndexOf('/') + 1);
    for (const candidate of importCandidates(name, spec)) {
      const uri = vscode.Uri.joinPath(from, '..', candidate);
      const openDoc = openByUri.get(uri.toString());
      if (openDoc) return { uri, text: openDoc.getText() };
      const text = await this.read(uri);
      if (text !== undefined) return { uri, text };
    }
    return undefined;
  }

  /** A file's text, or undefined when it is missing, a folder, over 1 MB or binary. */
  private async read(uri: vscode.Uri): Promise<string | undefined> {
    const key = uri.toString();
    const cached = this.reads.get(key);
    if (cached && performance.now() - cached.at < CACHE_MS) return cached.text;
    let text: string | undefined;
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.type & vscode.FileType.File && stat.size <= MAX_FILE_BYTES) {
        const bytes = await vscode.workspace.fs.readFile(uri);
        if (!bytes.subarray(0, 8000).includes(0)) text = new TextDecoder().decode(bytes);
      }
    } catch {
      text = undefined; // missing: try the next candidate
    }
    this.reads.set(key, { at: performance.now(), text });
    if (this.reads.size > 500) this.reads.delete(this.reads.keys().next().value!);
    return text;
  }

  private noteEdit(e: vscode.TextDocumentChangeEvent): void {
    const document = e.document;
    if (!e.contentChanges.length || document.uri.scheme === 'output' || document.lineCount > 50_000) return;
    const line = e.contentChanges[0].range.start.line;
    const from = Math.max(0, line - EDIT_RADIUS_LINES);
    const to = Math.min(document.lineCount - 1, line + EDIT_RADIUS_LINES);
    const text = document.getText(new vscode.Range(from, 0, to, document.lineAt(to).text.length));
    const path = relativePath(document.uri);
    // One entry per document (the latest edit), newest first.
    const at = this.edits.findIndex((x) => x.path === path);
    if (at >= 0) this.edits.splice(at, 1);
    this.edits.unshift({ path, text });
    this.edits.length = Math.min(this.edits.length, MAX_EDITS);
  }
}

function relativePath(uri: vscode.Uri): string {
  return vscode.workspace.asRelativePath(uri, false);
}

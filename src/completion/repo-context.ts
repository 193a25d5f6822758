// Repository context: snippets from other files of the workspace, put ahead of the current file
// so the model can read names it would otherwise invent.
//
//   sources   the files the current file imports (relative imports, resolved, transitively up to
//             a depth), the other open editors, recently edited ranges
//   snippets  per imported file an outline (its declaration lines: exports, members, enum
//             members); per source, windows of WINDOW_LINES lines
//   rank      Jaccard similarity of identifier sets: snippet vs the last QUERY_LINES lines before
//             the cursor; imported files' outlines first (a name after `.` lives there)
//   block     the best snippets that fit the token budget, each as `// <path>` then the code,
//             in a stable order (source, then path, then line), then `// <current path>`
//
// The block depends on which snippets win, not on their scores, so it stays the same across
// most keystrokes and the KV cache keeps it; when it changes, only what follows is recomputed.

export interface WorkspaceFile {
  path: string;
  text: string;
}

export type ContextSource = 'imports' | 'editors' | 'edits';

export interface RelatedFiles {
  /** Workspace-relative path of the current file ('/' separators). */
  path?: string;
  /** The current file's text (its imports are read from it); the prefix when absent. */
  text?: string;
  /** Files the workspace offers (the current file's imports are found among them). */
  files?: readonly WorkspaceFile[];
  /** Other open editors. */
  openEditors?: readonly WorkspaceFile[];
  /** Recently edited ranges (the text around each edit). */
  recentEdits?: readonly WorkspaceFile[];
}

export interface ContextSettings {
  enabled: boolean;
  /** Most tokens the block may take. */
  budgetTokens: number;
  sources: readonly ContextSource[];
}

/** 256 tokens: measured on the cross-file eval (README "Repository context"). */
export const DEFAULT_CONTEXT: ContextSettings = { enabled: true, budgetTokens: 256, sources: ['imports', 'editors', 'edits'] };

export interface Snippet {
  path: string;
  source: ContextSource;
  /** 0-based first line of the snippet in its file (-1 for an outline). */
  line: number;
  text: string;
  score: number;
  tokens: number;
}

export interface ContextBlock {
  text: string;
  snippets: Snippet[];
}

export const MAX_FILE_BYTES = 1_000_000;
export const WINDOW_LINES = 20;
const WINDOW_STRIDE = 10;
const QUERY_LINES = 30;
const MAX_IMPORT_DEPTH = 2;
const MAX_OUTLINE_LINES = 80;
/** Rough token count when no tokenizer is at hand (code averages ~3.5 characters per token). */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 3.5);

/** Relative module specifiers a file imports or re-exports from. */
export function relativeImports(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g)) out.push(m[1]);
  for (const m of text.matchAll(/\bimport\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) out.push(m[1]);
  return out;
}

/** The paths a relative specifier may name, likeliest first: x.ts, x.tsx, x.js, x/index.*; `.js` written for `.ts`. */
export function importCandidates(fromPath: string, specifier: string): string[] {
  const joined = normalizePath(`${dirname(fromPath)}/${specifier}`);
  const bare = joined.replace(/\.(m?js|jsx|cjs)$/, '');
  return [...['.ts', '.tsx', '.mts', '.js', '.jsx', '.mjs'].map((ext) => bare + ext), joined, ...['/index.ts', '/index.tsx', '/index.js'].map((ext) => bare + ext)];
}

/** The path a relative specifier names among `paths`. */
export function resolveImport(fromPath: string, specifier: string, paths: ReadonlySet<string>): string | undefined {
  return importCandidates(fromPath, specifier).find((c) => paths.has(c));
}

/** Files the current file imports, nearest first, up to MAX_IMPORT_DEPTH levels; cycles end. */
export function importedFiles(path: string, text: string, files: readonly WorkspaceFile[], depth = MAX_IMPORT_DEPTH): WorkspaceFile[] {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const paths = new Set(byPath.keys());
  const seen = new Set([path]);
  const out: WorkspaceFile[] = [];
  let frontier = [{ path, text }];
  for (let level = 0; level < depth && frontier.length; level++) {
    const next: WorkspaceFile[] = [];
    for (const file of frontier)
      for (const spec of relativeImports(file.text)) {
        const resolved = resolveImport(file.path, spec, paths);
        if (!resolved || seen.has(resolved)) continue;
        seen.add(resolved);
        const found = byPath.get(resolved)!;
        out.push(found);
        next.push(found);
      }
    frontier = next;
  }
  return out;
}

/** A file the context may read: not too big, not binary. */
export function readableFile(text: string): boolean {
  return text.length <= MAX_FILE_BYTES && !text.slice(0, 8000).includes('\u0000');
}

/** Identifiers of a text (the bag-of-words the ranking compares). */
export function identifiers(text: string): Set<string> {
  return new Set(text.match(/[A-Za-z_$][\w$]*/g) ?? []);
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let common = 0;
  for (const x of a) if (b.has(x)) common++;
  return common / (a.size + b.size - common);
}

/** The declaration lines of a file: what it exports and what its classes, interfaces and enums hold. */
export function outline(text: string): string {
  const keep: string[] = [];
  let depth = 0;
  let container: 'enum' | 'members' | undefined; // the top-level declaration whose members are kept
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (depth === 0 && /^(export\s+)?(default\s+)?(declare\s+)?(abstract\s+)?(class|interface|enum|type|function|const|let|namespace|async function)\b/.test(trimmed)) {
      container = /\{\s*$/.test(trimmed) && /\b(class|interface|enum|namespace)\b/.test(trimmed) ? (/\benum\b/.test(trimmed) ? 'enum' : 'members') : undefined;
      keep.push(container ? line : line.replace(/\s*(=>\s*)?\{\s*$/, ''));
    } else if (depth === 1 && container && isMember(trimmed, container === 'enum')) {
      keep.push(line.replace(/\s*\{\s*$/, ''));
    }
    for (const ch of stripStrings(line)) {
      if (ch === '{') depth++;
      else if (ch === '}' && --depth <= 0) {
        depth = 0;
        if (container) keep.push('}');
        container = undefined;
      }
    }
    if (keep.length >= MAX_OUTLINE_LINES) break;
  }
  return keep.join('\n');
}

/** A public member's declaration line (method, property with a type, enum member). */
function isMember(trimmed: string, inEnum: boolean): boolean {
  if (/^(\/\/|\/\*|\*|private\b|#|\})/.test(trimmed) || trimmed === '') return false;
  const named = /^(?:(?:public|protected|static|readonly|abstract|async|override|declare|get|set)\s+)*\*?[A-Za-z_$][\w$]*\s*[?!]?\s*(?:[:(<=,;]|$)/.test(trimmed);
  return named && (inEnum || /[:(]/.test(trimmed));
}

function stripStrings(line: string): string {
  return line.replace(/\/\/.*$/, '').replace(/'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|`(?:\\.|[^`\\])*`/g, '');
}

/** Windows of WINDOW_LINES lines every WINDOW_STRIDE lines. */
export function windows(file: WorkspaceFile, source: ContextSource): Omit<Snippet, 'score' | 'tokens'>[] {
  const lines = file.text.split('\n');
  const out: Omit<Snippet, 'score' | 'tokens'>[] = [];
  for (let start = 0; start < lines.length; start += WINDOW_STRIDE) {
    const text = lines.slice(start, start + WINDOW_LINES).join('\n').trimEnd();
    if (text.trim()) out.push({ path: file.path, source, line: start, text });
    if (start + WINDOW_LINES >= lines.length) break;
  }
  return out;
}

/** All candidate snippets, scored against the code before the cursor. */
export function rankSnippets(prefix: string, related: RelatedFiles, settings: ContextSettings, countTokens = estimateTokens): Snippet[] {
  const query = identifiers(prefix.split('\n').slice(-QUERY_LINES).join('\n'));
  const current = related.path;
  const candidates: Omit<Snippet, 'score' | 'tokens'>[] = [];
  const seenPaths = new Set(current ? [current] : []);
  const use = (s: ContextSource) => settings.sources.includes(s);
  if (use('imports') && current && related.files) {
    for (const file of importedFiles(current, related.text ?? prefix, related.files.filter((f) => readableFile(f.text)))) {
      seenPaths.add(file.path);
      const text = outline(file.text);
      if (text.trim()) candidates.push({ path: file.path, source: 'imports', line: -1, text });
      candidates.push(...windows(file, 'imports'));
    }
  }
  if (use('editors')) for (const file of related.openEditors ?? []) if (!seenPaths.has(file.path) && readableFile(file.text)) candidates.push(...windows(file, 'editors'));
  if (use('edits')) for (const edit of related.recentEdits ?? []) if (edit.path !== current && readableFile(edit.text)) candidates.push({ path: edit.path, source: 'edits', line: 0, text: edit.text.trimEnd() });
  // An imported file's outline holds the names the current file may use: it ranks above windows.
  return candidates
    .map((c) => ({ ...c, score: jaccard(query, identifiers(c.text)) + (c.line === -1 ? 1 : 0), tokens: countTokens(c.text) }))
    .sort((a, b) => b.score - a.score || a.path.localeCompare(b.path) || a.line - b.line);
}

/** The best snippets within the budget (at most one window per file besides its outline), in a stable order. */
export function selectSnippets(ranked: readonly Snippet[], budgetTokens: number, currentPath?: string, countTokens = estimateTokens): Snippet[] {
  const chosen: Snippet[] = [];
  const windowFrom = new Set<string>();
  let used = currentPath ? countTokens(header(currentPath)) : 0;
  for (const s of ranked) {
    if (s.line >= 0 && windowFrom.has(s.path)) continue;
    const cost = s.tokens + countTokens(header(s.path));
    if (used + cost > budgetTokens) continue;
    if (s.line >= 0 && chosen.some((c) => c.path === s.path && overlaps(c, s))) continue;
    chosen.push(s);
    used += cost;
    if (s.line >= 0) windowFrom.add(s.path);
  }
  const order: Record<ContextSource, number> = { imports: 0, editors: 1, edits: 2 };
  return chosen.sort((a, b) => order[a.source] - order[b.source] || a.path.localeCompare(b.path) || a.line - b.line);
}

/** The block ahead of the current file, and the snippets in it; empty when off or nothing fits. */
export function contextBlock(prefix: string, related: RelatedFiles | undefined, settings: ContextSettings = DEFAULT_CONTEXT, countTokens = estimateTokens): ContextBlock {
  if (!settings.enabled || !related || settings.budgetTokens <= 0) return { text: '', snippets: [] };
  const snippets = selectSnippets(rankSnippets(prefix, related, settings, countTokens), settings.budgetTokens, related.path, countTokens);
  if (!snippets.length) return { text: '', snippets: [] };
  const text = snippets.map((s) => `${header(s.path)}${s.text}\n\n`).join('') + (related.path ? header(related.path) : '');
  return { text, snippets };
}

const header = (path: string) => `// ${path}\n`;

function overlaps(a: Snippet, b: Snippet): boolean {
  const aLines = a.text.split('\n').length;
  const bLines = b.text.split('\n').length;
  return a.line >= 0 && a.line < b.line + bLines && b.line < a.line + aLines;
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '.' : path.slice(0, i);
}

function normalizePath(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

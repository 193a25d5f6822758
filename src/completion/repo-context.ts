// Repository context: snippets from other files of the workspace, put ahead of the current file
// so the model can read names it would otherwise invent.
//
//   sources   the files the current file imports (relative imports, resolved, transitively up to
//             a depth), the other open editors, recently edited ranges
//   snippets  per imported file its outline, one piece per top-level declaration (the declaration
//             line; for classes, interfaces, enums and namespaces also their public members); per
//             source, windows of WINDOW_LINES lines
//   rank      Jaccard similarity of identifier sets: snippet vs the QUERY_LINES lines above the
//             cursor's line (the line being typed is left out, so the ranking holds while a line
//             is typed); imported files' outline pieces first (a name after `.` lives there), and
//             among them the declarations the code above the cursor names (or the current file
//             imports by name)
//   block     the best snippets that fit the token budget, grouped by file: `// <path>` once,
//             then its snippets in line order; files in a stable order (source, then path); then
//             `// <current path>`
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
  /** 'outline': one declaration of an imported file with its public members; 'window': lines as written; 'edit': around a recent edit. */
  kind: 'outline' | 'window' | 'edit';
  /** 0-based first line of the snippet in its file. */
  line: number;
  text: string;
  score: number;
  tokens: number;
}

export interface ContextBlock {
  text: string;
  snippets: Snippet[];
  /** The current file's path, whose header closes the block (absent when the request named no path). */
  path?: string;
}

export const MAX_FILE_BYTES = 1_000_000;
export const WINDOW_LINES = 20;
const WINDOW_STRIDE = 10;
const QUERY_LINES = 30;
const MAX_IMPORT_DEPTH = 2;
/** Most declarations read from one file. */
const MAX_DECLARATIONS = 200;
/** Most lines of one outline piece (a class with many members keeps its first ones). */
const MAX_PIECE_LINES = 40;
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

/** One top-level declaration of a file: its line and its declaration lines (members kept for containers). */
export interface OutlinePiece {
  line: number;
  /** The declared name (the class, function, const... name), when there is one. */
  name?: string;
  text: string;
}

/** The declarations of a file, one piece per top-level declaration, with what classes, interfaces, enums and namespaces hold. */
export function outlinePieces(text: string): OutlinePiece[] {
  const pieces: { line: number; name?: string; lines: string[] }[] = [];
  let depth = 0;
  let container: 'enum' | 'members' | undefined; // the top-level declaration whose members are kept
  let kept = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    const trimmed = line.trim();
    const piece = pieces.at(-1);
    if (depth === 0 && DECLARATION.test(trimmed)) {
      container = /\{\s*$/.test(trimmed) && /\b(class|interface|enum|namespace)\b/.test(trimmed) ? (/\benum\b/.test(trimmed) ? 'enum' : 'members') : undefined;
      pieces.push({ line: i, name: DECLARED_NAME.exec(trimmed)?.[1], lines: [container ? line : line.replace(/\s*(=>\s*)?\{\s*$/, '')] });
      kept++;
    } else if (depth === 1 && container && piece && isMember(trimmed, container === 'enum') && piece.lines.length < MAX_PIECE_LINES - 1) {
      piece.lines.push(line.replace(/\s*\{\s*$/, ''));
    }
    for (const ch of stripStrings(line)) {
      if (ch === '{') depth++;
      else if (ch === '}' && --depth <= 0) {
        depth = 0;
        if (container) pieces.at(-1)?.lines.push('}');
        container = undefined;
      }
    }
    if (kept >= MAX_DECLARATIONS) break;
  }
  return pieces.map((p) => ({ line: p.line, name: p.name, text: p.lines.join('\n') }));
}

/** The declaration lines of a file: what it exports and what its classes, interfaces and enums hold. */
export function outline(text: string): string {
  return outlinePieces(text).map((p) => p.text).join('\n');
}

const DECLARATION = /^(export\s+)?(default\s+)?(declare\s+)?(abstract\s+)?(class|interface|enum|type|function|const|let|namespace|async function)\b/;
const DECLARED_NAME = /\b(?:class|interface|enum|type|function\*?|const|let|namespace)\s+([A-Za-z_$][\w$]*)/;

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
    if (text.trim()) out.push({ path: file.path, source, kind: 'window', line: start, text });
    if (start + WINDOW_LINES >= lines.length) break;
  }
  return out;
}

/** All candidate snippets, scored against the code above the cursor's line. */
export function rankSnippets(prefix: string, related: RelatedFiles, settings: ContextSettings, countTokens = estimateTokens): Snippet[] {
  const above = prefix.slice(0, prefix.lastIndexOf('\n') + 1);
  const query = identifiers(above.split('\n').slice(-QUERY_LINES - 1).join('\n'));
  const named = new Set([...query, ...importedNames(related.text ?? prefix)]);
  const current = related.path;
  const candidates: (Omit<Snippet, 'score' | 'tokens'> & { name?: string })[] = [];
  const seenPaths = new Set(current ? [current] : []);
  const use = (s: ContextSource) => settings.sources.includes(s);
  if (use('imports') && current && related.files) {
    for (const file of importedFiles(current, related.text ?? prefix, related.files.filter((f) => readableFile(f.text)))) {
      seenPaths.add(file.path);
      for (const piece of outlinePieces(file.text)) candidates.push({ path: file.path, source: 'imports', kind: 'outline', line: piece.line, text: piece.text, name: piece.name });
      candidates.push(...windows(file, 'imports'));
    }
  }
  if (use('editors')) for (const file of related.openEditors ?? []) if (!seenPaths.has(file.path) && readableFile(file.text)) candidates.push(...windows(file, 'editors'));
  if (use('edits')) for (const edit of related.recentEdits ?? []) if (edit.path !== current && readableFile(edit.text)) candidates.push({ path: edit.path, source: 'edits', kind: 'edit', line: 0, text: edit.text.trimEnd() });
  // An imported file's declarations hold the names the current file may use: they rank above
  // windows, and a declaration the code above names (or imports) above the other declarations.
  return candidates
    .map(({ name, ...c }) => ({ ...c, score: jaccard(query, identifiers(c.text)) + (c.kind === 'outline' ? 1 + (name && named.has(name) ? 1 : 0) : 0), tokens: countTokens(c.text) }))
    .sort((a, b) => b.score - a.score || a.path.localeCompare(b.path) || a.line - b.line);
}

/** Names the text imports from relative modules (`import { A, B as C } from './x'`: A, B). */
export function importedNames(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\bimport\s+(?:type\s+)?(?:([A-Za-z_$][\w$]*)\s*,?\s*)?(?:\{([^}]*)\})?\s*from\s*['"]\.{1,2}\/[^'"]+['"]/g)) {
    if (m[1]) out.push(m[1]);
    for (const part of (m[2] ?? '').split(',')) {
      const name = /^\s*(?:type\s+)?([A-Za-z_$][\w$]*)/.exec(part)?.[1];
      if (name) out.push(name);
    }
  }
  return out;
}

/** The best snippets within the budget (at most one window per file), in a stable order: by source, path, line. */
export function selectSnippets(ranked: readonly Snippet[], budgetTokens: number, currentPath?: string, countTokens = estimateTokens): Snippet[] {
  const chosen: Snippet[] = [];
  const windowFrom = new Set<string>();
  const files = new Set<string>();
  let used = currentPath ? countTokens(header(currentPath)) : 0;
  for (const candidate of ranked) {
    let s = candidate;
    if (s.kind === 'window' && windowFrom.has(s.path)) continue;
    const headerCost = 1 + (files.has(s.path) ? 0 : countTokens(header(s.path)));
    // A declaration too long for what is left keeps its first members.
    if (s.kind === 'outline' && used + headerCost + s.tokens > budgetTokens) s = shortened(s, budgetTokens - used - headerCost, countTokens) ?? s;
    const cost = s.tokens + headerCost;
    if (used + cost > budgetTokens) continue;
    if (s.kind === 'window' && chosen.some((c) => c.path === s.path && overlaps(c, s))) continue;
    chosen.push(s);
    files.add(s.path);
    used += cost;
    if (s.kind === 'window') windowFrom.add(s.path);
  }
  const order: Record<ContextSource, number> = { imports: 0, editors: 1, edits: 2 };
  return chosen.sort((a, b) => order[a.source] - order[b.source] || a.path.localeCompare(b.path) || a.line - b.line || a.kind.localeCompare(b.kind));
}

/** An outline piece cut to its first lines (and its closing brace) within `tokens`; undefined when not even two lines fit. */
function shortened(s: Snippet, tokens: number, countTokens: (text: string) => number): Snippet | undefined {
  const lines = s.text.split('\n');
  const closing = lines.length > 1 && lines.at(-1)!.trim() === '}' ? lines.pop()! : undefined;
  while (lines.length > 1) {
    lines.pop();
    const text = [...lines, ...(closing ? ['  // …', closing] : [])].join('\n');
    const cost = countTokens(text);
    if (cost <= tokens) return lines.length > 1 ? { ...s, text, tokens: cost } : undefined;
  }
  return undefined;
}

/** The block ahead of the current file, and the snippets in it; empty when off or nothing fits. */
export function contextBlock(prefix: string, related: RelatedFiles | undefined, settings: ContextSettings = DEFAULT_CONTEXT, countTokens = estimateTokens): ContextBlock {
  if (!settings.enabled || !related || settings.budgetTokens <= 0) return { text: '', snippets: [] };
  const snippets = selectSnippets(rankSnippets(prefix, related, settings, countTokens), settings.budgetTokens, related.path, countTokens);
  return blockOf(snippets, related.path);
}

/**
 * The block made of snippets already chosen, in their order: one header per file, then its
 * snippets; then the current file's header. contextBlock makes every block so, and a request
 * record's snippets and path (replayed by the CLI) make the same text again.
 */
export function blockOf(snippets: readonly Snippet[], path: string | undefined): ContextBlock {
  if (!snippets.length) return { text: '', snippets: [] };
  let text = '';
  snippets.forEach((s, i) => {
    if (snippets[i - 1]?.path !== s.path) text += (i > 0 ? '\n' : '') + header(s.path);
    text += s.text + '\n';
  });
  text += '\n' + (path ? header(path) : '');
  return { text, snippets: [...snippets], ...(path ? { path } : {}) };
}

const header = (path: string) => `// ${path}\n`;

function overlaps(a: Snippet, b: Snippet): boolean {
  const aLines = a.text.split('\n').length;
  const bLines = b.text.split('\n').length;
  return a.kind === 'window' && a.line < b.line + bLines && b.line < a.line + aLines;
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

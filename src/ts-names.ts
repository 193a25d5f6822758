// The CLI's and the evals' language server: the TypeScript language service over an in-memory
// project (the request's files plus the current document, as typed up to the cursor). At a
// trigger point (the text before the cursor ends with `.` or `?.`) it answers the member names
// valid there. `typescript` is loaded on first use (a devDependency; the CLI bundle leaves it out).
//
// The service is synchronous and cannot be cancelled: a call over the time budget still returns
// its names but is reported as late, and the caller decodes unconstrained. A throwing service
// is reported once and treated as absent.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as TS from 'typescript';
import type { WorkspaceFile } from './completion/repo-context.js';
import { atTrigger } from './core/vocabulary-mask.js';

const ROOT = '/workspace/';
const MEMBER_KINDS = new Set(['property', 'method', 'getter', 'setter', 'enum member', 'class', 'interface', 'type', 'enum', 'function', 'var', 'let', 'const', 'module', 'alias', 'local class', 'local function']);

export interface NamesAnswer {
  names: string[];
  ms: number;
  /** Why there are no names: not a trigger point, no member completion, over budget, error. */
  reason?: 'no-trigger' | 'no-members' | 'late' | 'error';
}

export { atTrigger };

export class TsNames {
  private ts: typeof TS | undefined;
  private service: TS.LanguageService | undefined;
  private readonly files = new Map<string, { text: string; version: number }>();
  private libFolder = '';
  private failed = false;

  constructor(private readonly log: (message: string) => void = () => undefined) {}

  /** Valid names at the end of `prefix` in `currentPath`, within `budgetMs`. */
  namesAt(currentPath: string, prefix: string, files: readonly WorkspaceFile[], budgetMs: number): NamesAnswer {
    const started = performance.now();
    if (!atTrigger(prefix)) return { names: [], ms: 0, reason: 'no-trigger' };
    if (this.failed) return { names: [], ms: 0, reason: 'error' };
    try {
      const service = this.start();
      const current = ROOT + normalize(currentPath || 'current.ts');
      this.sync([...files.map((f) => ({ path: ROOT + normalize(f.path), text: f.text })), { path: current, text: prefix }]);
      const info = service.getCompletionsAtPosition(current, prefix.length, { includeCompletionsWithInsertText: false, includeAutomaticOptionalChainCompletions: false });
      const ms = performance.now() - started;
      if (!info?.isMemberCompletion) return { names: [], ms, reason: 'no-members' };
      const names = [...new Set(info.entries.filter((e) => MEMBER_KINDS.has(e.kind) && /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(e.name)).map((e) => e.name))];
      if (ms > budgetMs) return { names: [], ms, reason: 'late' };
      return names.length ? { names, ms } : { names: [], ms, reason: 'no-members' };
    } catch (error) {
      this.failed = true;
      this.log(`language service failed, decoding unconstrained from now on: ${(error as Error).message}`);
      return { names: [], ms: performance.now() - started, reason: 'error' };
    }
  }

  /** Loads the service and the lib files once, so the first real request is not the cold one. */
  warm(): void {
    this.namesAt('warm.ts', 'const warm = [1];\nwarm.', [], Infinity);
  }

  private start(): TS.LanguageService {
    if (this.service) return this.service;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = (this.ts = require('typescript') as typeof TS);
    const options: TS.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      allowImportingTsExtensions: true,
      allowJs: true,
      jsx: ts.JsxEmit.Preserve,
      noEmit: true,
      skipLibCheck: true,
      lib: ['lib.es2022.d.ts'],
      types: [],
    };
    this.libFolder = path.dirname(ts.getDefaultLibFilePath(options));
    const read = (file: string) => this.files.get(file)?.text ?? (file.startsWith(this.libFolder) && fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined);
    const host: TS.LanguageServiceHost = {
      getCompilationSettings: () => options,
      getScriptFileNames: () => [...this.files.keys()],
      getScriptVersion: (file) => String(this.files.get(file)?.version ?? 0),
      getScriptSnapshot: (file) => {
        const text = read(file);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => ROOT,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (file) => this.files.has(file) || (file.startsWith(this.libFolder) && fs.existsSync(file)),
      readFile: read,
      directoryExists: (dir) => dir.startsWith(this.libFolder) || [...this.files.keys()].some((f) => f.startsWith(dir.endsWith('/') ? dir : dir + '/')),
      getDirectories: () => [],
    };
    this.service = ts.createLanguageService(host, ts.createDocumentRegistry());
    return this.service;
  }

  /** The project becomes exactly these files; changed ones get a new version. */
  private sync(files: readonly { path: string; text: string }[]): void {
    const keep = new Set(files.map((f) => f.path));
    for (const name of [...this.files.keys()]) if (!keep.has(name)) this.files.delete(name);
    for (const f of files) {
      const old = this.files.get(f.path);
      if (!old) this.files.set(f.path, { text: f.text, version: 1 });
      else if (old.text !== f.text) this.files.set(f.path, { text: f.text, version: old.version + 1 });
    }
  }
}

function normalize(p: string): string {
  return p.replace(/\\/g, '/').replace(/^\/+/, '');
}

// A small stand-in for the `vscode` module, enough to run the extension's activation and
// model lifecycle under plain Node (the real editor is exercised by the end-to-end tests).

import Module from 'node:module';
import * as path from 'node:path';

export interface StubWorld {
  settings: Record<string, unknown>;
  trusted: boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the provider as the extension registers it
  registered: { commands: string[]; providers: number; views: string[]; inline?: any };
  logs: string[];
  errors: string[];
  disposed: number;
  statusText: () => string;
  warnings: string[];
  closeListeners: ((document: unknown) => void)[];
  changeListeners: ((event: unknown) => void)[];
}

export function installVscodeStub(world: Partial<StubWorld> = {}): StubWorld {
  const w: StubWorld = {
    settings: {},
    trusted: true,
    registered: { commands: [], providers: 0, views: [] },
    logs: [],
    errors: [],
    disposed: 0,
    statusText: () => '',
    warnings: [],
    closeListeners: [],
    changeListeners: [],
    ...world,
  };
  const disposable = () => ({ dispose: () => void w.disposed++ });
  class EventEmitter<T> {
    private listeners: ((e: T) => void)[] = [];
    event = (l: (e: T) => void) => (this.listeners.push(l), disposable());
    fire(e: T) {
      this.listeners.forEach((l) => l(e));
    }
    dispose() {}
  }
  class Uri {
    constructor(readonly scheme: string, readonly path: string) {}
    static file(p: string) {
      return new Uri('file', p);
    }
    static parse(s: string) {
      const m = /^([a-z0-9+.-]+):\/\/(.*)$/i.exec(s);
      return new Uri(m?.[1] ?? 'file', m?.[2] ?? s);
    }
    static joinPath(base: Uri, ...parts: string[]) {
      return new Uri(base.scheme, path.posix.join(base.path, ...parts));
    }
    get fsPath() {
      return this.path;
    }
    toString() {
      return `${this.scheme}://${this.path}`;
    }
  }
  const log = (level: string) => (msg: string) => void w.logs.push(`${level} ${msg}`);
  let statusText = '';
  w.statusText = () => statusText;
  class Position {
    constructor(readonly line: number, readonly character: number) {}
  }
  class Range {
    constructor(readonly start: Position, readonly end: Position) {}
  }
  const vscode = {
    EventEmitter,
    Position,
    Range,
    InlineCompletionItem: class {
      constructor(readonly insertText: string, readonly range: Range) {}
    },
    Uri,
    ThemeColor: class {
      constructor(readonly id: string) {}
    },
    MarkdownString: class {
      value = '';
      constructor() {}
      appendMarkdown(s: string) {
        this.value += s;
        return this;
      }
    },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ProgressLocation: { Notification: 15, Window: 10 },
    ConfigurationTarget: { Global: 1 },
    InlineCompletionTriggerKind: { Invoke: 0, Automatic: 1 },
    window: {
      createOutputChannel: () => ({ info: log('info'), warn: log('warn'), error: log('error'), show: () => undefined, dispose: () => void w.disposed++ }),
      createStatusBarItem: () => ({
        set text(t: string) {
          statusText = t;
        },
        get text() {
          return statusText;
        },
        show() {},
        dispose: () => void w.disposed++,
      }),
      createTextEditorDecorationType: () => disposable(),
      registerWebviewViewProvider: (id: string) => (w.registered.views.push(id), disposable()),
      onDidChangeTextEditorSelection: () => disposable(),
      onDidChangeActiveTextEditor: () => disposable(),
      withProgress: (_: unknown, task: () => Promise<unknown>) => task(),
      showErrorMessage: (msg: string) => (w.errors.push(msg), Promise.resolve(undefined)),
      showWarningMessage: (msg: string) => (w.warnings.push(msg), Promise.resolve(undefined)),
      setStatusBarMessage: () => disposable(),
      visibleTextEditors: [],
      activeTextEditor: undefined,
    },
    workspace: {
      get isTrusted() {
        return w.trusted;
      },
      getConfiguration: () => ({ get: (key: string) => w.settings[key], inspect: (key: string) => ({ key, globalValue: w.settings[key] }), update: async (key: string, value: unknown) => void (w.settings[key] = value) }),
      onDidChangeConfiguration: () => disposable(),
      onDidGrantWorkspaceTrust: () => disposable(),
      onDidChangeTextDocument: (listener: (event: unknown) => void) => (w.changeListeners.push(listener), disposable()),
      onDidCloseTextDocument: (listener: (document: unknown) => void) => (w.closeListeners.push(listener), disposable()),
    },
    languages: {
      registerInlineCompletionItemProvider: (_: unknown, provider: unknown) => (w.registered.providers++, (w.registered.inline = provider), disposable()),
      registerHoverProvider: () => disposable(),
    },
    commands: {
      registerCommand: (id: string) => (w.registered.commands.push(id), disposable()),
      executeCommand: async () => undefined,
    },
  };
  const resolve = (Module as unknown as { _resolveFilename: (r: string, ...a: unknown[]) => string })._resolveFilename;
  (Module as unknown as { _resolveFilename: unknown })._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
  };
  require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode } as unknown as NodeJS.Module;
  return w;
}

/** A text document over a string, with VS Code's offset/position mapping. */
export function fakeDocument(text: string, languageId = 'typescript') {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const positionAt = (offset: number) => {
    let line = lineStarts.length - 1;
    while (lineStarts[line] > offset) line--;
    return { line, character: offset - lineStarts[line] };
  };
  const offsetAt = (p: { line: number; character: number }) => lineStarts[p.line] + p.character;
  return {
    uri: { toString: () => 'file:///doc.ts', path: '/doc.ts', scheme: 'file' },
    languageId,
    version: 1,
    lineCount: lineStarts.length,
    positionAt,
    offsetAt,
    lineAt: (line: number) => ({ range: { end: positionAt(line + 1 < lineStarts.length ? lineStarts[line + 1] - 1 : text.length) } }),
    getText: (range?: { start: { line: number; character: number }; end: { line: number; character: number } }) => (range ? text.slice(offsetAt(range.start), offsetAt(range.end)) : text),
  };
}

// The pipeline request for a cursor in a document: the one place the inline provider and the
// panel's "Explain Next Token" build it, so the two can never ask different questions.

import * as vscode from 'vscode';
import { contextRange } from '../completion/context.js';
import type { KeystrokeRequest } from '../completion/pipeline.js';

export function keystrokeAt(document: vscode.TextDocument, position: vscode.Position, options: { immediate: boolean; explicit?: boolean; signal?: AbortSignal }): KeystrokeRequest {
  const offset = document.offsetAt(position);
  const documentLength = document.offsetAt(document.lineAt(document.lineCount - 1).range.end);
  const { start, end } = contextRange(offset, documentLength);
  const text = document.getText(new vscode.Range(document.positionAt(start), document.positionAt(end)));
  return {
    text,
    cursor: offset - start,
    startsDocument: start === 0,
    signal: options.signal,
    immediate: options.immediate,
    explicit: options.explicit,
    language: document.languageId,
    origin: { key: document.uri.toString(), offset, version: document.version },
  };
}

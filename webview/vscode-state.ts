// The one acquireVsCodeApi() handle: typed messages out, and the panel's UI state (open
// sections, mask layer/head, last state) kept through getState/setState so it survives hiding.

import type { FromWebviewMessage, StateMessage } from '../src/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export interface PanelUiState {
  /** Section id → open. */
  open: Record<string, boolean>;
  /** Mask view: layer index, head index or -1 for the mean of heads. */
  layer: number;
  head: number;
  /** Chain-rule table shows every context token rather than the last few. */
  allContextRows: boolean;
  /** The last state from the host, so a re-created view paints at once (attention dropped: large). */
  last?: StateMessage;
}

const api = acquireVsCodeApi();
const DEFAULT_UI: PanelUiState = { open: {}, layer: -1, head: -1, allContextRows: false };

function readUi(): PanelUiState {
  const saved = api.getState() as Partial<PanelUiState> | undefined;
  return { ...DEFAULT_UI, ...(saved && typeof saved === 'object' ? saved : {}), open: { ...(saved?.open ?? {}) } };
}

export const ui: PanelUiState = readUi();

export function saveUi(patch: Partial<PanelUiState> = {}): void {
  Object.assign(ui, patch);
  api.setState(ui);
}

/** Remembers the host's last state without its attention weights. */
export function rememberState(message: StateMessage): void {
  const last: StateMessage = message.explanation ? { ...message, explanation: { ...message.explanation, attention: undefined } } : message;
  saveUi({ last });
}

export function post(message: FromWebviewMessage): void {
  api.postMessage(message);
}

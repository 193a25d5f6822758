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
  /** Causal mask: how many of the last tokens it covers. */
  maskSize: number;
  /** Layer by layer: the layer picked in the lens grid (its heads shade the mask); -1 = none. */
  lensLayer: number;
  /** The last state from the host, so a re-created view paints at once (attention dropped: large). */
  last?: StateMessage;
}

const api = acquireVsCodeApi();
const DEFAULT_UI: PanelUiState = { open: {}, layer: -1, head: -1, allContextRows: false, maskSize: 16, lensLayer: -1 };

function readUi(): PanelUiState {
  const saved = api.getState() as Partial<PanelUiState> | undefined;
  return { ...DEFAULT_UI, ...(saved && typeof saved === 'object' ? saved : {}), open: { ...(saved?.open ?? {}) } };
}

export const ui: PanelUiState = readUi();

export function saveUi(patch: Partial<PanelUiState> = {}): void {
  Object.assign(ui, patch);
  api.setState(ui);
}

/** Remembers the host's last state without the exploration (it is re-asked for, and its attention is large). */
export function rememberState(message: StateMessage): void {
  saveUi({ last: { ...message, exploration: undefined, sampling: undefined, recordLens: undefined } });
}

export function post(message: FromWebviewMessage): void {
  api.postMessage(message);
}

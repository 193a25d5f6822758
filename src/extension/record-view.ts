// A request record → the panel's RecordView (plain data that crosses postMessage). No vscode
// import: the keystroke-replay benchmark runs the same mapping to price an open panel.

import { GATE_MODEL } from '../completion/gate.js';
import { firstShownToken, type RequestRecord } from '../completion/request-record.js';
import type { RecordView } from '../protocol.js';

export function toRecordView(record: RequestRecord): RecordView {
  return { ...record, firstShown: firstShownToken(record), gate: record.gate && { ...record.gate, presets: { ...GATE_MODEL.presets } } };
}

// What answering edits ahead (pipeline computeAhead, speculation.ts) buys and costs: the keystroke
// replay of one file by a typist who accepts (Tab) every suggestion the file continues with
// exactly, with the pipeline answering 0 and 3 edits ahead, on fresh engines, alternated. The
// typist pauses long enough for the work ahead (an upper bound of what a real typist gets).
// Prints figures; asserts nothing.
//
//   npm run build && node --import tsx src/bench/compute-ahead.ts [model folder] [file] [chars=1500] [rounds=2]

import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadNodeEngine } from '../engine/node-runtime.js';
import { replayTyping, type ReplayReport } from './keystroke-replay.js';

async function main(): Promise<void> {
  const root = path.join(__dirname, '..', '..');
  const [model = path.join(root, 'models', 'nexttoken-small'), file = path.join(root, 'src', 'completion', 'pipeline.ts'), chars = '1500', rounds = '2'] = process.argv.slice(2);
  const source = fs.readFileSync(file, 'utf8');
  console.log(`${path.relative(root, file)}, first ${chars} characters; model ${path.relative(root, model) || model}; load ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  for (let r = 0; r < Number(rounds); r++) {
    for (const computeAhead of r % 2 === 0 ? [0, 3] : [3, 0]) {
      const engine = await loadNodeEngine(model, { threads: 1 });
      const report = await replayTyping(engine, source, Number(chars), { acceptExact: true, computeAhead });
      await engine.dispose();
      console.log(`round ${r + 1}, ${computeAhead} ahead: ${line(report)}`);
    }
  }
}

function line(r: ReplayReport): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  return [
    `${r.keystrokes} keys (${r.accepted} Tab)`,
    `time to suggestion p50 ${r.p50Ms.toFixed(1)} / p95 ${r.p95Ms.toFixed(1)} ms`,
    `served from memory ${pct(r.memoryHitRate)}`,
    `model calls ${r.modelCalls} (ahead ${r.aheadAnswered}, of which served ${r.aheadServed}: ${Object.entries(r.aheadByReason).map(([k, v]) => `${k} ${v.served}/${v.answered}`).join(', ')})`,
    `ghost text on ${pct(r.ghostTextRate)} of keys`,
  ].join(' · ');
}

void main();

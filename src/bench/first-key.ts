// The first keystroke at a new place (after a click, an editor switch, or the model's load), with
// and without the cursor answered ahead (CompletionPipeline.prepareAt): places spread over a
// file; at each, the engine's cache first holds other text (another file was being edited), then
// either the key is typed at once, or the cursor is answered first and the key typed after.
// Prints the key's time to suggestion and the prompt tokens it computed; asserts nothing.
//
//   npm run build && node --import tsx src/bench/first-key.ts [model folder] [file] [places=30]

import * as fs from 'node:fs';
import * as path from 'node:path';
import { CompletionPipeline, DEFAULT_PIPELINE, type KeystrokeRequest } from '../completion/pipeline.js';
import { loadNodeEngine } from '../engine/node-runtime.js';
import { percentile } from '../core/stats.js';

async function main(): Promise<void> {
  const root = path.join(__dirname, '..', '..');
  const [model = path.join(root, 'models', 'nexttoken-small'), file = path.join(root, 'src', 'completion', 'repo-context.ts'), places = '30'] = process.argv.slice(2);
  const source = fs.readFileSync(file, 'utf8');
  const other = fs.readFileSync(path.join(root, 'src', 'engine', 'engine.ts'), 'utf8').slice(0, 3000);
  const engine = await loadNodeEngine(model, { threads: 1 });
  const settings = { ...DEFAULT_PIPELINE, suggestionThreshold: 0 };
  const at = (text: string, cursor: number): KeystrokeRequest => ({ text, cursor, startsDocument: true, immediate: true });
  const times: Record<'cold' | 'prepared', number[]> = { cold: [], prepared: [] };
  const computed: Record<'cold' | 'prepared', number[]> = { cold: [], prepared: [] };
  const fromMemory = { cold: 0, prepared: 0 };
  console.log(`${path.relative(root, file)}, ${places} places; model ${path.relative(root, model) || model}; load ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  for (let i = 0; i < Number(places); i++) {
    // A place at the end of a line, typing the next line's first non-blank character after Enter.
    const lineStarts = [...source.matchAll(/\n[ \t]*(\S)/g)];
    const m = lineStarts[Math.floor(((i + 0.5) * lineStarts.length) / Number(places))];
    const cursor = m.index! + m[0].length - 1; // before the character
    for (const kind of i % 2 === 0 ? (['cold', 'prepared'] as const) : (['prepared', 'cold'] as const)) {
      await new CompletionPipeline(engine, settings).provide(at(other, other.length)); // the cache holds other text
      const pipeline = new CompletionPipeline(engine, { ...settings, computeAhead: kind === 'prepared' ? 1 : 0 });
      if (kind === 'prepared') {
        pipeline.prepareAt(at(source.slice(0, cursor) + source.slice(cursor + 1), cursor)); // before the key
        await pipeline.idle();
      }
      const started = performance.now();
      await pipeline.provide(at(source, cursor + 1));
      times[kind].push(performance.now() - started);
      if (pipeline.latest?.served === 'model') computed[kind].push(pipeline.latest.cache.computed);
      else fromMemory[kind]++;
    }
  }
  await engine.dispose();
  for (const kind of ['cold', 'prepared'] as const) {
    const t = times[kind];
    const c = computed[kind];
    console.log(`${kind === 'cold' ? 'typed at once          ' : 'cursor answered ahead  '}: first key's time to suggestion p50 ${percentile(t, 50).toFixed(1)} / p95 ${percentile(t, 95).toFixed(1)} ms; served from memory ${fromMemory[kind]} of ${t.length}; tokens computed by the others p50 ${percentile(c, 50)} / p95 ${percentile(c, 95)}`);
  }
}

void main();

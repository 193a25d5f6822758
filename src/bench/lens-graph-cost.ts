// Does onnxruntime-web compute outputs that are not fetched? The price of the logit lens on a
// completion pass: interleaved timings of single-token decode steps (past 256) and 64-token prefills on the same weights exported three ways: A no lens; B residual_stream
// output (the shipped design), not fetched; C the lens inside the graph (lens_logits), not fetched; D the same, fetched.
// Prints figures; asserts nothing.
//   node --import tsx src/bench/lens-graph-cost.ts <no-lens folder> <lens folder> <in-graph folder> [rounds=600]
// (export_onnx.py --no-lens, export_onnx.py, then scripts/lens-in-graph.py on the lens folder)
import * as ort from 'onnxruntime-web';
import * as fs from 'node:fs';
import { configureRuntime, createSession } from '../engine/ort.js';
import { findWasmFolder } from '../engine/node-runtime.js';

configureRuntime(ort, { wasmPaths: findWasmFolder(process.cwd() + '/node_modules/onnxruntime-web/dist'), numThreads: 1 });
const L = 4, KV = 2, HD = 64;
const [plain, lens, inGraph, rounds = '600'] = process.argv.slice(2);
function feedsFor(past: number, seq: number) {
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', new BigInt64Array(seq).fill(5n), [1, seq]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(past + seq).fill(1n), [1, past + seq]),
    position_ids: new ort.Tensor('int64', BigInt64Array.from({ length: seq }, (_, i) => BigInt(past + i)), [1, seq]),
  };
  for (let i = 0; i < L; i++) for (const kv of ['key', 'value'])
    feeds[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(KV * past * HD).map(() => Math.random() * 0.1), [1, KV, past, HD]);
  return feeds;
}
(async () => {
  const open = async (folder: string) => createSession(ort, fs.readFileSync(`${folder}/onnx/model.onnx`), 'wasm');
  const [a, b, c] = [await open(plain), await open(lens), await open(inGraph)];
  const base = (s: ort.InferenceSession) => s.outputNames.filter((n) => !n.startsWith('attentions.') && n !== 'lens_logits' && n !== 'residual_stream');
  const runs: Record<string, [ort.InferenceSession, string[]]> = { A: [a, base(a)], B: [b, base(b)], C: [c, base(c)], D: [c, [...base(c), 'lens_logits']] };
  const reps = Number(rounds);
  for (const [past, seq] of [[256, 1], [0, 64]] as const) {
    const feeds = feedsFor(past, seq);
    const ms: Record<string, number[]> = { A: [], B: [], C: [], D: [] };
    for (let r = 0; r < (seq > 1 ? reps / 4 : reps); r++) for (const k of Object.keys(runs)) {
      const [s, f] = runs[k];
      const t = performance.now(); const o = await s.run(feeds, f); ms[k].push(performance.now() - t);
      for (const v of Object.values(o)) v.dispose();
    }
    const q = (x: number[], p: number) => [...x].sort((u, v) => u - v)[Math.floor(x.length * p)].toFixed(3);
    console.log(`past ${past}, seq ${seq}, ${ms.A.length} interleaved rounds, ms p10 / p25 / p50:`);
    for (const [k, label] of [['A', 'no lens outputs'], ['B', 'residual_stream output, not fetched (shipped)'], ['C', 'lens_logits inside the graph, not fetched'], ['D', 'lens_logits inside the graph, fetched']])
      console.log(`  ${k} ${label}: ${q(ms[k], 0.1)} / ${q(ms[k], 0.25)} / ${q(ms[k], 0.5)}`);
  }
})();

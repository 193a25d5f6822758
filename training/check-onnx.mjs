#!/usr/bin/env node
// Check an exported model folder with onnxruntime-node against PyTorch reference logits
// (written by export_onnx.py): the whole sequence in one call, the same sequence through the
// KV cache in uneven chunks (seq > 1 with past > 0), a left-padded batch (attention_mask zeros),
// and the attentions.{i} outputs (shape, rows sum to 1, nothing above the causal diagonal).
//
//   node training/check-onnx.mjs models/nexttoken-small training/runs/small/onnx-reference.json
import fs from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';

const dir = path.resolve(process.argv[2] ?? 'models/nexttoken-small');
const ref = JSON.parse(fs.readFileSync(process.argv[3] ?? 'training/runs/small/onnx-reference.json', 'utf8'));
const file = process.argv[4] ?? 'model.onnx';
const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
const sess = await ort.InferenceSession.create(path.join(dir, 'onnx', file));
const L = cfg.num_hidden_layers, KV = cfg.num_key_value_heads, HD = cfg.head_dim, H = cfg.num_attention_heads, V = cfg.vocab_size;
const TOL = Number(process.env.TOL ?? 1e-4);
let fails = 0;
const fail = (msg) => { fails++; console.error('FAIL', msg); };

const i64 = (arr, dims) => new ort.Tensor('int64', BigInt64Array.from(arr.map(BigInt)), dims);
function emptyPast(B) {
  const p = {};
  for (let i = 0; i < L; i++) for (const kv of ['key', 'value']) p[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [B, KV, 0, HD]);
  return p;
}
async function run(ids2d, mask2d, pos2d, past) {
  const B = ids2d.length, T = ids2d[0].length, S = mask2d[0].length;
  const out = await sess.run({ input_ids: i64(ids2d.flat(), [B, T]), attention_mask: i64(mask2d.flat(), [B, S]), position_ids: i64(pos2d.flat(), [B, T]), ...past });
  const next = {};
  for (let i = 0; i < L; i++) for (const kv of ['key', 'value']) next[`past_key_values.${i}.${kv}`] = out[`present.${i}.${kv}`];
  return { out, next };
}
function cmp(label, logits, b, t, T, refRow) {
  let m = 0;
  for (let v = 0; v < V; v++) m = Math.max(m, Math.abs(logits.data[(b * T + t) * V + v] - refRow[v]));
  if (!(m <= TOL)) fail(`${label}: max |diff| ${m}`);
  return m;
}

const ids = ref.input_ids, N = ids.length;
let worst = 0;
// 1. whole sequence, empty past
{
  const { out } = await run([ids], [ids.map(() => 1)], [ids.map((_, i) => i)], emptyPast(1));
  if (out.logits.dims.join() !== [1, N, V].join()) fail(`logits dims ${out.logits.dims}`);
  for (let t = 0; t < N; t++) worst = Math.max(worst, cmp(`full t=${t}`, out.logits, 0, t, N, ref.logits[t]));
  for (let i = 0; i < L; i++) {
    const a = out[`attentions.${i}`];
    if (a.dims.join() !== [1, H, N, N].join()) fail(`attentions.${i} dims ${a.dims}`);
    for (let h = 0; h < H; h++) for (let q = 0; q < N; q++) {
      let s = 0;
      for (let k = 0; k < N; k++) { const w = a.data[((h * N) + q) * N + k]; s += w; if (k > q && w > 1e-7) fail(`attention above diagonal l${i} h${h} q${q} k${k}`); }
      if (Math.abs(s - 1) > 1e-4) fail(`attention row sum ${s}`);
    }
  }
}
// 2. through the KV cache in uneven chunks: 17, 1, 1, 5, 3, 1, rest
{
  const cuts = [17, 1, 1, 5, 3, 1];
  let pos = 0, past = emptyPast(1);
  const chunks = [];
  for (const c of cuts) { chunks.push([pos, pos + c]); pos += c; }
  chunks.push([pos, N]);
  for (const [a, b] of chunks) {
    const piece = ids.slice(a, b);
    const { out, next } = await run([piece], [Array(b).fill(1)], [piece.map((_, i) => a + i)], past);
    if (out['present.0.key'].dims[2] !== b) fail(`present length ${out['present.0.key'].dims[2]} != ${b}`);
    const att = out[`attentions.${L - 1}`];
    if (att.dims.join() !== [1, H, b - a, b].join()) fail(`attentions dims with past ${att.dims}`);
    for (let t = 0; t < b - a; t++) worst = Math.max(worst, cmp(`cached [${a},${b}) t=${t}`, out.logits, 0, t, b - a, ref.logits[a + t]));
    past = next;
  }
}
// 3. batch of two, the second left-padded by 6 (attention_mask 0), positions counted from its first real token
{
  const n = 24, pad = 6;
  const a = ids.slice(0, n), b = [...Array(pad).fill(0), ...ids.slice(0, n - pad)];
  const ma = Array(n).fill(1), mb = [...Array(pad).fill(0), ...Array(n - pad).fill(1)];
  const pa = a.map((_, i) => i), pb = b.map((_, i) => Math.max(0, i - pad));
  const { out, next } = await run([a, b], [ma, mb], [pa, pb], emptyPast(2));
  for (let t = 0; t < n; t++) worst = Math.max(worst, cmp(`batch row0 t=${t}`, out.logits, 0, t, n, ref.logits[t]));
  for (let t = pad; t < n; t++) worst = Math.max(worst, cmp(`batch row1 (padded) t=${t}`, out.logits, 1, t, n, ref.logits[t - pad]));
  // one more step for both rows through the cache
  const { out: o2 } = await run([[ids[n]], [ids[n - pad]]], [[...ma, 1], [...mb, 1]], [[n], [n - pad]], next);
  worst = Math.max(worst, cmp('batch step row0', o2.logits, 0, 0, 1, ref.logits[n]));
  worst = Math.max(worst, cmp('batch step row1', o2.logits, 1, 0, 1, ref.logits[n - pad]));
}
console.log(JSON.stringify({ model: path.join(dir, 'onnx', file), inputs: sess.inputNames.length, outputs: sess.outputNames.length, maxAbsDiff: worst, tolerance: TOL, failures: fails }));
process.exit(fails ? 1 : 0);

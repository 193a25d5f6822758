#!/usr/bin/python3
"""Export a trained checkpoint to the NextToken model folder (../shared/DESIGN.md contract).

    /usr/bin/python3 training/export_onnx.py --ckpt training/runs/small/model.pt --out models/nexttoken-small

Writes <out>/onnx/model.onnx with
  inputs : input_ids [batch, seq] int64, attention_mask [batch, past+seq] int64,
           position_ids [batch, seq] int64, past_key_values.{i}.key|value [batch, kv_heads, past, head_dim] f32
  outputs: logits [batch, seq, vocab] f32, present.{i}.key|value [batch, kv_heads, past+seq, head_dim] f32,
           attentions.{i} [batch, heads, seq, past+seq] f32 (softmaxed weights),
           residual_stream [batch, layers+1, hidden] f32 (the last position's residual stream after
           the embedding (row 0) and after each layer (row i), before the final norm)
and <out>/onnx/lens.onnx, the logit lens (the final norm and the tied LM head):
  input  residual_stream [batch, rows, hidden] f32 -> output lens_logits [batch, rows, vocab] f32.
The lens is a graph of its own because onnxruntime runs every node of a graph whatever the caller
fetches: inside model.onnx, (layers+1) rows of the LM head would slow every completion step.
The last row of lens_logits is the model's own last row of logits. `--no-lens` leaves both out.
and config.json (HF llama), generation_config.json, tokenizer.json, tokenizer_config.json.
The causal mask is built in the graph from the runtime shapes: query i (absolute position
past+i) sees keys 0..past+i, and keys whose attention_mask is 0 are masked out.
A reference file (<ckpt dir>/onnx-reference.json) with PyTorch logits is written for
training/check-onnx.mjs.
"""
import argparse
import json
import math
import os
import shutil
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train import CodeLM, hf_config, rope_cos_sin, rotate_half  # noqa: E402


class ExportLM(nn.Module):
    """Same weights as CodeLM, forward with KV cache, explicit mask and attention weights."""

    def __init__(self, model: CodeLM, lens: bool = True):
        super().__init__()
        self.m = model
        self.cfg = model.cfg
        self.lens = lens

    def forward(self, input_ids, attention_mask, position_ids, *past):
        cfg = self.cfg
        L, H, KV, HD = cfg['num_hidden_layers'], cfg['num_attention_heads'], cfg['num_key_value_heads'], cfg['head_dim']
        rep = H // KV
        B, T = input_ids.shape[0], input_ids.shape[1]
        P = past[0].shape[2]
        x = self.m.embed_tokens(input_ids)
        cos, sin = rope_cos_sin(position_ids, HD, cfg['rope_theta'])  # [B,1,T,HD]
        # mask [B,1,1,T,S]: causal w.r.t. absolute positions, and attention_mask zeros
        q_pos = torch.arange(T, device=input_ids.device).unsqueeze(1) + P            # [T,1]
        k_pos = torch.arange(P + T, device=input_ids.device).unsqueeze(0)            # [1,S]
        allowed = (k_pos <= q_pos).unsqueeze(0) & (attention_mask[:, None, :] > 0)  # [B,T,S]
        neg = torch.tensor(-1e9, dtype=torch.float32)
        add_mask = torch.where(allowed, torch.tensor(0.0), neg)[:, None, None]      # [B,1,1,T,S]
        presents, attns = [], []
        residuals = [x[:, -1]]                                                       # L+1 x [B,D], last position
        for i, layer in enumerate(self.m.layers):
            a = layer.self_attn
            h = layer.input_layernorm(x)
            q = a.q_proj(h).view(B, T, H, HD).transpose(1, 2)
            k = a.k_proj(h).view(B, T, KV, HD).transpose(1, 2)
            v = a.v_proj(h).view(B, T, KV, HD).transpose(1, 2)
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            k = torch.cat([past[2 * i], k], dim=2)
            v = torch.cat([past[2 * i + 1], v], dim=2)
            presents += [k, v]
            qg = q.reshape(B, KV, rep, T, HD)                                        # head = kv*rep + r
            att = torch.matmul(qg, k.unsqueeze(2).transpose(-1, -2)) * (1.0 / math.sqrt(HD))  # [B,KV,rep,T,S]
            w = torch.softmax(att + add_mask, dim=-1)
            y = torch.matmul(w, v.unsqueeze(2))                                       # [B,KV,rep,T,HD]
            attns.append(w.flatten(1, 2))                                             # [B,H,T,S]
            y = y.flatten(1, 2).transpose(1, 2).reshape(B, T, H * HD)
            x = x + a.o_proj(y)
            x = x + layer.mlp(layer.post_attention_layernorm(x))
            residuals.append(x[:, -1])
        x = self.m.norm(x)
        logits = torch.matmul(x, self.m.embed_tokens.weight.t())
        if not self.lens:
            return (logits, *presents, *attns)
        return (logits, *presents, *attns, torch.stack(residuals, dim=1))           # residual_stream [B,L+1,D]


class LensHead(nn.Module):
    """The logit lens: the final norm and the tied LM head over residual-stream rows [B,R,D] -> [B,R,V]."""

    def __init__(self, model: CodeLM):
        super().__init__()
        self.m = model

    def forward(self, residual_stream):
        return torch.matmul(self.m.norm(residual_stream), self.m.embed_tokens.weight.t())


def dedupe_tied(onnx_path, emb_name_hint='embed_tokens.weight'):
    """If the exporter stored the tied output matrix as a second (transposed) initializer,
    replace it by a Transpose of the embedding so the weights are stored once."""
    import onnx
    from onnx import helper, numpy_helper
    m = onnx.load(onnx_path)
    inits = {i.name: i for i in m.graph.initializer}
    emb = next((i for n, i in inits.items() if emb_name_hint in n), None)
    if emb is None:
        return False
    E = numpy_helper.to_array(emb)
    changed = False
    for init in list(m.graph.initializer):
        if init.name == emb.name or tuple(init.dims) != (E.shape[1], E.shape[0]):
            continue
        if np.array_equal(numpy_helper.to_array(init), E.T):
            name = init.name
            m.graph.initializer.remove(init)
            m.graph.node.insert(0, helper.make_node('Transpose', [emb.name], [name], perm=[1, 0], name='tied_lm_head_transpose'))
            changed = True
    if changed:
        onnx.save(m, onnx_path)
    return changed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ckpt', default='training/runs/small/model.pt')
    ap.add_argument('--out', default='models/nexttoken-small')
    ap.add_argument('--tokenizer', default='training/data/tok')
    ap.add_argument('--opset', type=int, default=14)
    ap.add_argument('--no-lens', dest='lens', action='store_false', help='leave out the optional lens_logits output')
    args = ap.parse_args()

    ck = torch.load(args.ckpt, map_location='cpu')
    cfg, meta = ck['cfg'], ck['meta']
    model = CodeLM(cfg)
    model.load_state_dict(ck['model'])
    model.eval()
    ex = ExportLM(model, lens=args.lens).eval()
    L, KV, HD, H = cfg['num_hidden_layers'], cfg['num_key_value_heads'], cfg['head_dim'], cfg['num_attention_heads']

    os.makedirs(os.path.join(args.out, 'onnx'), exist_ok=True)
    onnx_path = os.path.join(args.out, 'onnx', 'model.onnx')

    # trace with past=3, seq=5, batch=2 (the checks run other shapes)
    B, T, P = 2, 5, 3
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(5, cfg['vocab_size'], (B, T), generator=g)
    mask = torch.ones(B, P + T, dtype=torch.int64)
    pos = torch.arange(P, P + T)[None].expand(B, T).contiguous()
    past = [torch.randn(B, KV, P, HD, generator=g) * 0.1 for _ in range(2 * L)]
    in_names = ['input_ids', 'attention_mask', 'position_ids'] + [f'past_key_values.{i}.{kv}' for i in range(L) for kv in ('key', 'value')]
    out_names = ['logits'] + [f'present.{i}.{kv}' for i in range(L) for kv in ('key', 'value')] + [f'attentions.{i}' for i in range(L)] + (['residual_stream'] if args.lens else [])
    dyn = {'input_ids': {0: 'batch_size', 1: 'sequence_length'},
           'attention_mask': {0: 'batch_size', 1: 'total_sequence_length'},
           'position_ids': {0: 'batch_size', 1: 'sequence_length'},
           'logits': {0: 'batch_size', 1: 'sequence_length'},
           'residual_stream': {0: 'batch_size'}}
    for i in range(L):
        for kv in ('key', 'value'):
            dyn[f'past_key_values.{i}.{kv}'] = {0: 'batch_size', 2: 'past_sequence_length'}
            dyn[f'present.{i}.{kv}'] = {0: 'batch_size', 2: 'total_sequence_length'}
        dyn[f'attentions.{i}'] = {0: 'batch_size', 2: 'sequence_length', 3: 'total_sequence_length'}
    with torch.no_grad():
        torch.onnx.export(ex, (ids, mask, pos, *past), onnx_path, input_names=in_names, output_names=out_names,
                          dynamic_axes=dyn, opset_version=args.opset, do_constant_folding=True)
    deduped = dedupe_tied(onnx_path)
    import onnx
    onnx.checker.check_model(onnx_path)
    print(f'exported {onnx_path} ({os.path.getsize(onnx_path) / 1e6:.2f} MB, tied-weights dedupe: {deduped})')
    lens_path = os.path.join(args.out, 'onnx', 'lens.onnx')
    if args.lens:
        rows = torch.randn(B, L + 1, cfg['hidden_size'], generator=g)
        with torch.no_grad():
            torch.onnx.export(LensHead(model).eval(), (rows,), lens_path, input_names=['residual_stream'], output_names=['lens_logits'],
                              dynamic_axes={'residual_stream': {0: 'batch_size', 1: 'rows'}, 'lens_logits': {0: 'batch_size', 1: 'rows'}},
                              opset_version=args.opset, do_constant_folding=True)
        onnx.checker.check_model(lens_path)
        print(f'exported {lens_path} ({os.path.getsize(lens_path) / 1e6:.2f} MB)')
    elif os.path.exists(lens_path):
        os.remove(lens_path)  # a lens from an earlier export would not match these weights

    # model folder files
    json.dump(hf_config(cfg, meta), open(os.path.join(args.out, 'config.json'), 'w'), indent=2)
    eot = meta['eot_id']
    json.dump({'bos_token_id': eot, 'eos_token_id': eot, 'pad_token_id': eot, 'max_length': cfg['max_position_embeddings'],
               'do_sample': False}, open(os.path.join(args.out, 'generation_config.json'), 'w'), indent=2)
    for f in ('tokenizer.json', 'tokenizer_config.json'):
        shutil.copyfile(os.path.join(args.tokenizer, f), os.path.join(args.out, f))
    tc = json.load(open(os.path.join(args.out, 'tokenizer_config.json')))
    tc['model_max_length'] = cfg['max_position_embeddings']
    tc['fim_order'] = meta.get('fim_order', 'psm')   # the prompt order the model was trained on (tokenizer.ts)
    json.dump(tc, open(os.path.join(args.out, 'tokenizer_config.json'), 'w'), indent=2)

    # reference logits for the onnxruntime check: one sequence of 40 tokens from val.bin
    val = np.memmap(os.path.join(args.tokenizer, 'val.bin'), dtype=np.uint16, mode='r')
    seq = torch.from_numpy(val[1000:1040].astype(np.int64))[None]
    with torch.no_grad():
        ref = model(seq)[0]
    ref_path = os.path.join(os.path.dirname(args.ckpt), 'onnx-reference.json')
    json.dump({'input_ids': seq[0].tolist(), 'logits': ref.tolist(), 'num_layers': L, 'kv_heads': KV, 'head_dim': HD,
               'heads': H, 'vocab_size': cfg['vocab_size']}, open(ref_path, 'w'))
    print(f'wrote {ref_path}')


if __name__ == '__main__':
    main()

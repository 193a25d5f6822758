#!/usr/bin/python3
"""Recover a resume point (for train.py --init) from an exported model folder.

    /usr/bin/python3 training/onnx_to_pt.py --model models/nexttoken-small --out training/resume --tokens 13200000

Writes <out>/weights-bf16.pt and <out>/resume.json (the format train.py writes at each checkpoint).

v1 shipped only its ONNX export; this reads the weights back so training can continue from
them. The exporter names LayerNorm/embedding initializers after their modules and stores each
Linear as a transposed `onnx::MatMul_N` initializer, created in forward order per layer:
q, k, v, o, gate, up, down. The result is checked: the shapes must match CodeLM's exactly.
"""
import argparse
import json
import os
import re
import sys

import numpy as np
import onnx
from onnx import numpy_helper
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train import CodeLM, RESUME_WEIGHTS, sha256  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument('--model', required=True)
ap.add_argument('--out', required=True)
ap.add_argument('--tokens', type=int, required=True, help='tokens the model was trained on')
ap.add_argument('--note', default='recovered from the ONNX export')
args = ap.parse_args()

hf = json.load(open(os.path.join(args.model, 'config.json')))
cfg = {k: hf[k] for k in ('vocab_size', 'hidden_size', 'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads',
                          'head_dim', 'intermediate_size', 'rope_theta', 'rms_norm_eps', 'max_position_embeddings')}
g = onnx.load(os.path.join(args.model, 'onnx', 'model.onnx')).graph
inits = {i.name: numpy_helper.to_array(i) for i in g.initializer}
sd = {}
for name, arr in inits.items():
    if name.startswith('m.'):
        sd[name[2:]] = torch.from_numpy(arr.copy())
matmuls = sorted((n for n in inits if n.startswith('onnx::MatMul_')), key=lambda n: int(re.search(r'\d+$', n).group()))
order = ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj']
if len(matmuls) != len(order) * cfg['num_hidden_layers']:
    sys.exit(f'expected {len(order) * cfg["num_hidden_layers"]} MatMul weights, found {len(matmuls)}')
for i, n in enumerate(matmuls):
    layer, part = divmod(i, len(order))
    sd[f'layers.{layer}.{order[part]}.weight'] = torch.from_numpy(inits[n].T.copy())
model = CodeLM(cfg)
model.load_state_dict(sd, strict=True)  # raises on any missing, extra or misshapen weight
os.makedirs(args.out, exist_ok=True)
wpath = os.path.join(args.out, RESUME_WEIGHTS)
torch.save({'model': {k: v.to(torch.bfloat16) for k, v in model.state_dict().items()}, 'cfg': cfg}, wpath)
info = {'cfg': cfg, 'vocab_size': cfg['vocab_size'], 'weights': RESUME_WEIGHTS, 'sha256': sha256(wpath),
        'history': [{'tokens': args.tokens, 'note': args.note, 'from': args.model}], 'tokens_total': args.tokens}
json.dump(info, open(os.path.join(args.out, 'resume.json'), 'w'), indent=2)
print(f'wrote {wpath}: {sum(p.numel() for p in model.parameters()):,} parameters')

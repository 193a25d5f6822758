#!/usr/bin/env python3
"""Writes the tiny random-weight test model fixtures under test/fixtures/models/.

    /usr/bin/python3 scripts/make-fixtures.py [--dump DIR]

Needs only torch (>= 1.13) and onnx (>= 1.12); no network. Deterministic: fixed seeds,
fixed training text, fixed export settings.

Writes two model folders in the layout of docs "The model folder":

  tiny-gpt2/   GPT-2 style: pre-LN LayerNorm, learned absolute positions, tanh-GELU MLP,
               biases, tied embeddings. Inputs input_ids, attention_mask,
               past_key_values.{i}.key|value; NO position_ids (positions = past + i,
               computed in the graph). Outputs logits, present.{i}.key|value, attentions.{i},
               residual_stream.
  tiny-llama/  llama style: RMSNorm, RoPE, SwiGLU, no biases, tied embeddings,
               grouped-query attention (4 query heads, 2 kv heads). Inputs input_ids,
               attention_mask, position_ids, past_key_values.{i}.key|value.
               Outputs logits, present.{i}.key|value, residual_stream. Tokenizer has FIM tokens.

Both have the optional logit lens: the output residual_stream [batch, n_layer + 1, hidden] (the
last position's residual stream after the embedding and after each layer) and onnx/lens.onnx
(the final norm and the tied LM head: residual_stream [batch, rows, hidden] -> lens_logits
[batch, rows, vocab]), as training/export_onnx.py writes them.

Each folder: config.json, generation_config.json, tokenizer.json, tokenizer_config.json,
onnx/model.onnx, onnx/lens.onnx, reference.json (PyTorch results the TypeScript tests compare against).

Then, from each fp32 export, two more folders that are what users bring (same config and
tokenizer, a different ONNX file), made with the onnx package alone:

  tiny-*-fp16/  onnx/model_fp16.onnx: every float tensor, input and output in float16 (the KV
                cache inputs past_key_values.* and the logits too), as fp16 exports for
                transformers.js are; constants clamped to the float16 range.
  tiny-*-int8/  onnx/model_quantized.onnx: dynamic quantization of every MatMul whose weight is
                an initializer (weights int8 per tensor, activations uint8 quantized at run time:
                DynamicQuantizeLinear + MatMulInteger, as onnxruntime's quantize_dynamic writes).
  (both keep the fp32 onnx/lens.onnx beside them)
  tiny-llama-no-lens/  onnx/model.onnx without the residual_stream output and no lens.onnx: a
                model without the optional lens, as most models users bring are.

    /usr/bin/python3 scripts/make-fixtures.py --variants-only   # only redo these from model.onnx

--dump DIR additionally writes DIR/<name>.json with more PyTorch outputs (all positions,
a left-padded batch) for throwaway cross-checks against onnxruntime; not committed.
"""

import argparse
import json
import math
import os
import re
import sys
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F
import onnx

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "test", "fixtures", "models")
OPSET = 17
MAX_POS = 128
NUM_MERGES = 250

REFERENCE_PROMPT = "function add(a, b) {\n\treturn a + b;\n}\n"
GREEDY_STEPS = 24

# ---------------------------------------------------------------------------------------
# Tokenizer: byte-level BPE trained on the fixed text below.
# ---------------------------------------------------------------------------------------

TRAINING_TEXT = r'''
function add(a, b) {
	return a + b;
}

function sub(a, b) {
	return a - b;
}

export function fibonacci(n: number): number {
	if (n <= 1) {
		return n;
	}
	return fibonacci(n - 1) + fibonacci(n - 2);
}

export class Stack<T> {
	private items: T[] = [];

	push(item: T): void {
		this.items.push(item);
	}

	pop(): T | undefined {
		return this.items.pop();
	}

	get length(): number {
		return this.items.length;
	}
}

const values = [1, 2, 3, 4, 5];
const doubled = values.map((value) => value * 2);
const total = doubled.reduce((sum, value) => sum + value, 0);
console.log(`total = ${total}`);

async function fetchJson(url: string): Promise<unknown> {
	const response = await fetch(url);
	if (!response.ok) {
		throw new Error(`request failed: ${response.status}`);
	}
	return response.json();
}

for (let i = 0; i < values.length; i++) {
	if (values[i] % 2 === 0) {
		console.log(i, values[i]);
	} else {
		continue;
	}
}

interface Options {
	name: string;
	count?: number;
	enabled: boolean;
}

export default function createOptions(name: string): Options {
	return { name, count: 0, enabled: true };
}

def add(a, b):
    return a + b


def fibonacci(n):
    if n <= 1:
        return n
    return fibonacci(n - 1) + fibonacci(n - 2)


class Stack:
    def __init__(self):
        self.items = []

    def push(self, item):
        self.items.append(item)

    def pop(self):
        return self.items.pop()

    def __len__(self):
        return len(self.items)


for i in range(10):
    if i % 2 == 0:
        print(i, "even")
    else:
        print(i, "odd")

with open("data.txt", "r") as f:
    for line in f:
        print(line.strip())

int main(int argc, char **argv) {
    int total = 0;
    for (int i = 0; i < argc; i++) {
        total += i;
    }
    printf("%d\n", total);
    return 0;
}
'''

# GPT-2's pre-tokenization regex (what ByteLevel use_regex applies), with \p{L}/\p{N}
# approximated for Python's `re`; only used for training and for encoding the ASCII
# reference prompt (the JS check confirms the ids match the real tokenizer).
PRETOKENIZE = re.compile(
    r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+"""
)


def bytes_to_unicode():
    bs = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
          + list(range(ord("®"), ord("ÿ") + 1)))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return bs, [chr(c) for c in cs]


BYTE_ORDER, BYTE_CHARS = bytes_to_unicode()
BYTE_TO_CHAR = dict(zip(BYTE_ORDER, BYTE_CHARS))


def to_byte_level(piece):
    return "".join(BYTE_TO_CHAR[b] for b in piece.encode("utf-8"))


def train_bpe(text, num_merges):
    words = {}
    for piece in PRETOKENIZE.findall(text):
        w = tuple(to_byte_level(piece))
        words[w] = words.get(w, 0) + 1
    merges = []
    for _ in range(num_merges):
        pairs = {}
        for w, c in words.items():
            for a, b in zip(w, w[1:]):
                pairs[(a, b)] = pairs.get((a, b), 0) + c
        if not pairs:
            break
        best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        if pairs[best] < 2:
            break
        merges.append(best)
        joined = best[0] + best[1]
        new_words = {}
        for w, c in words.items():
            out = []
            i = 0
            while i < len(w):
                if i + 1 < len(w) and (w[i], w[i + 1]) == best:
                    out.append(joined)
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            new_words[tuple(out)] = new_words.get(tuple(out), 0) + c
        words = new_words
    return merges


class Bpe:
    def __init__(self, special_tokens):
        self.merges = train_bpe(TRAINING_TEXT, NUM_MERGES)
        self.vocab = {}
        for ch in BYTE_CHARS:
            self.vocab[ch] = len(self.vocab)
        for a, b in self.merges:
            if a + b not in self.vocab:
                self.vocab[a + b] = len(self.vocab)
        self.special = {}
        for tok in special_tokens:
            self.special[tok] = len(self.vocab)
            self.vocab[tok] = self.special[tok]
        self.ranks = {m: i for i, m in enumerate(self.merges)}

    @property
    def size(self):
        return len(self.vocab)

    def encode(self, text):
        """Plain text only (no special tokens), like the HF BPE model."""
        ids = []
        for piece in PRETOKENIZE.findall(text):
            w = list(to_byte_level(piece))
            while len(w) > 1:
                ranked = [(self.ranks.get((a, b), 1 << 30), i) for i, (a, b) in enumerate(zip(w, w[1:]))]
                r, i = min(ranked)
                if r == 1 << 30:
                    break
                a, b = w[i], w[i + 1]
                out = []
                j = 0
                while j < len(w):
                    if j + 1 < len(w) and w[j] == a and w[j + 1] == b:
                        out.append(a + b)
                        j += 2
                    else:
                        out.append(w[j])
                        j += 1
                w = out
            ids.extend(self.vocab[t] for t in w)
        return ids

    def tokenizer_json(self):
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [
                {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                 "normalized": False, "special": True}
                for t, i in self.special.items()
            ],
            "normalizer": None,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                              "use_regex": True},
            "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False,
                               "use_regex": True},
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True,
                        "use_regex": True},
            "model": {
                "type": "BPE",
                "dropout": None,
                "unk_token": None,
                "continuing_subword_prefix": None,
                "end_of_word_suffix": None,
                "fuse_unk": False,
                "byte_fallback": False,
                "ignore_merges": False,
                "vocab": self.vocab,
                "merges": [a + " " + b for a, b in self.merges],
            },
        }


# ---------------------------------------------------------------------------------------
# Models. forward(input_ids, attention_mask, [position_ids], *past) -> logits, presents...
# Everything that depends on batch / seq / past length is computed from tensors (cumsum,
# sums, broadcasting), so tracing bakes in no sequence-length constants.
# ---------------------------------------------------------------------------------------

NEG = torch.finfo(torch.float32).min


def positions(input_ids, attention_mask):
    """qpos[b, i] = past + i (absolute index of query i), kpos[b, j] = j."""
    kpos = torch.cumsum(torch.ones_like(attention_mask), dim=1) - 1           # [b, T]
    qidx = torch.cumsum(torch.ones_like(input_ids), dim=1) - 1                # [b, s]
    past = (torch.ones_like(attention_mask).sum(dim=1, keepdim=True)
            - torch.ones_like(input_ids).sum(dim=1, keepdim=True))            # [b, 1]
    return qidx + past, kpos


def allowed_mask(qpos, kpos, attention_mask):
    """[b, 1, s, T] bool: key j visible to query i iff j <= past + i and mask[b, j] != 0."""
    causal = kpos[:, None, None, :] <= qpos[:, None, :, None]
    return causal & (attention_mask[:, None, None, :] != 0)


def param(*shape, std):
    return nn.Parameter(torch.randn(*shape) * std)


class TinyGpt2(nn.Module):
    def __init__(self, vocab, n_layer=2, n_head=4, n_embd=32, n_positions=MAX_POS):
        super().__init__()
        self.n_layer, self.n_head, self.n_embd = n_layer, n_head, n_embd
        self.head_dim = n_embd // n_head
        self.eps = 1e-5
        self.wte = param(vocab, n_embd, std=0.45)
        self.wpe = param(n_positions, n_embd, std=0.1)
        d = n_embd
        self.layers = nn.ModuleList()
        for _ in range(n_layer):
            l = nn.Module()
            l.ln1_w = nn.Parameter(1 + 0.1 * torch.randn(d)); l.ln1_b = param(d, std=0.05)
            l.attn_w = param(d, 3 * d, std=0.4); l.attn_b = param(3 * d, std=0.05)
            l.proj_w = param(d, d, std=0.3); l.proj_b = param(d, std=0.02)
            l.ln2_w = nn.Parameter(1 + 0.1 * torch.randn(d)); l.ln2_b = param(d, std=0.05)
            l.fc_w = param(d, 4 * d, std=0.2); l.fc_b = param(4 * d, std=0.05)
            l.fc2_w = param(4 * d, d, std=0.2); l.fc2_b = param(d, std=0.02)
            self.layers.append(l)
        self.lnf_w = nn.Parameter(1 + 0.1 * torch.randn(d)); self.lnf_b = param(d, std=0.05)

    @staticmethod
    def gelu_new(x):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)))

    def forward(self, input_ids, attention_mask, *past):
        H, hd, d = self.n_head, self.head_dim, self.n_embd
        qpos, kpos = positions(input_ids, attention_mask)
        allowed = allowed_mask(qpos, kpos, attention_mask)
        h = self.wte[input_ids] + self.wpe[qpos]
        b = input_ids.shape[0]
        presents, attentions = [], []
        residuals = [h[:, -1]]
        for i, l in enumerate(self.layers):
            x = F.layer_norm(h, (d,), l.ln1_w, l.ln1_b, self.eps)
            qkv = x @ l.attn_w + l.attn_b
            q, k, v = qkv.split(d, dim=2)
            q = q.reshape(b, -1, H, hd).transpose(1, 2)
            k = torch.cat([past[2 * i], k.reshape(b, -1, H, hd).transpose(1, 2)], dim=2)
            v = torch.cat([past[2 * i + 1], v.reshape(b, -1, H, hd).transpose(1, 2)], dim=2)
            presents += [k, v]
            scores = (q @ k.transpose(2, 3)) * (1.0 / math.sqrt(hd))
            scores = torch.where(allowed, scores, torch.tensor(NEG))
            probs = torch.softmax(scores, dim=-1)
            attentions.append(probs)
            a = (probs @ v).transpose(1, 2).reshape(b, -1, d)
            h = h + a @ l.proj_w + l.proj_b
            x = F.layer_norm(h, (d,), l.ln2_w, l.ln2_b, self.eps)
            h = h + self.gelu_new(x @ l.fc_w + l.fc_b) @ l.fc2_w + l.fc2_b
            residuals.append(h[:, -1])
        logits = self.lens(h)
        return (logits, *presents, *attentions, torch.stack(residuals, dim=1))

    def lens(self, h):
        """The final norm and the tied LM head (the logit lens applies it to every layer)."""
        return F.layer_norm(h, (self.n_embd,), self.lnf_w, self.lnf_b, self.eps) @ self.wte.t()


class TinyLlama(nn.Module):
    def __init__(self, vocab, n_layer=2, n_head=4, n_kv=2, head_dim=8, hidden=32,
                 intermediate=64, rope_theta=10000.0, eps=1e-5):
        super().__init__()
        self.n_layer, self.n_head, self.n_kv, self.head_dim, self.hidden = n_layer, n_head, n_kv, head_dim, hidden
        self.intermediate, self.rope_theta, self.eps = intermediate, rope_theta, eps
        self.embed = param(vocab, hidden, std=0.45)
        self.layers = nn.ModuleList()
        for _ in range(n_layer):
            l = nn.Module()
            l.in_norm = nn.Parameter(1 + 0.1 * torch.randn(hidden))
            l.wq = param(hidden, n_head * head_dim, std=0.4)
            l.wk = param(hidden, n_kv * head_dim, std=0.4)
            l.wv = param(hidden, n_kv * head_dim, std=0.3)
            l.wo = param(n_head * head_dim, hidden, std=0.1)
            l.post_norm = nn.Parameter(1 + 0.1 * torch.randn(hidden))
            l.w_gate = param(hidden, intermediate, std=0.3)
            l.w_up = param(hidden, intermediate, std=0.3)
            l.w_down = param(intermediate, hidden, std=0.15)
            self.layers.append(l)
        self.norm = nn.Parameter(1 + 0.1 * torch.randn(hidden))
        inv_freq = 1.0 / (rope_theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def rms(self, x, w):
        return x * torch.rsqrt((x * x).mean(dim=-1, keepdim=True) + self.eps) * w

    def rotate_half(self, x):
        half = self.head_dim // 2
        return torch.cat([-x[..., half:], x[..., :half]], dim=-1)

    def forward(self, input_ids, attention_mask, position_ids, *past):
        H, KV, hd = self.n_head, self.n_kv, self.head_dim
        rep = H // KV
        qpos, kpos = positions(input_ids, attention_mask)
        allowed = allowed_mask(qpos, kpos, attention_mask)
        freqs = position_ids[:, :, None].float() * self.inv_freq                 # [b, s, hd/2]
        emb = torch.cat([freqs, freqs], dim=-1)[:, None, :, :]                   # [b, 1, s, hd]
        cos, sin = emb.cos(), emb.sin()
        h = self.embed[input_ids]
        b = input_ids.shape[0]
        presents = []
        residuals = [h[:, -1]]
        for i, l in enumerate(self.layers):
            x = self.rms(h, l.in_norm)
            q = (x @ l.wq).reshape(b, -1, H, hd).transpose(1, 2)
            k = (x @ l.wk).reshape(b, -1, KV, hd).transpose(1, 2)
            v = (x @ l.wv).reshape(b, -1, KV, hd).transpose(1, 2)
            q = q * cos + self.rotate_half(q) * sin
            k = k * cos + self.rotate_half(k) * sin
            k = torch.cat([past[2 * i], k], dim=2)
            v = torch.cat([past[2 * i + 1], v], dim=2)
            presents += [k, v]
            kr = k[:, :, None].expand(-1, -1, rep, -1, -1).reshape(b, H, -1, hd)
            vr = v[:, :, None].expand(-1, -1, rep, -1, -1).reshape(b, H, -1, hd)
            scores = (q @ kr.transpose(2, 3)) * (1.0 / math.sqrt(hd))
            scores = torch.where(allowed, scores, torch.tensor(NEG))
            probs = torch.softmax(scores, dim=-1)
            a = (probs @ vr).transpose(1, 2).reshape(b, -1, H * hd)
            h = h + a @ l.wo
            x = self.rms(h, l.post_norm)
            h = h + (F.silu(x @ l.w_gate) * (x @ l.w_up)) @ l.w_down
            residuals.append(h[:, -1])
        logits = self.lens(h)
        return (logits, *presents, torch.stack(residuals, dim=1))

    def lens(self, h):
        """The final norm and the tied LM head (the logit lens applies it to every layer)."""
        return self.rms(h, self.norm) @ self.embed.t()


class LensHead(nn.Module):
    """onnx/lens.onnx: residual_stream [b, rows, hidden] -> lens_logits [b, rows, vocab]."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, residual_stream):
        return self.model.lens(residual_stream)


# ---------------------------------------------------------------------------------------
# Running, exporting, checking.
# ---------------------------------------------------------------------------------------

def empty_past(model, batch):
    kv = model.n_kv if isinstance(model, TinyLlama) else model.n_head
    return [torch.zeros(batch, kv, 0, model.head_dim) for _ in range(2 * model.n_layer)]


def run_full(model, ids, mask=None, position_ids=None):
    """No cache: the whole sequence at once with zero-length past. ids: [b, s] long."""
    if mask is None:
        mask = torch.ones_like(ids)
    args = [ids, mask]
    if isinstance(model, TinyLlama):
        if position_ids is None:
            position_ids = (torch.cumsum(mask, dim=1) - 1).clamp(min=0)
        args.append(position_ids)
    with torch.no_grad():
        return model(*args, *empty_past(model, ids.shape[0]))


def export(model, path):
    is_llama = isinstance(model, TinyLlama)
    kv = model.n_kv if is_llama else model.n_head
    batch, seq, past_len = 2, 3, 2
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, model.embed.shape[0] if is_llama else model.wte.shape[0], (batch, seq), generator=g)
    mask = torch.ones(batch, past_len + seq, dtype=torch.long)
    mask[1, 0] = 0
    args = [ids, mask]
    in_names = ["input_ids", "attention_mask"]
    dyn = {"input_ids": {0: "batch_size", 1: "sequence_length"},
           "attention_mask": {0: "batch_size", 1: "total_sequence_length"}}
    if is_llama:
        args.append(torch.arange(past_len, past_len + seq).expand(batch, seq).contiguous())
        in_names.append("position_ids")
        dyn["position_ids"] = {0: "batch_size", 1: "sequence_length"}
    out_names = ["logits"]
    dyn["logits"] = {0: "batch_size", 1: "sequence_length"}
    for i in range(model.n_layer):
        for kind in ("key", "value"):
            args.append(torch.randn(batch, kv, past_len, model.head_dim, generator=g))
            n = f"past_key_values.{i}.{kind}"
            in_names.append(n)
            dyn[n] = {0: "batch_size", 2: "past_sequence_length"}
            n = f"present.{i}.{kind}"
            out_names.append(n)
            dyn[n] = {0: "batch_size", 2: "total_sequence_length"}
    if not is_llama:
        for i in range(model.n_layer):
            n = f"attentions.{i}"
            out_names.append(n)
            dyn[n] = {0: "batch_size", 2: "sequence_length", 3: "total_sequence_length"}
    out_names.append("residual_stream")
    dyn["residual_stream"] = {0: "batch_size"}
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, tuple(args), path, input_names=in_names, output_names=out_names,
                          dynamic_axes=dyn, opset_version=OPSET, do_constant_folding=False)
    export_lens(model, os.path.join(os.path.dirname(path), "lens.onnx"))
    m = onnx.load(path)
    onnx.checker.check_model(m)
    # Tied embeddings must be stored once: no two large initializers with the same data.
    big = [t.raw_data for t in m.graph.initializer if len(t.raw_data) > 4096]
    assert len(big) == len(set(big)), "duplicated weights in ONNX file"
    emb = sum(1 for t in m.graph.initializer if list(t.dims) == [model.embed.shape[0] if is_llama else model.wte.shape[0], 32])
    assert emb == 1, f"expected one embedding matrix, found {emb}"
    # Tracing leaves the head axis of attentions.{i} symbolic; it is fixed (n_head).
    for o in m.graph.output:
        if o.name.startswith("attentions."):
            o.type.tensor_type.shape.dim[1].Clear()
            o.type.tensor_type.shape.dim[1].dim_value = model.n_head
    save_checked(m, path)


def save_checked(m, path):
    """Checks the graph, strips the doc strings (source paths) so the file is independent of the checkout path, saves."""
    onnx.checker.check_model(m)
    for node in m.graph.node:
        node.doc_string = ""
    m.producer_name = "nexttoken make-fixtures.py"
    m.producer_version = ""
    onnx.save(m, path)


def export_lens(model, path):
    hidden = model.hidden if isinstance(model, TinyLlama) else model.n_embd
    rows = torch.randn(2, model.n_layer + 1, hidden, generator=torch.Generator().manual_seed(2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(LensHead(model), (rows,), path, input_names=["residual_stream"], output_names=["lens_logits"],
                          dynamic_axes={"residual_stream": {0: "batch_size", 1: "rows"}, "lens_logits": {0: "batch_size", 1: "rows"}},
                          opset_version=OPSET, do_constant_folding=False)
    save_checked(onnx.load(path), path)


def self_check(model):
    """PyTorch: cached runs (chunked, with past > 0) must equal the full recompute."""
    g = torch.Generator().manual_seed(7)
    vocab = model.embed.shape[0] if isinstance(model, TinyLlama) else model.wte.shape[0]
    ids = torch.randint(0, vocab, (2, 9), generator=g)
    mask = torch.ones_like(ids)
    mask[1, :3] = 0
    full = run_full(model, ids, mask)[0]
    past = empty_past(model, 2)
    pos_all = (torch.cumsum(mask, 1) - 1).clamp(min=0)
    start = 0
    for n in (4, 3, 1, 1):
        args = [ids[:, start:start + n], mask[:, :start + n]]
        if isinstance(model, TinyLlama):
            args.append(pos_all[:, start:start + n])
        with torch.no_grad():
            out = model(*args, *past)
        past = list(out[1:1 + 2 * model.n_layer])
        real = mask[:, start:start + n, None].bool()  # padded queries see nothing: skip them
        err = ((out[0] - full[:, start:start + n]).abs() * real).max().item()
        assert err < 1e-4, f"cached vs full mismatch {err}"
        start += n
    out = run_full(model, ids)
    lens = model.lens(out[-1])
    assert lens.shape[1] == model.n_layer + 1
    assert (lens[:, -1] - out[0][:, -1]).abs().max().item() < 1e-5, "the lens's last row must be the model's logits"


def greedy(model, ids, steps):
    seq = list(ids)
    out, probs = [], []
    for _ in range(steps):
        logits = run_full(model, torch.tensor([seq]))[0][0, -1]
        p = torch.softmax(logits, -1)
        t = int(torch.argmax(logits))
        out.append(t)
        probs.append(round(float(p[t]), 4))
        seq.append(t)
    return out, probs


def write_json(path, obj, compact=False):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        if compact:
            json.dump(obj, f, ensure_ascii=False, separators=(",", ":"))
        else:
            json.dump(obj, f, ensure_ascii=False, indent=2)
        f.write("\n")


def make(name, model, bpe, config, tok_config, dump_dir):
    d = os.path.join(OUT_DIR, name)
    os.makedirs(os.path.join(d, "onnx"), exist_ok=True)
    model.eval()
    self_check(model)
    export(model, os.path.join(d, "onnx", "model.onnx"))
    eot = bpe.special["<|endoftext|>"]
    write_json(os.path.join(d, "config.json"), config)
    write_json(os.path.join(d, "generation_config.json"),
               {"bos_token_id": eot, "eos_token_id": eot, "pad_token_id": eot, "do_sample": False,
                "max_length": MAX_POS})
    write_json(os.path.join(d, "tokenizer.json"), bpe.tokenizer_json(), compact=True)
    write_json(os.path.join(d, "tokenizer_config.json"), tok_config)

    ids = bpe.encode(REFERENCE_PROMPT)
    out = run_full(model, torch.tensor([ids]))
    last = out[0][0, -1]
    gen, gen_p = greedy(model, ids, GREEDY_STEPS)
    ref = {
        "prompt": REFERENCE_PROMPT,
        "input_ids": ids,
        "last_logits_first16": [round(float(x), 6) for x in last[:16]],
        "last_logits_argmax": int(torch.argmax(last)),
        "last_top1_prob": round(float(torch.softmax(last, -1).max()), 6),
        "greedy_tokens": gen,
        "greedy_top1_probs": gen_p,
        "notes": "PyTorch float32. last_* are for the final prompt position of one full pass; "
                 "greedy_tokens are argmax continuations computed WITHOUT a KV cache (full "
                 "recompute each step), attention_mask all ones"
                 + (", position_ids 0..n-1." if isinstance(model, TinyLlama) else "."),
    }
    write_json(os.path.join(d, "reference.json"), ref)

    if dump_dir:
        os.makedirs(dump_dir, exist_ok=True)
        full_seq = ids + gen
        logits_full = run_full(model, torch.tensor([full_seq]))[0][0]
        pad = 3
        b_ids = torch.tensor([full_seq[:10], [eot] * pad + full_seq[:10 - pad]])
        b_mask = torch.ones_like(b_ids)
        b_mask[1, :pad] = 0
        b_out = run_full(model, b_ids, b_mask)
        dump = {
            "ids": full_seq,
            "logits": logits_full.tolist(),
            "padded": {"ids": b_ids.tolist(), "mask": b_mask.tolist(),
                       "position_ids": (torch.cumsum(b_mask, 1) - 1).clamp(min=0).tolist(),
                       "logits": b_out[0].tolist()},
        }
        if not isinstance(model, TinyLlama):
            dump["padded"]["attentions0"] = b_out[1 + 2 * model.n_layer].tolist()
        write_json(os.path.join(dump_dir, name + ".json"), dump, compact=True)
    return ref


# ---------------------------------------------------------------------------------------
# fp16 and int8 variants of an fp32 export (onnx only; no onnxruntime in this environment).
# ---------------------------------------------------------------------------------------

FP16_MAX = 65504.0
VARIANT_FILES = ("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json")


def _copy_folder_files(src, dst):
    os.makedirs(os.path.join(dst, "onnx"), exist_ok=True)
    for f in VARIANT_FILES:
        with open(os.path.join(src, f), "rb") as a, open(os.path.join(dst, f), "wb") as b:
            b.write(a.read())


def _to_fp16_tensor(t):
    from onnx import numpy_helper
    import numpy as np
    a = numpy_helper.to_array(t).astype(np.float32)
    a = np.clip(a, -FP16_MAX, FP16_MAX).astype(np.float16)
    return numpy_helper.from_array(a, t.name)


def to_fp16(model):
    """Every FLOAT tensor (initializers, constants, graph inputs/outputs, casts) → FLOAT16."""
    from onnx import TensorProto, helper
    g = model.graph
    for i, t in enumerate(g.initializer):
        if t.data_type == TensorProto.FLOAT:
            g.initializer[i].CopyFrom(_to_fp16_tensor(t))
    for n in g.node:
        for a in n.attribute:
            if a.type == onnx.AttributeProto.TENSOR and a.t.data_type == TensorProto.FLOAT:
                a.t.CopyFrom(_to_fp16_tensor(a.t))
            if n.op_type == "Cast" and a.name == "to" and a.i == TensorProto.FLOAT:
                a.i = TensorProto.FLOAT16
        if n.op_type in ("ConstantOfShape",) and not any(a.name == "value" for a in n.attribute):
            n.attribute.append(helper.make_attribute("value", helper.make_tensor("value", TensorProto.FLOAT16, [1], [0.0])))
    for v in list(g.input) + list(g.output):
        if v.type.tensor_type.elem_type == TensorProto.FLOAT:
            v.type.tensor_type.elem_type = TensorProto.FLOAT16
    del g.value_info[:]
    return model


def to_int8_dynamic(model):
    """MatMul(X, W) with W an initializer → DynamicQuantizeLinear(X), MatMulInteger, Cast, Mul."""
    from onnx import TensorProto, helper, numpy_helper
    import numpy as np
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    nodes, count = [], 0
    for n in g.node:
        w = inits.get(n.input[1]) if n.op_type == "MatMul" else None
        if w is None or len(w.dims) != 2:
            nodes.append(n)
            continue
        count += 1
        wf = numpy_helper.to_array(w).astype(np.float32)
        scale = max(float(np.abs(wf).max()), 1e-8) / 127.0
        wq = np.clip(np.round(wf / scale), -127, 127).astype(np.int8)
        base = f"{n.name or n.output[0]}_q"
        g.initializer.extend([
            numpy_helper.from_array(wq, base + "_W"),
            numpy_helper.from_array(np.array(scale, dtype=np.float32), base + "_Ws"),
            numpy_helper.from_array(np.array(0, dtype=np.int8), base + "_Wzp"),
        ])
        x = n.input[0]
        nodes += [
            helper.make_node("DynamicQuantizeLinear", [x], [base + "_X", base + "_Xs", base + "_Xzp"], name=base + "_dq"),
            helper.make_node("MatMulInteger", [base + "_X", base + "_W", base + "_Xzp", base + "_Wzp"], [base + "_Y32"], name=base + "_mm"),
            helper.make_node("Cast", [base + "_Y32"], [base + "_Yf"], to=TensorProto.FLOAT, name=base + "_cast"),
            helper.make_node("Mul", [base + "_Xs", base + "_Ws"], [base + "_S"], name=base + "_scale"),
            helper.make_node("Mul", [base + "_Yf", base + "_S"], [n.output[0]], name=base + "_out"),
        ]
    del g.node[:]
    g.node.extend(nodes)
    used = {i for n in g.node for i in n.input}
    keep = [t for t in g.initializer if t.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    del g.value_info[:]
    if not any(o.domain in ("", "ai.onnx") and o.version >= 10 for o in model.opset_import):
        raise SystemExit("int8 variant needs opset >= 10")
    return model, count


def _copy_lens(src, dst):
    with open(os.path.join(src, "onnx", "lens.onnx"), "rb") as a, open(os.path.join(dst, "onnx", "lens.onnx"), "wb") as b:
        b.write(a.read())


def without_lens(model):
    """The graph without its residual_stream output and the nodes only it used."""
    g = model.graph
    keep_outputs = [o for o in g.output if o.name != "residual_stream"]
    del g.output[:]
    g.output.extend(keep_outputs)
    needed = {o.name for o in g.output}
    kept = []
    for n in reversed(list(g.node)):
        if any(o in needed for o in n.output):
            kept.append(n)
            needed.update(n.input)
    del g.node[:]
    g.node.extend(reversed(kept))
    used = {i for n in g.node for i in n.input}
    inits = [t for t in g.initializer if t.name in used]
    del g.initializer[:]
    g.initializer.extend(inits)
    del g.value_info[:]
    return model


def make_variants(name):
    src = os.path.join(OUT_DIR, name)
    fp32 = onnx.load(os.path.join(src, "onnx", "model.onnx"))
    d16 = os.path.join(OUT_DIR, name + "-fp16")
    _copy_folder_files(src, d16)
    _copy_lens(src, d16)
    m16 = to_fp16(onnx.load(os.path.join(src, "onnx", "model.onnx")))
    onnx.checker.check_model(m16)
    onnx.save(m16, os.path.join(d16, "onnx", "model_fp16.onnx"))
    d8 = os.path.join(OUT_DIR, name + "-int8")
    _copy_folder_files(src, d8)
    _copy_lens(src, d8)
    m8, count = to_int8_dynamic(fp32)
    onnx.checker.check_model(m8)
    onnx.save(m8, os.path.join(d8, "onnx", "model_quantized.onnx"))
    print(name, "variants: fp16, int8 (", count, "MatMul quantized )")
    if name == "tiny-llama":
        dn = os.path.join(OUT_DIR, name + "-no-lens")
        _copy_folder_files(src, dn)
        mn = without_lens(onnx.load(os.path.join(src, "onnx", "model.onnx")))
        onnx.checker.check_model(mn)
        onnx.save(mn, os.path.join(dn, "onnx", "model.onnx"))
        print(name, "variant: no-lens")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", help="also write cross-check data (not committed) to this folder")
    ap.add_argument("--variants-only", action="store_true", help="only write the fp16/int8 folders from the committed fp32 exports")
    args = ap.parse_args()
    if args.variants_only:
        for n in ("tiny-gpt2", "tiny-llama"):
            make_variants(n)
        return
    torch.set_num_threads(1)

    # tiny-gpt2
    bpe = Bpe(["<|endoftext|>"])
    eot = bpe.special["<|endoftext|>"]
    torch.manual_seed(1234)
    gpt2 = TinyGpt2(bpe.size)
    gpt2_config = {
        "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2",
        "vocab_size": bpe.size, "n_positions": MAX_POS, "n_ctx": MAX_POS, "n_embd": 32,
        "n_layer": 2, "n_head": 4, "n_inner": None, "activation_function": "gelu_new",
        "layer_norm_epsilon": 1e-5, "bos_token_id": eot, "eos_token_id": eot,
        "tie_word_embeddings": True, "use_cache": True, "torch_dtype": "float32",
    }
    gpt2_tok_config = {
        "tokenizer_class": "GPT2Tokenizer", "add_bos_token": False, "add_eos_token": False,
        "add_prefix_space": False, "bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>",
        "unk_token": "<|endoftext|>", "clean_up_tokenization_spaces": False, "model_max_length": MAX_POS,
        "added_tokens_decoder": {str(i): {"content": t, "lstrip": False, "normalized": False,
                                          "rstrip": False, "single_word": False, "special": True}
                                 for t, i in bpe.special.items()},
    }
    r1 = make("tiny-gpt2", gpt2, bpe, gpt2_config, gpt2_tok_config, args.dump)

    # tiny-llama
    fim = ["<fim_prefix>", "<fim_middle>", "<fim_suffix>", "<fim_pad>"]
    bpe = Bpe(["<|endoftext|>"] + fim)
    eot = bpe.special["<|endoftext|>"]
    torch.manual_seed(5678)
    llama = TinyLlama(bpe.size)
    llama_config = {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama",
        "vocab_size": bpe.size, "hidden_size": 32, "intermediate_size": 64,
        "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8,
        "max_position_embeddings": MAX_POS, "rope_theta": 10000.0, "rope_scaling": None,
        "rms_norm_eps": 1e-5, "hidden_act": "silu", "attention_bias": False, "mlp_bias": False,
        "tie_word_embeddings": True, "bos_token_id": eot, "eos_token_id": eot,
        "use_cache": True, "torch_dtype": "float32",
    }
    llama_tok_config = {
        "tokenizer_class": "PreTrainedTokenizerFast", "add_bos_token": False, "add_eos_token": False,
        "bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>",
        "pad_token": "<|endoftext|>", "additional_special_tokens": fim,
        "clean_up_tokenization_spaces": False, "model_max_length": MAX_POS,
        "added_tokens_decoder": {str(i): {"content": t, "lstrip": False, "normalized": False,
                                          "rstrip": False, "single_word": False, "special": True}
                                 for t, i in bpe.special.items()},
    }
    r2 = make("tiny-llama", llama, bpe, llama_config, llama_tok_config, args.dump)

    make_variants("tiny-gpt2")
    make_variants("tiny-llama")
    for n, r in (("tiny-gpt2", r1), ("tiny-llama", r2)):
        print(n, "prompt ids", len(r["input_ids"]), "argmax", r["last_logits_argmax"],
              "greedy", r["greedy_tokens"], "top1", r["greedy_top1_probs"])


if __name__ == "__main__":
    main()

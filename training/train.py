#!/usr/bin/python3
"""Train NextToken's bundled code model: a small llama-style decoder (RMSNorm, RoPE, SwiGLU,
no biases, grouped-query attention, tied embeddings) on a pre-tokenized corpus.

    /usr/bin/python3 training/train.py --data training/data/tok --out training/runs/small --minutes 70

The corpus is the uint16 token files written by training/tokenize-corpus.mjs (train.bin,
val.bin, meta.json); nothing else is needed, so the same command runs on a GPU machine without
a registry:  python3 train.py --device cuda --preset gpu --data tok/ --out run/ --minutes 30

The loop is time-budgeted: the learning rate (linear warmup, cosine decay) and the context
window follow the fraction of the wall-clock budget spent. By default the window is 256 tokens
for the first 50 %, 512 until 75 %, then 1024 (RoPE positions carry over), with a constant
number of tokens per optimizer step. A checkpoint is written every --ckpt-minutes and at the end.
"""
import argparse
import json
import math
import os
import sys
import time

# glibc returns big freed blocks to the OS and every step then pays page faults again (very slow
# on this sandboxed CPU box: ~4x); jemalloc with retained pages avoids it. Re-exec once with it.
# (OMP_WAIT_POLICY must also be set before the OpenMP runtime loads.)
_JEMALLOC = '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2'
if __name__ == '__main__' and os.path.exists(_JEMALLOC) and 'jemalloc' not in os.environ.get('LD_PRELOAD', '') \
        and '--device' not in ' '.join(a for a in sys.argv if a.startswith('--device=cuda')) and 'cuda' not in sys.argv:
    os.environ['LD_PRELOAD'] = _JEMALLOC
    os.environ.setdefault('MALLOC_CONF', 'dirty_decay_ms:-1,muzzy_decay_ms:-1,retain:true')
    # on shared cores, spinning OpenMP workers stall each other (~3x slower): wait passively
    os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
    os.execv(sys.executable, [sys.executable] + sys.argv)

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {
    # ~3.8M parameters at vocab 4096: what ~90 minutes on 2 shared CPU cores can train
    'cpu': dict(hidden_size=256, num_hidden_layers=4, num_attention_heads=4, num_key_value_heads=2,
                head_dim=64, intermediate_size=640),
    'cpu6': dict(hidden_size=256, num_hidden_layers=6, num_attention_heads=4, num_key_value_heads=2,
                 head_dim=64, intermediate_size=704),
    'tiny': dict(hidden_size=128, num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1,
                 head_dim=64, intermediate_size=352),
    # for a GPU machine (~60M parameters)
    'gpu': dict(hidden_size=640, num_hidden_layers=12, num_attention_heads=10, num_key_value_heads=5,
                head_dim=64, intermediate_size=1728),
}


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        dtype = x.dtype
        x = x.float()
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * x.to(dtype)


def rope_cos_sin(position_ids, head_dim, theta, dtype=torch.float32):
    """position_ids [B, T] (int64) -> cos, sin [B, 1, T, head_dim] (HF llama layout: halves)."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32, device=position_ids.device) / head_dim))
    freqs = position_ids.to(torch.float32)[..., None] * inv_freq  # [B, T, hd/2]
    emb = torch.cat([freqs, freqs], dim=-1)
    return emb.cos()[:, None].to(dtype), emb.sin()[:, None].to(dtype)


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


def apply_rope(x, cos, sin):
    return x * cos + rotate_half(x) * sin


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, h, kv, hd = cfg['hidden_size'], cfg['num_attention_heads'], cfg['num_key_value_heads'], cfg['head_dim']
        self.h, self.kv, self.hd = h, kv, hd
        self.q_proj = nn.Linear(d, h * hd, bias=False)
        self.k_proj = nn.Linear(d, kv * hd, bias=False)
        self.v_proj = nn.Linear(d, kv * hd, bias=False)
        self.o_proj = nn.Linear(h * hd, d, bias=False)

    def forward(self, x, cos, sin, past_k=None, past_v=None, mask=None, want_weights=False):
        """x [B,T,d]; past_k/v [B,kv,P,hd] or None; mask: additive [B,1,T,P+T] or None (causal)."""
        B, T, _ = x.shape
        q = self.q_proj(x).view(B, T, self.h, self.hd).transpose(1, 2)
        k = self.k_proj(x).view(B, T, self.kv, self.hd).transpose(1, 2)
        v = self.v_proj(x).view(B, T, self.kv, self.hd).transpose(1, 2)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        present = (k, v)
        rep = self.h // self.kv
        kk = k.repeat_interleave(rep, dim=1) if rep > 1 else k
        vv = v.repeat_interleave(rep, dim=1) if rep > 1 else v
        weights = None
        if mask is None and not want_weights and hasattr(F, 'scaled_dot_product_attention'):
            y = F.scaled_dot_product_attention(q, kk, vv, is_causal=True)
        else:
            att = (q @ kk.transpose(-1, -2)) * (1.0 / math.sqrt(self.hd))
            if mask is None:
                S = kk.shape[2]
                causal = torch.ones(T, S, dtype=torch.bool, device=x.device).tril(S - T)
                att = att.masked_fill(~causal, float('-inf'))
            else:
                att = att + mask
            weights = torch.softmax(att.float(), dim=-1).to(q.dtype)
            y = weights @ vv
        y = y.transpose(1, 2).reshape(B, T, self.h * self.hd)
        return self.o_proj(y), present, weights


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, i = cfg['hidden_size'], cfg['intermediate_size']
        self.gate_proj = nn.Linear(d, i, bias=False)
        self.up_proj = nn.Linear(d, i, bias=False)
        self.down_proj = nn.Linear(i, d, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.input_layernorm = RMSNorm(cfg['hidden_size'], cfg['rms_norm_eps'])
        self.self_attn = Attention(cfg)
        self.post_attention_layernorm = RMSNorm(cfg['hidden_size'], cfg['rms_norm_eps'])
        self.mlp = MLP(cfg)

    def forward(self, x, cos, sin, past_k=None, past_v=None, mask=None, want_weights=False):
        a, present, w = self.self_attn(self.input_layernorm(x), cos, sin, past_k, past_v, mask, want_weights)
        x = x + a
        x = x + self.mlp(self.post_attention_layernorm(x))
        return x, present, w


class CodeLM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.embed_tokens = nn.Embedding(cfg['vocab_size'], cfg['hidden_size'])
        self.layers = nn.ModuleList([Block(cfg) for _ in range(cfg['num_hidden_layers'])])
        self.norm = RMSNorm(cfg['hidden_size'], cfg['rms_norm_eps'])
        self.apply(self._init)
        for n, p in self.named_parameters():  # scaled init of residual projections
            if n.endswith('o_proj.weight') or n.endswith('down_proj.weight'):
                nn.init.normal_(p, std=0.02 / math.sqrt(2 * cfg['num_hidden_layers']))

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)

    def forward(self, idx, targets=None, position_ids=None):
        B, T = idx.shape
        if position_ids is None:
            position_ids = torch.arange(T, device=idx.device)[None].expand(B, T)
        x = self.embed_tokens(idx)
        cos, sin = rope_cos_sin(position_ids, self.cfg['head_dim'], self.cfg['rope_theta'], x.dtype)
        for layer in self.layers:
            x, _, _ = layer(x, cos, sin)
        x = self.norm(x)
        logits = F.linear(x, self.embed_tokens.weight)  # tied output embedding
        if targets is None:
            return logits
        loss = F.cross_entropy(logits.float().view(-1, logits.size(-1)), targets.reshape(-1))
        return logits, loss


def hf_config(cfg, meta):
    return {
        'architectures': ['LlamaForCausalLM'],
        'model_type': 'llama',
        'vocab_size': cfg['vocab_size'],
        'hidden_size': cfg['hidden_size'],
        'intermediate_size': cfg['intermediate_size'],
        'num_hidden_layers': cfg['num_hidden_layers'],
        'num_attention_heads': cfg['num_attention_heads'],
        'num_key_value_heads': cfg['num_key_value_heads'],
        'head_dim': cfg['head_dim'],
        'hidden_act': 'silu',
        'max_position_embeddings': cfg['max_position_embeddings'],
        'rope_theta': cfg['rope_theta'],
        'rope_scaling': None,
        'rms_norm_eps': cfg['rms_norm_eps'],
        'attention_bias': False,
        'mlp_bias': False,
        'tie_word_embeddings': True,
        'bos_token_id': meta['eot_id'],
        'eos_token_id': meta['eot_id'],
        'pad_token_id': meta['eot_id'],
        'initializer_range': 0.02,
        'use_cache': True,
        'torch_dtype': 'float32',
    }


RESUME_WEIGHTS = 'weights-bf16.pt'


def sha256(path):
    import hashlib
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return h.hexdigest()


def load_init(path, meta):
    """Weights to start from: a model.pt, or a resume point folder (resume.json + bf16 weights).
    Returns (checkpoint dict, training history). Anything truncated, altered or built for another
    vocabulary is an error (SystemExit with one line), never a silent fresh start."""
    history = []
    if os.path.isdir(path):
        info_path = os.path.join(path, 'resume.json')
        if not os.path.isfile(info_path):
            sys.exit(f'--init: {path} has no resume.json')
        try:
            info = json.load(open(info_path))
            wpath = os.path.join(path, info['weights'])
            history = info['history']
        except Exception as e:
            sys.exit(f'--init: {info_path} is malformed ({e})')
        if not os.path.isfile(wpath):
            sys.exit(f'--init: {wpath} is missing')
        if sha256(wpath) != info.get('sha256'):
            sys.exit(f'--init: {wpath} does not match the sha256 in resume.json (truncated or replaced)')
        path = wpath
    try:
        ck = torch.load(path, map_location='cpu')
    except Exception as e:
        sys.exit(f'--init: cannot read {path} ({e})')
    if not isinstance(ck, dict) or 'model' not in ck or 'cfg' not in ck:
        sys.exit(f'--init: {path} is not a NextToken checkpoint (no model/cfg)')
    if ck['cfg'].get('vocab_size') != meta['vocab_size']:
        sys.exit(f'--init: {path} has vocab_size {ck["cfg"].get("vocab_size")}, the data has {meta["vocab_size"]} '
                 '(tokenized with another tokenizer)')
    try:
        CodeLM(ck['cfg']).load_state_dict({k: v.float() for k, v in ck['model'].items()}, strict=True)
    except Exception as e:
        sys.exit(f'--init: {path} does not fit its own config ({str(e).splitlines()[0]})')
    return ck, history


def parse_schedule(s):
    out = []
    for part in s.split(','):
        w, f = part.split(':')
        out.append((int(w), float(f)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', default=os.path.join(os.path.dirname(__file__), 'data', 'tok'))
    ap.add_argument('--out', default=os.path.join(os.path.dirname(__file__), 'runs', 'small'))
    ap.add_argument('--minutes', type=float, default=70)
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--preset', default='cpu', choices=sorted(PRESETS))
    ap.add_argument('--schedule', default='256:0.5,512:0.75,1024:1.0', help='window:until-fraction,...')
    ap.add_argument('--tokens-per-step', type=int, default=4096)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--min-lr-frac', type=float, default=0.1)
    ap.add_argument('--warmup-steps', type=int, default=30)
    ap.add_argument('--weight-decay', type=float, default=0.1)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--ckpt-minutes', type=float, default=5)
    ap.add_argument('--eval-minutes', type=float, default=10)
    ap.add_argument('--max-positions', type=int, default=1024)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--no-bf16', action='store_true')
    ap.add_argument('--compile', action='store_true', help='torch.compile (torch>=2, GPU)')
    ap.add_argument('--resume', action='store_true')
    ap.add_argument('--stop-minutes', type=float, default=None, help='stop early after this many minutes (the schedule still spans --minutes)')
    ap.add_argument('--init', default=None, help='start from the weights of a model.pt or a resume point folder '
                    '(training/resume/: bf16 weights + resume.json; fresh optimizer and schedule)')
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    if args.device == 'cpu':
        torch.set_num_threads(args.threads)
    dev = torch.device(args.device)
    os.makedirs(args.out, exist_ok=True)
    log_f = open(os.path.join(args.out, 'train-log.jsonl'), 'a')

    def log(**kw):
        kw['time'] = time.strftime('%H:%M:%S')
        line = json.dumps(kw)
        print(line, flush=True)
        log_f.write(line + '\n')
        log_f.flush()

    meta = json.load(open(os.path.join(args.data, 'meta.json')))
    train = np.memmap(os.path.join(args.data, 'train.bin'), dtype=np.uint16, mode='r')
    val = np.memmap(os.path.join(args.data, 'val.bin'), dtype=np.uint16, mode='r')
    cfg = dict(PRESETS[args.preset], vocab_size=meta['vocab_size'], rope_theta=10000.0, rms_norm_eps=1e-5,
               max_position_embeddings=args.max_positions)
    init, history = None, []
    if args.init:
        init, history = load_init(args.init, meta)
        cfg = dict(init['cfg'], max_position_embeddings=args.max_positions)
    model = CodeLM(cfg).to(dev)
    if init is not None:
        model.load_state_dict({k: v.float() for k, v in init['model'].items()}, strict=True)
    tokens_before = sum(h.get('tokens', 0) for h in history)
    n_params = sum(p.numel() for p in model.parameters())
    n_embed = model.embed_tokens.weight.numel()
    schedule = parse_schedule(args.schedule)
    log(event='start', params=n_params, non_embedding_params=n_params - n_embed, cfg=cfg, train_tokens=int(len(train)),
        val_tokens=int(len(val)), schedule=schedule, tokens_per_step=args.tokens_per_step, device=args.device,
        threads=torch.get_num_threads(), torch=torch.__version__)

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': args.weight_decay},
                             {'params': no_decay, 'weight_decay': 0.0}], lr=args.lr, betas=(0.9, 0.95), eps=1e-8)
    fwd = torch.compile(model) if args.compile else model
    use_bf16 = not args.no_bf16
    amp = (lambda: torch.autocast(device_type=dev.type, dtype=torch.bfloat16)) if use_bf16 else (lambda: torch.autocast(device_type=dev.type, enabled=False))

    step, tokens_seen, elapsed_before = 0, 0, 0.0
    ckpt_path = os.path.join(args.out, 'ckpt.pt')
    if args.resume:
        # a missing, truncated or mismatched checkpoint is an error, never a silent fresh start
        if not os.path.exists(ckpt_path):
            sys.exit(f'--resume: no checkpoint at {ckpt_path}')
        try:
            ck = torch.load(ckpt_path, map_location=dev)
        except Exception as e:  # truncated or corrupt file
            sys.exit(f'--resume: cannot read {ckpt_path} ({e})')
        if ck.get('cfg') != cfg:
            sys.exit(f'--resume: checkpoint config {ck.get("cfg")} does not match this run\'s {cfg}')
        model.load_state_dict(ck['model'])
        opt.load_state_dict(ck['opt'])
        step, tokens_seen, elapsed_before = ck['step'], ck['tokens_seen'], ck['elapsed']
        log(event='resume', step=step, tokens_seen=tokens_seen, elapsed=elapsed_before)

    budget = args.minutes * 60.0

    def window_at(frac):
        for w, f in schedule:
            if frac < f:
                return w
        return schedule[-1][0]

    def lr_at(frac):
        if step < args.warmup_steps:
            return args.lr * (step + 1) / args.warmup_steps
        return args.lr * (args.min_lr_frac + (1 - args.min_lr_frac) * 0.5 * (1 + math.cos(math.pi * min(1.0, frac))))

    def batch(data, B, T, r):
        ix = r.integers(0, len(data) - T - 1, size=B)
        x = np.stack([data[i:i + T + 1].astype(np.int64) for i in ix])
        t = torch.from_numpy(x)
        return t[:, :-1].to(dev, non_blocking=True), t[:, 1:].to(dev, non_blocking=True)

    val_r = np.random.default_rng(1234)
    val_sets = {T: [batch(val, max(1, 8192 // T // 2), T, val_r) for _ in range(2)] for T in (256, 1024)}

    @torch.no_grad()
    def evaluate():
        model.eval()
        out = {}
        for T, bs in val_sets.items():
            tot = 0.0
            for x, y in bs:
                with amp():
                    _, loss = fwd(x, y)
                tot += loss.item()
            out[f'val_loss_{T}'] = round(tot / len(bs), 4)
        model.train()
        return out

    def save_resume_point():
        # compact resume point (bf16 weights + provenance), small enough to commit each session
        rdir = os.path.join(args.out, 'resume')
        os.makedirs(rdir, exist_ok=True)
        wpath = os.path.join(rdir, RESUME_WEIGHTS)
        torch.save({'model': {k: v.detach().to(torch.bfloat16).cpu() for k, v in model.state_dict().items()}, 'cfg': cfg}, wpath + '.tmp')
        os.replace(wpath + '.tmp', wpath)
        session = {'tokens': tokens_seen, 'minutes': round((elapsed_before + time.time() - t_start) / 60, 1),
                   'date': time.strftime('%Y-%m-%d'), 'data_sha': meta.get('train_sha256'), 'args': {k: v for k, v in vars(args).items() if k in ('lr', 'schedule', 'tokens_per_step', 'minutes')}}
        info = {'cfg': cfg, 'vocab_size': cfg['vocab_size'], 'weights': RESUME_WEIGHTS, 'sha256': sha256(wpath),
                'history': history + [session], 'tokens_total': tokens_before + tokens_seen}
        with open(os.path.join(rdir, 'resume.json'), 'w') as f:
            json.dump(info, f, indent=2)

    def save(final=False):
        ck = {'model': model.state_dict(), 'opt': opt.state_dict(), 'step': step, 'tokens_seen': tokens_seen,
              'elapsed': elapsed_before + (time.time() - t_start), 'cfg': cfg, 'meta': meta, 'args': vars(args)}
        torch.save(ck, ckpt_path + '.tmp')
        os.replace(ckpt_path + '.tmp', ckpt_path)
        json.dump(hf_config(cfg, meta), open(os.path.join(args.out, 'config.json'), 'w'), indent=2)
        save_resume_point()
        if final:
            torch.save({'model': model.state_dict(), 'cfg': cfg, 'meta': meta}, os.path.join(args.out, 'model.pt'))

    t_start = time.time()
    if init is not None or args.resume:
        log(event='start-eval', tokens_before=tokens_before, **evaluate())
    last_ckpt = last_eval = last_log = t_start
    tok_since, loss_acc, n_acc = 0, 0.0, 0
    model.train()
    while True:
        now = time.time()
        elapsed = elapsed_before + (now - t_start)
        frac = elapsed / budget
        if frac >= 1.0 or (args.stop_minutes is not None and elapsed >= args.stop_minutes * 60):
            break
        T = window_at(frac)
        B = max(1, args.tokens_per_step // T)
        lr = lr_at(frac)
        for g in opt.param_groups:
            g['lr'] = lr
        x, y = batch(train, B, T, rng)
        with amp():
            _, loss = fwd(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        tokens_seen += B * T
        tok_since += B * T
        loss_acc += loss.item()
        n_acc += 1
        now = time.time()
        if now - last_log >= 30:
            log(step=step, window=T, batch=B, lr=round(lr, 6), loss=round(loss_acc / n_acc, 4), grad_norm=round(float(gn), 3),
                tok_per_s=round(tok_since / (now - last_log)), tokens_seen=tokens_seen, tokens_total=tokens_before + tokens_seen, minutes=round((elapsed_before + now - t_start) / 60, 2))
            last_log, tok_since, loss_acc, n_acc = now, 0, 0.0, 0
        if now - last_eval >= args.eval_minutes * 60:
            log(step=step, tokens_seen=tokens_seen, **evaluate())
            last_eval = time.time()
        if now - last_ckpt >= args.ckpt_minutes * 60:
            save()
            last_ckpt = time.time()
    ev = evaluate()
    save(final=True)
    log(event='done', step=step, tokens_seen=tokens_seen, minutes=round((elapsed_before + time.time() - t_start) / 60, 2), **ev)


if __name__ == '__main__':
    main()

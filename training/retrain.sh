#!/usr/bin/env bash
# Retrain the bundled model from scratch: fetch -> tokenizer -> tokenize -> train -> export -> checks -> eval.
#
#   bash training/retrain.sh                 # ~105 min of training on 2 CPU cores (88 + 5 + 11), then export and eval
#   MINUTES=30 bash training/retrain.sh      # shorter budget
#   PINNED=1 bash training/retrain.sh        # the exact package versions of corpus-manifest.json
#
# Needs: node >= 20 with the repo's node_modules (npm ci at the root), the npm registry, and
# Debian's python3-torch, python3-onnx, libopenblas0-pthread (libjemalloc2 recommended).
# Generated data goes to training/data/ and training/runs/ (gitignored); the model folder is
# written to models/nexttoken-small/.
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES="${MINUTES:-88}"
PY=/usr/bin/python3
if ! $PY -c 'import torch, onnx' 2>/dev/null; then
  apt-get install -y python3-torch python3-onnx libopenblas0-pthread libjemalloc2
fi
npm install --prefix training --no-audit --no-fund   # training/.npmrc: no install scripts; tokenizers, onnxruntime-node, transformers.js: isolated from the root
node training/fetch-corpus.mjs ${PINNED:+--pinned}            # training/data/{train,val,eval}.jsonl, corpus-manifest.json
node training/train-tokenizer.mjs --vocab 4096                # training/data/tokenizer/
node training/tokenize-corpus.mjs                             # training/data/tok/{train,val}.bin
# stage 1: pre-training (window 256 -> 512 -> 1024, 50 % FIM with whole-chunk suffixes)
$PY training/train.py --data training/data/tok --out training/runs/small --minutes "$MINUTES"
# stage 2: fine-tuning at window 1024 on FIM samples whose suffix is short (<= 240 chars, as the
# engine keeps only the nearest 64 suffix tokens) — 2a: 5 minutes of a 14-minute schedule;
# 2b: the same plus words split mid-token in plain text (--split-every), 11 minutes.
node training/tokenize-corpus.mjs --out training/data/tok-fim --max-suffix-chars 240 --sample 0.25 --seed 2 --fim 0.6
$PY training/train.py --init training/runs/small/model.pt --data training/data/tok-fim --out training/runs/fim-ft \
  --minutes 14 --stop-minutes 5 --schedule 1024:1.0 --lr 6e-4 --warmup-steps 10 --eval-minutes 5
node training/tokenize-corpus.mjs --out training/data/tok-ft2 --max-suffix-chars 240 --sample 0.25 --seed 3 --fim 0.5 --split-every 120
$PY training/train.py --init training/runs/fim-ft/model.pt --data training/data/tok-ft2 --out training/runs/ft2 \
  --minutes 11 --schedule 1024:1.0 --lr 5e-4 --warmup-steps 10 --eval-minutes 5
$PY training/export_onnx.py --ckpt training/runs/ft2/model.pt --out models/nexttoken-small --tokenizer training/data/tok
node training/check-tokenizer.mjs models/nexttoken-small
node training/check-onnx.mjs models/nexttoken-small training/runs/small/onnx-reference.json
node training/check-transformersjs.mjs models/nexttoken-small
[ -f dist/cli.js ] || npm run build
node training/eval.mjs --model models/nexttoken-small --engine cli --cases 300 --out training/runs/eval-cli.json --samples

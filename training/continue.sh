#!/usr/bin/env bash
# Continue training the bundled model from the committed resume point (training/resume/), the way
# each session does: start it in the background in the first minutes, export and evaluate at the end.
#
#   MINUTES=90 bash training/continue.sh            # fetch + tokenize (~5 min), then train MINUTES
#   bash training/continue.sh export                # after training: resume point, model folder, checks
#
# The tokenizer stays v1's (models/nexttoken-small/tokenizer.json) so the weights carry over.
# A truncated, altered or mismatched resume point stops train.py with an error (check-resume.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
RUN=training/runs/v3
if [ "${1:-}" = export ]; then
  [ -f "$RUN/model.pt" ] || { echo "no $RUN/model.pt: training has not finished" >&2; exit 1; }
  rm -rf training/resume && cp -r "$RUN/resume" training/resume   # the next session starts here
  $PY training/export_onnx.py --ckpt "$RUN/model.pt" --out models/nexttoken-small --tokenizer training/data/tok-v3
  node training/check-tokenizer.mjs models/nexttoken-small
  node training/check-onnx.mjs models/nexttoken-small "$RUN/onnx-reference.json"
  exit 0
fi
if ! $PY -c 'import torch, onnx' 2>/dev/null; then
  apt-get install -y python3-torch python3-onnx libopenblas0-pthread libjemalloc2
fi
npm install --prefix training --no-audit --no-fund
[ -f training/data/train.jsonl ] || node training/fetch-corpus.mjs ${PINNED:+--pinned}
[ -f training/data/tok-v3/train.bin ] || node training/tokenize-corpus.mjs --tokenizer models/nexttoken-small \
  --out training/data/tok-v3 --fim 0.5 --fim-order spm --max-suffix-chars 300 --seed 11
mkdir -p "$RUN"
$PY training/train.py --init training/resume --data training/data/tok-v3 --out "$RUN" --minutes "${MINUTES:-90}" \
  --schedule 512:0.35,1024:1.0 --lr 1e-3 --warmup-steps 50 --eval-minutes 10 --ckpt-minutes 5

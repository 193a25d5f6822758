#!/usr/bin/env bash
# Continue training the bundled model from the committed resume point (training/resume/), the way
# each session does: start it in the background in the first minutes, export and evaluate at the end.
#
#   MINUTES=90 bash training/continue.sh            # fetch + tokenize (~5-10 min), then train MINUTES
#   bash training/continue.sh export                # after training: resume point, model folder, checks
#   DATA=training/data/tok-v3 MINUTES=90 bash training/continue.sh   # v3's data (no repository context)
#
# DATA, the token data, defaults to tok-v5: fetch-corpus.mjs's v3 packages added to the corpus,
# tokenized with tok-v4's options and seed 13. tok-v4: v3's corpus and FIM options plus, on 30 % of
# chunks, the repository-context block the editor puts ahead of the current file (--context, see
# tokenize-corpus.mjs; it needs the root node_modules for tsx); rebuilding tok-v3/tok-v4 needs the
# train.jsonl of their time (--pinned with that commit's corpus-manifest.json). The run records
# its DATA in $RUN/data-dir and export reads it back (meta.json, val.bin and the tokenizer come from there).
# The tokenizer stays v1's (models/nexttoken-small/tokenizer.json) so the weights carry over.
# A truncated, altered or mismatched resume point stops train.py with an error (check-resume.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
RUN=training/runs/v3
if [ "${1:-}" = export ]; then
  [ -f "$RUN/model.pt" ] || { echo "no $RUN/model.pt: training has not finished" >&2; exit 1; }
  DATA=$(cat "$RUN/data-dir" 2>/dev/null || echo training/data/tok-v3)   # runs before data-dir: tok-v3
  rm -rf training/resume && cp -r "$RUN/resume" training/resume   # the next session starts here
  $PY training/export_onnx.py --ckpt "$RUN/model.pt" --out models/nexttoken-small --tokenizer "$DATA"
  node training/check-tokenizer.mjs models/nexttoken-small
  node training/check-onnx.mjs models/nexttoken-small "$RUN/onnx-reference.json"
  exit 0
fi
if ! $PY -c 'import torch, onnx' 2>/dev/null; then
  apt-get install -y python3-torch python3-onnx libopenblas0-pthread libjemalloc2
fi
npm install --prefix training --no-audit --no-fund   # training/.npmrc: no install scripts
[ -f training/data/train.jsonl ] || node training/fetch-corpus.mjs ${PINNED:+--pinned}
DATA="${DATA:-training/data/tok-v5}"
TOKENIZE=(node training/tokenize-corpus.mjs --tokenizer models/nexttoken-small --out "$DATA" --fim 0.5 --fim-order spm --max-suffix-chars 300)
if [ ! -f "$DATA/train.bin" ]; then
  case "$DATA" in
    training/data/tok-v3) "${TOKENIZE[@]}" --seed 11 ;;
    training/data/tok-v4) [ -d node_modules/tsx ] || npm ci --no-audit --no-fund
                          "${TOKENIZE[@]}" --seed 12 --context 0.3 --context-budgets 128,256,512 ;;
    training/data/tok-v5) [ -d node_modules/tsx ] || npm ci --no-audit --no-fund
                          "${TOKENIZE[@]}" --seed 13 --context 0.3 --context-budgets 128,256,512 ;;
    *) echo "no $DATA/train.bin (tokenize it first)" >&2; exit 1 ;;
  esac
fi
mkdir -p "$RUN"
echo "$DATA" > "$RUN/data-dir"
$PY training/train.py --init training/resume --data "$DATA" --out "$RUN" --minutes "${MINUTES:-90}" \
  --schedule 512:0.35,1024:1.0 --lr 1e-3 --warmup-steps 50 --eval-minutes 10 --ckpt-minutes 5

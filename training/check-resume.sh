#!/usr/bin/env bash
# Resume safety: each broken resume point must stop train.py with one error line, never start fresh.
#   bash training/check-resume.sh          (needs /usr/bin/python3 with torch; ~1 min)
set -uo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
data=training/data/tok-v2; [ -d "$data" ] || data=training/data/tok
fail=0
expect_error() { # name, pattern, args...
  local name=$1 pat=$2; shift 2
  out=$($PY training/train.py --data "$data" --out "$tmp/run-$name" --minutes 0.05 "$@" 2>&1); rc=$?
  if [ $rc -ne 0 ] && grep -q "$pat" <<<"$out"; then echo "ok   $name: $(tail -1 <<<"$out")"
  else echo "FAIL $name (rc=$rc): $(tail -2 <<<"$out")"; fail=1; fi
}
cp -r training/resume "$tmp/truncated"; head -c 100000 training/resume/weights-bf16.pt > "$tmp/truncated/weights-bf16.pt"
expect_error truncated-weights 'does not match the sha256' --init "$tmp/truncated"
mkdir -p "$tmp/nojson"; cp training/resume/weights-bf16.pt "$tmp/nojson/"
expect_error missing-resume-json 'has no resume.json' --init "$tmp/nojson"
cp -r training/resume "$tmp/badjson"; echo '{"weights": ' > "$tmp/badjson/resume.json"
expect_error malformed-resume-json 'is malformed' --init "$tmp/badjson"
$PY - "$tmp/othervocab.pt" <<'PY'
import sys, torch
ck = torch.load('training/resume/weights-bf16.pt')
ck['cfg'] = dict(ck['cfg'], vocab_size=8192)
torch.save(ck, sys.argv[1])
PY
expect_error other-vocabulary 'has vocab_size 8192' --init "$tmp/othervocab.pt"
expect_error resume-without-checkpoint 'no checkpoint at' --resume
mkdir -p "$tmp/run-trunc-ckpt"; head -c 1000 training/resume/weights-bf16.pt > "$tmp/run-trunc-ckpt/ckpt.pt"
out=$($PY training/train.py --data "$data" --out "$tmp/run-trunc-ckpt" --minutes 0.05 --resume 2>&1); rc=$?
if [ $rc -ne 0 ] && grep -q 'cannot read' <<<"$out"; then echo "ok   truncated-checkpoint: $(tail -1 <<<"$out")"; else echo "FAIL truncated-checkpoint"; fail=1; fi
exit $fail

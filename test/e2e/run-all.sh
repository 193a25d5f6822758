#!/usr/bin/env bash
# Runs the end-to-end runs: desktop (code-server, Node extension host), crossfile (code-server, a
# two-file workspace: repository context and language-server guidance), web with WebGPU,
# web without WebGPU (WASM), and the listing (details page, settings, shortcuts). Prints one PASS/FAIL line per scenario and a final count; exits
# non-zero on any failure. Expects scripts/e2e/setup.sh to have run and a built extension
# (dist/ for the web runs, a .vsix in the repo root for the desktop run; see desktop.e2e.mjs).
#   E2E_ONLY=desktop|crossfile|web-webgpu|web-wasm|listing   run just one
#   E2E_VERBOSE=1                          show server and browser logs
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
LOG_DIR="$ROOT/test-results/e2e"
mkdir -p "$LOG_DIR"
only="${E2E_ONLY:-}"
status=0
logs=()
run() {
  local name="$1"; shift
  [ -n "$only" ] && [ "$only" != "$name" ] && return 0
  echo "=== e2e: $name ($(date -u +%H:%M:%S))"
  local t0=$SECONDS
  logs+=("$LOG_DIR/$name.log")
  # a hung browser or server must not hang CI: hard limit per run
  timeout --kill-after=20 "${E2E_RUN_TIMEOUT:-900}" node "$@" --name "$name" 2>&1 | tee "$LOG_DIR/$name.log"
  local rc=${PIPESTATUS[0]}
  [ "$rc" -eq 0 ] || status=1
  if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$LOG_DIR/$name.log"; then
    echo "FAIL $name: harness exited with $rc" | tee -a "$LOG_DIR/$name.log"
  fi
  echo "=== e2e: $name done in $((SECONDS - t0))s (exit $rc)"
}
run desktop test/e2e/desktop.e2e.mjs
run crossfile test/e2e/crossfile.e2e.mjs
run web-webgpu test/e2e/web.e2e.mjs --webgpu
run web-wasm test/e2e/web.e2e.mjs
run listing test/e2e/listing.e2e.mjs
[ ${#logs[@]} -gt 0 ] || { echo "no e2e run selected (E2E_ONLY=$only)"; exit 1; }
passed=$(cat "${logs[@]}" | grep -c '^PASS ' || true)
failed=$(cat "${logs[@]}" | grep -c '^FAIL ' || true)
echo "--- e2e summary"
cat "${logs[@]}" | grep -E '^(PASS|FAIL) '
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] || status=1
exit $status

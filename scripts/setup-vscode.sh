#!/usr/bin/env bash
# Installs VS Code (code-server 4.100.3 = VS Code 1.100.3, the last release on Node 20) offline into
# .cache/vscode/ inside the repo, following /work/shared/docs/e2e-recipe.md. Used by `npm run test:host`,
# `npm run test:e2e` and `npm start`. Idempotent: a marker file makes later runs instant.
#   scripts/setup-vscode.sh          install if needed
#   scripts/setup-vscode.sh --force  reinstall
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=4.100.3
ROOT="$PWD/.cache/vscode"
MARKER="$ROOT/.installed-$VERSION"
CS="$ROOT/node_modules/code-server"
say() { echo "[setup-vscode] $*"; }

if [[ "${1:-}" == "--force" ]]; then rm -f "$MARKER"; fi

need_apt=()
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
command -v rg >/dev/null 2>&1 || need_apt+=(ripgrep)
command -v chromium >/dev/null 2>&1 || [[ -x /usr/bin/chromium ]] || need_apt+=(chromium)

if [[ -f "$MARKER" && -x "$ROOT/node_modules/.bin/code-server" && ${#need_apt[@]} -eq 0 ]]; then
  say "code-server $VERSION already installed in .cache/vscode (delete $MARKER or pass --force to reinstall)"
  exit 0
fi

mkdir -p "$ROOT"
# One installer at a time (several test commands may start on a fresh machine together).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$ROOT/.lock"
  flock 9
fi
start=$(date +%s)
need_apt=()
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
command -v rg >/dev/null 2>&1 || need_apt+=(ripgrep)
command -v chromium >/dev/null 2>&1 || [[ -x /usr/bin/chromium ]] || need_apt+=(chromium)
if [[ ${#need_apt[@]} -gt 0 ]]; then
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      say "missing Debian packages: ${need_apt[*]} and not root (no sudo): install them, then rerun"; exit 1
    fi
  fi
  say "installing Debian packages: ${need_apt[*]}"
  if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${need_apt[@]}" >/dev/null 2>&1; then
    say "apt-get update (once)"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${need_apt[@]}"
  fi
fi

if [[ -f "$MARKER" && -x "$ROOT/node_modules/.bin/code-server" ]]; then
  say "code-server $VERSION already installed"
  exit 0
fi

cd "$ROOT"
[[ -f package.json ]] || { say "npm init in .cache/vscode"; npm init -y >/dev/null; }
say "npm install --ignore-scripts code-server@$VERSION (its postinstall downloads from GitHub, so steps are done by hand)"
npm install --ignore-scripts --no-audit --no-fund --loglevel=error "code-server@$VERSION"
say "npm rebuild argon2"
npm rebuild argon2 --loglevel=error

cd "$CS/lib/vscode"
say "lib/vscode: npm install --omit=dev --ignore-scripts"
npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
say "lib/vscode: ripgrep from /usr/bin/rg (skips @vscode/ripgrep's download)"
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
say "lib/vscode: npm rebuild (node-pty, spdlog, sqlite3, kerberos...; 1-2 minutes)"
npm_config_yes=true npm rebuild --loglevel=error
ln -sfn node_modules node_modules.asar
say "lib/vscode/extensions: npm install --omit=dev"
# (its postinstall lists every file it prunes: keep that in a log unless it fails)
if ! (cd extensions && npm install --omit=dev --no-audit --no-fund --loglevel=error) >"$ROOT/extensions-install.log" 2>&1; then
  cat "$ROOT/extensions-install.log"; exit 1
fi

touch "$MARKER"
say "done in $(( $(date +%s) - start ))s: $ROOT/node_modules/.bin/code-server"

#!/usr/bin/env bash
# Installs what the end-to-end tests need on a fresh Debian machine (run as root):
# Debian's chromium and openssh-server, and code-server 4.96.4 (Code 1.96.4, the last
# one that runs on Node 20) into .cache/code-server. Idempotent: everything present is
# reused; a code-server install without its marker (half-finished) is redone from scratch.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CS_VERSION="4.96.4"
CS_DIR="${E2E_CODE_SERVER_DIR:-$ROOT/.cache/code-server}"
MARKER="$CS_DIR/.installed-$CS_VERSION"
START=$(date +%s)

log() { echo "[setup-e2e] $*"; }

SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    log "not root and no sudo: apt packages can only be checked, not installed"
  fi
fi

# --- Debian packages ------------------------------------------------------------
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
{ [ -x /usr/sbin/sshd ] && command -v ssh-keygen >/dev/null 2>&1; } || missing+=(openssh-server)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -q
  $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
else
  log "Debian packages present: chromium, openssh-server"
fi
[ -x /usr/bin/chromium ] || { log "FAILED: /usr/bin/chromium missing after install"; exit 1; }
[ -x /usr/sbin/sshd ] || { log "FAILED: /usr/sbin/sshd missing after install"; exit 1; }

# --- code-server ----------------------------------------------------------------
if [ -f "$MARKER" ] && [ -f "$CS_DIR/node_modules/code-server/out/node/entry.js" ]; then
  log "code-server $CS_VERSION present in $CS_DIR"
else
  log "installing code-server $CS_VERSION into $CS_DIR (about 3 minutes)"
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  (
    cd "$CS_DIR"
    npm init -y >/dev/null
    # its postinstall fetches a git dependency from the network: install by hand instead
    npm install --ignore-scripts --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION"
    npm rebuild argon2 --loglevel=error
    cd node_modules/code-server/lib/vscode
    rm -f npm-shrinkwrap.json # it pins a git-hosted package
    npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
    # kerberos is skipped on purpose: it needs libkrb5 headers and only serves proxy auth
    npm rebuild node-pty @parcel/watcher @vscode/spdlog native-watchdog --loglevel=error
    ln -sfn node_modules node_modules.asar
  )
  node "$CS_DIR/node_modules/code-server/out/node/entry.js" --version >/dev/null \
    || { log "FAILED: code-server does not start (--version)"; exit 1; }
  echo "$CS_VERSION $(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$MARKER"
fi

log "done in $(( $(date +%s) - START )) s"

#!/usr/bin/env bash
# What `npm test` needs besides npm packages, installed from Debian when missing (run as
# root, or with sudo): a real OpenSSH server for the tunnel tests, a real Alertmanager,
# a real Prometheus (the oracle of the metrics text format),
# HAProxy for the GET-only Docker socket proxy, gcc/procps for the scan's references,
# libfaketime to step a probe's wall clock.
# Idempotent and quick when everything is there; `npm test` runs it first (pretest).
set -euo pipefail

log() { echo "[setup-test] $*"; }

SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; else
    SUDO="none"
  fi
fi

missing=()
{ [ -x /usr/sbin/sshd ] && command -v ssh-keygen >/dev/null 2>&1; } || missing+=(openssh-server openssh-client)
command -v prometheus-alertmanager >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
command -v ps >/dev/null 2>&1 || missing+=(procps)
# libfaketime steps the probe's wall clock in test/probe/main.wall-steps.test.ts
[ -e /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ] || missing+=(faketime)

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$SUDO" = "none" ]; then
  log "missing Debian packages: ${missing[*]} (not root and no sudo: install them, or the tests that need them fail with this hint)"
  exit 0
fi
log "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -q
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"

#!/usr/bin/env bash
# scripts/deps.sh — install what pipeproc needs to build, test and demo (Debian 12).
#
# Idempotent: when every package is already installed it does not touch apt at all.
# Installs PostgreSQL 15 server + headers (PGXS), jansson, pg_cron, IPC::Run (TAP tests),
# a C toolchain, clang 14 with its libFuzzer/sanitizer runtimes (scripts/fuzz.sh), and PgQ
# and gnuplot for the benchmark (test/bench).
# Waits for a busy dpkg/apt lock instead of failing.
# While installing, Debian's default cluster (postgresql@15-main, port 5432) is kept from
# being started when that is possible; pipeproc's scripts never use it anyway.
set -euo pipefail

PACKAGES=(
  build-essential
  pkg-config
  postgresql-15              # server, client and contrib (contrib is part of it on Debian 12)
  postgresql-server-dev-15   # pg_config, PGXS, pg_regress, pg_isolation_regress, TAP modules
  libjansson-dev
  postgresql-15-cron
  libipc-run-perl            # IPC::Run, needed by PostgreSQL::Test::Cluster (TAP tests)
  clang-14                   # scripts/fuzz.sh: libFuzzer harnesses (test/fuzz)
  libclang-rt-14-dev         # scripts/fuzz.sh: libFuzzer + ASan/UBSan runtimes for clang-14
                             # (only "Recommended" by clang-14, so named here); scripts/asan.sh
                             # uses gcc's libasan8/libubsan1, which build-essential brings
  postgresql-15-pgq3         # test/bench: PgQ, the queue pipeproc is compared with
  gnuplot-nox                # test/bench: the scale curves' PNG plots
)

log() { printf '[deps] %s\n' "$*"; }

SUDO=()
if [[ ${EUID:-$(id -u)} -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); fi
fi

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  if [[ $status != installed ]]; then missing+=("$p"); fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  log "all ${#PACKAGES[@]} packages already installed: ${PACKAGES[*]}"
  exit 0
fi

if [[ ${EUID:-$(id -u)} -ne 0 && ${#SUDO[@]} -eq 0 ]]; then
  log "missing packages: ${missing[*]}"
  log "not root and no sudo: install them as root (or run this script as root)" >&2
  exit 1
fi

# Retry a command a few times: apt may be busy (unattended upgrades, another apt run).
retry() {
  local n=1 max=10
  until "$@"; do
    if (( n >= max )); then log "giving up after $n attempts: $*" >&2; return 1; fi
    log "attempt $n failed (apt/dpkg lock busy?), retrying in 15s: $*"
    n=$((n + 1)); sleep 15
  done
}

# Keep package maintainer scripts from starting services (the default cluster) while we
# install, via a temporary policy-rc.d — only if none exists and we are root.
POLICY=/usr/sbin/policy-rc.d
policy_created=0
cleanup() { if (( policy_created )); then rm -f "$POLICY"; fi; }
trap cleanup EXIT
if [[ ${EUID:-$(id -u)} -eq 0 && ! -e $POLICY ]]; then
  printf '#!/bin/sh\n# temporary, created by pipeproc scripts/deps.sh\nexit 101\n' > "$POLICY"
  chmod +x "$POLICY"
  policy_created=1
fi

export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0)

log "missing packages: ${missing[*]}"
log "running: apt-get update"
retry "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" update
log "running: apt-get install -y --no-install-recommends ${PACKAGES[*]}"
retry "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y --no-install-recommends "${PACKAGES[@]}"

still=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ $status == installed ]] || still+=("$p")
done
if [[ ${#still[@]} -gt 0 ]]; then
  log "still not installed: ${still[*]}" >&2
  exit 1
fi
log "done: $(/usr/lib/postgresql/15/bin/pg_config --version), packages: ${PACKAGES[*]}"

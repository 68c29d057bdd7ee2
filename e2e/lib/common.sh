#!/usr/bin/env bash
# Shared plumbing of the proving ground: logging, packages, lifecycle.env, clean-up on exit.
# Sourced by e2e/host-test and e2e/run; never executed on its own.

E2E_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
E2E_ROOT="$(cd "$E2E_LIB/../.." && pwd)"
# Big, reusable things (base image, apt cache, SSH key) live outside the repository.
E2E_CACHE="${E2E_CACHE:-/var/cache/depot-e2e}"
# Per-run state (host root file systems, pids, logs); wiped at the start of every run.
E2E_STATE="${E2E_STATE:-/var/lib/depot-e2e}"
# Results that people read: summary, timeline.
E2E_OUT="${E2E_OUT:-$E2E_ROOT/build/e2e}"
# The system python has python3-matplotlib from apt; a python on PATH may not.
E2E_PYTHON="${E2E_PYTHON:-/usr/bin/python3}"

log() { printf '%s [e2e] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

# Installs the Debian packages a script uses when they are missing (CI starts from a fresh machine).
require_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    ((${#missing[@]} == 0)) && return 0
    log "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Exports every KEY=VALUE of lifecycle.env, the one source of the timings and ports.
load_lifecycle() {
    local key value
    while IFS='=' read -r key value; do
        [[ "$key" =~ ^[A-Z_][A-Z0-9_]*$ ]] || continue
        export "$key=$value"
    done <"$E2E_ROOT/lifecycle.env"
}

# Clean-up actions run in reverse order on exit, so whatever a run started is stopped by it.
E2E_ON_EXIT=()
on_exit() { E2E_ON_EXIT+=("$*"); }
run_exit_actions() {
    local i
    for ((i = ${#E2E_ON_EXIT[@]} - 1; i >= 0; i--)); do
        eval "${E2E_ON_EXIT[i]}" 2>/dev/null || true
    done
    E2E_ON_EXIT=()
}
trap run_exit_actions EXIT
trap 'exit 130' INT TERM

# stop_pid PID [SECONDS]: stops a process we started: TERM, then KILL if it lingers (10 s).
stop_pid() {
    local pid="$1" tenths=$((${2:-10} * 10)) i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < tenths; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

# stop_pidfile FILE [SECONDS]: stops the process whose pid is in FILE (maybe of a crashed run).
stop_pidfile() {
    local file="$1"
    [[ -s "$file" ]] && stop_pid "$(cat "$file")" "${2:-10}"
    rm -f "$file"
}

# wait_until SECONDS CMD...: polls CMD every 0.2 s; fails after SECONDS.
wait_until() {
    local timeout="$1" deadline
    shift
    deadline=$((SECONDS + timeout))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

now_ms() { date +%s%3N; }

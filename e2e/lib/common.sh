#!/usr/bin/env bash
# Shared plumbing of the proving ground: its directories and clean-up on exit, on top of
# bin/lib/shell.sh (logging, packages, lifecycle.env, stopping processes).
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

# shellcheck source=bin/lib/shell.sh
. "$E2E_ROOT/bin/lib/shell.sh"
# Every line of a proving-ground run says it comes from the proving ground.
LOG_NAME=e2e

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

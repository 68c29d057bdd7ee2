#!/usr/bin/env bash
# Sources the whole proving-ground library in dependency order.
_e2e_lib="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=e2e/lib/common.sh
. "$_e2e_lib/common.sh"
# shellcheck source=e2e/lib/image.sh
. "$_e2e_lib/image.sh"
# shellcheck source=e2e/lib/net.sh
. "$_e2e_lib/net.sh"
# shellcheck source=e2e/lib/host.sh
. "$_e2e_lib/host.sh"
# shellcheck source=e2e/lib/aptproxy.sh
. "$_e2e_lib/aptproxy.sh"
# shellcheck source=e2e/lib/alb.sh
. "$_e2e_lib/alb.sh"
# shellcheck source=e2e/lib/services.sh
. "$_e2e_lib/services.sh"
# shellcheck source=e2e/lib/load.sh
. "$_e2e_lib/load.sh"
# shellcheck source=e2e/lib/baseline.sh
. "$_e2e_lib/baseline.sh"
# shellcheck source=e2e/lib/fleet.sh
. "$_e2e_lib/fleet.sh"
# shellcheck source=e2e/lib/workflows.sh
. "$_e2e_lib/workflows.sh"
# shellcheck source=e2e/lib/ec2.sh
. "$_e2e_lib/ec2.sh"

# run_lock: runs share addresses, ports and state, so one at a time. The lock (fd 8) goes when
# the run exits, but the services it started inherit it: a run killed before its clean-up
# leaves them holding it. The lock file names the run that took it; when that run is gone, what
# it left running is stopped and the lock taken.
run_lock() {
    local lock="$E2E_CACHE/run.lock" owner
    mkdir -p "$E2E_CACHE"
    exec 8>>"$lock"
    if ! flock -n 8; then
        owner="$(head -n 1 "$lock")"
        if ! [[ "$owner" =~ ^[0-9]+$ ]] || kill -0 "$owner" 2>/dev/null; then
            die "another proving-ground run is active (pid ${owner:-unknown}, lock $lock)"
        fi
        log "run $owner ended without its clean-up: stopping what it left running"
        e2e_clean_stale
        flock -w 30 8 || die "what run $owner left still holds $lock: pids$(fuser "$lock" 2>/dev/null)"
    fi
    echo "$$" >"$lock"
}

# e2e_clean_stale: stops what an earlier run left (its pid files, stack, hosts, namespaces).
e2e_clean_stale() {
    local pidfile
    for pidfile in "$E2E_STATE"/*.pid; do
        [[ -e "$pidfile" ]] && stop_pidfile "$pidfile"
    done
    if [[ -e "$E2E_STATE/stack/stack.env" ]]; then
        "$E2E_ROOT/scripts/stack" down "$E2E_STATE/stack" >/dev/null 2>&1 || true
    fi
    hosts_clean_stale
    net_clean_stale
}

# Starts a run from a clean slate: whatever an earlier (maybe crashed) run left is stopped and removed.
e2e_begin() {
    ((EUID == 0)) || die "needs root (network namespaces, systemd-nspawn)"
    require_packages systemd-container debootstrap iproute2 openssh-client curl jq socat python3-matplotlib zip unzip psmisc
    load_lifecycle "$E2E_ROOT/lifecycle.env"
    run_lock
    e2e_clean_stale
    rm -rf "$E2E_STATE" "$E2E_OUT"
    mkdir -p "$E2E_STATE/log" "$E2E_OUT"
    : >"$E2E_SUMMARY_ROWS"
}

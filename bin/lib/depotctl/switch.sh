# shellcheck shell=bash
# depotctl: switching colours. deploy, rollback and verify: start the idle colour, wait
# for it, switch nginx's include, check what nginx serves, stop the old colour; the audit
# line and the lock that keeps two switches apart.

with_lock() {
  mkdir -p "$(dirname "$DEPOT_LOCK_FILE")"
  exec 9>>"$DEPOT_LOCK_FILE"
  flock -w "$DEPOT_LOCK_WAIT" 9 || die "another depotctl deploy or rollback holds $DEPOT_LOCK_FILE"
  # Holding the lock, an intent on disk is one whose depotctl died: settle it first.
  reconcile
  "$@"
}

# wait_ready COLOUR: 0 once COLOUR's /ready says 200; otherwise 1, and why on stdout. A colour
# whose release has changesets pending fails at once: its schema does not change while it waits
# (deploys migrate before any host switches), so the timeout would only delay the verdict.
wait_ready() {
  local colour="$1" timeout deadline url answer pending
  timeout="$(lifecycle READY_TIMEOUT_SECONDS)"
  deadline=$(($(date +%s) + timeout))
  url="http://127.0.0.1:$(colour_admin_port "$colour")/ready"
  log "waiting up to ${timeout}s for $url"
  while (($(date +%s) < deadline)); do
    answer="$(curl -s --max-time 2 -w '\n%{http_code}' "$url" || true)"
    [[ "${answer##*$'\n'}" == 200 ]] && return 0
    pending="$(sed -n 's/.*"migrations" *: *"\([^"]*\)".*/\1/p' <<<"$answer")"
    if [[ -n "$pending" ]]; then
      echo "schema behind the release ($pending): run its db migrate before the switch"
      return 1
    fi
    if systemctl_ is-failed --quiet "$(unit "$colour")"; then
      echo "$(unit "$colour") failed"
      return 1
    fi
    sleep 1
  done
  echo "never ready within ${timeout}s"
  return 1
}

write_include() {
  local file="$1" content="$2"
  mkdir -p "$(dirname "$file")"
  printf '%s\n' "$content" >"$file.tmp.$$"
  mv -f "$file.tmp.$$" "$file"
}

include_for() {
  printf '# The live colour, written by depotctl: %s\ninclude %s/upstream-%s.conf;\n' \
    "$1" "$(dirname "$DEPOT_NGINX_UPSTREAM_FILE")" "$1"
}

nginx_apply() {
  local cmd
  read -ra cmd <<<"$DEPOT_NGINX_TEST_CMD"
  "${cmd[@]}" || return 1
  read -ra cmd <<<"$DEPOT_NGINX_RELOAD_CMD"
  "${cmd[@]}"
}

# nginx's worker processes now, space-separated (none when its master is unknown).
nginx_workers() {
  local master
  master="$(cat "$DEPOT_NGINX_PID_FILE" 2>/dev/null)" || return 0
  [[ "$master" =~ ^[0-9]+$ ]] || return 0
  cat "/proc/$master/task/$master/children" 2>/dev/null || true
}

# unrouted COLOUR: tells COLOUR, which nothing can send a request any more, so on its admin port:
# its stop skips the drain window, which only gives a router time to notice. 1 when it did not
# take it (not running, or a release without the task): its stop drains as it always did.
unrouted() {
  [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -X POST \
    "http://127.0.0.1:$(colour_admin_port "$1")/tasks/unrouted" || true)" == 200 ]]
}

# unroute COLOUR WORKERS: once nginx's workers from before the switch (WORKERS) have exited,
# nothing can send COLOUR a request any more: unrouted. Waits a drain window at most; with old
# workers still busy (an upload) or unknown ones, the stop drains.
unroute() {
  local colour="$1" workers="$2" deadline pid
  [[ -n "$workers" ]] || { log "nginx's workers unknown: $colour drains"; return 0; }
  deadline=$(($(now_ms) + $(lifecycle DRAIN_WINDOW_SECONDS) * 1000))
  for pid in $workers; do
    while kill -0 "$pid" 2>/dev/null; do
      (($(now_ms) < deadline)) || { log "nginx's old workers still busy: $colour drains"; return 0; }
      sleep 0.1
    done
  done
  if unrouted "$colour"; then
    log "nginx's old workers gone: $colour stops without a drain window"
  else
    log "$colour did not take /tasks/unrouted: it drains"
  fi
}

health_url() { printf '%s\n' "${DEPOT_HEALTH_URL:-http://127.0.0.1:$(lifecycle HEALTH_PORT)}"; }

# nginx's health port must report the release's sha256 (new workers serve it at once).
verify_served() {
  local version="$1" expected body
  expected="$(release_expected_sha256 "$version")"
  for _ in $(seq 10); do
    body="$(curl -s --max-time 2 "$(health_url)/version" || true)"
    [[ "$body" == *"\"sha256\":\"$expected\""* || "$body" == *"\"sha256\" : \"$expected\""* ]] && return 0
    sleep 0.5
  done
  log "health port /version: ${body:-no answer}; expected sha256 $expected"
  return 1
}

# The switch itself; deploy and rollback differ only in how VERSION is chosen. The order is
# the one a crash cannot break (see intent.sh): intent, idle colour up and gated, commit
# (`current`), nginx, `previous`, old colour stopped, intent cleared. DEPOT_CRASH_AT names a
# step after which the proving ground kills depotctl.
switch_to() {
  local action="$1" version="$2" started live idle from why switched_ms workers
  started="$(date +%s)"
  live="$(live_colour)"
  [[ -n "$live" ]] || die "no live colour: run depotctl init first"
  from="$(colour_release "$live")"
  if [[ "$from" == "$version" ]] && systemctl_ is-active --quiet "$(unit "$live")"; then
    log "release $version is already live on $live"
    echo "unchanged: $version live on $live"
    return 0
  fi
  # In a subshell: its die must not skip the audit line.
  (verify_release "$version") || { audit "$action" "$from" "$version" failed "$started" "sha256"; exit 1; }
  idle="$(other_colour "$live")"
  log "$action $version: $live ($from) -> $idle"

  intent_write "$action" "$live" "$idle" "$from" "$version"
  crash_point intent-recorded
  systemctl_ stop "$(unit "$idle")"
  systemctl_ reset-failed "$(unit "$idle")" 2>/dev/null || true
  point_colour "$idle" "$version"
  # A failed start is not the end: the unit restarts on failure, and wait_ready gives up only
  # when systemd does (failed state), the schema is behind the release or the ready timeout passes.
  systemctl_ start "$(unit "$idle")" || log "$(unit "$idle") did not start; waiting for systemd to restart it"
  why="$(wait_ready "$idle")" || abandon "$action" "$from" "$version" "$started" "$idle" "$why"
  crash_point idle-ready
  why="$(gate "$idle")" || abandon "$action" "$from" "$version" "$started" "$idle" "gate: $why"
  crash_point gated

  atomic_symlink "colours/$idle" "$DEPOT_ROOT/current"
  durable "$DEPOT_ROOT"
  crash_point committed
  write_include "$DEPOT_NGINX_UPSTREAM_FILE" "$(include_for "$idle")"
  workers="$(nginx_workers)"
  if ! nginx_apply || ! verify_served "$version"; then
    atomic_symlink "colours/$live" "$DEPOT_ROOT/current"
    write_include "$DEPOT_NGINX_UPSTREAM_FILE" "$(include_for "$live")"
    nginx_apply || log "restoring nginx for $live failed too"
    abandon "$action" "$from" "$version" "$started" "$idle" "nginx switch" routed
  fi
  # When traffic moved, for whoever measures the seconds after a switch (the proving ground).
  switched_ms=$(now_ms)
  crash_point nginx-switched
  [[ -z "$from" ]] || atomic_symlink "releases/$from" "$DEPOT_ROOT/previous"
  crash_point previous-recorded
  # Once nginx's old workers have finished their requests the old colour skips its drain window;
  # either way it lets its uploads in flight finish (UPLOAD_FINISH_SECONDS) before it exits, so
  # this stop waits for them.
  unroute "$live" "$workers"
  log "stopping $live (finishes requests and uploads in flight)"
  systemctl_ stop "$(unit "$live")"
  crash_point old-stopped
  intent_clear
  prune
  audit "$action" "$from" "$version" ok "$started" "$idle live; switched_ms=$switched_ms"
  log "$version is live on $idle"
  echo "switched: $version live on $idle"
}

# abandon ACTION FROM VERSION STARTED IDLE WHY [routed]: nothing switched; the idle colour
# stops. Unless nginx named it for a moment ("routed"), nothing ever sent it a request, so its
# stop needs no drain.
abandon() {
  local action="$1" from="$2" version="$3" started="$4" idle="$5" why="$6" routed="${7:-}"
  [[ "$routed" == routed ]] || unrouted "$idle" || true
  systemctl_ stop "$(unit "$idle")" || true
  intent_clear
  audit "$action" "$from" "$version" failed "$started" "$why"
  die "$idle on $version: $why; nothing switched"
}

cmd_deploy() {
  [[ $# -eq 1 && "$1" != -* ]] || { verb_help deploy; exit 2; }
  valid_version "$1" || die "bad version '$1'"
  with_lock switch_to deploy "$1"
}

cmd_rollback() {
  local force version
  read -r force version < <(rollback_arguments rollback "$@") || exit 2
  [[ "$force" != - ]] || force=""
  with_lock rollback_checked "$version" "$force"
}

cmd_verify() {
  [[ $# -le 1 && "${1:-}" != -* ]] || { verb_help verify; exit 2; }
  local version="${1:-$(colour_release "$(live_colour)")}"
  verify_served "$version" || die "nginx does not serve $version"
  echo "verified: $version served on $(health_url)"
}

# shellcheck shell=bash
# depotctl: crash-safe switching. A switch records its intent before it acts; `current` is
# its one commit point. Whatever a crash (SIGKILL, reboot) leaves is finished or undone by
# reconcile, which runs before every verb that changes the host and at boot (depot-boot):
#   before the commit (current still names the old colour): undo, the old colour stays live;
#   after it: finish, nginx and `previous` follow current and the old colour stops.
# Both colours stay enabled; `may-run` (the units' ExecCondition) lets only the live colour,
# or the one a switch in progress brings up, start.

DEPOT_INTENT_FILE="${DEPOT_INTENT_FILE:-$DEPOT_ROOT/switch.intent}"

# Test hook of the proving ground: DEPOT_CRASH_AT=STEP makes depotctl SIGKILL itself there.
crash_point() {
  [[ "${DEPOT_CRASH_AT:-}" == "$1" ]] || return 0
  log "DEPOT_CRASH_AT=$1: killing depotctl (SIGKILL)"
  kill -KILL $$
}

# Flushes files and the directory entries of renames, so a power loss keeps the order.
durable() { sync "$@" 2>/dev/null || true; }

intent_write() {
  local action="$1" from_colour="$2" to_colour="$3" from_release="$4" to_release="$5"
  printf 'action=%s\nfrom_colour=%s\nto_colour=%s\nfrom_release=%s\nto_release=%s\nstarted=%s\n' \
    "$action" "$from_colour" "$to_colour" "$from_release" "$to_release" "$(date +%s)" >"$DEPOT_INTENT_FILE.tmp.$$"
  durable "$DEPOT_INTENT_FILE.tmp.$$"
  mv -f "$DEPOT_INTENT_FILE.tmp.$$" "$DEPOT_INTENT_FILE"
  durable "$(dirname "$DEPOT_INTENT_FILE")"
}

# intent KEY: a value of the recorded intent (empty when there is none).
intent() {
  [[ -f "$DEPOT_INTENT_FILE" ]] || return 0
  awk -F= -v key="$1" '$1 == key { print substr($0, length(key) + 2); exit }' "$DEPOT_INTENT_FILE"
}

intent_clear() {
  rm -f "$DEPOT_INTENT_FILE"
  durable "$(dirname "$DEPOT_INTENT_FILE")"
}

# The colour the nginx include names (empty when there is no include).
include_colour() {
  sed -n 's#^include .*/upstream-\([a-z]*\)\.conf;$#\1#p' "$DEPOT_NGINX_UPSTREAM_FILE" 2>/dev/null | head -n 1
}

# Makes the nginx include name the live colour; with "reload", reloads nginx when it changed.
include_follow_current() {
  local live="$1" reload="$2"
  [[ "$(include_colour)" == "$live" ]] && return 0
  log "nginx include names '$(include_colour)', the live colour is $live: rewriting it"
  write_include "$DEPOT_NGINX_UPSTREAM_FILE" "$(include_for "$live")"
  [[ "$reload" == reload ]] || return 0
  nginx_apply || log "nginx reload failed; it serves what it served before"
}

# reconcile [--boot]: finishes or undoes an interrupted switch. --boot touches files only
# (nothing runs yet: depot-boot calls it before nginx and the colours start).
reconcile() {
  local mode="${1:-}" live to from to_release from_release started
  live="$(live_colour)"
  [[ -n "$live" ]] || return 0
  if [[ -f "$DEPOT_INTENT_FILE" ]]; then
    to="$(intent to_colour)" from="$(intent from_colour)"
    to_release="$(intent to_release)" from_release="$(intent from_release)"
    started="$(intent started)"
    if [[ "$live" == "$to" && "$mode" != --boot ]] && ! colour_serves "$to"; then
      # Committed, but the new colour is gone (crashed or stopped): the old one is the safe side.
      log "interrupted $(intent action) to $to_release committed, but $to does not serve; back to $from"
      atomic_symlink "colours/$from" "$DEPOT_ROOT/current"
      durable "$DEPOT_ROOT"
      live="$from"
    fi
    if [[ "$live" == "$to" ]]; then
      log "interrupted $(intent action) of $to_release had committed: finishing it ($to live)"
      [[ -z "$from_release" ]] || atomic_symlink "releases/$from_release" "$DEPOT_ROOT/previous"
      include_follow_current "$live" "${mode:+no-}reload"
      [[ "$mode" == --boot ]] || systemctl_ stop "$(unit "$from")" || true
      audit reconcile "$from_release" "$to_release" finished "${started:-$(date +%s)}" "$to live after an interrupted switch"
    else
      log "interrupted $(intent action) of $to_release had not committed: undoing it ($live stays live)"
      # Unless the include named it, nginx never sent it a request: its stop needs no drain.
      [[ "$mode" == --boot || "$(include_colour)" == "$to" ]] || unrouted "$to" || true
      include_follow_current "$live" "${mode:+no-}reload"
      [[ "$mode" == --boot ]] || systemctl_ stop "$(unit "$to")" || true
      audit reconcile "$from_release" "$to_release" undone "${started:-$(date +%s)}" "$live stays live after an interrupted switch"
    fi
    intent_clear
  else
    include_follow_current "$live" "${mode:+no-}reload"
  fi
  [[ "$mode" == --boot ]] || colours_enabled
}

# A colour serves when its unit is active and its admin /ready answers 200.
colour_serves() {
  systemctl_ is-active --quiet "$(unit "$1")" &&
    [[ "$(http_code "http://127.0.0.1:$(colour_admin_port "$1")/ready")" == 200 ]]
}

# Both colours enabled: at boot, may-run picks the one that starts.
colours_enabled() {
  local c
  for c in "${DEPOT_COLOURS[@]}"; do
    systemctl_ is-enabled --quiet "$(unit "$c")" 2>/dev/null || systemctl_ enable --quiet "$(unit "$c")"
  done
}

cmd_reconcile() {
  case "${1:-}" in
    "") with_lock true ;;
    --boot) reconcile --boot ;;
    *) verb_help reconcile; exit 2 ;;
  esac
}

# may-run COLOUR: exit 0 when COLOUR is live or is being brought up by a switch; 1 otherwise.
cmd_may_run() {
  [[ $# -eq 1 ]] || { verb_help may-run; exit 2; }
  check_colour "$1"
  [[ "$(live_colour)" == "$1" || "$(intent to_colour)" == "$1" ]] && return 0
  log "$1 is neither live nor being switched to: not starting it"
  return 1
}

# shellcheck shell=bash
# depotctl: listing: status, releases and the audit log.

marks_for() {
  local version="$1" marks=()
  [[ "$version" == "$(colour_release "$(live_colour)")" ]] && marks+=(live)
  [[ "$version" == "$(previous_release)" ]] && marks+=(previous)
  for c in "${DEPOT_COLOURS[@]}"; do [[ "$version" == "$(colour_release "$c")" ]] && marks+=("$c"); done
  printf '%s' "${marks[*]:-}"
}

list_releases() {
  local when version sha
  printf '%-24s %-14s %-20s %s\n' VERSION SHA256 INSTALLED POINTERS
  while read -r when version; do
    sha="$(awk 'NR == 1 { print substr($1, 1, 12) }' "$(release_dir "$version")/depot.jar.sha256" 2>/dev/null || true)"
    printf '%-24s %-14s %-20s %s\n' "$version" "${sha:--}" "$(date -u -d "@${when%.*}" +%Y-%m-%dT%H:%MZ)" "$(marks_for "$version")"
  done < <(releases_newest_first)
}

# "COLOUR VERSION" that nginx's health port really serves: its /version sha256 matched
# against the releases the colours point at ("none" when nothing answers).
served() {
  local sha c release
  sha="$(curl -s --max-time 2 "$(health_url)/version" | sed -n 's/.*"sha256" *: *"\([0-9a-f]*\)".*/\1/p')"
  [[ -n "$sha" ]] || { echo "none"; return 0; }
  for c in "${DEPOT_COLOURS[@]}"; do
    release="$(colour_release "$c")"
    [[ -n "$release" && "$(release_expected_sha256 "$release" 2>/dev/null)" == "$sha" ]] &&
      systemctl_ is-active --quiet "$(unit "$c")" && { echo "$c $release"; return 0; }
  done
  echo "unknown sha256:$sha"
}

cmd_status() {
  [[ $# -eq 0 ]] || { verb_help status; exit 2; }
  local live c state ready
  live="$(live_colour)"
  printf 'serving:  %s\n' "$(served)"
  printf 'live:     %s (%s)\nprevious: %s\n' "${live:-none}" "$( [[ -n "$live" ]] && colour_release "$live")" "$(previous_release)"
  printf 'nginx:    include names %s\n' "$(include_colour)"
  [[ ! -f "$DEPOT_INTENT_FILE" ]] ||
    printf 'switch:   interrupted %s %s -> %s (%s); the next depotctl deploy, rollback or reconcile settles it\n' \
      "$(intent action)" "$(intent from_colour)" "$(intent to_colour)" "$(intent to_release)"
  for c in "${DEPOT_COLOURS[@]}"; do
    state="$(systemctl_ is-active "$(unit "$c")" 2>/dev/null || true)"
    ready="$(http_code "http://127.0.0.1:$(colour_admin_port "$c")/ready" 1)"
    printf '%-6s release=%-20s unit=%-10s ready=%s\n' "$c" "$(colour_release "$c")" "${state:-unknown}" "$ready"
  done
  echo
  list_releases
}

cmd_releases() {
  [[ $# -eq 0 ]] || { verb_help releases; exit 2; }
  list_releases
}

cmd_audit() {
  local n=20
  case "${1:-}" in
    "") ;;
    -n) [[ "${2:-}" =~ ^[0-9]+$ ]] || { verb_help audit; exit 2; }; n="$2" ;;
    *) verb_help audit; exit 2 ;;
  esac
  [[ -f "$DEPOT_AUDIT_LOG" ]] || { log "no audit log yet ($DEPOT_AUDIT_LOG)"; return 0; }
  tail -n "$n" "$DEPOT_AUDIT_LOG"
}

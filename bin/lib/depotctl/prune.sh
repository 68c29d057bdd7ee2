# shellcheck shell=bash
# depotctl: pruning old releases from disk.

prune() {
  local keep previous blue green count=0 version
  keep="$DEPOT_KEEP_RELEASES"
  previous="$(previous_release)" blue="$(colour_release blue)" green="$(colour_release green)"
  while read -r _ version; do
    count=$((count + 1))
    ((count > keep)) || continue
    [[ "$version" == "$previous" || "$version" == "$blue" || "$version" == "$green" ]] && continue
    rm -rf "$(release_dir "$version")"
    log "pruned release $version"
  done < <(releases_newest_first)
}

cmd_prune() {
  [[ $# -eq 0 ]] || { verb_help prune; exit 2; }
  with_lock prune
}

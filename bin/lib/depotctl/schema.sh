# shellcheck shell=bash
# depotctl: the schema side of a rollback. The live release's jar (the newest this host runs)
# compares the changesets the target's jar knows with those the database has applied, and
# refuses a target from which a contract step has removed something, naming the changeset.

# A jar command of VERSION with the service's user and environment files (systemd-run), plus
# the schema owner's credentials where the host has them: db commands connect as the owner.
run_jar() {
  local version="$1"
  shift
  systemd-run --quiet --wait --pipe --collect --uid="$DEPOT_USER" --gid="$DEPOT_USER" \
    -p EnvironmentFile="$DEPOT_LIFECYCLE_FILE" -p EnvironmentFile="$DEPOT_HOST_ENV" \
    -p EnvironmentFile="-$DEPOT_DB_OWNER_ENV" \
    -p WorkingDirectory=/var/lib/depot \
    "$(command -v "$DEPOT_JAVA")" -jar "$(release_dir "$version")/depot.jar" "$@" "$DEPOT_CONFIG"
}

# check_rollback VERSION [--force]: 0 when VERSION can run on the schema as it is (with --force,
# after printing what is unsafe); non-zero with the jar's reason otherwise. Nothing to compare
# when VERSION is already live.
check_rollback() {
  local version="$1" force="${2:-}" live_release
  live_release="$(colour_release "$(live_colour)")"
  [[ -n "$live_release" && "$live_release" != "$version" ]] || return 0
  run_jar "$live_release" check-rollback --target-jar "$(release_dir "$version")/depot.jar" ${force:+"$force"}
}

# Under the switch lock: the schema check (its refusal audited), then the switch.
rollback_checked() {
  local version="$1" force="$2" started from report
  started="$(date +%s)"
  from="$(colour_release "$(live_colour)")"
  (verify_release "$version") || { audit rollback "$from" "$version" failed "$started" "sha256"; exit 1; }
  if ! report="$(check_rollback "$version" "$force" 2>&1)"; then
    printf '%s\n' "$report" >&2
    audit rollback "$from" "$version" refused "$started" "$(tr -d '"' <<<"$report" | tail -n 1 | cut -c1-300)"
    die "rollback to $version refused by the schema check; nothing switched (depotctl rollback --force $version overrides)"
  fi
  [[ -z "$report" ]] || log "$report"
  switch_to rollback "$version"
}

# rollback_arguments ARGS...: prints "FORCE VERSION" from [--force] [VERSION] (VERSION defaults to
# the previous release); exits 2 on anything else.
rollback_arguments() {
  local verb="$1" force="" version=""
  shift
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --force) force=--force ;;
      -*) verb_help "$verb" >&2; exit 2 ;;
      *) [[ -z "$version" ]] || { verb_help "$verb" >&2; exit 2; }; version="$1" ;;
    esac
    shift
  done
  version="${version:-$(previous_release)}"
  [[ -n "$version" ]] || die "no previous release recorded; name one"
  valid_version "$version" || die "bad version '$version'"
  printf '%s %s\n' "${force:--}" "$version"
}

cmd_check_rollback() {
  local force version
  read -r force version < <(rollback_arguments check-rollback "$@") || exit 2
  [[ "$force" != - ]] || force=""
  verify_release "$version"
  check_rollback "$version" "$force"
}

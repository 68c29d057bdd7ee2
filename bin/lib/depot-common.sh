# shellcheck shell=bash
# Shared by depotctl and depot-boot: where things live on a Depot host, the
# lifecycle timings, and the release operations both of them perform.
# Every path can be overridden from the environment so that tests can run
# these scripts against a scratch directory instead of a real host; the host's
# own settings (written by Ansible) come from $DEPOT_ETC/depotctl.env.

# shellcheck source=bin/lib/shell.sh
source "$(dirname "${BASH_SOURCE[0]}")/shell.sh"

DEPOT_ETC="${DEPOT_ETC:-/etc/depot}"
# What these scripts write (releases, class-data archives, nginx includes) is read by the
# service's user and nginx; an operator's session umask (027 on a hardened host) must not leak
# in. Secrets are written with explicit modes.
umask 022

# KEY=VALUE lines that set only what the environment has not set already.
load_defaults() {
  local key value
  [[ -r "$1" ]] || return 0
  while IFS='=' read -r key value; do
    [[ "$key" =~ ^DEPOT_[A-Z0-9_]+$ && -z "${!key:-}" ]] || continue
    printf -v "$key" '%s' "$value"
  done <"$1"
}
load_defaults "$DEPOT_ETC/depotctl.env"

DEPOT_ROOT="${DEPOT_ROOT:-/opt/depot}"
DEPOT_LIFECYCLE_FILE="${DEPOT_LIFECYCLE_FILE:-$DEPOT_ETC/lifecycle.env}"
DEPOT_CONFIG="${DEPOT_CONFIG:-$DEPOT_ETC/config.yml}"
DEPOT_USER="${DEPOT_USER:-depot}"
DEPOT_JAVA="${DEPOT_JAVA:-java}"
DEPOT_SYSTEMCTL="${DEPOT_SYSTEMCTL:-systemctl}"
DEPOT_COLOURS=(blue green)
DEPOT_AUDIT_LOG="${DEPOT_AUDIT_LOG:-/var/log/depot/audit.log}"
# The schema owner's credentials (DEPOT_DB_OWNER_*): root's alone, read only for jar commands
# (db migrate, check-rollback), never by the service, whose depot.env holds the runtime role's.
DEPOT_DB_OWNER_ENV="${DEPOT_DB_OWNER_ENV:-$DEPOT_ETC/db-owner.env}"

check_colour() {
  [[ " ${DEPOT_COLOURS[*]} " == *" $1 "* ]] || die "unknown colour '$1' (blue or green)"
}

colour_app_port() { check_colour "$1"; lifecycle "${1^^}_APP_PORT"; }
colour_admin_port() { check_colour "$1"; lifecycle "${1^^}_ADMIN_PORT"; }
other_colour() { if [[ "$1" == blue ]]; then echo green; else echo blue; fi; }

release_dir() { printf '%s/releases/%s\n' "$DEPOT_ROOT" "$1"; }

# "MTIME VERSION" of every release on disk, newest first. A download in progress
# (.incoming-*, see depot-boot) is not a release: it neither counts nor shows.
releases_newest_first() {
  find "$DEPOT_ROOT/releases" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%T@ %f\n' 2>/dev/null | sort -rn
}

# The live colour is whatever $DEPOT_ROOT/current points at (colours/<colour>).
live_colour() {
  local target
  target="$(readlink "$DEPOT_ROOT/current" 2>/dev/null)" || return 0
  basename "$target"
}

# The release a colour points at (empty when it points nowhere).
colour_release() {
  local target
  target="$(readlink "$DEPOT_ROOT/colours/$1" 2>/dev/null)" || return 0
  basename "$target"
}

# Replace a symlink in one rename so that readers never see it missing.
atomic_symlink() {
  local target="$1" link="$2"
  ln -sfn "$target" "$link.tmp.$$"
  mv -Tf "$link.tmp.$$" "$link"
}

# Points a colour at a release; colours/<colour>.env names it for the unit, so that every log
# line the colour writes carries its release (config.yml's additionalFields).
point_colour() {
  local colour="$1" version="$2"
  mkdir -p "$DEPOT_ROOT/colours"
  printf 'DEPOT_RELEASE=%s\n' "$version" >"$DEPOT_ROOT/colours/$colour.env.tmp.$$"
  mv -f "$DEPOT_ROOT/colours/$colour.env.tmp.$$" "$DEPOT_ROOT/colours/$colour.env"
  atomic_symlink "../releases/$version" "$DEPOT_ROOT/colours/$colour"
}

# The expected digest is the first field of depot.jar.sha256 (sha256sum format).
release_expected_sha256() {
  local file
  file="$(release_dir "$1")/depot.jar.sha256"
  [[ -r "$file" ]] || die "release $1 has no depot.jar.sha256"
  awk 'NR == 1 { print $1 }' "$file"
}

verify_release() {
  local version="$1" dir expected actual
  dir="$(release_dir "$version")"
  [[ -f "$dir/depot.jar" ]] || die "release $version is not on disk ($dir/depot.jar)"
  expected="$(release_expected_sha256 "$version")"
  actual="$(sha256sum "$dir/depot.jar" | awk '{ print $1 }')"
  [[ "$expected" == "$actual" ]] || die "release $version: sha256 $actual, expected $expected"
}

# A class-data-sharing archive for a release, dumped from a short training run
# of the jar's `check` command. The unit uses it with -Xshare:auto, so a
# failed or missing dump only costs start-up time, never a start.
dump_cds_archive() {
  local version="$1" dir tmp
  dir="$(release_dir "$version")"
  [[ -f "$dir/depot.jsa" ]] && return 0
  tmp="$(mktemp -d)"
  if "$DEPOT_JAVA" -XX:ArchiveClassesAtExit="$tmp/depot.jsa" -Xshare:auto \
      -jar "$dir/depot.jar" check "$DEPOT_CONFIG" >"$tmp/log" 2>&1 && [[ -s "$tmp/depot.jsa" ]]; then
    install -m 0644 "$tmp/depot.jsa" "$dir/depot.jsa"
    log "release $version: class-data-sharing archive written"
  else
    log "release $version: no class-data-sharing archive ($(tail -n 1 "$tmp/log"))"
  fi
  rm -rf "$tmp"
}

# audit ACTION FROM TO RESULT STARTED [DETAIL]: one line of the deploy audit log (who, what,
# when, result), which the CloudWatch agent ships off the host.
audit() {
  local action="$1" from="$2" to="$3" result="$4" started="$5" detail="${6:-}"
  mkdir -p "$(dirname "$DEPOT_AUDIT_LOG")"
  printf 'time=%s user=%s action=%s from=%s to=%s result=%s duration_s=%s detail="%s"\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${DEPOT_AUDIT_USER:-${SUDO_USER:-$(id -un)}}" \
    "$action" "${from:-none}" "${to:-none}" "$result" "$(($(date +%s) - started))" "${detail//\"/\'}" >>"$DEPOT_AUDIT_LOG"
}

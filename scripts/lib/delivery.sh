# shellcheck shell=bash
# Functions shared by the delivery scripts (scripts/lint-workflows, scripts/check-consistency,
# scripts/release/*). Source it; it defines functions and REPO_ROOT only.

REPO_ROOT=${REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

log() { echo "${0##*/}: $*" >&2; }
die() { log "$*"; exit 1; }

# Installs the Debian packages whose commands are missing: CI starts from a fresh machine.
# Arguments are COMMAND:PACKAGE pairs, e.g. shellcheck:shellcheck.
require_packages() {
  local pair missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  (( ${#missing[@]} )) || return 0
  (( EUID == 0 )) || die "missing ${missing[*]}; install them (apt-get install ${missing[*]})"
  log "installing ${missing[*]}"
  apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
}

# Prints a python3 that imports every MODULE:DEBIAN_PACKAGE given (e.g. yaml:python3-yaml),
# installing the Debian packages into the system python3 when no python3 has them.
python_with() {
  local candidate pair imports=() packages=()
  for pair in "$@"; do imports+=("import ${pair%%:*}"); packages+=("${pair#*:}"); done
  for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c "$(printf '%s\n' "${imports[@]}")" 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  (( EUID == 0 )) || die "python3 lacks ${packages[*]}; install them (apt-get install ${packages[*]})"
  log "installing ${packages[*]}"
  apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3 "${packages[@]}" >&2
  echo /usr/bin/python3
}

# Exports every KEY=VALUE of lifecycle.env (the one source of timings and ports).
load_lifecycle() {
  local file=${1:-$REPO_ROOT/lifecycle.env}
  [[ -f $file ]] || die "no $file"
  set -a
  # shellcheck source=/dev/null
  . "$file"
  set +a
}

# shellcheck shell=bash
# Depot's shell library: the one copy of what bin/, scripts/ and e2e/ all need. Installed on
# hosts beside depot-common.sh (/usr/local/lib/depot); scripts/ and e2e/ source it from the
# repository. It defines functions only (and the lifecycle values once loaded).

# log MESSAGE...: one line on stderr, prefixed with the UTC time and the script's name
# (LOG_NAME overrides the name, e.g. for a library whose scripts share one prefix).
log() { printf '%s %s: %s\n' "$(date -u +%H:%M:%S)" "${LOG_NAME:-${0##*/}}" "$*" >&2; }
# die MESSAGE...: logs the error and exits 1. A script that sets DEPOT_FAILURE_FILE also
# leaves MESSAGE there (one line), for whatever reports its failure once it has exited.
die() {
  log "error: $*"
  [[ -z "${DEPOT_FAILURE_FILE:-}" ]] || printf '%s\n' "${*//$'\n'/ }" >"$DEPOT_FAILURE_FILE" 2>/dev/null || true
  exit 1
}

# require_packages ITEM...: installs what is missing, as root (CI starts from a fresh machine).
# ITEM is a Debian PACKAGE (missing when dpkg does not have it installed) or COMMAND:PACKAGE
# (missing when COMMAND is not on PATH: for tools that may come from elsewhere than Debian).
require_packages() {
  local item missing=()
  for item in "$@"; do
    if [[ "$item" == *:* ]]; then
      command -v "${item%%:*}" >/dev/null || missing+=("${item#*:}")
    else
      dpkg-query -W -f='${Status}' "$item" 2>/dev/null | grep -q 'install ok installed' || missing+=("$item")
    fi
  done
  ((${#missing[@]} == 0)) && return 0
  ((EUID == 0)) || die "missing ${missing[*]}; install them (apt-get install ${missing[*]})"
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# A TCP port on 127.0.0.1 that nothing listens on right now (the kernel picks it).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

now_ms() { date +%s%3N; }

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
  if [[ -s "$file" ]]; then stop_pid "$(<"$file")" "${2:-10}"; fi
  rm -f "$file"
}

# A release version: what a directory name, an SSM value and a tag can all carry.
valid_version() { [[ "$1" =~ ^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$ ]]; }

# A jar's sha256 as the release pointer carries it: 64 lower-case hex digits.
valid_sha256() { [[ "$1" =~ ^[0-9a-f]{64}$ ]]; }

# load_lifecycle FILE: exports every KEY=VALUE of lifecycle.env, the one source of the timings
# and ports. The file is read, never sourced: a host must not execute what a file says.
LIFECYCLE_FILE=""
LIFECYCLE_KEYS=" "
load_lifecycle() {
  local file="$1" key value
  [[ -r "$file" ]] || die "cannot read $file"
  LIFECYCLE_FILE="$file"
  LIFECYCLE_KEYS=" "
  while IFS='=' read -r key value || [[ -n "$key" ]]; do
    [[ "$key" =~ ^[A-Z][A-Z0-9_]*$ ]] || continue
    export "$key=$value"
    LIFECYCLE_KEYS+="$key "
  done <"$file"
}

# lifecycle KEY: prints a value load_lifecycle read; dies when the file does not state it.
lifecycle() {
  [[ "$LIFECYCLE_KEYS" == *" $1 "* ]] || die "$1 missing from ${LIFECYCLE_FILE:-lifecycle.env (not loaded)}"
  printf '%s\n' "${!1}"
}

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

# A class-data-sharing archive for a release, dumped from a training run of its server: what a
# real start and each kind of request load (Jetty, Jersey, Jackson, the admin servlets, the
# database, Redis and S3 clients, the error mappers), not just the configuration's classes. The
# run is hermetic, so a bake (no backends, no secrets) trains the same archive as a deploy:
# loopback ports the kernel picks, every dependency pointed at a closed loopback port, no
# environment of the host's, no drain on SIGTERM. The unit uses the archive with -Xshare:auto,
# so a failed or missing dump only costs start-up time, never a start.
dump_cds_archive() {
  local version="$1" dir tmp pid trained
  dir="$(release_dir "$version")"
  [[ -f "$dir/depot.jsa" ]] && return 0
  tmp="$(mktemp -d)"
  training_server "$dir/depot.jar" "$tmp" &
  pid=$!
  train_server "$tmp/log" "$pid" && trained=yes || trained=no
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  # A server that died starting still dumps an archive on its way out: only its start's classes.
  if [[ "$trained" == no ]]; then
    log "release $version: no class-data-sharing archive (the training server did not come up: $(tail -c 300 "$tmp/log" | tr '\n' ' '))"
  elif [[ -s "$tmp/depot.jsa" ]]; then
    install -m 0644 "$tmp/depot.jsa" "$dir/depot.jsa"
    log "release $version: class-data-sharing archive written ($(du -m "$tmp/depot.jsa" | cut -f1) MB)"
  else
    log "release $version: no class-data-sharing archive (the training server wrote none: $(tail -c 300 "$tmp/log" | tr '\n' ' '))"
  fi
  rm -rf "$tmp"
}

# Nothing listens on the discard port on loopback: a training run's dependencies fail at once.
CDS_TRAINING_CLOSED_PORT=9

# training_server JAR DIR: the release's server, dumping DIR/depot.jsa when it exits. Run it in
# the background: the subshell becomes the JVM (exec), so its pid is the one SIGTERM stops. C1
# only and the serial collector: the archive holds classes, not compiled code, and every host of a
# rollout trains at once, under load (about 12 s of CPU instead of 15.5).
training_server() {
  local jar="$1" tmp="$2" closed="127.0.0.1:$CDS_TRAINING_CLOSED_PORT" as_service_user=()
  # As the service's user where there is one (a host, a bake): root never runs the server.
  if ((EUID == 0)) && id -u "$DEPOT_USER" >/dev/null 2>&1; then
    chown "$DEPOT_USER" "$tmp"
    as_service_user=(setpriv --reuid="$DEPOT_USER" --regid="$DEPOT_USER" --init-groups --)
  fi
  exec "${as_service_user[@]}" env -i PATH="$PATH" HOME="$tmp" \
    DEPOT_APP_PORT=0 DEPOT_ADMIN_PORT=0 DEPOT_APP_HOST=127.0.0.1 DEPOT_ADMIN_HOST=127.0.0.1 \
    DEPOT_DB_URL="jdbc:postgresql://$closed/depot" DEPOT_DB_USER=depot DEPOT_DB_PASSWORD=training \
    DEPOT_REDIS_URL="redis://$closed" DEPOT_S3_BUCKET=depot-training DEPOT_S3_ENDPOINT="http://$closed" \
    DEPOT_S3_PATH_STYLE=true AWS_ACCESS_KEY_ID=training AWS_SECRET_ACCESS_KEY=training AWS_EC2_METADATA_DISABLED=true \
    "$DEPOT_JAVA" -XX:ArchiveClassesAtExit="$tmp/depot.jsa" -Xshare:auto -Xlog:cds=off \
    -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Ddw.database.initialSize=0 -Ddw.database.minSize=0 \
    -Ddw.lifecycle.drainWindow=0s -Ddw.lifecycle.uploadFinishWindow=0s -Ddw.server.shutdownGracePeriod=1s \
    -jar "$jar" server "$DEPOT_CONFIG" >"$tmp/log" 2>&1
}

# listening_port LOG CONNECTOR: the port Jetty says the connector (application, admin) opened.
listening_port() {
  grep -o "Opened $2@[^}]*}{127\.0\.0\.1:[0-9]*}" "$1" 2>/dev/null | head -n 1 | sed 's/.*:\([0-9]*\)}$/\1/'
}

# train_server LOG PID: waits for both connectors, then asks each route and admin page once,
# with no token, with a token no database knows, and with malformed requests.
train_server() {
  local log="$1" pid="$2" app="" admin="" deadline=$((SECONDS + 120)) path
  while [[ -z "$app" || -z "$admin" ]]; do
    kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)) || return 1
    sleep 0.2
    app="$(listening_port "$log" application)" admin="$(listening_port "$log" admin)"
  done
  app="http://127.0.0.1:$app" admin="http://127.0.0.1:$admin"
  for path in /ping /live /ready /healthcheck /version /metrics; do
    training_request "$admin$path"
  done
  training_request "$app/api/v1/openapi.json"
  training_request "$app/api/v1/no-such-route"
  training_request -X OPTIONS "$app/api/v1/assets"
  training_request -X BREW "$app/api/v1/assets"
  for path in /api/v1/assets /api/v1/assets/00000000-0000-4000-8000-000000000000 \
    /api/v1/assets/00000000-0000-4000-8000-000000000000/content /api/v1/assets/not-an-id; do
    training_request "$app$path"
    training_request -H 'Authorization: Bearer depot-training' "$app$path"
  done
  training_request -H 'Authorization: Bearer depot-training' -X DELETE "$app/api/v1/assets/00000000-0000-4000-8000-000000000000"
  training_request -H 'Authorization: Bearer depot-training' -H 'Content-Type: text/plain' \
    --data-binary training "$app/api/v1/assets?filename=training.txt"
  training_request -H 'Authorization: Bearer depot-training' -H 'Content-Type: application/json' \
    --data-binary '{"filename":' "$app/api/v1/uploads"
}

training_request() { curl -s -o /dev/null --max-time 10 "$@" || true; }

# audit ACTION FROM TO RESULT STARTED [DETAIL]: one line of the deploy audit log (who, what,
# when, result), which the CloudWatch agent ships off the host.
audit() {
  local action="$1" from="$2" to="$3" result="$4" started="$5" detail="${6:-}"
  mkdir -p "$(dirname "$DEPOT_AUDIT_LOG")"
  printf 'time=%s user=%s action=%s from=%s to=%s result=%s duration_s=%s detail="%s"\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${DEPOT_AUDIT_USER:-${SUDO_USER:-$(id -un)}}" \
    "$action" "${from:-none}" "${to:-none}" "$result" "$(($(date +%s) - started))" "${detail//\"/\'}" >>"$DEPOT_AUDIT_LOG"
}

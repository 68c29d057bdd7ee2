# shellcheck shell=bash
# depotctl: the usage text and each verb's --help.

usage() {
  cat <<'USAGE'
Usage: depotctl VERB [ARGS]   (depotctl VERB --help for details)

  status              what nginx serves, the live colour, both colours, releases on disk
  deploy VERSION      start the idle colour on VERSION, gate it, switch nginx, stop the old
  rollback [--force] [VERSION]
                      deploy the previous release (or VERSION) the same way, unless a
                      contract step has removed schema it uses (--force overrides)
  check-rollback [--force] [VERSION]
                      only the schema check of a rollback to VERSION
  releases            releases on disk, newest first, with what points at them
  audit [-n N]        the last N lines of the deploy audit log (default 20)
  verify [VERSION]    check that nginx's health port serves VERSION (default: live)
  run VERSION CMD...  run a jar command (e.g. db migrate) with the service's environment
  init [--colour C] [VERSION]
                      first-time state on a fresh host (no-op when already set)
  cds VERSION         dump VERSION's class-data-sharing archive (kept beside its jar)
  prune               delete old releases, keeping DEPOT_KEEP_RELEASES (5)
  reconcile [--boot]  finish or undo a switch that was interrupted (every verb that
                      changes the host does this first; depot-boot at boot)
  may-run COLOUR      exit 0 when COLOUR may start (the colour units' ExecCondition)

Environment: DEPOT_ROOT, DEPOT_ETC, DEPOT_LIFECYCLE_FILE, DEPOT_NGINX_UPSTREAM_FILE,
DEPOT_NGINX_TEST_CMD, DEPOT_NGINX_RELOAD_CMD, DEPOT_NGINX_PID_FILE, DEPOT_AUDIT_LOG,
DEPOT_LOCK_FILE, DEPOT_LOCK_WAIT, DEPOT_KEEP_RELEASES, DEPOT_WARM_SECONDS,
DEPOT_WARM_SETTLE_PERCENT, DEPOT_WARM_PATHS, DEPOT_HOST_ENV (its DEPOT_SMOKE_TOKEN is the
gate's token), DEPOT_INTENT_FILE, DEPOT_SYSTEMCTL, DEPOT_HEALTH_URL, DEPOT_CRASH_AT (tests: SIGKILL after that step).
USAGE
}

verb_help() {
  case "$1" in
    status) echo "Usage: depotctl status   what nginx's health port serves, the live colour, both colours, an interrupted switch, the releases" ;;
    deploy) cat <<'H'
Usage: depotctl deploy VERSION
Finishes or undoes an interrupted switch first. Records its intent, points the idle colour
at releases/VERSION (sha256 verified), starts it, waits up to READY_TIMEOUT_SECONDS for its
admin /ready (and gives up at once when /ready names changesets pending: the release's
db migrate has not run), then gates it on loopback with the host's smoke token: one round of upload,
read and download, then a warm-up of that asset's routes (DEPOT_WARM_PATHS) and of uploads
and deletes, whose failed share must stay within SWITCH_MAX_ERROR_PERCENT; it runs until the
latency stops improving (the lowest median of the last two rounds is no more than
DEPOT_WARM_SETTLE_PERCENT below the lowest of the rounds before them), for DEPOT_WARM_SECONDS
at most. Every asset it made is deleted before the switch. Then it commits (current),
rewrites the nginx include atomically, tests and reloads nginx, checks /version on the
health port, records previous and stops the old colour: once nginx's workers from before the
reload have exited (a drain window at most) it tells the old colour nothing routes to it
(/tasks/unrouted), so it stops without its drain window; otherwise it drains. Requests and
uploads in flight finish either way. If the new colour never gets ready or fails the
gate, nothing switches, it is stopped, and the exit status is 1.
H
      ;;
    rollback) cat <<'H'
Usage: depotctl rollback [--force] [VERSION]
Deploys the previous release (default) or VERSION like deploy does, after the schema check:
the live release's jar compares the changesets VERSION's jar knows with those applied, and
refuses (naming the changeset, audited, nothing switched) when a contract step removed
something VERSION uses. A rollback across expand-only changesets proceeds. --force runs the
check, prints what is unsafe and switches anyway.
H
      ;;
    check-rollback) echo "Usage: depotctl check-rollback [--force] [VERSION]   the schema check of depotctl rollback alone (exit 1 when refused)" ;;
    releases) echo "Usage: depotctl releases   list releases on disk, newest first" ;;
    audit) echo "Usage: depotctl audit [-n N]   print the last N audit lines (default 20)" ;;
    verify) echo "Usage: depotctl verify [VERSION]   nginx's health port /version must carry VERSION's sha256" ;;
    run) echo "Usage: depotctl run VERSION COMMAND...   e.g. depotctl run 1.4.0 db migrate (config path appended)" ;;
    init) echo "Usage: depotctl init [--colour blue|green] [VERSION]   first-time live colour, release and nginx include" ;;
    cds) echo "Usage: depotctl cds VERSION   dump releases/VERSION/depot.jsa from a training run of the server on loopback, its dependencies unreachable (no-op if present)" ;;
    reconcile) echo "Usage: depotctl reconcile [--boot]   finish a switch that had committed, undo one that had not; --boot: files only" ;;
    may-run) echo "Usage: depotctl may-run COLOUR   exit 0 when COLOUR is live or being switched to" ;;
    prune) echo "Usage: depotctl prune   keep the newest DEPOT_KEEP_RELEASES releases, never the live or previous one" ;;
  esac
}

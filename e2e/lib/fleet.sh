#!/usr/bin/env bash
# The EC2 side: bake an image ("AMI" = a root file system) with Packer, launch instances from it
# (as an ASG would: secrets from the SSM stand-in, registered with the balancer), terminate them.
# Sourced after all the other parts (see all.sh).

E2E_AMIS="$E2E_STATE/amis"

# bake VERSION INDEX: boots a builder from the base image, runs the Packer template's local
# source (which runs ansible/site.yml) against it, powers it off; its root file system becomes
# $E2E_AMIS/VERSION. Prints nothing; logs the bake time.
bake() {
    local version="$1" idx="$2" name="bake-${2}" started
    started=$(now_ms)
    host_create "$name" "$idx" "$(base_image)"
    host_boot "$name"
    (
        cd "$E2E_ROOT"
        packer build -only=null.local -var "ssh_host=$(host_addr "$name")" \
            -var "ssh_private_key_file=$E2E_SSH_KEY" -var "version=$version" \
            -var "commit=$(git rev-parse HEAD)" -var "jar=$E2E_RELEASES/$version/depot.jar" packer/
    ) >"$E2E_STATE/log/bake-$version.log" 2>&1 || die "bake of $version failed: $(tail -20 "$E2E_STATE/log/bake-$version.log")"
    host_poweroff "$name"
    mkdir -p "$E2E_AMIS"
    rm -rf "${E2E_AMIS:?}/$version"
    mv "$(host_dir "$name")/root" "$E2E_AMIS/$version"
    # An image carries no secrets and no host identity.
    rm -f "$E2E_AMIS/$version/etc/depot/depot.env" "$E2E_AMIS/$version/etc/depot/db-owner.env"
    : >"$E2E_AMIS/$version/etc/machine-id"
    BAKE_MS=$(($(now_ms) - started))
    log "baked $version in $((BAKE_MS / 1000)) s"
}

# launch NAME INDEX VERSION: an instance from the image of VERSION, registered with the balancer.
launch() {
    local name="$1" idx="$2" version="$3" root gid
    host_create "$name" "$idx" "$E2E_AMIS/$version"
    root="$(host_dir "$name")/root"
    # The SSM stand-in: endpoints and secrets where depot-boot expects them, and the release
    # pointer (the fleet's SSM parameter) served from the host side.
    gid="$(awk -F: '$1 == "depot" {print $3}' "$root/etc/group")"
    # As depot-boot writes them: the schema owner's credentials apart, root's only.
    install -m 0640 -o root -g "${gid:?no depot group in the image}" \
        <(grep -v '^DEPOT_DB_OWNER_' "$E2E_HOST_ENV") "$root/etc/depot/depot.env"
    install -m 0600 -o root -g root <(grep '^DEPOT_DB_OWNER_' "$E2E_HOST_ENV") "$root/etc/depot/db-owner.env"
    boot_env >"$root/etc/depot/boot.env"
    host_boot "$name"
    watch_ready "$name"
    alb_register "$name" "$(host_addr "$name")"
}

# The pointer a launched instance follows: the release server's, or E2E_POINTER_URL's (the
# emulated account's SSM parameter, for an instance of its group).
boot_env() {
    printf 'DEPOT_ON_EC2=no\nDEPOT_RELEASE_POINTER_URL=%s\nDEPOT_RELEASE_BASE_URL=%s\n' \
        "${E2E_POINTER_URL:-$E2E_RELEASE_URL/pointer}" "$E2E_RELEASE_URL"
}

host_url() { echo "http://$(host_addr "$1"):$HEALTH_PORT$2"; }

# watch_ready NAME: polls a just-launched instance's /ready in the background, every 0.2 s up
# to the health-check grace period, and notes the milliseconds from its boot to the first 200
# (or "never") in the host's ready_watch. Each instance is timed on its own, from its own boot:
# the harness launching the next ones meanwhile does not count, as it did when it polled one
# instance only after launching them all.
watch_ready() {
    local name="$1" dir
    dir="$(host_dir "$name")"
    rm -f "$dir/ready_watch" "$dir/ready_ms"
    (
        if wait_until "$ASG_HEALTH_CHECK_GRACE_SECONDS" curl -fsS "$(host_url "$name" /ready)"; then
            echo $(($(now_ms) - $(cat "$dir/booted_at_ms")))
        else
            echo never
        fi >"$dir/ready_watch.tmp"
        mv "$dir/ready_watch.tmp" "$dir/ready_watch"
    ) &
}

# wait_ready_ms NAME: the milliseconds from boot to the instance's health port answering /ready
# with 200, as watch_ready noted them; also kept in the host's ready_ms for the summary's
# boot -> /ready median. Fails when it was not ready within the grace period.
wait_ready_ms() {
    local dir ms
    dir="$(host_dir "$1")"
    wait_until $((ASG_HEALTH_CHECK_GRACE_SECONDS + 30)) test -e "$dir/ready_watch" || return 1
    ms="$(cat "$dir/ready_watch")"
    [[ "$ms" =~ ^[0-9]+$ ]] || return 1
    echo "$ms" | tee "$dir/ready_ms"
}

# boot_breakdown NAME: where an instance's boot -> /ready went, in seconds after its systemd
# started (the journal's and systemd's monotonic clock): depot-boot's start and end, the colour's
# java started, and its readiness log line (database, storage and schema in order).
boot_breakdown() {
    # shellcheck disable=SC2016 # expands on the host
    host_ssh "$1" '
        zero=$(systemctl show -p UserspaceTimestampMonotonic --value)
        at() { awk -v t="$1" -v z="$zero" "BEGIN { printf \"%.1f\", (t - z) / 1e6 }"; }
        colour=$(for c in blue green; do
            [ "$(systemctl show -p ExecMainStartTimestampMonotonic --value depot@$c)" = 0 ] || echo "$c"; done | head -n 1)
        java=$(systemctl show -p ExecMainStartTimestampMonotonic --value "depot@$colour")
        ready=$(journalctl -b -u "depot@$colour" -o short-monotonic --grep "ready: database" --no-pager |
            sed -n "1s/^\[ *\([0-9]*\)\.\([0-9]*\)\].*/\1\2/p")
        echo "depot-boot $(at "$(systemctl show -p InactiveExitTimestampMonotonic --value depot-boot)")-$(at "$(systemctl show -p ActiveEnterTimestampMonotonic --value depot-boot)") s, java $(at "$java") s, ready $(at "${ready:-0}") s"'
}

# archive_in_use NAME: whether the live colour's JVM mapped its release's class-data-sharing
# archive: -Xshare:auto starts without an archive the JVM rejects, and says nothing.
archive_in_use() {
    # shellcheck disable=SC2016 # expands on the host
    host_ssh "$1" 'pid=$(systemctl show -p MainPID --value "depot@$(basename "$(readlink /opt/depot/current)")")
        grep -q "/depot\.jsa$" "/proc/$pid/maps"'
}

# The sha256 of the jar an instance serves, through nginx's health port.
served_sha256() { curl -fsS "$(host_url "$1" /version)" | jq -r .sha256; }

# terminate NAME: as an ASG: deregister (drain), then power off (systemd stops Depot, which drains).
terminate() {
    alb_deregister "$1"
    host_poweroff "$1"
    # An instance launched as on EC2 takes its metadata service with it.
    [[ ! -e "$(host_dir "$1")/imds.pid" ]] || stop_pidfile "$(host_dir "$1")/imds.pid"
}

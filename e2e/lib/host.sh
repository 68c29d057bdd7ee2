#!/usr/bin/env bash
# Hosts: systemd-nspawn containers booting a root file system, systemd as PID 1, sshd, each in
# its own namespace from net.sh. Sourced after net.sh.

# Host keys are verified, as a deploy does on EC2: each host's keys are trusted when it is
# created (on EC2 an instance publishes them at boot; only the deploy role reads them).
E2E_KNOWN_HOSTS="$E2E_STATE/known_hosts"
# Three connection attempts: an sshd that reloads (the baseline's breakage and repair) re-executes
# itself and refuses connections for a moment.
E2E_SSH_OPTS=(-i "$E2E_SSH_KEY" -o StrictHostKeyChecking=yes -o "UserKnownHostsFile=$E2E_KNOWN_HOSTS"
    -o LogLevel=ERROR -o ConnectTimeout=3 -o ConnectionAttempts=3 -o BatchMode=yes)

host_dir() { echo "$E2E_STATE/hosts/$1"; }
host_addr() { cat "$(host_dir "$1")/addr"; }

# host_create NAME INDEX ROOTFS: copies ROOTFS (an image) for host NAME and wires its network.
host_create() {
    local name="$1" idx="$2" src="$3" dir
    dir="$(host_dir "$name")"
    mkdir -p "$dir"
    copy_rootfs "$src" "$dir/root" "$name"
    host_net_up "$name" "$idx"
    host_addr_of_index "$idx" >"$dir/addr"
    host_trust_keys "$name"
}

# Replaces whatever known_hosts said about the host's address with the keys it was given.
host_trust_keys() {
    local name="$1" addr key
    addr="$(host_addr "$name")"
    touch "$E2E_KNOWN_HOSTS"
    ssh-keygen -R "$addr" -f "$E2E_KNOWN_HOSTS" >/dev/null 2>&1
    rm -f "$E2E_KNOWN_HOSTS.old"
    for key in "$(host_dir "$name")"/root/etc/ssh/ssh_host_*_key.pub; do
        printf '%s %s\n' "$addr" "$(cut -d' ' -f1,2 "$key")" >>"$E2E_KNOWN_HOSTS"
    done
}

# Each host's systemd gets a cgroup tree of its own, as each instance has. nspawn (--keep-unit,
# no systemd on this side) puts the container in payload/ below the cgroup it starts in: started
# from the root, every host shared /payload, so one host stopping depot@blue removed the cgroup
# that another host's systemd had made for its own depot@blue, whose next start then failed
# ("Failed to attach to cgroup", which its may-run condition reports as skipped).
E2E_CGROUP="depot-e2e"

# The cgroup hierarchies nspawn places a container in: the unified one (all of /sys/fs/cgroup,
# or /sys/fs/cgroup/unified beside v1 controllers) and v1's name=systemd when there is one.
cgroup_roots() {
    local dir
    for dir in /sys/fs/cgroup /sys/fs/cgroup/unified /sys/fs/cgroup/systemd; do
        case "$(stat -fc %T "$dir" 2>/dev/null)" in
            cgroup2fs) echo "$dir" ;;
            cgroupfs) [[ -e "$dir/release_agent" ]] && echo "$dir" ;;
        esac
    done
}

# host_cgroup_enter NAME: moves the calling (sub)shell into the host's own cgroup.
host_cgroup_enter() {
    local root found=""
    for root in $(cgroup_roots); do
        mkdir -p "$root/$E2E_CGROUP/$1"
        echo "$BASHPID" >"$root/$E2E_CGROUP/$1/cgroup.procs"
        found=yes
    done
    [[ -n "$found" ]] || die "no cgroup hierarchy found under /sys/fs/cgroup"
}

# host_cgroup_remove [NAME]: removes a powered-off host's cgroups (all hosts' without NAME).
host_cgroup_remove() {
    local root
    for root in $(cgroup_roots); do
        [[ -d "$root/$E2E_CGROUP/${1:-}" ]] || continue
        find "$root/$E2E_CGROUP/${1:-}" -depth -type d -exec rmdir {} + 2>/dev/null || true
    done
}

# Boots the host in the background and waits for sshd; prints nothing, records the pid.
host_boot() {
    local name="$1" dir
    dir="$(host_dir "$name")"
    (
        host_cgroup_enter "$name"
        exec systemd-nspawn -D "$dir/root" -b --register=no --keep-unit -M "$name" \
            --network-namespace-path="/run/netns/$E2E_NS_PREFIX$name" --console=read-only
    ) </dev/null >"$dir/console.log" 2>&1 &
    echo $! >"$dir/pid"
    date +%s%3N >"$dir/booted_at_ms"
    on_exit "host_kill $name"
    wait_until 60 host_ssh "$name" true || die "host $name: no sshd within 60 s (see $dir/console.log)"
}

# host_ssh NAME COMMAND...: COMMAND (one shell command line, as ssh takes it) as root on the
# host, reached as the deploy user with sudo: root cannot log in.
host_ssh() {
    local name="$1"
    shift
    # The command is meant to expand here and run there, as with any ssh.
    # shellcheck disable=SC2029
    ssh "${E2E_SSH_OPTS[@]}" "$E2E_SSH_USER@$(host_addr "$name")" "sudo -n bash -c $(printf '%q' "$*")"
}

# Clean shutdown, as an instance that is terminated: systemd stops every unit in order.
host_poweroff() {
    local name="$1" pid
    pid="$(cat "$(host_dir "$name")/pid")"
    host_ssh "$name" systemctl poweroff || true
    wait_until 120 bash -c "! kill -0 $pid" || log "host $name did not power off in 120 s"
    host_kill "$name"
}

# Stops a host's nspawn: on TERM systemd shuts the container down, Depot's drain included.
host_kill() {
    local name="$1"
    stop_pidfile "$(host_dir "$name")/pid" 60
    host_cgroup_remove "$name"
}

# Removes root file systems of an earlier run (after its hosts are gone).
hosts_clean_stale() {
    local pidfile
    for pidfile in "$E2E_STATE"/hosts/*/pid "$E2E_STATE"/hosts/*/imds.pid; do
        [[ -e "$pidfile" ]] && stop_pidfile "$pidfile"
    done
    rm -rf "$E2E_STATE/hosts"
    host_cgroup_remove
}

# An Ansible inventory of the named hosts (group depot), using the proving ground's key.
write_inventory() {
    local file="$1" name
    shift
    {
        echo "[depot]"
        for name in "$@"; do
            printf '%s ansible_host=%s\n' "$name" "$(host_addr "$name")"
        done
        echo "[depot:vars]"
        echo "ansible_user=$E2E_SSH_USER"
        echo "ansible_ssh_private_key_file=$E2E_SSH_KEY"
        echo "ansible_ssh_common_args='-o StrictHostKeyChecking=yes -o UserKnownHostsFile=$E2E_KNOWN_HOSTS'"
        echo "ansible_python_interpreter=/usr/bin/python3"
    } >"$file"
}

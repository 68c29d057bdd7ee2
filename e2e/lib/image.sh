#!/usr/bin/env bash
# The Debian 12 base root file system every host starts from, built by debootstrap once and
# cached outside the repository while its inputs are unchanged. Sourced after common.sh.

E2E_SUITE=bookworm
E2E_MIRROR="${E2E_MIRROR:-http://deb.debian.org/debian}"
E2E_SECURITY_MIRROR="${E2E_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
# The login user of Debian's EC2 images: the deploy user, with passwordless sudo (cloud-init's).
E2E_SSH_USER="admin"
# What an EC2 Debian image brings: systemd as PID 1, sshd, python3 for Ansible, apt tooling.
E2E_BASE_PACKAGES=systemd,systemd-sysv,dbus,openssh-server,python3,python3-apt,iproute2,ca-certificates,curl,procps,sudo
# The host side of every host's link: backing services, apt proxy, release files, balancer checks.
E2E_SERVICE_ADDR="${E2E_SERVICE_ADDR:-169.254.250.1}"
E2E_APT_PROXY_PORT="${E2E_APT_PROXY_PORT:-3142}"
E2E_SSH_KEY="$E2E_CACHE/ssh/id_ed25519"

# The root key that Ansible and the tests log in with; made once, never part of the repo.
ensure_ssh_key() {
    [[ -s "$E2E_SSH_KEY" ]] && return 0
    mkdir -p "$(dirname "$E2E_SSH_KEY")"
    chmod 700 "$(dirname "$E2E_SSH_KEY")"
    ssh-keygen -q -t ed25519 -N '' -C depot-e2e -f "$E2E_SSH_KEY"
}

# Everything that shapes the base goes into its cache key.
base_image_key() {
    {
        echo "$E2E_SUITE $E2E_MIRROR $E2E_SECURITY_MIRROR $E2E_SSH_USER $E2E_BASE_PACKAGES $E2E_SERVICE_ADDR $E2E_APT_PROXY_PORT"
        cat "$E2E_SSH_KEY.pub"
        declare -f customize_base
    } | sha256sum | cut -c1-16
}

# Turns a fresh debootstrap into an "AMI" base as Debian's EC2 images are: the deploy user with
# the key and passwordless sudo (root has no key), apt with the security archive (through the
# VPC proxy), no host identity.
customize_base() {
    local root="$1" home="$1/home/$E2E_SSH_USER"
    chroot "$root" useradd --create-home --shell /bin/bash --groups sudo "$E2E_SSH_USER"
    install -d -m 700 "$home/.ssh"
    install -m 600 "$E2E_SSH_KEY.pub" "$home/.ssh/authorized_keys"
    chroot "$root" chown -R "$E2E_SSH_USER:$E2E_SSH_USER" "/home/$E2E_SSH_USER/.ssh"
    printf '%s ALL=(ALL) NOPASSWD:ALL\n' "$E2E_SSH_USER" >"$root/etc/sudoers.d/90-cloud-init-users"
    chmod 440 "$root/etc/sudoers.d/90-cloud-init-users"
    # The hosts' namespaces have no route out; apt reaches the mirror through the proxy,
    # standing in for the network access an AMI has in its VPC.
    printf 'Acquire::http::Proxy "http://%s:%s";\n' "$E2E_SERVICE_ADDR" "$E2E_APT_PROXY_PORT" \
        >"$root/etc/apt/apt.conf.d/01depot-e2e-proxy"
    printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s %s-security main\n' "$E2E_MIRROR" "$E2E_SUITE" \
        "$E2E_MIRROR" "$E2E_SUITE" "$E2E_SECURITY_MIRROR" "$E2E_SUITE" >"$root/etc/apt/sources.list"
    # Each host gets its own identity when it is copied.
    rm -f "$root"/etc/ssh/ssh_host_*
    : >"$root/etc/machine-id"
    rm -f "$root/var/lib/dbus/machine-id"
    # Nothing in a container drives a console login or hardware clock.
    ln -sf /dev/null "$root/etc/systemd/system/getty@.service"
    ln -sf /dev/null "$root/etc/systemd/system/serial-getty@.service"
    chroot "$root" apt-get clean
}

# Prints the path of the cached base root file system, building it if its inputs changed.
base_image() {
    local key dir tmp
    ensure_ssh_key
    key="$(base_image_key)"
    dir="$E2E_CACHE/base-$key"
    if [[ -d "$dir" ]]; then
        echo "$dir"
        return 0
    fi
    require_packages debootstrap
    tmp="$E2E_CACHE/tmp-base-$key"
    rm -rf "$tmp"
    mkdir -p "$E2E_CACHE"
    log "building base image $key with debootstrap (takes a few minutes, cached afterwards)"
    debootstrap --variant=minbase --include="$E2E_BASE_PACKAGES" "$E2E_SUITE" "$tmp" "$E2E_MIRROR" \
        >"$E2E_CACHE/debootstrap-$key.log" 2>&1 || die "debootstrap failed, see $E2E_CACHE/debootstrap-$key.log"
    customize_base "$tmp"
    # Older bases are no longer wanted once a new one is complete.
    find "$E2E_CACHE" -maxdepth 1 -name 'base-*' -type d -exec rm -rf {} +
    mv "$tmp" "$dir"
    echo "$dir"
}

# copy_rootfs SRC DST NAME: a host's own root file system with a fresh machine-id and host keys.
copy_rootfs() {
    local src="$1" dst="$2" name="$3"
    rm -rf "$dst"
    mkdir -p "$(dirname "$dst")"
    cp -a --reflink=auto "$src" "$dst"
    new_identity "$dst" "$name"
}

new_identity() {
    local root="$1" name="$2"
    tr -d '-' </proc/sys/kernel/random/uuid >"$root/etc/machine-id"
    echo "$name" >"$root/etc/hostname"
    printf '127.0.0.1 localhost\n127.0.1.1 %s\n' "$name" >"$root/etc/hosts"
    rm -f "$root"/etc/ssh/ssh_host_*
    ssh-keygen -q -A -f "$root" >/dev/null
}

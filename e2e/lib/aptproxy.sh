#!/usr/bin/env bash
# An apt proxy on the host side of the VPC: the hosts' stand-in for an AMI's network access, so a
# bake really installs packages. Its cache lives outside the repository and survives runs.
# Sourced after image.sh.

apt_proxy_up() {
    local conf="$E2E_STATE/apt-cacher-ng" cache="$E2E_CACHE/apt-cacher-ng"
    require_packages apt-cacher-ng
    rm -rf "$conf"
    mkdir -p "$conf" "$cache" "$E2E_STATE/log"
    cp -a /etc/apt-cacher-ng/. "$conf/"
    # The stock backend list names a mirror we cannot reach; use the one the machine's apt uses.
    echo "$E2E_MIRROR/" >"$conf/backends_debian"
    /usr/sbin/apt-cacher-ng -c "$conf" ForeGround=1 Port="$E2E_APT_PROXY_PORT" \
        BindAddress="$E2E_SERVICE_ADDR" CacheDir="$cache" LogDir="$E2E_STATE/log" \
        PidFile="$E2E_STATE/apt-cacher-ng.pid" SocketPath="$E2E_STATE/apt-cacher-ng.socket" \
        >"$E2E_STATE/log/apt-cacher-ng.out" 2>&1 &
    echo $! >"$E2E_STATE/apt-proxy.pid"
    on_exit "stop_pidfile $E2E_STATE/apt-proxy.pid"
    wait_until 20 curl -fsS -o /dev/null "http://$E2E_SERVICE_ADDR:$E2E_APT_PROXY_PORT/acng-report.html" ||
        die "apt proxy did not start (see $E2E_STATE/log/apt-cacher-ng.out)"
}

#!/usr/bin/env bash
# The "VPC": one network namespace per host, joined to the host side by a veth pair on its own
# link-local /30. The host side also owns E2E_SERVICE_ADDR (on loopback), where the backing
# services, apt proxy and release files listen; hosts reach it by a route over their veth.
# No forwarding, no default route: a host reaches nothing else. Sourced after image.sh.

E2E_NS_PREFIX=depot-

# Removes namespaces and links that a crashed earlier run left behind.
net_clean_stale() {
    local ns link
    for ns in $(ip netns list | awk '{print $1}' | grep "^$E2E_NS_PREFIX" || true); do
        ip netns delete "$ns" || true
    done
    for link in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^dve-' || true); do
        ip link delete "$link" || true
    done
    ip addr del "$E2E_SERVICE_ADDR/32" dev lo 2>/dev/null || true
}

vpc_up() {
    ip addr add "$E2E_SERVICE_ADDR/32" dev lo
    on_exit "ip addr del $E2E_SERVICE_ADDR/32 dev lo"
}

# host_net_up NAME INDEX: namespace depot-NAME, host at 169.254.INDEX.2, host side .1.
host_net_up() {
    local idx="$2" ns="$E2E_NS_PREFIX$1" veth="dve-$1"
    ((idx >= 1 && idx <= 249)) || die "host index $idx out of range"
    ip netns add "$ns"
    on_exit "ip netns delete $ns"
    ip link add "$veth" type veth peer name eth0 netns "$ns"
    on_exit "ip link delete $veth"
    ip addr add "169.254.$idx.1/30" dev "$veth"
    ip link set "$veth" up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "169.254.$idx.2/30" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add "$E2E_SERVICE_ADDR/32" via "169.254.$idx.1"
}

host_addr_of_index() { echo "169.254.$1.2"; }

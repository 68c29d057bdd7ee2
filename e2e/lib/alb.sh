#!/usr/bin/env bash
# HAProxy in the ALB's role: a listener on loopback, one target group of instances' nginx :80,
# health-checked on the admin (health) port with the interval, thresholds and timeout of
# lifecycle.env. Targets are registered and deregistered at run time over the stats socket,
# like an ASG attaching and detaching instances. Sourced after common.sh; needs load_lifecycle.

E2E_ALB_PORT="${E2E_ALB_PORT:-18080}"
E2E_ALB_SOCK="$E2E_STATE/haproxy.sock"

alb_render() {
    cat <<CFG
global
    stats socket $E2E_ALB_SOCK mode 600 level admin
    pidfile $E2E_STATE/haproxy.pid
    log stdout format raw local0 notice

defaults
    mode http
    log global
    option http-keep-alive
    timeout connect 4s
    timeout client 60s
    timeout server 60s
    timeout check ${HEALTH_CHECK_TIMEOUT_SECONDS}s
    # The ALB does not retry a request on another target; neither do we (an honest error count).
    retries 0

frontend alb
    bind 127.0.0.1:$E2E_ALB_PORT
    default_backend targets

backend targets
    balance roundrobin
    option httpchk GET $HEALTH_CHECK_PATH
    http-check expect status 200
CFG
}

alb_up() {
    require_packages haproxy socat
    alb_render >"$E2E_STATE/haproxy.cfg"
    haproxy -c -q -f "$E2E_STATE/haproxy.cfg" || die "haproxy config invalid"
    haproxy -W -db -f "$E2E_STATE/haproxy.cfg" >"$E2E_STATE/log/haproxy.log" 2>&1 &
    echo $! >"$E2E_STATE/haproxy.master.pid"
    on_exit "stop_pidfile $E2E_STATE/haproxy.master.pid"
    wait_until 10 test -S "$E2E_ALB_SOCK" || die "haproxy did not start"
}

alb_cmd() { echo "$*" | socat -t 5 stdio "unix-connect:$E2E_ALB_SOCK"; }

# Registers a target: not routed to until `rise` health checks pass, as in a target group.
# HAProxy puts a server leaving maintenance UP at once, so it joins with weight 0 (no traffic),
# is forced DOWN, and only then gets its weight: from there the checks decide.
alb_register() {
    local name="$1" addr="$2" out
    out="$(alb_cmd "add server targets/$name $addr:$TRAFFIC_PORT check port $HEALTH_PORT" \
        "inter ${HEALTH_CHECK_INTERVAL_SECONDS}s fall $HEALTH_CHECK_UNHEALTHY_THRESHOLD" \
        "rise $HEALTH_CHECK_HEALTHY_THRESHOLD weight 0")"
    [[ "$out" == *"New server registered"* ]] || die "haproxy add server $name: $out"
    alb_cmd "enable health targets/$name" >/dev/null
    alb_cmd "enable server targets/$name" >/dev/null
    alb_cmd "set server targets/$name health down" >/dev/null
    alb_cmd "set server targets/$name weight 1" >/dev/null
}

# Prints a target's state: UP, DOWN, MAINT, DRAIN, or "UP 1/2"-style transitions.
alb_status() {
    alb_cmd "show stat" | awk -F, -v s="$1" '$1 == "targets" && $2 == s {print $18}'
}

alb_healthy() { [[ "$(alb_status "$1")" == UP ]]; }

alb_wait_healthy() {
    local name="$1" timeout="${2:-$ASG_HEALTH_CHECK_GRACE_SECONDS}"
    wait_until "$timeout" alb_healthy "$name"
}

alb_current_sessions() {
    alb_cmd "show stat" | awk -F, -v s="$1" '$1 == "targets" && $2 == s {print $5}'
}

# Deregisters a target: no new requests, in-flight ones finish within the deregistration delay.
alb_deregister() {
    local name="$1" deadline
    alb_cmd "set server targets/$name state drain" >/dev/null
    deadline=$((SECONDS + DEREGISTRATION_DELAY_SECONDS))
    while ((SECONDS < deadline)) && [[ "$(alb_current_sessions "$name")" != 0 ]]; do
        sleep 0.5
    done
    alb_cmd "set server targets/$name state maint" >/dev/null
    alb_cmd "shutdown sessions server targets/$name" >/dev/null
    alb_cmd "disable health targets/$name" >/dev/null
    wait_until 10 bash -c "[[ \"\$(echo 'del server targets/$name' | socat -t 5 stdio unix-connect:$E2E_ALB_SOCK)\" == *'Server deleted'* ]]" ||
        log "haproxy kept server $name (still has connections)"
}

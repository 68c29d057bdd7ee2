#!/usr/bin/env bash
# Load through the balancer (or a host's nginx) for a whole run, events on the same timeline,
# and per-scenario figures counted from it. Sourced after common.sh.

E2E_LOAD_JSON="$E2E_OUT/load.json"
E2E_EVENTS="$E2E_OUT/events.jsonl"
E2E_SUMMARY_ROWS="$E2E_STATE/summary.rows"
# The steady load's requests per second, once started (the summary reports it beside the goals).
LOAD_RATE=0
# The target's capacity (requests/s), when load_capacity measured it.
LOAD_CAPACITY=""
# The capacity probe: connections (no more than the uploads one client may stream at once, 8,
# or the surplus is refused), seconds, and the first seconds (JIT warm-up) not counted.
CAPACITY_CONNECTIONS=8
CAPACITY_SECONDS=25
CAPACITY_SKIP_SECONDS=10
# The seconds after a colour switch whose p99 is compared with the steady p99 (the goal's window).
SWITCH_WINDOW_SECONDS=30
# nginx's switch times (ms) of the switches the goal is measured on, when a run names them
# (e2e/host-test: its deploy and rollback); otherwise every switch the hosts' audit logs record.
E2E_MEASURED_SWITCHES="$E2E_STATE/measured-switches"

# load_capacity URL TOKEN: sets LOAD_CAPACITY to the requests/s the target answers with the
# load's own mix, sent by the same generator unthrottled. Fails on any failed request.
load_capacity() {
    local out="$E2E_STATE/capacity.json" ok failures errors
    "$E2E_PYTHON" "$E2E_LIB/loadgen.py" run --url "$1" --token "$2" --out "$out" --rate 1000000 \
        --connections "$CAPACITY_CONNECTIONS" --duration "$CAPACITY_SECONDS" >>"$E2E_STATE/log/loadgen.log" 2>&1 ||
        die "the capacity probe failed: $(tail -n 1 "$E2E_STATE/log/loadgen.log")"
    read -r ok failures errors < <("$E2E_PYTHON" "$E2E_LIB/loadgen.py" capacity "$out" "$CAPACITY_SKIP_SECONDS")
    ((failures + errors == 0)) || die "the capacity probe had $failures failed requests and $errors socket errors"
    LOAD_CAPACITY=$ok
    log "capacity: $ok requests/s of the load's mix ($CAPACITY_CONNECTIONS connections, unthrottled, seconds $CAPACITY_SKIP_SECONDS-$CAPACITY_SECONDS)"
}

# load_start URL TOKEN [RATE] [CONNECTIONS]: starts the generator in the background.
load_start() {
    local url="$1" token="$2" rate="${3:-40}" conns="${4:-4}"
    LOAD_RATE=$rate
    "$E2E_PYTHON" "$E2E_LIB/loadgen.py" run --url "$url" --token "$token" --out "$E2E_LOAD_JSON" \
        --rate "$rate" --connections "$conns" --duration 2400 --max-requests 2000000 \
        >"$E2E_STATE/log/loadgen.log" 2>&1 &
    echo $! >"$E2E_STATE/loadgen.pid"
    on_exit "stop_pidfile $E2E_STATE/loadgen.pid"
    wait_until 150 test -s "$E2E_LOAD_JSON" || die "load generator did not start: $(cat "$E2E_STATE/log/loadgen.log")"
    event "load started"
}

load_stop() {
    stop_pidfile "$E2E_STATE/loadgen.pid"
}

# event LABEL: a mark on the timeline.
event() {
    printf '{"t_ms": %s, "label": "%s"}\n' "$(now_ms)" "$1" >>"$E2E_EVENTS"
    log "event: $1"
}

# load_window START_MS END_MS: prints "requests failures errors resent" in that window.
load_window() {
    [[ -s "$E2E_LOAD_JSON" ]] || { echo 0 0 0 0; return 0; }
    "$E2E_PYTHON" "$E2E_LIB/loadgen.py" window "$E2E_LOAD_JSON" "$1" "$2"
}

# load_p99 START_MS END_MS: prints the p99 latency (ms) of the responses in that window.
load_p99() { "$E2E_PYTHON" "$E2E_LIB/loadgen.py" p99 "$E2E_LOAD_JSON" "$1" "$2"; }

# Waits until the generator has written the second that contains now, so a window is complete.
load_settle() { sleep 2.2; }

# record NAME START_MS [VERDICT] [NOTE]: counts the window up to now, prints and keeps a summary
# row; any failed request or a non-empty VERDICT fails the scenario.
record() {
    local name="$1" start="$2" verdict="${3:-}" note="${4:-}" end requests failures errors resent seconds status
    load_settle
    end="$(now_ms)"
    read -r requests failures errors resent < <(load_window "$start" "$end")
    seconds="$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", (b - a) / 1000}')"
    status=pass
    ((failures + errors == 0)) || verdict+="$((failures + errors)) failed requests; "
    # A generator that died counts no failures: the scenario would pass with no load at all.
    if [[ -s "$E2E_STATE/loadgen.pid" ]] && ! kill -0 "$(cat "$E2E_STATE/loadgen.pid")" 2>/dev/null; then
        verdict+="the load generator stopped (log/loadgen.log: $(tail -n 1 "$E2E_STATE/log/loadgen.log")); "
    fi
    [[ -z "$verdict" ]] || status=fail
    note="${note%; }"
    verdict="${verdict%; }"
    note="${note:+$note${verdict:+; }}$verdict"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$status" "$requests" "$failures" "$errors" "$resent" "$seconds" "$note" \
        >>"$E2E_SUMMARY_ROWS"
    log "$name: $status, $requests requests, $failures non-2xx/3xx, $errors socket errors ($resent resent on a closed keep-alive connection), ${seconds} s${note:+ ($note)}"
}

# switched_ms [AUDIT_LOG...]: nginx's switch time (ms) of every switch the logs record as done.
switched_ms() { cat "$@" 2>/dev/null | sed -n 's/.* result=ok .*switched_ms=\([0-9]*\).*/\1/p'; }

# The proving ground's performance goals, as JSON: boot -> /ready of every instance whose
# readiness was awaited (wait_ready_ms), and the p99 in the window after each measured colour
# switch (depotctl's switched_ms) against the run's steady p99.
pg_goals() {
    local boots switches
    boots="$(cat "$E2E_STATE"/hosts/*/ready_ms 2>/dev/null | tr '\n' ' ')"
    if [[ -s "$E2E_MEASURED_SWITCHES" ]]; then
        switches="$(tr '\n' ' ' <"$E2E_MEASURED_SWITCHES")"
    else
        switches="$(switched_ms "$E2E_STATE"/hosts/*/root/var/log/depot/audit.log | tr '\n' ' ')"
    fi
    # shellcheck disable=SC2086
    "$E2E_PYTHON" - "$boots" "$LOAD_RATE" "$("$E2E_PYTHON" "$E2E_LIB/loadgen.py" switches "$E2E_LOAD_JSON" "$SWITCH_WINDOW_SECONDS" $switches)" "$LOAD_CAPACITY" <<'PY'
import json, statistics, sys
boots = [int(ms) / 1000 for ms in sys.argv[1].split()]
switch = json.loads(sys.argv[3])
print(json.dumps({
    "boot_ready": {"goal_max_s": 6, "median_s": statistics.median(boots) if boots else None, "each_s": boots},
    "switch_p99": {"goal_max_ratio": 2, "load_rps": float(sys.argv[2]),
                   "host_capacity_rps": float(sys.argv[4]) if sys.argv[4] else None, **switch},
}))
PY
}

# Prints the summary table and the proving ground's goals, writes summary.json and the
# timeline; fails if any row failed.
summarize() {
    local title="$1"
    mkdir -p "$E2E_OUT"
    "$E2E_PYTHON" - "$E2E_SUMMARY_ROWS" "$E2E_OUT/summary.json" "$(pg_goals)" <<'PY'
import json, sys
rows = []
for line in open(sys.argv[1]):
    name, status, req, fail, err, resent, secs, note = line.rstrip("\n").split("\t")
    rows.append({"scenario": name, "status": status, "requests": int(req), "failures": int(fail),
                 "socket_errors": int(err), "resent_keepalive": int(resent), "seconds": float(secs),
                 "note": note})
goals = json.loads(sys.argv[3])
json.dump({"scenarios": rows, "goals": goals}, open(sys.argv[2], "w"), indent=2)
print("%-44s %-6s %9s %8s %7s %7s %8s  %s" % ("scenario", "status", "requests", "non-2xx", "errors", "resent",
                                              "seconds", "note"))
for r in rows:
    print("%-44s %-6s %9d %8d %7d %7d %8.1f  %s" % (r["scenario"], r["status"], r["requests"], r["failures"],
                                                    r["socket_errors"], r["resent_keepalive"], r["seconds"], r["note"]))
boot, switch = goals["boot_ready"], goals["switch_p99"]
def figure(value, met):
    return "-      not measured" if value is None else "%-6.2f %s" % (value, "yes" if met(value) else "NO")
print("\n%-64s %6s  %s" % ("goal (proving ground)", "goal", "measured met"))
print("%-64s %6s  %s" % ("instance boot -> /ready, median s (%d instances)" % len(boot["each_s"]), "<=6",
                         figure(boot["median_s"], lambda v: v <= 6)))
print("%-64s %6s  %s" % ("p99 in the %d s after a switch / steady p99, worst of %d" % (switch["window_s"], len(switch["after_switch"])), "<=2",
                         figure(switch["ratio_max"], lambda v: v <= 2)))
capacity = switch["host_capacity_rps"]
print("  boot -> /ready s: %s; steady p99 %s ms; after each switch: %s; median ratio %s; load %g req/s%s"
      % (boot["each_s"], switch["steady_p99_ms"] and round(switch["steady_p99_ms"], 1),
         [w["p99_ms"] and round(w["p99_ms"], 1) for w in switch["after_switch"]],
         switch["ratio_median"] and round(switch["ratio_median"], 2), switch["load_rps"],
         capacity and " (%.2f of the host's measured capacity, %g req/s)" % (switch["load_rps"] / capacity, capacity) or ""))
PY
    if [[ -s "$E2E_LOAD_JSON" ]]; then
        "$E2E_PYTHON" "$E2E_LIB/timeline.py" "$E2E_LOAD_JSON" "$E2E_EVENTS" "$E2E_OUT/timeline.png" "$title" ||
            log "timeline picture could not be drawn"
    fi
    ! grep -q $'\tfail\t' "$E2E_SUMMARY_ROWS"
}

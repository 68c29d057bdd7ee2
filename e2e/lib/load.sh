#!/usr/bin/env bash
# Load through the balancer (or a host's nginx) for a whole run, events on the same timeline,
# and per-scenario figures counted from it. Sourced after common.sh.

E2E_LOAD_JSON="$E2E_OUT/load.json"
E2E_EVENTS="$E2E_OUT/events.jsonl"
E2E_SUMMARY_ROWS="$E2E_STATE/summary.rows"

# load_start URL TOKEN [RATE] [CONNECTIONS]: starts the generator in the background.
load_start() {
    local url="$1" token="$2" rate="${3:-40}" conns="${4:-4}"
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
    [[ -z "$verdict" ]] || status=fail
    note="${note%; }"
    verdict="${verdict%; }"
    note="${note:+$note${verdict:+; }}$verdict"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$status" "$requests" "$failures" "$errors" "$resent" "$seconds" "$note" \
        >>"$E2E_SUMMARY_ROWS"
    log "$name: $status, $requests requests, $failures non-2xx/3xx, $errors socket errors ($resent resent on a closed keep-alive connection), ${seconds} s${note:+ ($note)}"
}

# Prints the summary table, writes summary.json and the timeline; fails if any row failed.
summarize() {
    local title="$1"
    mkdir -p "$E2E_OUT"
    "$E2E_PYTHON" - "$E2E_SUMMARY_ROWS" "$E2E_OUT/summary.json" <<'PY'
import json, sys
rows = []
for line in open(sys.argv[1]):
    name, status, req, fail, err, resent, secs, note = line.rstrip("\n").split("\t")
    rows.append({"scenario": name, "status": status, "requests": int(req), "failures": int(fail),
                 "socket_errors": int(err), "resent_keepalive": int(resent), "seconds": float(secs),
                 "note": note})
json.dump({"scenarios": rows}, open(sys.argv[2], "w"), indent=2)
print("%-44s %-6s %9s %8s %7s %7s %8s  %s" % ("scenario", "status", "requests", "non-2xx", "errors", "resent",
                                              "seconds", "note"))
for r in rows:
    print("%-44s %-6s %9d %8d %7d %7d %8.1f  %s" % (r["scenario"], r["status"], r["requests"], r["failures"],
                                                    r["socket_errors"], r["resent_keepalive"], r["seconds"], r["note"]))
PY
    if [[ -s "$E2E_LOAD_JSON" ]]; then
        "$E2E_PYTHON" "$E2E_LIB/timeline.py" "$E2E_LOAD_JSON" "$E2E_EVENTS" "$E2E_OUT/timeline.png" "$title" ||
            log "timeline picture could not be drawn"
    fi
    ! grep -q $'\tfail\t' "$E2E_SUMMARY_ROWS"
}

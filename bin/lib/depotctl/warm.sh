# shellcheck shell=bash
# depotctl: the functional gate of a colour before it takes traffic: one smoke round of the
# real API (upload, read, download, delete), then a warm-up until the latency settles, which
# fails the switch when more than SWITCH_MAX_ERROR_PERCENT (lifecycle.env) of its requests
# fail. Both run on loopback against the idle colour with the host's smoke token
# (DEPOT_SMOKE_TOKEN in depot.env, written at boot from SSM or by Ansible, never baked), for a
# tenant of its own.

DEPOT_SMOKE_FILENAME="depot-smoke.txt"

# The smoke token from depot.env (its quoting as env_line writes it, or none).
smoke_token() {
  local value
  value="$(sed -n 's/^DEPOT_SMOKE_TOKEN=//p' "$DEPOT_HOST_ENV" 2>/dev/null | tail -n 1)"
  value="${value#\'}" value="${value%\'}" value="${value#\"}" value="${value%\"}"
  printf '%s' "$value"
}

# A curl config file (0600) carrying the token, so it never shows in a process list.
auth_config() {
  local file
  file="$(mktemp)"
  printf 'header = "Authorization: Bearer %s"\n' "$1" >"$file"
  printf '%s\n' "$file"
}

# smoke BASE AUTH_CONFIG: upload, read, download (302); prints the new asset's id, or what
# failed (exit 1). The asset stays for the warm-up; remove_asset deletes it.
smoke() {
  local base="$1" auth="$2" answer code id
  answer="$(curl -s --max-time 10 --config "$auth" -H 'Content-Type: text/plain' \
    --data-binary "depot smoke $(date -u +%FT%TZ)" -w '\n%{http_code}' \
    "$base/api/v1/assets?filename=$DEPOT_SMOKE_FILENAME" || true)"
  code="${answer##*$'\n'}"
  [[ "$code" == 201 ]] || { echo "upload answered ${code:-nothing}"; return 1; }
  id="$(asset_id_lines <<<"${answer%$'\n'*}" | head -n 1)"
  [[ -n "$id" ]] || { echo "upload answered without an id"; return 1; }
  code="$(curl -s -o /dev/null --max-time 5 --config "$auth" -w '%{http_code}' "$base/api/v1/assets/$id" || true)"
  [[ "$code" == 200 ]] || { echo "read answered $code"; return 1; }
  code="$(curl -s -o /dev/null --max-time 5 --config "$auth" -w '%{http_code}' "$base/api/v1/assets/$id/content" || true)"
  [[ "$code" == 302 ]] || { echo "download answered $code"; return 1; }
  echo "$id"
}

# remove_asset BASE AUTH_CONFIG ID: delete (204); prints what failed.
remove_asset() {
  local code
  code="$(curl -s -o /dev/null --max-time 5 --config "$2" -X DELETE -w '%{http_code}' "$1/api/v1/assets/$3" || true)"
  [[ "$code" == 204 ]] || { echo "delete answered $code"; return 1; }
}

# A round: 100 requests per warm-up path and 20 uploads whose assets the next round deletes, as
# a tenant's traffic mixes reads and writes, 4 at a time. It warms every route the traffic takes
# (the JIT compiles them) and grows the heap as uploads do (part buffers), before the switch
# rather than under the traffic. The latency has settled when it stopped improving: the lowest
# median of the last WARM_SETTLE_ROUNDS rounds is no more than DEPOT_WARM_SETTLE_PERCENT below
# the lowest of the rounds before them. A cold colour's medians fall round after round; a warm
# one's only wander with the traffic beside it, and a rule asking them to agree never ends
# under load.
WARM_ROUND_REQUESTS=100
WARM_ROUND_UPLOADS=20
WARM_PARALLEL=4
WARM_SETTLE_ROUNDS=2
WARM_FILENAME="depot-warm-up.txt"
# Each request's answer line: status, seconds, and the file holding an upload's body (or none).
WARM_WRITE_OUT='%{http_code} %{time_total} %{filename_effective}\n'

# round_median: the median of the "CODE SECONDS ..." lines on stdin, in microseconds (0: none).
round_median() {
  awk '{ print int($2 * 1000000) }' | sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : 0 }'
}

# settled MEDIAN...: 0 when the lowest of the last WARM_SETTLE_ROUNDS medians is no more than
# the settle percent below the lowest of those before them (at least one round before them).
settled() {
  (($# > WARM_SETTLE_ROUNDS)) || return 1
  local recent before
  recent="$(lowest "${@: -WARM_SETTLE_ROUNDS}")"
  before="$(lowest "${@:1:$# - WARM_SETTLE_ROUNDS}")"
  ((recent > 0 && recent * 100 >= before * (100 - DEPOT_WARM_SETTLE_PERCENT)))
}

# lowest NUMBER...: the lowest of the numbers.
lowest() {
  local low="$1" number
  for number; do ((number < low)) && low="$number"; done
  echo "$low"
}

# warm_operation AUTH_LINES URL OUTPUT [CURL_CONFIG_LINE...]: one request of a round's curl
# config (each after the first opens with "next", so its options are its own).
warm_operation() {
  local auth="$1" url="$2" output="$3" line
  shift 3
  printf '%s\n' "$auth"
  printf 'url = "%s"\ngloboff\noutput = "%s"\nmax-time = 5\nwrite-out = "%s"\n' "$url" "$output" "$WARM_WRITE_OUT"
  for line; do printf '%s\n' "$line"; done
  echo next
}

# warm_round BASE AUTH_CONFIG DIR ROUND ASSET DELETE_ID...: a round's curl config on stdout:
# the reads of ASSET, the uploads (their bodies kept in DIR as up-ROUND-N) and the deletes.
warm_round() {
  local base="$1" auth dir="$3" round="$4" asset="$5" path n id
  # Read once: a round has hundreds of requests.
  auth="$(<"$2")"
  shift 5
  for _ in $(seq "$WARM_ROUND_REQUESTS"); do
    for path in $DEPOT_WARM_PATHS; do
      warm_operation "$auth" "$base${path//\{asset\}/$asset}" /dev/null
    done
  done
  for n in $(seq "$WARM_ROUND_UPLOADS"); do
    warm_operation "$auth" "$base/api/v1/assets?filename=$WARM_FILENAME" "$dir/up-$round-$n" \
      'header = "Content-Type: text/plain"' "data-binary = \"depot warm-up $round $n\""
  done
  for id in "$@"; do
    warm_operation "$auth" "$base/api/v1/assets/$id" /dev/null 'request = "DELETE"'
  done
}

# warm_requests CONFIG: runs a round's requests; prints their answer lines.
warm_requests() {
  sed '$d' "$1" | curl -s --no-progress-meter --parallel --parallel-max "$WARM_PARALLEL" --config - 2>/dev/null || true
}

# warm BASE AUTH_CONFIG ASSET: rounds of requests until the latency settles, for
# DEPOT_WARM_SECONDS at most, then the deletes of the last round's uploads; prints
# "TOTAL ERRORS OK SECONDS SETTLED MEDIANS" (errors: 5xx and no answer; 429 from the rate
# limit is neither; SETTLED: yes, or no when the bound ended it; MEDIANS: each round's, in ms).
warm() {
  local base="$1" auth="$2" asset="$3" dir started deadline round=0 answers medians=() outcome=no
  WARM_TOTAL=0 WARM_ERRORS=0 WARM_OK=0 WARM_UPLOADED=()
  dir="$(mktemp -d)"
  started=$(now_ms)
  deadline=$((started + DEPOT_WARM_SECONDS * 1000))
  while (($(now_ms) < deadline)); do
    round=$((round + 1))
    warm_round "$base" "$auth" "$dir" "$round" "$asset" "${WARM_UPLOADED[@]}" >"$dir/config"
    answers="$(warm_requests "$dir/config")"
    warm_count "$answers"
    medians+=("$(round_median <<<"$answers")")
    settled "${medians[@]}" && { outcome=yes; break; }
  done
  if ((${#WARM_UPLOADED[@]} > 0)); then
    WARM_ROUND_REQUESTS=0 WARM_ROUND_UPLOADS=0 warm_round "$base" "$auth" "$dir" 0 "$asset" "${WARM_UPLOADED[@]}" >"$dir/config"
    warm_count "$(warm_requests "$dir/config")"
  fi
  rm -rf "$dir"
  echo "$WARM_TOTAL $WARM_ERRORS $WARM_OK $((($(now_ms) - started) / 1000)) $outcome $(printf '%s\n' "${medians[@]}" | awk '{ printf "%s%.1f", (NR > 1 ? "," : ""), $1 / 1000 }')"
}

# warm_count ANSWERS: adds a round's answer lines to the counts; WARM_UPLOADED becomes the ids
# of the assets its uploads made.
warm_count() {
  WARM_TOTAL=$((WARM_TOTAL + $(grep -c . <<<"$1" || true)))
  WARM_ERRORS=$((WARM_ERRORS + $(grep -c -E '^(5..|000) ' <<<"$1" || true)))
  WARM_OK=$((WARM_OK + $(grep -c -E '^[23].. ' <<<"$1" || true)))
  mapfile -t WARM_UPLOADED < <(grep -E '^201 ' <<<"$1" | cut -d' ' -f3 | xargs -r cat | asset_id_lines)
}

# asset_id_lines: every asset id in the JSON bodies on stdin, one per line.
asset_id_lines() { { grep -o '"id" *: *"[0-9a-f-]*"' || true; } | sed 's/.*"\([0-9a-f-]*\)"$/\1/'; }

# gate COLOUR: 0 when the colour passes; otherwise prints why and returns 1.
gate() {
  local colour="$1" base token auth asset why="" total errors ok seconds outcome medians bound
  base="http://127.0.0.1:$(colour_app_port "$colour")"
  bound="$(lifecycle SWITCH_MAX_ERROR_PERCENT)"
  token="$(smoke_token)"
  [[ -n "$token" ]] || { echo "no DEPOT_SMOKE_TOKEN in $DEPOT_HOST_ENV"; return 1; }
  auth="$(auth_config "$token")"
  if ! asset="$(smoke "$base" "$auth")"; then
    rm -f "$auth"
    echo "smoke round: $asset"
    return 1
  fi
  read -r total errors ok seconds outcome medians < <(warm "$base" "$auth" "$asset")
  why="$(remove_asset "$base" "$auth" "$asset")" || { rm -f "$auth"; echo "smoke round: $why"; return 1; }
  rm -f "$auth"
  if [[ "$outcome" == yes ]]; then outcome="latency settled"; else outcome="bound of ${DEPOT_WARM_SECONDS} s"; fi
  log "gate $colour: smoke round passed; warm-up $total requests in ${seconds} s ($outcome; round medians ${medians:-none} ms), $errors errors (bound $bound%)"
  ((total == 0 || errors * 100 <= total * bound)) || { echo "warm-up: $errors of $total requests failed (bound $bound%)"; return 1; }
  ((total == 0 || ok > 0)) || { echo "warm-up: none of $total requests succeeded"; return 1; }
}

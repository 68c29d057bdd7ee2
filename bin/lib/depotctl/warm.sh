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

# smoke BASE AUTH_CONFIG: upload, read, download (302), delete; prints what failed.
smoke() {
  local base="$1" auth="$2" answer code id
  answer="$(curl -s --max-time 10 --config "$auth" -H 'Content-Type: text/plain' \
    --data-binary "depot smoke $(date -u +%FT%TZ)" -w '\n%{http_code}' \
    "$base/api/v1/assets?filename=$DEPOT_SMOKE_FILENAME" || true)"
  code="${answer##*$'\n'}"
  [[ "$code" == 201 ]] || { echo "upload answered ${code:-nothing}"; return 1; }
  id="$(sed -n 's/.*"id" *: *"\([0-9a-f-]*\)".*/\1/p' <<<"${answer%$'\n'*}")"
  [[ -n "$id" ]] || { echo "upload answered without an id"; return 1; }
  code="$(curl -s -o /dev/null --max-time 5 --config "$auth" -w '%{http_code}' "$base/api/v1/assets/$id" || true)"
  [[ "$code" == 200 ]] || { echo "read answered $code"; return 1; }
  code="$(curl -s -o /dev/null --max-time 5 --config "$auth" -w '%{http_code}' "$base/api/v1/assets/$id/content" || true)"
  [[ "$code" == 302 ]] || { echo "download answered $code"; return 1; }
  code="$(curl -s -o /dev/null --max-time 5 --config "$auth" -X DELETE -w '%{http_code}' "$base/api/v1/assets/$id" || true)"
  [[ "$code" == 204 ]] || { echo "delete answered $code"; return 1; }
}

# A round: 100 requests per warm-up path, 4 at a time. The latency has settled when the median
# latencies of the last WARM_SETTLE_ROUNDS rounds lie within DEPOT_WARM_SETTLE_PERCENT of the
# lowest of them: the JIT has compiled what the requests run, and more warm-up buys nothing.
WARM_ROUND_REQUESTS=100
WARM_SETTLE_ROUNDS=3

# round_median: the median of the "CODE SECONDS" lines on stdin, in microseconds (0: none).
round_median() {
  awk '{ print int($2 * 1000000) }' | sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : 0 }'
}

# settled MEDIAN...: 0 when the last WARM_SETTLE_ROUNDS medians are within the settle percent.
settled() {
  (($# >= WARM_SETTLE_ROUNDS)) || return 1
  local medians=("${@: -WARM_SETTLE_ROUNDS}") low high median
  low="${medians[0]}" high="${medians[0]}"
  for median in "${medians[@]}"; do
    ((median < low)) && low="$median"
    ((median > high)) && high="$median"
  done
  ((low > 0 && high * 100 <= low * (100 + DEPOT_WARM_SETTLE_PERCENT)))
}

# warm BASE AUTH_CONFIG: rounds of requests until the latency settles, for DEPOT_WARM_SECONDS
# at most, so the JIT compiles the hot paths before traffic arrives; prints
# "TOTAL ERRORS OK SECONDS SETTLED" (errors: 5xx and no answer; 429 from the rate limit is
# neither; SETTLED: yes, or no when the bound ended it).
warm() {
  local base="$1" auth="$2" cfg started deadline path total=0 errors=0 ok=0 answers medians=() outcome=no
  cfg="$(mktemp)"
  cat "$auth" >"$cfg"
  for _ in $(seq "$WARM_ROUND_REQUESTS"); do
    for path in $DEPOT_WARM_PATHS; do
      printf 'url = "%s%s"\noutput = "/dev/null"\n' "$base" "$path" >>"$cfg"
    done
  done
  started=$(now_ms)
  deadline=$((started + DEPOT_WARM_SECONDS * 1000))
  while (($(now_ms) < deadline)); do
    answers="$(curl -s --no-progress-meter --parallel --parallel-max 4 --max-time 5 \
      -w '%{http_code} %{time_total}\n' --config "$cfg" 2>/dev/null || true)"
    total=$((total + $(grep -c . <<<"$answers" || true)))
    errors=$((errors + $(grep -c -E '^(5..|000) ' <<<"$answers" || true)))
    ok=$((ok + $(grep -c -E '^[23].. ' <<<"$answers" || true)))
    medians+=("$(round_median <<<"$answers")")
    settled "${medians[@]}" && { outcome=yes; break; }
  done
  rm -f "$cfg"
  echo "$total $errors $ok $((($(now_ms) - started) / 1000)) $outcome"
}

# gate COLOUR: 0 when the colour passes; otherwise prints why and returns 1.
gate() {
  local colour="$1" base token auth why="" total errors ok seconds outcome bound
  base="http://127.0.0.1:$(colour_app_port "$colour")"
  bound="$(lifecycle SWITCH_MAX_ERROR_PERCENT)"
  token="$(smoke_token)"
  [[ -n "$token" ]] || { echo "no DEPOT_SMOKE_TOKEN in $DEPOT_HOST_ENV"; return 1; }
  auth="$(auth_config "$token")"
  if ! why="$(smoke "$base" "$auth")"; then
    rm -f "$auth"
    echo "smoke round: $why"
    return 1
  fi
  read -r total errors ok seconds outcome < <(warm "$base" "$auth")
  rm -f "$auth"
  if [[ "$outcome" == yes ]]; then outcome="latency settled"; else outcome="bound of ${DEPOT_WARM_SECONDS} s"; fi
  log "gate $colour: smoke round passed; warm-up $total requests in ${seconds} s ($outcome), $errors errors (bound $bound%)"
  ((total == 0 || errors * 100 <= total * bound)) || { echo "warm-up: $errors of $total requests failed (bound $bound%)"; return 1; }
  ((total == 0 || ok > 0)) || { echo "warm-up: none of $total requests succeeded"; return 1; }
}

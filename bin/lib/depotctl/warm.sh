# shellcheck shell=bash
# depotctl: warm-up of a colour before it takes traffic.

# Synthetic requests on loopback so that the JIT has compiled the hot paths
# before the colour takes real traffic.
warm() {
  local colour="$1" base cfg deadline path total=0 errors=0 codes
  ((DEPOT_WARM_SECONDS > 0)) || return 0
  base="http://127.0.0.1:$(colour_app_port "$colour")"
  cfg="$(mktemp)"
  for _ in $(seq 100); do
    for path in $DEPOT_WARM_PATHS; do
      printf 'url = "%s%s"\noutput = "/dev/null"\n' "$base" "$path" >>"$cfg"
    done
  done
  [[ -z "$DEPOT_WARM_TOKEN" ]] || printf 'header = "Authorization: Bearer %s"\n' "$DEPOT_WARM_TOKEN" >>"$cfg"
  deadline=$(($(date +%s) + DEPOT_WARM_SECONDS))
  while (($(date +%s) < deadline)); do
    codes="$(curl -s --no-progress-meter --parallel --parallel-max 4 --max-time 5 -w '%{http_code}\n' --config "$cfg" 2>/dev/null || true)"
    total=$((total + $(grep -c . <<<"$codes")))
    errors=$((errors + $(grep -c -E '^(5..|000)$' <<<"$codes" || true)))
  done
  rm -f "$cfg"
  log "warmed $colour: $total requests in ${DEPOT_WARM_SECONDS}s, $errors errors"
}

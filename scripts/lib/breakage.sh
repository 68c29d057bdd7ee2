# shellcheck shell=bash
# Shared by the checkers' breakage tests (scripts/test-*): a checker is proven by breaking a
# copy of what it reads and expecting it to fail. Source after delivery.sh.

PASSED=0
FAILED=0

# Replaces the first occurrence of OLD in FILE ("\n" in OLD and NEW is a newline); exits 3
# when OLD is not there, so a test whose text moved fails instead of passing vacuously.
replace_once() {
  python3 - "$@" <<'PY'
import pathlib, sys
path, old, new = (pathlib.Path(sys.argv[1]), *(a.replace("\\n", "\n") for a in sys.argv[2:4]))
text = path.read_text()
if old not in text:
    sys.exit(3)
path.write_text(text.replace(old, new, 1))
PY
}

verdict() {
  if [[ $1 == pass ]]; then PASSED=$((PASSED + 1)); echo "ok    $2"; else FAILED=$((FAILED + 1)); echo "FAIL  $2"; fi
}

# Prints the tally and fails when any case failed.
breakage_summary() {
  echo "$PASSED passed, $FAILED failed"
  (( FAILED == 0 ))
}

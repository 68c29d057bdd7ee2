# shellcheck shell=bash
# Functions shared by the delivery scripts (scripts/lint-workflows, scripts/check-consistency,
# scripts/release/*) on top of bin/lib/shell.sh. Source it; it defines functions and REPO_ROOT only.

REPO_ROOT=${REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

# shellcheck source=bin/lib/shell.sh
. "$REPO_ROOT/bin/lib/shell.sh"

# Prints a python3 that imports every MODULE:DEBIAN_PACKAGE given (e.g. yaml:python3-yaml),
# installing the Debian packages into the system python3 when no python3 has them.
python_with() {
  local candidate pair imports=() packages=()
  for pair in "$@"; do imports+=("import ${pair%%:*}"); packages+=("${pair#*:}"); done
  # The interpreter's own path, not a version manager's shim in front of it: a shim starts
  # slower than many checks run, and the checks run python often.
  for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null &&
      "$candidate" -c "$(printf '%s\n' "${imports[@]}" 'import sys' 'print(sys.executable)')" 2>/dev/null; then
      return 0
    fi
  done
  (( EUID == 0 )) || die "python3 lacks ${packages[*]}; install them (apt-get install ${packages[*]})"
  log "installing ${packages[*]}"
  apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3 "${packages[@]}" >&2
  echo /usr/bin/python3
}

# repo_files ROOT: the files of the tree at ROOT (tracked or new, not ignored), minus vendored
# tooling.
repo_files() {
  local files
  files=$(git -C "$1" ls-files -co --exclude-standard) || die "$1 is not a git checkout"
  grep -vE '^(tools|node_modules)/' <<<"$files" || true
}

# shell_files ROOT: the shell scripts among repo_files: *.sh and files whose first line is a
# sh or bash shebang.
shell_files() {
  local root=$1 file
  while read -r file; do
    [[ -f $root/$file ]] || continue
    if [[ $file == *.sh ]] || head -n 1 "$root/$file" | grep -qE '^#!.*\b(ba)?sh\b'; then echo "$file"; fi
  done < <(repo_files "$root")
}

# Installs the npm tool pinned in tools/NAME (package.json and its lock file) into
# build/tools/NAME (git-ignored) with `npm ci`, again only when the lock file changed; prints
# the directory. Needs node and npm (require_packages node:nodejs npm:npm).
npm_tool() {
  local source=$REPO_ROOT/tools/$1 target=$REPO_ROOT/build/tools/$1
  if ! cmp -s "$source/package-lock.json" "$target/package-lock.json" || [[ ! -d $target/node_modules ]]; then
    mkdir -p "$target"
    cp "$source/package.json" "$source/package-lock.json" "$target/"
    npm ci --prefix "$target" --ignore-scripts --no-audit --no-fund --loglevel=error >&2
  fi
  echo "$target"
}

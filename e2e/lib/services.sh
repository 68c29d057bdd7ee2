#!/usr/bin/env bash
# The host side of the VPC: backing services (through scripts/stack), an HTTP server for release
# files and the release pointer, API tokens, and release jars. Sourced after image.sh.

E2E_STACK_DIR="$E2E_STATE/stack"
E2E_HOST_ENV="$E2E_STATE/depot.env"
E2E_RELEASES="$E2E_STATE/releases"
E2E_RELEASE_PORT="${E2E_RELEASE_PORT:-8780}"
E2E_RELEASE_URL="http://$E2E_SERVICE_ADDR:$E2E_RELEASE_PORT"
E2E_JAR="${E2E_JAR:-$E2E_ROOT/target/depot.jar}"

# PostgreSQL, Redis and S3Proxy on the service address, reachable from every host's /30.
stack_up() {
    "$E2E_ROOT/scripts/stack" install >/dev/null
    # A crashed run may have left its stack running; stop it before starting afresh.
    [[ -e "$E2E_STACK_DIR/stack.env" ]] && "$E2E_ROOT/scripts/stack" down "$E2E_STACK_DIR" >/dev/null 2>&1
    rm -rf "$E2E_STACK_DIR"
    on_exit "\"$E2E_ROOT/scripts/stack\" down $E2E_STACK_DIR >/dev/null 2>&1"
    "$E2E_ROOT/scripts/stack" up "$E2E_STACK_DIR" --bind "$E2E_SERVICE_ADDR" --allow 169.254.0.0/16 \
        --s3proxy-jar "$E2E_ROOT/target/s3proxy.jar" >"$E2E_STATE/log/stack.log" 2>&1 ||
        die "scripts/stack up failed: $(tail -5 "$E2E_STATE/log/stack.log")"
    # What hosts get as depot.env: the stack's endpoints and secrets. The rate limit is
    # production's; the tokens that need more are created with limits of their own (token_create).
    cat "$E2E_STACK_DIR/env" >"$E2E_HOST_ENV"
    chmod 600 "$E2E_HOST_ENV"
}

# Runs a jar command against the host-side database, as CI or an operator would.
depot_cli() {
    (
        set -a
        # shellcheck source=/dev/null
        . "$E2E_STACK_DIR/env"
        set +a
        java -jar "$E2E_JAR" "$@" "$E2E_ROOT/config.yml"
    )
}

# The load generator's own rate limit: the most a token may have, so the capacity probe, which
# sends unthrottled, measures the host and never the limit (a host answers a few hundred a second).
E2E_LOAD_REQUESTS_PER_WINDOW=1000000
# The smoke token's, as docs/deploying-to-aws.md creates it for an environment.
E2E_SMOKE_REQUESTS_PER_WINDOW=20000

# token_create [TENANT REQUESTS_PER_WINDOW]: prints a fresh API token, by default the load
# generator's (its tenant and its rate limit).
token_create() {
    depot_cli token create --tenant "${1:-e2e}" --name "${1:-load}-$$" --requests-per-window "${2:-$E2E_LOAD_REQUESTS_PER_WINDOW}" \
        2>>"$E2E_STATE/log/cli.log" | tail -n 1
}

# The hosts' smoke token (depotctl's gate), for a tenant of its own: it reaches hosts in
# depot.env, as the SSM stand-in's secrets do, never in an image. Needs the schema.
smoke_token_add() {
    local token
    if ! token="$(token_create depot-smoke "$E2E_SMOKE_REQUESTS_PER_WINDOW")" || [[ -z "$token" ]]; then
        die "could not create the smoke token (see $E2E_STATE/log/cli.log)"
    fi
    echo "DEPOT_SMOKE_TOKEN=$token" >>"$E2E_HOST_ENV"
}

# break_api VERSION: a build of VERSION that gets ready but answers 500 to every API request
# with a bearer token: the token helper the authenticator calls first is left out, as a
# broken build would (start-up, readiness and the check command never load it; tried by hand:
# ready in ~30 s, an upload answers 500).
break_api() {
    local jar="$E2E_RELEASES/$1/depot.jar" class=io/depot/core/ApiTokens.class
    unzip -l "$jar" "$class" >/dev/null || die "$class is not in the jar: break_api needs another class to leave out"
    zip -q -d "$jar" "$class" || die "could not remove $class from $jar"
    release_checksum "$jar"
}

# corrupt_release VERSION: a published jar whose bytes do not match its checksum.
corrupt_release() {
    printf 'corrupted in transit' >>"$E2E_RELEASES/$1/depot.jar"
}

# Serves $E2E_RELEASES (jars, checksums, the release pointer) to the hosts.
release_server_up() {
    mkdir -p "$E2E_RELEASES"
    "$E2E_PYTHON" -m http.server "$E2E_RELEASE_PORT" --bind "$E2E_SERVICE_ADDR" --directory "$E2E_RELEASES" \
        >"$E2E_STATE/log/release-server.log" 2>&1 &
    echo $! >"$E2E_STATE/release-server.pid"
    on_exit "stop_pidfile $E2E_STATE/release-server.pid"
    wait_until 10 curl -fsS -o /dev/null "$E2E_RELEASE_URL/" || die "release server did not start"
}

# make_release VERSION [STEP...]: a copy of the jar that reports VERSION (manifest), so its
# sha256 differs too. A STEP that names a directory of e2e/releases adds that release step (its
# changesets, and its code patch compiled against the jar); any other STEP adds an expand-only
# marker changeset of that id. Steps apply in order, code patches cumulatively.
make_release() {
    local version="$1" step dir work patches=() classes
    shift
    dir="$E2E_RELEASES/$version"
    work="$E2E_STATE/work-$version"
    rm -rf "$dir" "$work"
    mkdir -p "$dir" "$work/add/META-INF"
    cp "$E2E_JAR" "$dir/depot.jar"
    unzip -p "$E2E_JAR" META-INF/MANIFEST.MF | tr -d '\r' |
        sed -e '/^Implementation-Version:/d' -e "1a Implementation-Version: $version" >"$work/add/META-INF/MANIFEST.MF"
    if (($# > 0)); then
        unzip -p "$E2E_JAR" migrations.xml >"$work/add/migrations.xml"
        for step in "$@"; do
            if [[ -d "$E2E_RELEASE_STEPS/$step" ]]; then
                append_changesets "$work/add/migrations.xml" "$E2E_RELEASE_STEPS/$step/changeset.xml"
                [[ ! -f "$E2E_RELEASE_STEPS/$step/code.patch" ]] || patches+=("$E2E_RELEASE_STEPS/$step/code.patch")
            else
                add_changeset "$work/add/migrations.xml" "$step"
            fi
        done
        if ((${#patches[@]} > 0)); then
            # Apart from the copy: a failure inside $(...) would leave it empty, and "/." is the root.
            classes="$(compiled_patches "${patches[@]}")" || die "release $version: its code patches do not build"
            cp -r "$classes/." "$work/add/"
        fi
    fi
    # One edit of the jar: the manifest, the changelog and the step's classes together.
    jar_put "$dir/depot.jar" "$work/add"
    rm -rf "$work"
}

# jar_put JAR DIR: DIR's files into JAR, replacing entries of the same name, then the release's
# checksum beside it. zip copies the other entries as they are (jar --update re-compresses all
# of a 40 MB jar, several seconds per release on a busy machine).
jar_put() {
    local jar="$1"
    (cd "$2" && zip -q -r -X "$jar" .) || die "could not update $jar"
    release_checksum "$jar"
}

release_checksum() { (cd "$(dirname "$1")" && sha256sum depot.jar | cut -d' ' -f1 >depot.jar.sha256); }

# Release steps (e2e/releases/README.md): each a changeset.xml to append and a code.patch.
E2E_RELEASE_STEPS="$E2E_ROOT/e2e/releases"

# compiled_patches PATCH...: prints a directory with the classes of src/main/java after the
# patches (applied in order), compiled against the jar: every file they touch, as a build of that
# code would compile it. Compiled once per run for each list of patches. A patch that no longer
# applies to the source, or code that no longer compiles, fails the run.
compiled_patches() {
    local out work patch files=()
    out="$E2E_STATE/classes-$(printf '%s\n' "$@" | sha256sum | cut -c1-12)"
    if [[ ! -d "$out" ]]; then
        work="$out.work"
        rm -rf "$work"
        mkdir -p "$work/src/main" "$work/classes"
        cp -r "$E2E_ROOT/src/main/java" "$work/src/main/"
        for patch in "$@"; do
            (cd "$work" && git apply "$patch") || die "$patch does not apply to src/main/java"
            mapfile -t -O "${#files[@]}" files < <(sed -n 's|^+++ b/||p' "$patch")
        done
        mapfile -t files < <(printf '%s\n' "${files[@]/#/$work/}" | sort -u)
        javac --release 17 -parameters -proc:none -nowarn -cp "$E2E_JAR" -d "$work/classes" "${files[@]}" ||
            die "the code of $* does not compile against $E2E_JAR"
        mv "$work/classes" "$out"
        rm -rf "$work"
    fi
    echo "$out"
}

# append_changesets CHANGELOG FRAGMENT: the fragment's changesets at the end of the changelog.
append_changesets() {
    "$E2E_PYTHON" - "$1" "$2" <<'PY'
import sys
path, fragment = sys.argv[1], sys.argv[2]
text = open(path).read()
end = text.rindex("</databaseChangeLog>")
open(path, "w").write(text[:end] + open(fragment).read() + text[end:])
PY
}

# release_lint VERSION: the release's own changelog must pass lint-migrations, as Depot's does in
# make lint; its classification goes to the log.
release_lint() {
    java -jar "$E2E_RELEASES/$1/depot.jar" lint-migrations >"$E2E_STATE/log/lint-$1.log" 2>&1 ||
        die "release $1 fails lint-migrations: $(tail -n 3 "$E2E_STATE/log/lint-$1.log")"
}

release_sha256() { cat "$E2E_RELEASES/$1/depot.jar.sha256"; }

# An expand-only changeset: a new table named after it, so its row is easy to count.
add_changeset() {
    local file="$1" id="$2"
    "$E2E_PYTHON" - "$file" "$id" <<'PY'
import sys
path, cid = sys.argv[1], sys.argv[2]
text = open(path).read()
change = ('  <changeSet id="%s" author="depot-e2e">\n'
          '    <createTable tableName="%s">\n'
          '      <column name="id" type="bigint"/>\n'
          '    </createTable>\n'
          '  </changeSet>\n' % (cid, cid.replace("-", "_")))
end = text.rindex("</databaseChangeLog>")
open(path, "w").write(text[:end] + change + text[end:])
PY
}

# database_query SQL: the rows of a query on the fleet's database, unaligned ("a|b" per row).
database_query() {
    (
        # shellcheck source=/dev/null
        . "$E2E_STACK_DIR/stack.env"
        PGPASSWORD="$DB_PASSWORD" psql -h "$E2E_SERVICE_ADDR" -p "$PG_PORT" -U depot -d depot -tAc "$1"
    )
}

# Counts the rows of a changeset in databasechangelog (applied exactly once means 1).
changeset_count() { database_query "SELECT count(*) FROM databasechangelog WHERE id = '$1'"; }

# site_vars FILE VERSION [with-env]: extra variables for ansible/site.yml in the proving ground:
# the release to install, the pointer and release files on the host side, and (with-env) the
# stack's endpoints and secrets as depot.env, which on EC2 come from SSM at boot.
site_vars() {
    local file="$1" version="$2" with_env="${3:-}"
    "$E2E_PYTHON" - "$file" "$version" "$E2E_RELEASES/$version/depot.jar" "$E2E_RELEASE_URL" \
        "${with_env:+$E2E_HOST_ENV}" <<'PY'
import json, sys
path, version, jar, base, env_file = sys.argv[1:6]
doc = {"depot_release_version": version, "depot_release_jar": jar, "depot_boot_on_ec2": "no",
       "depot_release_pointer_url": base + "/pointer", "depot_release_base_url": base}
if env_file:
    env = dict(line.rstrip("\n").split("=", 1) for line in open(env_file) if "=" in line)
    doc["depot_env"] = env
json.dump(doc, open(path, "w"))
PY
    chmod 600 "$file"
}

# set_pointer VERSION [SHA256]: the release the fleet is meant to run and its jar's sha256 (the
# deploy workflow's SSM parameter, "VERSION SHA256"); SHA256 defaults to the release's own.
set_pointer() {
    local sha256="${2:-}"
    [[ -n "$sha256" ]] || sha256="$(release_sha256 "$1")"
    echo "$1 $sha256" >"$E2E_RELEASES/pointer"
}

#!/usr/bin/env bash
# The workflows played on the fleet: deploy.yml and rollback.yml from their files (the workflow
# player, as scripts/rehearse plays them), against the rehearsal's emulated account
# (scripts/lib/rehearsal/account.sh) whose group's instances are this fleet's hosts. The steps
# the emulator alone cannot run run here for real: ssh-playbook's aws_ec2 inventory lists the
# group's instances, SSH reaches each through `aws ssm start-session` (the emulator grants the
# session, the rehearsal's session-manager-plugin carries it to the host that plays the
# instance), host keys are the ones published under /depot/ENV/host-keys. Hosts launched for a
# play follow the SSM pointer the workflows move (emulator.py --parameters-on).
# Sourced after fleet.sh.

E2E_ACCOUNT="$E2E_STATE/account"
E2E_PARAMETERS_PORT="${E2E_PARAMETERS_PORT:-8781}"
# The environment the plays deploy to.
E2E_ENV=production

# account_start: the emulator, then production bootstrapped into it in the background (once
# per run), so the set-up overlaps the bake and the fleet's boot instead of adding to them.
account_start() {
    [[ -z "${E2E_ACCOUNT_SETUP:-}" ]] || return 0
    REPO_ROOT="$E2E_ROOT" STATE="$E2E_ACCOUNT" WORKSPACE="$E2E_ACCOUNT/workspace"
    # shellcheck source=scripts/lib/rehearsal/account.sh
    . "$E2E_ROOT/scripts/lib/rehearsal/account.sh"
    # shellcheck source=scripts/release/lib.sh
    . "$E2E_ROOT/scripts/release/lib.sh"
    # Clients reach the environment through the balancer.
    PUBLIC_URL="http://127.0.0.1:$E2E_ALB_PORT"
    mkdir -p "$STATE"
    # Run Command runs on the host that plays the instance (lib/ssm-agent); instance refreshes
    # wait for the proving ground to play them (ec2.sh's refresh_serve).
    REHEARSAL_FLEET="$STATE/fleet" E2E_SSH_KEY="$E2E_SSH_KEY" E2E_KNOWN_HOSTS="$E2E_KNOWN_HOSTS" E2E_SSH_USER="$E2E_SSH_USER" \
        emulator_up "$E2E_SERVICE_ADDR:$E2E_PARAMETERS_PORT" --run-commands-with "$E2E_LIB/ssm-agent" --refreshes-in "$E2E_REFRESHES"
    echo "$EMULATOR_PID" >"$E2E_STATE/emulator.pid"
    on_exit "stop_pidfile $E2E_STATE/emulator.pid"
    (
        adapt_templates
        account_prerequisites
        workspace
        bootstrap "$E2E_ENV"
    ) >>"$E2E_STATE/log/account.log" 2>&1 &
    E2E_ACCOUNT_SETUP=$!
    REHEARSAL_SKIPS=""
}

# account_up: the account's set-up done; the deploy key and smoke token as the environment's
# secrets.
account_up() {
    account_start
    [[ -z "${E2E_ACCOUNT_READY:-}" ]] || return 0
    wait "$E2E_ACCOUNT_SETUP" || die "the emulated account's set-up failed (see $E2E_STATE/log/account.log)"
    jq -n --arg env "$E2E_ENV" --rawfile key "$E2E_SSH_KEY" --arg token "$(sed -n 's/^DEPOT_SMOKE_TOKEN=//p' "$E2E_HOST_ENV")" \
        '{repository: {}, environments: {($env): {DEPOT_SSH_PRIVATE_KEY: $key, DEPOT_SMOKE_TOKEN: $token}}}' >"$STATE/secrets.json"
    : >"$STATE/fleet"
    E2E_ACCOUNT_READY=1
}

# account_ready VERSION...: the account up, each VERSION published, the pointer on the first.
account_ready() {
    local version
    account_up
    for version in "$@"; do
        [[ -e "$STATE/github-releases/v$version" ]] || publish "$version"
    done
    account_pointer "$1"
}

# The environment's pointer as its instances read it at boot (emulator.py --parameters-on).
account_pointer_url() { echo "http://$E2E_SERVICE_ADDR:$E2E_PARAMETERS_PORT/depot/$E2E_ENV/release"; }

pointer_names() { [[ "$(parameter "/depot/$E2E_ENV/release")" == "$1 $(release_sha256 "$1")" ]]; }

# publish VERSION: the release as release.yml leaves it: the jar in the bucket, its sha256 on
# the GitHub release.
publish() {
    local version="$1"
    aws s3 cp --only-show-errors "$E2E_RELEASES/$version/depot.jar" "s3://$BUCKET/releases/$version/depot.jar"
    mkdir -p "$STATE/github-releases/v$version"
    printf '%s  depot.jar\n' "$(release_sha256 "$version")" >"$STATE/github-releases/v$version/depot.jar.sha256"
}

# account_pointer VERSION: the environment's pointer on a published release, as a rollout leaves it.
account_pointer() {
    "$E2E_ROOT/scripts/release/set-pointer" --env "$E2E_ENV" --version "$1" --sha256 "$(release_sha256 "$1")" 2>/dev/null
}

group_name() { stack_name "$E2E_ENV"; }

# group_of HOST...: the group's capacity is the hosts; each instance it launched is played by
# one of them (REHEARSAL_FLEET's lines), which publishes its host keys as depot-boot does.
group_of() {
    local count=$# instance name
    aws autoscaling update-auto-scaling-group --auto-scaling-group-name "$(group_name)" \
        --min-size 0 --max-size $((count + 2)) --desired-capacity "$count"
    aws autoscaling set-desired-capacity --auto-scaling-group-name "$(group_name)" --desired-capacity "$count"
    : >"$STATE/fleet"
    for instance in $(group_instances "$(group_name)"); do
        name="$1"
        shift
        [[ -n "$name" ]] || die "the group has more instances than hosts"
        plays_instance "$name" "$instance"
    done
    (($# == 0)) || die "the group has fewer instances than hosts (left: $*)"
}

# plays_instance HOST INSTANCE_ID: HOST stands for the instance; its host keys are published.
plays_instance() {
    local name="$1" instance="$2"
    printf '%s %s\n' "$instance" "$(host_addr "$name")" >>"$STATE/fleet"
    aws ssm put-parameter --overwrite --type String --name "/depot/$E2E_ENV/host-keys/$instance" \
        --value "$(cut -d' ' -f1,2 "$(host_dir "$name")"/root/etc/ssh/ssh_host_*_key.pub)" >/dev/null
}

# workflow_play NAME WORKFLOW ARGS...: one dispatch of WORKFLOW (production, approved), its
# output in the log; the player's status.
workflow_play() {
    local name="$1" workflow="$2"
    shift 2
    REHEARSAL_FLEET="$STATE/fleet" play "$name" --workflow ".github/workflows/$workflow" --dispatch \
        --input "environment=$E2E_ENV" --approve "$E2E_ENV" "$@" >>"$E2E_STATE/log/workflow-$name.log" 2>&1
}

# tag_play VERSION: release.yml for tag vVERSION, approved, with the jar make_release built as
# the build job's (DEPOT_SKIP_BUILD=1: its build step takes target/ as it is, the SBOM the one
# make package wrote): the build, the publish to the bucket, and production's rollout. The bake
# is the proving ground's image of VERSION (its id given as the bake job's output), and
# staging, which this account does not have, is given as passed. Its output in the log; the
# player's status.
tag_play() {
    local version="$1"
    git -C "$WORKSPACE" tag -f "v$version" >/dev/null
    mkdir -p "$WORKSPACE/target"
    cp "$E2E_RELEASES/$version/depot.jar" "$WORKSPACE/target/depot.jar"
    cp "$E2E_ROOT/target/$SBOM_FILE" "$WORKSPACE/target/$SBOM_FILE"
    REHEARSAL_FLEET="$STATE/fleet" DEPOT_SKIP_BUILD=1 DEPOT_POLL_SECONDS=5 play "tag-v$version" \
        --workflow .github/workflows/release.yml --tag "v$version" --job build --job publish --job production \
        --needs-output "bake.ami=$(ec2_ami "$version")" --needs-succeeded staging --approve "$E2E_ENV" \
        >>"$E2E_STATE/log/workflow-tag-v$version.log" 2>&1
}

# played_here NAME: "N steps played, M skipped" from the play's report.
played_here() { sed -n 's/^=== .*: \([0-9]* steps played, [0-9]* skipped\).*/\1/p' "$E2E_STATE/log/workflow-$1.log" | tail -n 1; }

# play_failure NAME: where the play failed, as the player names it.
play_failure() { sed -n 's/^workflow player: FAILED at //p' "$E2E_STATE/log/workflow-$1.log" | tail -n 1; }

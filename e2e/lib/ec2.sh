#!/usr/bin/env bash
# The immutable rollout on the fleet: instances that boot as on EC2 (bin/depot-boot with
# DEPOT_ON_EC2=yes: depot.env from SSM, host keys published, image_is_ahead, the pointer from
# SSM) against the emulated account of lib/workflows.sh, whose API the hosts reach on the
# service address (socat, standing in for the VPC's interface endpoints); an IMDSv2 stand-in
# inside each such instance's namespace (lib/imds.py); and an instance refresh of the account's
# group played on the fleet as Auto Scaling plays one, with start-refresh's own preferences.
# Sourced after workflows.sh.

E2E_AWS_ENDPOINT_PORT="${E2E_AWS_ENDPOINT_PORT:-8782}"
E2E_AWS_ENDPOINT_URL="http://$E2E_SERVICE_ADDR:$E2E_AWS_ENDPOINT_PORT"
# The metadata service's address as on EC2; its port is not 80, which the instance's nginx holds.
E2E_IMDS_URL="http://169.254.169.254:${E2E_IMDS_PORT:-8775}"
# Nothing here raises the CloudWatch alarms that a refresh's checkpoint delay and bake time wait
# for (scripts/check-consistency checks those timings against the alarms): the refresh plays
# each of them as a health watch of the new instances of at most this long. Unset: in full.
E2E_REFRESH_WATCH_SECONDS="${E2E_REFRESH_WATCH_SECONDS-15}"
E2E_AMI_IDS="$E2E_STATE/ami-ids"
# Where the emulated account leaves the instance refreshes it was asked for (emulator.py --refreshes-in).
E2E_REFRESHES="$E2E_STATE/refreshes"

# ec2_up: the account (once per run), its API on the service address, and the environment's
# values under /depot/ENV/env/ (what depot-boot writes into depot.env): this proving ground's.
ec2_up() {
    [[ ! -e "$E2E_STATE/aws-endpoint.pid" ]] || return 0
    account_up
    socat "TCP-LISTEN:$E2E_AWS_ENDPOINT_PORT,bind=$E2E_SERVICE_ADDR,fork,reuseaddr" "TCP:${AWS_ENDPOINT_URL#http://}" \
        >>"$E2E_STATE/log/account.log" 2>&1 &
    echo $! >"$E2E_STATE/aws-endpoint.pid"
    on_exit "stop_pidfile $E2E_STATE/aws-endpoint.pid"
    wait_until 10 curl -s -o /dev/null "$E2E_AWS_ENDPOINT_URL/" || die "the account's API does not answer on $E2E_AWS_ENDPOINT_URL"
    # One boto3 call per value: the CLI takes a second per value, and fetches a value that is a URL.
    python3 - "/depot/$E2E_ENV/env/" "$E2E_HOST_ENV" <<'PY' 2>>"$E2E_STATE/log/account.log" || die "could not write the environment's values to SSM"
import sys, boto3
prefix, path = sys.argv[1:3]
ssm = boto3.client("ssm")
for page in ssm.get_paginator("get_parameters_by_path").paginate(Path=prefix, Recursive=True):
    for parameter in page["Parameters"]:
        ssm.delete_parameter(Name=parameter["Name"])
for line in open(path):
    name, _, value = line.rstrip("\n").partition("=")
    if name:
        ssm.put_parameter(Name=prefix + name, Value=value, Type="SecureString", Overwrite=True)
PY
}

# ec2_ami VERSION: the account's image id of the proving ground's image of VERSION (registered once).
ec2_ami() {
    local ami
    ami="$(awk -v v="$1" '$1 == v { print $2 }' "$E2E_AMI_IDS" 2>/dev/null)"
    if [[ -z "$ami" ]]; then
        ami="$(aws ec2 register-image --name "depot-$1" --query ImageId --output text)"
        printf '%s %s\n' "$1" "$ami" >>"$E2E_AMI_IDS"
    fi
    echo "$ami"
}

# image_of_ami AMI: the version whose image has that id.
image_of_ami() { awk -v a="$1" '$2 == a { print $1 }' "$E2E_AMI_IDS" | grep . || die "no image has id $1"; }

# ec2_image VERSION [SOURCE]: makes the image of VERSION fit for EC2: the AWS CLI that
# depot-boot reads SSM with (the role installs it on EC2 only). With SOURCE, the image of
# VERSION is first made from SOURCE's as a bake of VERSION leaves it: the release installed
# and checked, its class-data-sharing archive, the live colour on it.
ec2_image() {
    local version="$1" source="${2:-}" image="$E2E_AMIS/$1"
    if [[ -n "$source" ]]; then
        rm -rf "$image"
        cp -a --reflink=auto "$E2E_AMIS/$source" "$image"
        mkdir -p "$image/opt/depot/releases/$version"
        cp "$E2E_RELEASES/$version/depot.jar" "$image/opt/depot/releases/$version/"
        printf '%s  depot.jar\n' "$(release_sha256 "$version")" >"$image/opt/depot/releases/$version/depot.jar.sha256"
        in_image "$image" "depotctl cds $version && . /usr/local/lib/depot/depot-common.sh &&
            point_colour \"\$(live_colour)\" $version" || die "could not install $version into its image (see $E2E_STATE/log/images.log)"
    fi
    [[ -x "$image/usr/bin/aws" ]] ||
        in_image "$image" "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends awscli && apt-get clean" ||
        die "could not install the AWS CLI into the image of $version (see $E2E_STATE/log/images.log)"
}

# in_image ROOTFS COMMAND: runs COMMAND in the image, not booted (the apt proxy is reached
# over this machine's network, as in a bake).
in_image() {
    systemd-nspawn -q -D "$1" --pipe --register=no --keep-unit /bin/bash -c "$2" </dev/null >>"$E2E_STATE/log/images.log" 2>&1
}

launch_template() { stack_output "$E2E_ENV" LaunchTemplateId; }

# template_version_of VERSION: a launch-template version of the image of VERSION, made by
# start-refresh's own function (scripts/release/lib.sh).
template_version_of() { new_template_version "$E2E_ENV" "$1" "$(ec2_ami "$1")"; }

# group_template_version: the launch-template version the group runs (rollback-refresh's way).
group_template_version() { group_version "$E2E_ENV" "$(launch_template)"; }

group_on_version() {
    aws autoscaling update-auto-scaling-group --auto-scaling-group-name "$(group_name)" \
        --launch-template "LaunchTemplateId=$(launch_template),Version=$1"
}

# template_image VERSION_NUMBER: the image id a launch-template version launches.
template_image() {
    aws ec2 describe-launch-template-versions --launch-template-id "$(launch_template)" --versions "$1" \
        --query 'LaunchTemplateVersions[0].LaunchTemplateData.ImageId' --output text
}

# ec2_pointers VERSION: the environment's pointers at VERSION and its image, by the release
# workflows' own script.
ec2_pointers() {
    "$E2E_ROOT/scripts/release/set-pointer" --env "$E2E_ENV" --version "$1" --sha256 "$(release_sha256 "$1")" \
        --ami "$(ec2_ami "$1")" 2>>"$E2E_STATE/log/account.log"
}

# ec2_pointers_name VERSION AMI_VERSION: whether release names VERSION and release-ami the
# image of AMI_VERSION.
ec2_pointers_name() {
    [[ "$(parameter "/depot/$E2E_ENV/release") $(parameter "/depot/$E2E_ENV/release-ami")" == \
        "$1 $(release_sha256 "$1") $(ec2_ami "$2")" ]]
}

# ec2_rolled_out VERSION: the group and the pointers as a refresh onto the image of VERSION
# leaves them.
ec2_rolled_out() {
    group_on_version "$(template_version_of "$1")"
    ec2_pointers "$1"
}

# imds_up NAME INSTANCE_ID AMI: the instance metadata service inside the instance's namespace.
imds_up() {
    local name="$1" ns="$E2E_NS_PREFIX$1" dir
    dir="$(host_dir "$name")"
    ip -n "$ns" addr add 169.254.169.254/32 dev lo
    ip netns exec "$ns" "$E2E_PYTHON" "$E2E_LIB/imds.py" --instance-id "$2" --ami-id "$3" --region "$REGION" \
        --port "${E2E_IMDS_URL##*:}" >"$dir/imds.log" 2>&1 &
    echo $! >"$dir/imds.pid"
    on_exit "stop_pidfile $dir/imds.pid"
    wait_until 10 ip netns exec "$ns" curl -fsS -o /dev/null -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' \
        "$E2E_IMDS_URL/latest/api/token" || die "$name: the metadata service did not start (see $dir/imds.log)"
}

# launch_ec2 NAME INDEX [TEMPLATE_VERSION]: an instance as the group launches one, from a
# launch-template version (default: the group's own): its image, the template's boot.env, no
# secrets on disk (depot-boot reads them from SSM), the metadata service; registered with the
# balancer. The instance's AWS CLI reaches the account and the metadata service (for the
# instance's role) through a wrapper naming their endpoints, in every shell (SSM Run Command's too).
launch_ec2() {
    local name="$1" idx="$2" template="${3:-}" ami root instance
    [[ -n "$template" ]] || template="$(group_template_version)"
    ami="$(template_image "$template")"
    host_create "$name" "$idx" "$E2E_AMIS/$(image_of_ami "$ami")"
    root="$(host_dir "$name")/root"
    printf 'DEPOT_ON_EC2=yes\nAWS_DEFAULT_REGION=%s\nDEPOT_SSM_PREFIX=/depot/%s\nDEPOT_RELEASE_BASE_URL=%s\n' \
        "$REGION" "$E2E_ENV" "$E2E_RELEASE_URL" >"$root/etc/depot/boot.env"
    printf 'DEPOT_IMDS_URL=%s\nAWS_EC2_METADATA_SERVICE_ENDPOINT=%s/\n' "$E2E_IMDS_URL" "$E2E_IMDS_URL" >>"$root/etc/depot/boot.env"
    printf '#!/bin/sh\nexport AWS_DEFAULT_REGION=%s AWS_EC2_METADATA_SERVICE_ENDPOINT=%s/\nexec /usr/bin/aws --endpoint-url %s "$@"\n' \
        "$REGION" "$E2E_IMDS_URL" "$E2E_AWS_ENDPOINT_URL" >"$root/usr/local/bin/aws"
    chmod 0755 "$root/usr/local/bin/aws"
    instance="i-$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n' | cut -c1-17)"
    echo "$instance" >"$(host_dir "$name")/instance-id"
    imds_up "$name" "$instance" "$ami"
    host_boot "$name"
    watch_ready "$name"
    alb_register "$name" "$(host_addr "$name")"
}

# host_keys_published NAME: whether the host keys under /depot/ENV/host-keys/<its instance id>
# are the instance's own (depot-boot ran as on EC2).
host_keys_published() {
    [[ "$(parameter "/depot/$E2E_ENV/host-keys/$(cat "$(host_dir "$1")/instance-id")")" == \
        "$(cut -d' ' -f1,2 "$(host_dir "$1")"/root/etc/ssh/ssh_host_*_key.pub)" ]]
}

# refresh_run TEMPLATE_VERSION PREFERENCES PREFIX FIRST_INDEX OLD...: an instance refresh of the
# group (the hosts OLD) onto launch-template version TEMPLATE_VERSION, as Auto Scaling plays it
# with PREFERENCES (the JSON start-refresh sends): MinHealthyPercentage 100, so one instance is
# launched before an old one goes; it must be healthy in the balancer within the health-check
# grace period, then warms up; at each checkpoint the refresh pauses (CheckpointDelay) and after
# the last instance it bakes (BakeTime), the new instances staying healthy. A failure rolls back
# (AutoRollback): healthy new instances are first replaced from the group's own version, then
# every new one goes; the group stays on its version. On success the group runs the new
# version. New instances are PREFIX1, PREFIX2...; returns 1 when the refresh rolled back
# (REFRESH_FAILED says why). Progress goes to refresh_progress.
refresh_run() {
    local template="$1" preferences="$2" prefix="$3" idx="$4" old new total replaced=0 checkpoint launched=()
    shift 4
    total=$#
    [[ "$(jq .MinHealthyPercentage <<<"$preferences")" == 100 && "$(jq .AutoRollback <<<"$preferences")" == true ]] ||
        die "the proving ground plays launch-before-terminate refreshes with auto-rollback only: $preferences"
    REFRESH_FAILED=""
    for old in "$@"; do
        new="$prefix$((${#launched[@]} + 1))"
        event "refresh: launch $new (launch-template version $template)"
        launch_ec2 "$new" $((idx++)) "$template"
        launched+=("$new")
        # Ready (its boot -> /ready time kept for the summary), then healthy in the balancer.
        if ! { wait_ready_ms "$new" >/dev/null && alb_wait_healthy "$new" "$ASG_HEALTH_CHECK_GRACE_SECONDS"; }; then
            REFRESH_FAILED="$new not healthy within the grace period (${ASG_HEALTH_CHECK_GRACE_SECONDS} s)"
        elif ! refresh_watch "$(refresh_pause "$(jq .InstanceWarmup <<<"$preferences")")" "${launched[@]}"; then
            REFRESH_FAILED="$REFRESH_WATCH during its warm-up"
        fi
        [[ -z "$REFRESH_FAILED" ]] || break
        event "refresh: terminate $old"
        terminate "$old"
        replaced=$((replaced + 1))
        refresh_progress InProgress $((replaced * 100 / total))
        for checkpoint in $(jq -r '.CheckpointPercentages[] | select(. < 100)' <<<"$preferences"); do
            ((replaced * 100 / total >= checkpoint && (replaced - 1) * 100 / total < checkpoint)) || continue
            event "refresh: checkpoint at $checkpoint%"
            refresh_watch "$(refresh_pause "$(jq .CheckpointDelay <<<"$preferences")")" "${launched[@]}" ||
                REFRESH_FAILED="$REFRESH_WATCH at the checkpoint"
        done
        [[ -z "$REFRESH_FAILED" ]] || break
    done
    if [[ -z "$REFRESH_FAILED" ]]; then
        event "refresh: bake"
        refresh_progress Baking 100
        refresh_watch "$(refresh_pause "$(jq .BakeTime <<<"$preferences")")" "${launched[@]}" ||
            REFRESH_FAILED="$REFRESH_WATCH during the bake"
    fi
    if [[ -n "$REFRESH_FAILED" ]]; then
        event "refresh: $REFRESH_FAILED; rolling back"
        refresh_progress RollbackInProgress $((replaced * 100 / total)) "$REFRESH_FAILED"
        refresh_roll_back "$idx" "${launched[@]}"
        return 1
    fi
    group_on_version "$template"
    event "refresh: done, the group on launch-template version $template"
}

# refresh_serve PID PREFIX FIRST_INDEX OLD...: Auto Scaling's side of the next instance refresh
# the emulated account is asked for (StartInstanceRefresh, as scripts/release/start-refresh in
# process PID sends it): played on the hosts OLD (the group's instances) with the request's
# launch-template version and preferences, its state written back for DescribeInstanceRefreshes
# (emulator.py --refreshes-in) as it goes. Returns refresh_run's status; 1 (REFRESH_FAILED) when
# PID ended without asking for a refresh.
refresh_serve() {
    local pid="$1" prefix="$2" idx="$3" template
    shift 3
    REFRESH_REQUEST=""
    until REFRESH_REQUEST="$(refresh_requested)"; do
        kill -0 "$pid" 2>/dev/null || { REFRESH_FAILED="no instance refresh was asked for"; return 1; }
        sleep 1
    done
    template="$(jq -r .DesiredConfiguration.LaunchTemplate.Version "$REFRESH_REQUEST")"
    [[ "$(jq -r .AutoScalingGroupName "$REFRESH_REQUEST")" == "$(group_name)" &&
        "$(jq -r .DesiredConfiguration.LaunchTemplate.LaunchTemplateId "$REFRESH_REQUEST")" == "$(launch_template)" ]] ||
        die "an instance refresh of another group or template was asked for: $(jq -c . "$REFRESH_REQUEST")"
    event "refresh $(jq -r .InstanceRefreshId "$REFRESH_REQUEST") asked for: launch-template version $template"
    refresh_progress InProgress 0
    if refresh_run "$template" "$(jq -c .Preferences "$REFRESH_REQUEST")" "$prefix" "$idx" "$@"; then
        refresh_progress Successful 100
    else
        refresh_progress RollbackSuccessful 0 "$REFRESH_FAILED"
        return 1
    fi
}

# refresh_requested: the request file of an instance refresh asked for and not yet taken.
refresh_requested() {
    local request
    for request in "$E2E_REFRESHES"/*.json; do
        [[ -e "$request" && ! -e "${request%.json}.status" ]] && { echo "$request"; return 0; }
    done
    return 1
}

# refresh_progress STATUS PERCENT [REASON]: the served refresh's state, as the account answers it.
refresh_progress() {
    [[ -n "${REFRESH_REQUEST:-}" ]] || return 0
    jq -n --arg status "$1" --argjson percent "$2" --arg reason "${3:-}" \
        '{Status: $status, PercentageComplete: $percent} + (if $reason == "" then {} else {StatusReason: $reason} end)' \
        >"${REFRESH_REQUEST%.json}.status.new"
    mv "${REFRESH_REQUEST%.json}.status.new" "${REFRESH_REQUEST%.json}.status"
}

# refresh_pause SECONDS: how long the proving ground watches a pause of SECONDS.
refresh_pause() {
    local seconds="$1"
    [[ -z "$E2E_REFRESH_WATCH_SECONDS" ]] || ((seconds <= E2E_REFRESH_WATCH_SECONDS)) || seconds="$E2E_REFRESH_WATCH_SECONDS"
    echo "$seconds"
}

# refresh_watch SECONDS NAME...: 1 (REFRESH_WATCH says which) when one of the instances is not
# healthy in the balancer at some point within SECONDS.
refresh_watch() {
    local deadline=$((SECONDS + $1)) name
    shift
    while ((SECONDS < deadline)); do
        for name in "$@"; do
            alb_healthy "$name" || { REFRESH_WATCH="$name unhealthy"; return 1; }
        done
        sleep 1
    done
}

# refresh_roll_back INDEX NEW...: every new instance goes; one that is healthy (it replaced an
# old one) is first replaced (NEW-back) from the group's own launch-template version.
refresh_roll_back() {
    local idx="$1" new
    shift
    for new in "$@"; do
        if alb_healthy "$new"; then
            launch_ec2 "$new-back" $((idx++))
            alb_wait_healthy "$new-back" || log "refresh rollback: $new-back never healthy"
        fi
        event "refresh rollback: terminate $new"
        terminate "$new"
    done
}

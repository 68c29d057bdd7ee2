# shellcheck shell=bash
# Shared by scripts/release/*: where a release lives in AWS and how to reach it. Every AWS
# call goes through `aws` on PATH, so scripts/release/test can check the calls they build.
# shellcheck source-path=SCRIPTDIR source=../lib/delivery.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/delivery.sh"

# The SSM path of an environment: bin/depot-boot reads <prefix>/env/* and <prefix>/release,
# and the launch template's user data sets DEPOT_SSM_PREFIX to the same.
ssm_prefix() { printf '/depot/%s' "$1"; }

# The CycloneDX SBOM as pom.xml names it (outputName), in target/, dist/ and the bucket alike.
# shellcheck disable=SC2034 # read by the scripts that source this file
SBOM_FILE=depot-sbom.json

stack_name() { printf 'depot-%s' "$1"; }

# Prints one output of the environment's CloudFormation stack (infra/depot.yml).
stack_output() {
  local env=$1 key=$2
  aws cloudformation describe-stacks --stack-name "$(stack_name "$env")" \
    --query "Stacks[0].Outputs[?OutputKey=='$key'].OutputValue" --output text
}

# The launch-template version number the group itself runs.
group_version() {
  local env=$1 template=$2 version
  version=$(aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names "$(stack_name "$env")" \
    --query 'AutoScalingGroups[0].LaunchTemplate.Version' --output text)
  [[ $version =~ ^[0-9]+$ ]] || version=$(aws ec2 describe-launch-template-versions --launch-template-id "$template" \
    --versions "$version" --query 'LaunchTemplateVersions[0].VersionNumber' --output text)
  [[ $version =~ ^[0-9]+$ ]] || die "cannot tell which launch-template version depot-$env runs ($version)"
  echo "$version"
}

# A new launch-template version of the stack's template pinned to AMI, described "depot V"
# (auto-rollback needs an explicit version, not $Latest); prints its number.
new_template_version() {
  local env=$1 version=$2 ami=$3 template
  template=$(stack_output "$env" LaunchTemplateId)
  # shellcheck disable=SC2016 # $Latest is the API's name for the newest version, not a variable
  aws ec2 create-launch-template-version --launch-template-id "$template" \
    --source-version '$Latest' --version-description "depot $version" \
    --launch-template-data "$(jq -n -c --arg ami "$ami" '{ImageId: $ami}')" \
    --query LaunchTemplateVersion.VersionNumber --output text
}

# The sha256 of a release as the environment's pointer ("VERSION SHA256") last carried it:
# a rollback trusts what the pointer said when that release went out, not the bucket.
pointer_sha256() {
  local env=$1 version=$2 value sha256=''
  while read -r value; do
    [[ $value == "$version "* ]] && sha256=${value#"$version "}
  done < <(aws ssm get-parameter-history --name "$(ssm_prefix "$env")/release" \
    --query 'Parameters[].Value' --output text | tr '\t' '\n')
  valid_sha256 "$sha256" || die "the $env release pointer never carried $version with a sha256"
  echo "$sha256"
}

# Instance-refresh preferences: warm-up, healthy bounds, checkpoint and bake time from
# lifecycle.env; launch before terminate (max > 100); roll back on failure or on any of the
# alarms ($1, comma-separated), which the checkpoint and bake time give time to fire.
refresh_preferences() {
  local alarms=$1
  load_lifecycle "${DEPOT_LIFECYCLE_FILE:-$REPO_ROOT/lifecycle.env}"
  jq -n -c --arg alarms "$alarms" \
    --argjson warmup "$INSTANCE_WARMUP_SECONDS" \
    --argjson min "$MIN_HEALTHY_PERCENTAGE" \
    --argjson max "$((MIN_HEALTHY_PERCENTAGE * 2))" \
    --argjson bake "$REFRESH_BAKE_SECONDS" \
    --argjson checkpoint "$REFRESH_CHECKPOINT_PERCENT" \
    '{InstanceWarmup: $warmup, MinHealthyPercentage: $min, MaxHealthyPercentage: $max,
      CheckpointPercentages: [$checkpoint, 100], CheckpointDelay: $bake, BakeTime: $bake,
      SkipMatching: false, AutoRollback: true,
      AlarmSpecification: {Alarms: ($alarms | split(",") | map(select(length > 0)))}}'
}

# The instance ids of an Auto Scaling group (any lifecycle state), sorted, one a line.
group_instances() {
  aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names "$1" \
    --query 'AutoScalingGroups[0].Instances[].InstanceId' --output text | tr '\t' '\n' | sed '/^None$/d;/^$/d' | sort
}

# The first InService instance of the environment, where one-off release commands run.
pick_instance() {
  local instance
  instance=$(aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names "$(stack_name "$1")" \
    --query "AutoScalingGroups[0].Instances[?LifecycleState=='InService'] | [0].InstanceId" --output text)
  [[ -n $instance && $instance != None ]] || die "depot-$1 has no InService instance; pass --instance-id"
  echo "$instance"
}

# What the instance runs, under AWS-RunShellScript's sh (no pipefail there): the same
# release layout as bin/depot-boot's fetch. A release already on disk is checked too. The
# release must be readable by the service user whatever umask the shell was given (a hardened
# host's login umask, 027, leaves a new directory closed to it).
# remote_commands VERSION BUCKET SHA256 DEPOTCTL_ARGS...: release VERSION installed (or checked),
# then `depotctl DEPOTCTL_ARGS...`.
remote_commands() {
  local version=$1 bucket=$2 sha256=$3
  shift 3
  jq -n -c --arg v "$version" --arg b "$bucket" --arg s "$sha256" --arg cmd "$*" '{commands: [
    "set -eu",
    "dir=/opt/depot/releases/\($v); incoming=/opt/depot/releases/.incoming-\($v)",
    "if [ ! -f \"$dir/depot.jar\" ]; then rm -rf \"$incoming\"; mkdir -p \"$incoming\"; aws s3 cp --only-show-errors s3://\($b)/releases/\($v)/depot.jar \"$incoming/\"; echo \"\($s)  depot.jar\" >\"$incoming/depot.jar.sha256\"; (cd \"$incoming\" && sha256sum -c depot.jar.sha256); chmod 0755 \"$incoming\"; chmod 0644 \"$incoming\"/*; mv -T \"$incoming\" \"$dir\"; fi",
    "(cd \"$dir\" && echo \"\($s)  depot.jar\" | sha256sum -c -)",
    "DEPOT_AUDIT_USER=release depotctl \($cmd)"
  ]}'
}

# run_on_instance INSTANCE PARAMETERS: sends remote_commands' PARAMETERS over SSM Run Command
# (no SSH port is open), prints the output, fails when the commands failed.
run_on_instance() {
  local instance=$1 parameters=$2 command_id status=Pending
  command_id=$(aws ssm send-command --document-name AWS-RunShellScript --instance-ids "$instance" \
    --comment "depot release command" --timeout-seconds 600 --parameters "$parameters" \
    --query Command.CommandId --output text)
  log "release command on $instance (command $command_id)"
  while [[ $status =~ ^(Pending|InProgress|Delayed)$ ]]; do
    sleep "${DEPOT_POLL_SECONDS:-5}"
    status=$(aws ssm get-command-invocation --command-id "$command_id" --instance-id "$instance" \
      --query Status --output text 2>/dev/null || echo Pending)
  done
  aws ssm get-command-invocation --command-id "$command_id" --instance-id "$instance" \
    --query '[StandardOutputContent,StandardErrorContent]' --output text
  [[ $status == Success ]]
}

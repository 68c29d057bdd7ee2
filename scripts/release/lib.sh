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

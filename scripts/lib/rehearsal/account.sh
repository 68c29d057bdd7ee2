# shellcheck shell=bash
# The rehearsal's AWS account, shared by scripts/rehearse and the proving ground's workflow
# plays (e2e): the emulator on loopback (scripts/lib/rehearsal/emulator.py: moto_server and
# what the SSH deploy needs beyond it), what an account brings, infra/'s templates adapted to
# it, scripts/release/bootstrap, a committed clone of the tree, and the workflow player.
# Source it after bin/lib/shell.sh with REPO_ROOT, STATE (the account's files) and WORKSPACE
# (the clone the plays run in) set; a play skips the steps named in REHEARSAL_SKIPS.

REGION=us-east-1
REPOSITORY=depot/depot
BUCKET=depot-artifacts-rehearsal
# The environments' public URL: the name the certificate covers (the proving ground sets its
# balancer's).
PUBLIC_URL=https://depot.example

# emulator_up [PARAMETERS_ADDRESS:PORT [ARGS...]]: the emulator on a free loopback port (its pid
# in EMULATOR_PID), the AWS CLI and every boto3 pointed at it; with an address, the instances'
# view of the SSM parameters and the bucket there (emulator.py --parameters-on), and ARGS
# (emulator.py --run-commands).
emulator_up() {
  local port
  port=$(free_port)
  export AWS_ENDPOINT_URL=http://127.0.0.1:$port AWS_ACCESS_KEY_ID=rehearsal AWS_SECRET_ACCESS_KEY=rehearsal \
    AWS_DEFAULT_REGION=$REGION AWS_REGION=$REGION
  # Before the emulator starts: a failure here leaves no process behind.
  ec2_endpoint_for_old_boto3 "$AWS_ENDPOINT_URL"
  python3 "$REPO_ROOT/scripts/lib/rehearsal/emulator.py" ${1:+--parameters-on "$1"} "${@:2}" -H 127.0.0.1 -p "$port" \
    >"$STATE/moto.log" 2>&1 &
  # shellcheck disable=SC2034 # the caller stops it
  EMULATOR_PID=$!
  for _ in $(seq 50); do
    aws sts get-caller-identity >/dev/null 2>&1 && { log "moto_server on 127.0.0.1:$port"; return 0; }
    sleep 0.2
  done
  # The caller has not taken it over yet: stopped here, as it would outlive the run (and its lock).
  stop_pid "$EMULATOR_PID"
  die "moto_server did not answer on 127.0.0.1:$port (see $STATE/moto.log)"
}

# Ansible's aws_ec2 inventory runs on Debian's boto3 1.26, which predates AWS_ENDPOINT_URL (a
# runner's newer boto3 honours it): botocore's data path (AWS_DATA_PATH, searched before its
# own data) gets an EC2 endpoint rule set that resolves every region to URL.
ec2_endpoint_for_old_boto3() {
  local url=$1 data=$STATE/aws-data
  require_packages python3-boto3
  mkdir -p "$data/ec2/2016-11-15"
  jq --arg url "$url" '.rules = [{conditions: [], type: "endpoint", endpoint: {url: $url, properties: {}, headers: {}}}]' \
    /usr/lib/python3/dist-packages/botocore/data/ec2/2016-11-15/endpoint-rule-set-1.json \
    >"$data/ec2/2016-11-15/endpoint-rule-set-1.json" || die "Debian's botocore (python3-botocore) has no EC2 endpoint rule set"
  export AWS_DATA_PATH=$data
}

# infra/'s templates adapted to the emulator (cfn_adapt.py lists what it takes out), for the bootstrap.
adapt_templates() {
  local template
  mkdir -p "$STATE/infra"
  for template in account data depot; do
    python3 "$REPO_ROOT/scripts/lib/rehearsal/cfn_adapt.py" "$REPO_ROOT/infra/$template.yml" \
      "$STATE/infra/$template.yml" "$STATE/infra/$template.report.json" | sed "s/^/$template.yml: /" >&2
  done
}

# What a real account brings before the bootstrap (VPC, subnets, certificate, key pair, a first
# image) is created in the emulator; so is the GitHub OIDC provider, whose resource type moto's
# CloudFormation lacks (the bootstrap then finds it and keeps it).
account_prerequisites() {
  local subnets=() zone cidr=1
  VPC=$(aws ec2 create-vpc --cidr-block 10.80.0.0/16 --query Vpc.VpcId --output text)
  for zone in a b; do
    subnets+=("$(aws ec2 create-subnet --vpc-id "$VPC" --cidr-block "10.80.$cidr.0/24" \
      --availability-zone "$REGION$zone" --query Subnet.SubnetId --output text)")
    cidr=$((cidr + 1))
  done
  SUBNETS=${subnets[0]},${subnets[1]}
  CERTIFICATE=$(aws acm request-certificate --domain-name depot.example --query CertificateArn --output text)
  aws ec2 create-key-pair --key-name depot-deploy >/dev/null
  aws iam create-open-id-connect-provider --url https://token.actions.githubusercontent.com \
    --client-id-list sts.amazonaws.com --thumbprint-list 6938fd4d98bab03faadb97b34396831e3780aea1 >/dev/null
  FIRST_AMI=$(aws ec2 register-image --name depot-first --query ImageId --output text)
  echo '{"repository": {}, "reviewers": {"production": ["release managers"]}}' >"$STATE/vars.json"
  jq -n '{repository: {}, environments: {staging: {DEPOT_SSH_PRIVATE_KEY: "rehearsal key", DEPOT_SMOKE_TOKEN: "rehearsal token"},
    production: {DEPOT_SSH_PRIVATE_KEY: "rehearsal key", DEPOT_SMOKE_TOKEN: "rehearsal token"}}}' >"$STATE/secrets.json"
}

# bootstrap ENV [ARGS...]: scripts/release/bootstrap as docs/deploying-to-aws.md runs it, with the
# rehearsal's runner stand-ins (gh) on PATH; the GitHub environments' values go to vars.json.
bootstrap() {
  local env=$1 status=0
  shift
  DEPOT_INFRA_DIR=$STATE/infra DEPOT_POLL_SECONDS=0.5 REHEARSAL_GITHUB_RELEASES=$STATE/github-releases \
    PATH="$REPO_ROOT/scripts/lib/rehearsal/bin:$PATH" \
    "$REPO_ROOT/scripts/release/bootstrap" --env "$env" --repository "$REPOSITORY" --bucket "$BUCKET" \
    --region "$REGION" --vpc-id "$VPC" --public-subnets "$SUBNETS" --private-subnets "$SUBNETS" \
    --certificate-arn "$CERTIFICATE" --public-url "$PUBLIC_URL" --key-name depot-deploy --ami "$FIRST_AMI" --github-values "$STATE/vars.json" "$@" \
    >"$STATE/bootstrap-$env.out" 2>"$STATE/bootstrap-$env.err" || status=$?
  sed "s/^/    /" "$STATE/bootstrap-$env.err" >&2
  (( status == 0 )) || die "the bootstrap of $env failed"
}

# A clone of this working tree (uncommitted changes included), committed.
workspace() {
  local name
  git clone -q --no-hardlinks "$REPO_ROOT" "$WORKSPACE"
  while IFS= read -r -d '' name; do
    [[ -f $REPO_ROOT/$name ]] || continue
    mkdir -p "$WORKSPACE/$(dirname "$name")"
    cp -p "$REPO_ROOT/$name" "$WORKSPACE/$name"
  done < <(git -C "$REPO_ROOT" ls-files -z -co --exclude-standard)
  git -C "$WORKSPACE" add -A
  git -C "$WORKSPACE" -c user.name=rehearsal -c user.email=rehearsal@depot.invalid commit -q --allow-empty -m "rehearsal of the tree"
}

# play NAME ARGS...: one run of a workflow (its own artifacts, summary and runner home in
# $STATE/plays/NAME), as GitHub would start it, with the runner stand-ins on PATH.
play() {
  local name=$1
  shift
  mkdir -p "$STATE/plays/$name/home"
  HOME=$STATE/plays/$name/home WORKFLOW_PLAYER_SKIP=$REHEARSAL_SKIPS REHEARSAL_GITHUB_RELEASES=$STATE/github-releases \
    PATH="$REPO_ROOT/scripts/lib/rehearsal/bin:$PATH" \
    python3 "$REPO_ROOT/scripts/lib/workflow_player.py" --workspace "$WORKSPACE" --state "$STATE/plays/$name" \
    --repository "$REPOSITORY" --vars "$STATE/vars.json" --secrets "$STATE/secrets.json" "$@"
}

expect() {
  local what=$1
  shift
  if "$@"; then echo "ok    $what"; else echo "FAIL  $what"; FAILED=$((FAILED + 1)); fi
}

# bucket_holds_release VERSION: releases/VERSION/ in the bucket holds what a release publishes
# (the jar, its sha256, the SBOM), nothing else.
bucket_holds_release() {
  [[ "$(aws s3 ls "s3://$BUCKET/releases/$1/" | awk '{print $4}' | sort | paste -sd' ')" == "depot-sbom.json depot.jar depot.jar.sha256" ]]
}

parameter() { aws ssm get-parameter --name "$1" --query Parameter.Value --output text 2>/dev/null || echo '(unset)'; }

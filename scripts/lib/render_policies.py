#!/usr/bin/env python3
"""Renders the IAM policies of Depot's CloudFormation templates the way CloudFormation would
for one account: infra/account.yml once, infra/data.yml and infra/depot.yml for staging and
production, with Refs, Subs, GetAtts, Ifs and ImportValues resolved against fixed parameters
and generated physical ids. scripts/check-iam evaluates the result (scripts/lib/iam_cases.mjs).

Usage: render_policies.py [--infra DIR]

Prints JSON: {account, region, partition, ids: {"<stack>/<logical>": physical id},
roles: {"<stack>/<logical>": {arn, trust, policies: [{name, policy}]}},
bucketPolicies: {bucket name: policy}}.
"""
import argparse
import hashlib
import json
import pathlib
import re
import sys

import cfn_yaml

ACCOUNT = "111122223333"
REGION = "eu-west-1"
PARTITION = "aws"
REPOSITORY = "acme/depot"
ARTIFACTS_BUCKET = "depot-artifacts"
ENVIRONMENTS = ("staging", "production")


def short_id(*parts):
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:17]


class Stack:
    """One rendered stack: parameters given, resources named as CloudFormation would."""

    def __init__(self, name, path, parameters, exports):
        self.name = name
        self.template = cfn_yaml.load(path.read_text())
        self.resources = self.template.get("Resources", {})
        self.exports = exports
        self.parameters = {}
        for key, spec in self.template.get("Parameters", {}).items():
            if key in parameters:
                value = parameters[key]
            elif "Default" in spec:
                value = spec["Default"]
            else:
                raise SystemExit(f"{path}: parameter {key} has no value in the fixture and no Default")
            if spec.get("Type", "").startswith("List<") and isinstance(value, str):
                value = value.split(",")
            self.parameters[key] = value
        self.conditions = {key: self.resolve(value) for key, value in self.template.get("Conditions", {}).items()}

    # ----------------------------------------------------------- physical ids and attributes
    def ref(self, logical):
        if logical in self.parameters:
            return self.parameters[logical]
        pseudo = {"AWS::AccountId": ACCOUNT, "AWS::Region": REGION, "AWS::Partition": PARTITION,
                  "AWS::StackName": self.name, "AWS::URLSuffix": "amazonaws.com",
                  "AWS::StackId": f"arn:{PARTITION}:cloudformation:{REGION}:{ACCOUNT}:stack/{self.name}/{short_id(self.name)}"}
        if logical in pseudo:
            return pseudo[logical]
        resource = self.resources.get(logical)
        if resource is None:
            raise SystemExit(f"{self.name}: Ref to unknown {logical}")
        kind, props = resource["Type"], resource.get("Properties", {})
        named = {"AWS::IAM::Role": "RoleName", "AWS::S3::Bucket": "BucketName",
                 "AWS::AutoScaling::AutoScalingGroup": "AutoScalingGroupName"}
        if kind in named and named[kind] in props:
            return self.resolve(props[named[kind]])
        if kind == "AWS::IAM::OIDCProvider":
            return f"arn:{PARTITION}:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
        prefixes = {"AWS::EC2::LaunchTemplate": "lt-", "AWS::EC2::SecurityGroup": "sg-"}
        if kind in prefixes:
            return prefixes[kind] + short_id(self.name, logical)
        return f"{self.name}-{logical}-{short_id(self.name, logical)[:8]}".lower()

    def get_att(self, logical, attribute):
        kind = self.resources[logical]["Type"]
        ref = self.ref(logical)
        if attribute == "Arn":
            arns = {"AWS::IAM::Role": f"arn:{PARTITION}:iam::{ACCOUNT}:role/{ref}",
                    "AWS::IAM::InstanceProfile": f"arn:{PARTITION}:iam::{ACCOUNT}:instance-profile/{ref}",
                    "AWS::S3::Bucket": f"arn:{PARTITION}:s3:::{ref}",
                    "AWS::Logs::LogGroup": f"arn:{PARTITION}:logs:{REGION}:{ACCOUNT}:log-group:{ref}"}
            if kind in arns:
                return arns[kind]
        if attribute == "GroupId":
            return ref
        return f"{ref}.{attribute}"

    # ----------------------------------------------------------- intrinsic functions
    def substitute(self, text, variables):
        def one(match):
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                return str(self.get_att(*name.split(".", 1)))
            return str(self.ref(name))
        return re.sub(r"\$\{([^}]+)\}", one, text)

    def resolve(self, value):
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) != 1:
            return {key: self.resolve(item) for key, item in value.items()}
        (function, argument), = value.items()
        if function == "Ref":
            return self.ref(argument)
        if function == "Fn::GetAtt":
            return self.get_att(*argument)
        if function == "Fn::Sub":
            if isinstance(argument, list):
                return self.substitute(argument[0], {k: self.resolve(v) for k, v in argument[1].items()})
            return self.substitute(argument, {})
        if function == "Fn::Join":
            return argument[0].join(str(item) for item in self.resolve(argument[1]))
        if function == "Fn::If":
            return self.resolve(argument[1] if self.conditions[argument[0]] else argument[2])
        if function == "Fn::Equals":
            left, right = self.resolve(argument)
            return left == right
        if function == "Fn::ImportValue":
            name = self.resolve(argument)
            if name not in self.exports:
                raise SystemExit(f"{self.name}: imports {name}, which no rendered stack exports")
            return self.exports[name]
        if function == "Fn::Select":
            return self.resolve(argument[1])[int(argument[0])]
        if function in ("Fn::Base64", "Fn::GetAZs", "Fn::Split", "Fn::Cidr"):
            return f"<{function}>"
        return {key: self.resolve(item) for key, item in value.items()}

    # ----------------------------------------------------------- what the evaluation needs
    def publish_exports(self):
        for output in self.template.get("Outputs", {}).values():
            if "Export" in output:
                self.exports[self.resolve(output["Export"]["Name"])] = self.resolve(output["Value"])

    def roles(self):
        for logical, resource in self.resources.items():
            if resource["Type"] != "AWS::IAM::Role":
                continue
            props = resource["Properties"]
            yield f"{self.name}/{logical}", {
                "arn": self.get_att(logical, "Arn"),
                "trust": self.resolve(props["AssumeRolePolicyDocument"]),
                "policies": [{"name": p["PolicyName"], "policy": self.resolve(p["PolicyDocument"])}
                             for p in props.get("Policies", [])],
            }

    def bucket_policies(self):
        for resource in self.resources.values():
            if resource["Type"] == "AWS::S3::BucketPolicy":
                props = resource["Properties"]
                yield self.resolve(props["Bucket"]), self.resolve(props["PolicyDocument"])

    def ids(self):
        ids = {f"{self.name}/{logical}": self.ref(logical) for logical in self.resources}
        ids[f"{self.name}/AWS::StackId"] = self.ref("AWS::StackId")
        return ids


def fixtures(environment):
    subnets = "subnet-0a,subnet-0b"
    data = {"EnvironmentName": environment, "VpcId": "vpc-0depot", "PrivateSubnetIds": subnets}
    fleet = {"EnvironmentName": environment, "GitHubRepository": REPOSITORY,
             "OidcProviderArn": f"arn:{PARTITION}:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com",
             "ArtifactsBucketName": ARTIFACTS_BUCKET, "VpcId": "vpc-0depot", "PublicSubnetIds": subnets,
             "PrivateSubnetIds": subnets, "CertificateArn": f"arn:{PARTITION}:acm:{REGION}:{ACCOUNT}:certificate/c",
             "PublicUrl": "https://depot.example.com",
             "ReleaseAmiParameter": f"/depot/{environment}/release-ami", "KeyName": "depot-deploy"}
    return data, fleet


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--infra", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parents[2] / "infra")
    args = parser.parse_args(argv[1:])
    exports = {}
    stacks = [Stack("depot-account", args.infra / "account.yml",
                    {"ArtifactsBucketName": ARTIFACTS_BUCKET, "GitHubRepository": REPOSITORY,
                     "BakeVpcId": "vpc-0bake"}, exports)]
    for environment in ENVIRONMENTS:
        data, fleet = fixtures(environment)
        data_stack = Stack(f"depot-{environment}-data", args.infra / "data.yml", data, exports)
        data_stack.publish_exports()
        stacks += [data_stack, Stack(f"depot-{environment}", args.infra / "depot.yml", fleet, exports)]
    rendered = {"account": ACCOUNT, "region": REGION, "partition": PARTITION, "ids": {}, "roles": {}, "bucketPolicies": {}}
    for stack in stacks:
        rendered["ids"].update(stack.ids())
        rendered["roles"].update(stack.roles())
        rendered["bucketPolicies"].update(stack.bucket_policies())
    json.dump(rendered, sys.stdout, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

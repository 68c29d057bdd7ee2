#!/usr/bin/env python3
"""Plays a GitHub Actions workflow on this machine, from the workflow file itself.

Jobs run in `needs` order (a matrix expands into one run per combination); every `run:`
step runs as written, with its shell, working directory and env, after `${{ }}` is
evaluated (github, inputs, vars, secrets, env, needs, steps, job, matrix, runner and the
status and string functions). $GITHUB_OUTPUT, $GITHUB_ENV, $GITHUB_PATH and
$GITHUB_STEP_SUMMARY work as on a runner. `uses:` steps map to local equivalents
(LOCAL_ACTIONS); an action without one fails the play, naming it. The first failed step
fails the job and the play, naming the workflow, job and step.

Usage: workflow_player.py --workflow FILE --workspace DIR --state DIR
           (--tag vVERSION | --dispatch [--input NAME=VALUE]...)
           [--vars FILE] [--secrets FILE] [--repository OWNER/NAME] [--job ID]...
           [--needs-output JOB.NAME=VALUE]... [--needs-succeeded JOB]... [--approve ENVIRONMENT]...

--vars/--secrets: JSON {"repository": {...}, "environments": {"ENV": {...}}}; an
environment's values override the repository's for a job in that environment. A job in an
environment with required reviewers ("reviewers": [...] in the vars file) waits for an
--approve of that environment and fails without one. --job limits the play to those jobs
(their needs must then be given: --needs-output JOB.NAME=VALUE for a job that succeeded with
that output, --needs-succeeded JOB for one that succeeded without outputs). A job that `uses:` a
reusable workflow of this repository (./.github/workflows/X.yml) plays that workflow's jobs
with the inputs its `with:` gives. Set
WORKFLOW_PLAYER_SKIP=STEP_NAME=REASON;... to skip steps that cannot run here, by name.
Exit status 0 when every job played succeeded.
"""
import argparse
import base64
import copy
import fnmatch
import itertools
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time
import uuid

import yaml

SHELLS = {
    "bash": ["bash", "--noprofile", "--norc", "-eo", "pipefail", "{0}"],
    "sh": ["sh", "-e", "{0}"],
    "python": ["python3", "{0}"],
}


class PlayError(Exception):
    """A failure that ends the play, with a message naming where."""


# ---------------------------------------------------------------- expressions

TOKEN = re.compile(r"""\s*(?:
    (?P<number>-?\d+(?:\.\d+)?) |
    (?P<string>'(?:[^']|'')*') |
    (?P<op>==|!=|<=|>=|&&|\|\||[<>!().,\[\]*]) |
    (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
)""", re.VERBOSE)


def tokenize(text):
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if not match or match.end() == position:
            raise PlayError(f"cannot parse expression {text!r} at {text[position:]!r}")
        position = match.end()
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
    return tokens


def truthy(value):
    return value not in (None, False, 0, "", 0.0)


def coerce(value):
    """Loose equality as GitHub defines it: compare numbers with numbers, strings case-insensitively."""
    if isinstance(value, str):
        return value.lower()
    return value


def to_string(value):
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, indent=2)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Evaluator:
    """Evaluates one expression against contexts (dict) and status functions."""

    def __init__(self, contexts, status):
        self.contexts = contexts
        self.status = status  # job status so far: success, failure or cancelled

    def evaluate(self, text):
        self.tokens = tokenize(text)
        self.index = 0
        value = self.parse_or()
        if self.index != len(self.tokens):
            raise PlayError(f"unexpected {self.tokens[self.index][1]!r} in expression {text!r}")
        return value

    def peek(self):
        return self.tokens[self.index] if self.index < len(self.tokens) else (None, None)

    def take(self, expected=None):
        kind, value = self.peek()
        if expected is not None and value != expected:
            raise PlayError(f"expected {expected!r}, found {value!r}")
        self.index += 1
        return kind, value

    def parse_or(self):
        left = self.parse_and()
        while self.peek()[1] == "||":
            self.take()
            right = self.parse_and()
            left = left if truthy(left) else right
        return left

    def parse_and(self):
        left = self.parse_compare()
        while self.peek()[1] == "&&":
            self.take()
            right = self.parse_compare()
            left = right if truthy(left) else left
        return left

    def parse_compare(self):
        left = self.parse_unary()
        while self.peek()[1] in ("==", "!=", "<", "<=", ">", ">="):
            _, op = self.take()
            right = self.parse_unary()
            a, b = coerce(left), coerce(right)
            if op == "==":
                left = a == b
            elif op == "!=":
                left = a != b
            else:
                try:
                    left = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
                except TypeError:
                    left = False
        return left

    def parse_unary(self):
        if self.peek()[1] == "!":
            self.take()
            return not truthy(self.parse_unary())
        return self.parse_postfix()

    def parse_postfix(self):
        value = self.parse_primary()
        while self.peek()[1] in (".", "["):
            _, op = self.take()
            if op == ".":
                _, key = self.take()
                if key == "*":
                    value = list(value.values()) if isinstance(value, dict) else []
                    continue
            else:
                key = self.parse_or()
                self.take("]")
            value = lookup(value, key)
        return value

    def parse_primary(self):
        kind, value = self.take()
        if kind == "number":
            return float(value) if "." in value else int(value)
        if kind == "string":
            return value[1:-1].replace("''", "'")
        if value == "(":
            inner = self.parse_or()
            self.take(")")
            return inner
        if kind == "name":
            if value in ("true", "false"):
                return value == "true"
            if value == "null":
                return None
            if self.peek()[1] == "(":
                return self.call(value)
            if value not in self.contexts:
                raise PlayError(f"unknown context {value!r}")
            return self.contexts[value]
        raise PlayError(f"unexpected {value!r} in expression")

    def call(self, name):
        self.take("(")
        args = []
        while self.peek()[1] != ")":
            args.append(self.parse_or())
            if self.peek()[1] == ",":
                self.take()
        self.take(")")
        function = FUNCTIONS.get(name.lower())
        if function is None:
            if name.lower() in ("success", "failure", "always", "cancelled"):
                return {"success": self.status == "success", "failure": self.status == "failure",
                        "always": True, "cancelled": self.status == "cancelled"}[name.lower()]
            raise PlayError(f"unknown function {name}()")
        return function(*args)


def lookup(value, key):
    if isinstance(value, list) and isinstance(key, (int, float)):
        return value[int(key)] if 0 <= int(key) < len(value) else None
    if isinstance(value, list):  # object filter: a.*.b
        return [lookup(item, key) for item in value]
    if isinstance(value, dict):
        for candidate, item in value.items():
            if str(candidate).lower() == str(key).lower():
                return item
    return None


def gh_format(template, *args):
    def replace(match):
        return to_string(args[int(match.group(1))])
    return re.sub(r"\{(\d+)\}", replace, template.replace("{{", "\0").replace("}}", "\1")) \
        .replace("\0", "{").replace("\1", "}")


def gh_contains(haystack, needle):
    if isinstance(haystack, list):
        return any(coerce(item) == coerce(needle) for item in haystack)
    return to_string(needle).lower() in to_string(haystack).lower()


FUNCTIONS = {
    "contains": gh_contains,
    "startswith": lambda a, b: to_string(a).lower().startswith(to_string(b).lower()),
    "endswith": lambda a, b: to_string(a).lower().endswith(to_string(b).lower()),
    "format": gh_format,
    "join": lambda a, sep=",": sep.join(to_string(x) for x in a) if isinstance(a, list) else to_string(a),
    "tojson": lambda a: json.dumps(a, indent=2),
    "fromjson": json.loads,
}

EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


def interpolate(value, evaluator):
    """Replaces every ${{ }} in a string (recursively in lists and dicts)."""
    if isinstance(value, str):
        whole = EXPRESSION.fullmatch(value.strip())
        if whole and value.strip() == value:
            return evaluator.evaluate(whole.group(1))
        return EXPRESSION.sub(lambda m: to_string(evaluator.evaluate(m.group(1))), value)
    if isinstance(value, list):
        return [interpolate(item, evaluator) for item in value]
    if isinstance(value, dict):
        return {key: interpolate(item, evaluator) for key, item in value.items()}
    return value


def condition(text, evaluator):
    """An `if:`: an expression with or without ${{ }}; success() is implied without a status function."""
    if text is None:
        return evaluator.status == "success"
    if isinstance(text, bool):
        return text and evaluator.status == "success"
    text = str(text).strip()
    whole = EXPRESSION.fullmatch(text)
    if whole:
        text = whole.group(1)
    if not re.search(r"\b(success|failure|always|cancelled)\s*\(", text):
        text = f"success() && ({text})"
    return truthy(evaluator.evaluate(text))


# ---------------------------------------------------------------- runner files

def read_key_values(path):
    """Parses $GITHUB_OUTPUT / $GITHUB_ENV: NAME=VALUE lines and NAME<<DELIMITER blocks."""
    values = {}
    if not path.exists():
        return values
    lines = path.read_text().split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.strip():
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body = []
            while index < len(lines) and lines[index] != delimiter:
                body.append(lines[index])
                index += 1
            if index >= len(lines):
                raise PlayError(f"{path.name}: no closing delimiter {delimiter!r} for {name}")
            index += 1
            values[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        else:
            raise PlayError(f"{path.name}: malformed line {line!r}")
    return values


# ---------------------------------------------------------------- local actions

def action_checkout(player, job, step, inputs, env):
    """The workspace is the clone already: nothing to fetch."""
    return f"workspace {player.workspace} at {player.sha[:12]}"


def action_setup_tool(command):
    def setup(player, job, step, inputs, env):
        path = shutil.which(command, path=env.get("PATH"))
        if not path:
            raise PlayError(f"{command} is not installed on this machine")
        return f"this machine's {command}: {path}"
    return setup


def action_upload_artifact(player, job, step, inputs, env):
    name = inputs.get("name") or "artifact"
    target = player.artifacts / name
    if target.exists():
        raise PlayError(f"artifact {name!r} exists already (an artifact is uploaded once per run)")
    paths = [p for p in str(inputs.get("path", "")).split("\n") if p.strip()]
    found = []
    for pattern in paths:
        found += sorted((player.workspace / job.working_directory).glob(pattern.strip())) \
            if not pathlib.Path(pattern.strip()).is_absolute() else [pathlib.Path(pattern.strip())]
    found = [p for p in found if p.exists()]
    if not found:
        policy = inputs.get("if-no-files-found", "warn")
        if policy == "error":
            raise PlayError(f"no files found for artifact {name!r}: {paths}")
        return f"no files for artifact {name!r} ({policy})"
    # As upload-artifact does: paths are kept relative to the matches' least common ancestor.
    root = pathlib.Path(os.path.commonpath([p if p.is_dir() else p.parent for p in found]))
    files = [f for p in found for f in ([p] if p.is_file() else sorted(x for x in p.rglob("*") if x.is_file()))]
    for source in files:
        destination = target / source.relative_to(root)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
    return f"artifact {name!r}: {len(files)} files"


def action_download_artifact(player, job, step, inputs, env):
    name = inputs.get("name")
    source = player.artifacts / name
    if not source.is_dir():
        raise PlayError(f"artifact {name!r} was not uploaded in this run")
    destination = player.workspace / (inputs.get("path") or ".")
    shutil.copytree(source, destination, dirs_exist_ok=True)
    return f"artifact {name!r} into {destination}"


def oidc_token(player, job, audience):
    """The claims GitHub signs for this job; the emulator checks no signature."""
    claims = {
        "iss": "https://token.actions.githubusercontent.com",
        "aud": audience,
        "sub": job.oidc_subject(),
        "repository": player.repository,
        "ref": player.ref,
        "sha": player.sha,
        "environment": job.environment or "",
        "event_name": player.event_name,
        "job_workflow_ref": f"{player.repository}/{player.workflow_path}@{player.ref}",
        "iat": int(time.time()),
        "exp": int(time.time()) + 300,
    }
    encode = lambda doc: base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")
    return encode({"alg": "RS256", "typ": "JWT"}) + "." + encode(claims) + ".", claims


def action_configure_aws_credentials(player, job, step, inputs, env):
    if str(job.permissions.get("id-token", "")) != "write":
        raise PlayError("no OIDC token: the job lacks `permissions: id-token: write`")
    role = inputs.get("role-to-assume")
    region = inputs.get("aws-region")
    if not role or not region:
        raise PlayError(f"role-to-assume ({role!r}) and aws-region ({region!r}) must be set")
    token, claims = oidc_token(player, job, inputs.get("audience", "sts.amazonaws.com"))
    player.check_trust(role, claims)
    result = subprocess.run(
        ["aws", "sts", "assume-role-with-web-identity", "--role-arn", role,
         "--role-session-name", "GitHubActions", "--web-identity-token", token,
         "--duration-seconds", str(inputs.get("role-duration-seconds", 3600)),
         "--query", "Credentials", "--output", "json"],
        env={**env, "AWS_REGION": region, "AWS_DEFAULT_REGION": region},
        capture_output=True, text=True)
    if result.returncode != 0:
        raise PlayError(f"AssumeRoleWithWebIdentity {role}: {result.stderr.strip()}")
    credentials = json.loads(result.stdout)
    job.env.update({"AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
                    "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
                    "AWS_SESSION_TOKEN": credentials["SessionToken"],
                    "AWS_REGION": region, "AWS_DEFAULT_REGION": region})
    return f"assumed {role} as {claims['sub']}"


LOCAL_ACTIONS = {
    "actions/checkout": action_checkout,
    "actions/setup-java": action_setup_tool("java"),
    "hashicorp/setup-packer": action_setup_tool("packer"),
    "aws-actions/configure-aws-credentials": action_configure_aws_credentials,
    "actions/upload-artifact": action_upload_artifact,
    "actions/download-artifact": action_download_artifact,
}


# ---------------------------------------------------------------- jobs and steps

class Job:
    def __init__(self, player, job_id, spec, matrix):
        self.player = player
        self.id = job_id
        self.spec = spec
        self.matrix = matrix
        self.steps = {}
        self.status = "success"
        self.env = {}
        self.permissions = spec.get("permissions", player.workflow.get("permissions", {})) or {}
        if isinstance(self.permissions, str):
            self.permissions = {"id-token": "write"} if self.permissions == "write-all" else {}
        self.environment = None
        self.working_directory = "."

    def label(self):
        suffix = f" ({', '.join(to_string(v) for v in self.matrix.values())})" if self.matrix else ""
        return f"{self.id}{suffix}"

    def oidc_subject(self):
        repo = self.player.repository
        if self.environment:
            return f"repo:{repo}:environment:{self.environment}"
        return f"repo:{repo}:ref:{self.player.ref}"


class Player:
    def __init__(self, args):
        self.workflow_path = args.workflow
        self.workspace = pathlib.Path(args.workspace).resolve()
        self.workflow = yaml.safe_load((self.workspace / args.workflow).read_text())
        # PyYAML reads the key `on` as True.
        self.triggers = self.workflow.get("on", self.workflow.get(True)) or {}
        self.name = self.workflow.get("name", args.workflow)
        self.state = pathlib.Path(args.state).resolve()
        self.artifacts = self.state / "artifacts"
        self.artifacts.mkdir(parents=True, exist_ok=True)
        self.summary = self.state / "step-summary.md"
        self.repository = args.repository
        self.vars = json.loads(pathlib.Path(args.vars).read_text()) if args.vars else {}
        self.secrets = json.loads(pathlib.Path(args.secrets).read_text()) if args.secrets else {}
        self.approved = set(args.approve)
        self.only_jobs = set(args.job)
        self.sha = git(self.workspace, "rev-parse", "HEAD")
        self.actor = os.environ.get("GITHUB_ACTOR", "rehearsal")
        self.skips = dict(item.split("=", 1) for item in
                          filter(None, os.environ.get("WORKFLOW_PLAYER_SKIP", "").split(";")))
        self.played, self.skipped = [], []
        self.needs_outputs = {}
        for item in args.needs_output:
            key, value = item.split("=", 1)
            job_id, name = key.split(".", 1)
            self.needs_outputs.setdefault(job_id, {"result": "success", "outputs": {}})["outputs"][name] = value
        for job_id in args.needs_succeeded:
            self.needs_outputs.setdefault(job_id, {"result": "success", "outputs": {}})
        if args.tag:
            if "push" not in self.triggers:
                raise PlayError(f"{self.name}: not triggered by push")
            patterns = (self.triggers["push"] or {}).get("tags", [])
            if not any(fnmatch.fnmatch(args.tag, p) for p in patterns):
                raise PlayError(f"{self.name}: tag {args.tag} matches none of {patterns}")
            self.event_name, self.ref, self.ref_name, self.ref_type = "push", f"refs/tags/{args.tag}", args.tag, "tag"
            self.inputs, self.event = {}, {"ref": self.ref, "repository": {"full_name": self.repository}}
        else:
            if "workflow_dispatch" not in self.triggers:
                raise PlayError(f"{self.name}: not triggered by workflow_dispatch")
            branch = git(self.workspace, "rev-parse", "--abbrev-ref", "HEAD")
            self.event_name, self.ref, self.ref_name, self.ref_type = \
                "workflow_dispatch", f"refs/heads/{branch}", branch, "branch"
            self.inputs = self.dispatch_inputs(dict(item.split("=", 1) for item in args.input))
            self.event = {"inputs": self.inputs, "ref": self.ref}

    def dispatch_inputs(self, given):
        declared = ((self.triggers.get("workflow_dispatch") or {}).get("inputs")) or {}
        unknown = set(given) - set(declared)
        if unknown:
            raise PlayError(f"{self.name}: unknown inputs {sorted(unknown)}")
        inputs = {}
        for name, spec in declared.items():
            value = given.get(name, spec.get("default", ""))
            if spec.get("required") and value in ("", None):
                raise PlayError(f"{self.name}: input {name} is required")
            if spec.get("type") == "choice" and value not in spec.get("options", []):
                raise PlayError(f"{self.name}: input {name}={value!r} is not one of {spec.get('options')}")
            if spec.get("type") == "boolean":
                value = str(value).lower() == "true"
            inputs[name] = value
        return inputs

    # -- trust: the role's trust policy must admit the token's claims, as STS would decide
    def check_trust(self, role_arn, claims):
        name = role_arn.rsplit("/", 1)[-1]
        result = subprocess.run(["aws", "iam", "get-role", "--role-name", name, "--query",
                                 "Role.AssumeRolePolicyDocument", "--output", "json"],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise PlayError(f"role {role_arn} does not exist: {result.stderr.strip()}")
        document = json.loads(result.stdout)
        if isinstance(document, str):
            document = json.loads(document)
        for statement in as_list(document.get("Statement")):
            if statement.get("Effect") != "Allow" or "sts:AssumeRoleWithWebIdentity" not in as_list(statement.get("Action")):
                continue
            if all(condition_holds(op, tests, claims) for op, tests in (statement.get("Condition") or {}).items()):
                return
        raise PlayError(f"the trust policy of {role_arn} does not admit {claims['sub']} (aud {claims['aud']})")

    def contexts(self, job, env):
        return {
            "github": {
                "event_name": self.event_name, "event": self.event, "ref": self.ref,
                "ref_name": self.ref_name, "ref_type": self.ref_type, "sha": self.sha,
                "repository": self.repository, "repository_owner": self.repository.split("/")[0],
                "actor": self.actor, "workflow": self.name, "job": job.id if job else "",
                "run_id": "1", "run_number": "1", "run_attempt": "1", "token": "rehearsal-github-token",
                "server_url": "https://github.com", "api_url": "https://api.github.com",
                "workspace": str(self.workspace), "action": "",
            },
            "inputs": self.inputs,
            "vars": self.scoped(self.vars, job),
            "secrets": self.scoped(self.secrets, job),
            "env": env,
            "needs": {n: self.results.get(n, self.needs_outputs.get(n, {"result": "skipped", "outputs": {}}))
                      for n in (job.needs if job else [])},
            "steps": job.steps if job else {},
            "job": {"status": job.status if job else "success"},
            "matrix": job.matrix if job else {},
            "strategy": {}, "runner": {"os": "Linux", "arch": "X64", "temp": str(self.state / "tmp")},
        }

    def scoped(self, values, job):
        merged = dict(values.get("repository", {}))
        if job is not None and job.environment:
            merged.update(values.get("environments", {}).get(job.environment, {}))
        return merged

    # -- the play
    def play(self):
        jobs = self.workflow.get("jobs") or {}
        order = self.order(jobs)
        self.results = {}
        overall = "success"
        print(f"=== {self.name} ({self.workflow_path}): {self.event_name} {self.ref}", flush=True)
        for job_id in order:
            if self.only_jobs and job_id not in self.only_jobs:
                continue
            result = self.play_job(job_id, jobs[job_id])
            if result == "failure":
                overall = "failure"
        return overall

    def order(self, jobs):
        order, seen = [], set()

        def visit(job_id, path):
            if job_id in path:
                raise PlayError(f"needs cycle: {' -> '.join(path + [job_id])}")
            if job_id in seen:
                return
            if job_id not in jobs:
                raise PlayError(f"needs names an unknown job {job_id!r}")
            for need in as_list(jobs[job_id].get("needs")):
                visit(need, path + [job_id])
            seen.add(job_id)
            order.append(job_id)
        for job_id in jobs:
            visit(job_id, [])
        return order

    def matrices(self, spec, evaluator):
        matrix = interpolate(((spec.get("strategy") or {}).get("matrix")) or {}, evaluator)
        if not matrix:
            return [{}]
        include, exclude = matrix.pop("include", []) or [], matrix.pop("exclude", []) or []
        keys = list(matrix)
        combos = [dict(zip(keys, values)) for values in itertools.product(*(as_list(matrix[k]) for k in keys))] if keys else []
        combos = [c for c in combos if not any(all(c.get(k) == v for k, v in e.items()) for e in exclude)]
        for extra in include:
            matched = False
            for combo in combos:
                if all(combo.get(k) == v for k, v in extra.items() if k in keys):
                    combo.update(extra)
                    matched = True
            if not matched:
                combos.append(dict(extra))
        return combos

    def play_job(self, job_id, spec):
        needs = as_list(spec.get("needs"))
        probe = Job(self, job_id, spec, {})
        probe.needs = needs
        need_results = [self.results.get(n, self.needs_outputs.get(n, {})).get("result", "skipped") for n in needs]
        probe.status = "success" if all(r == "success" for r in need_results) else "failure"
        evaluator = Evaluator(self.contexts(probe, {}), probe.status)
        if not condition(spec.get("if"), evaluator):
            print(f"--- job {job_id}: skipped (if: {spec.get('if', 'needs succeeded')})", flush=True)
            self.skipped.append((f"{self.name} / {job_id}", "its if: is false"))
            self.results[job_id] = {"result": "skipped", "outputs": {}}
            return "skipped"
        if "uses" in spec:
            return self.play_called(job_id, spec, evaluator)
        results, outputs = [], {}
        for matrix in self.matrices(spec, evaluator):
            job = Job(self, job_id, spec, matrix)
            job.needs = needs
            result = self.run_job(job)
            results.append(result)
            outputs.update(job.outputs)
        result = "failure" if "failure" in results else "success"
        self.results[job_id] = {"result": result, "outputs": outputs}
        return result

    def play_called(self, job_id, spec, evaluator):
        """A job that calls a reusable workflow of this repository: its jobs played in turn with the
        caller's event, vars and secrets, and the inputs its `with:` gives."""
        path = str(spec["uses"])
        if not path.startswith("./"):
            raise PlayError(f"{self.name} / {job_id}: only this repository's reusable workflows are played ({path})")
        called = copy.copy(self)
        called.workflow_path = path[2:]
        called.workflow = yaml.safe_load((self.workspace / called.workflow_path).read_text())
        triggers = called.workflow.get("on", called.workflow.get(True)) or {}
        if "workflow_call" not in triggers:
            raise PlayError(f"{self.name} / {job_id}: {called.workflow_path} is not triggered by workflow_call")
        declared = ((triggers.get("workflow_call") or {}).get("inputs")) or {}
        given = interpolate(spec.get("with") or {}, evaluator)
        unknown = set(given) - set(declared)
        if unknown:
            raise PlayError(f"{self.name} / {job_id}: {called.workflow_path} declares no inputs {sorted(unknown)}")
        called.inputs = {}
        for name, declaration in declared.items():
            # As GitHub checks it: a required input must be passed; its value may be empty.
            if declaration.get("required") and name not in given:
                raise PlayError(f"{self.name} / {job_id}: input {name} of {called.workflow_path} is required")
            value = given.get(name, declaration.get("default", ""))
            called.inputs[name] = value
        called.name = f"{self.name} / {job_id}"
        called.only_jobs, called.needs_outputs, called.failure = set(), {}, None
        result = called.play()
        if result == "failure":
            self.failure = called.failure
        self.results[job_id] = {"result": result, "outputs": {}}
        return result

    def run_job(self, job):
        spec = job.spec
        evaluator = Evaluator(self.contexts(job, {}), "success")
        environment = interpolate(spec.get("environment"), evaluator)
        if isinstance(environment, dict):
            environment = environment.get("name")
        job.environment = environment or None
        print(f"--- job {job.label()}" + (f" (environment {job.environment})" if job.environment else ""), flush=True)
        if job.environment:
            reviewers = self.vars.get("reviewers", {}).get(job.environment)
            if reviewers and job.environment not in self.approved:
                print(f"    environment {job.environment} requires a review by {', '.join(reviewers)}: not approved", flush=True)
                job.status = "failure"
                job.outputs = {}
                self.failure = f"{self.name} / {job.label()}: environment {job.environment} was not approved"
                return "failure"
            if reviewers:
                print(f"    environment {job.environment}: approved by {', '.join(reviewers)}", flush=True)
        env = self.runner_env(job)
        for scope in (self.workflow.get("env") or {}, spec.get("env") or {}):
            for name, value in scope.items():
                env[name] = to_string(interpolate(value, Evaluator(self.contexts(job, env), "success")))
        job.env = env
        defaults = ((spec.get("defaults") or self.workflow.get("defaults") or {}).get("run")) or {}
        job.working_directory = defaults.get("working-directory", ".")
        deadline = time.monotonic() + 60 * float(spec.get("timeout-minutes", 360))
        for index, step in enumerate(spec.get("steps") or [], start=1):
            self.run_step(job, index, step, defaults, deadline)
        job.outputs = {name: to_string(interpolate(value, Evaluator(self.contexts(job, job.env), job.status)))
                       for name, value in (spec.get("outputs") or {}).items()}
        print(f"--- job {job.label()}: {job.status}", flush=True)
        return job.status

    def runner_env(self, job):
        temp = self.state / "tmp"
        temp.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env.update({
            "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_REPOSITORY": self.repository, "GITHUB_REPOSITORY_OWNER": self.repository.split("/")[0],
            "GITHUB_REF": self.ref, "GITHUB_REF_NAME": self.ref_name, "GITHUB_REF_TYPE": self.ref_type,
            "GITHUB_SHA": self.sha, "GITHUB_EVENT_NAME": self.event_name, "GITHUB_ACTOR": self.actor,
            "GITHUB_WORKFLOW": self.name, "GITHUB_JOB": job.id, "GITHUB_RUN_ID": "1",
            "GITHUB_STEP_SUMMARY": str(self.summary), "RUNNER_TEMP": str(temp), "RUNNER_OS": "Linux",
        })
        return env

    def step_label(self, step, index):
        if step.get("name"):
            return str(step["name"])
        if "uses" in step:
            return f"Run {step['uses'].split('@')[0]}"
        first = str(step.get("run", "")).strip().split("\n")[0]
        return f"Run {first}" if first else f"step {index}"

    def run_step(self, job, index, step, defaults, deadline):
        evaluator = Evaluator(self.contexts(job, job.env), job.status)
        label = self.step_label(step, index)
        where = f"{self.name} / {job.label()} / {label}"
        step_id = step.get("id") or f"__step{index}"
        record = {"outputs": {}, "outcome": "skipped", "conclusion": "skipped"}
        job.steps[step_id] = record
        if not condition(step.get("if"), evaluator):
            print(f"    - {label}: not run (if: {step.get('if', 'success()')})", flush=True)
            return
        if label in self.skips:
            print(f"    - {label}: SKIPPED here: {self.skips[label]}", flush=True)
            self.skipped.append((where, self.skips[label]))
            return
        env = dict(job.env)
        for name, value in (step.get("env") or {}).items():
            env[name] = to_string(interpolate(value, Evaluator(self.contexts(job, env), job.status)))
        print(f"    - {label}", flush=True)
        started = time.monotonic()
        try:
            if "uses" in step:
                note = self.run_action(job, step, env, evaluator)
                print(f"      {note}", flush=True)
            else:
                self.run_script(job, step, env, defaults, record, deadline, label)
            record["outcome"] = record["conclusion"] = "success"
            self.played.append((where, time.monotonic() - started))
        except PlayError as error:
            record["outcome"] = record["conclusion"] = "failure"
            if job.status == "success":
                self.failure = f"{where}: {error}"
            job.status = "failure"
            print(f"      FAILED: {where}: {error}", flush=True)

    def run_action(self, job, step, env, evaluator):
        action = step["uses"].split("@")[0]
        handler = LOCAL_ACTIONS.get(action)
        if handler is None:
            raise PlayError(f"no local equivalent of {step['uses']}")
        inputs = {k: to_string(v) for k, v in interpolate(step.get("with") or {}, evaluator).items()}
        return handler(self, job, step, inputs, env)

    def run_script(self, job, step, env, defaults, record, deadline, label):
        evaluator = Evaluator(self.contexts(job, env), job.status)
        script = to_string(interpolate(step["run"], evaluator))
        shell = step.get("shell") or defaults.get("shell") or "bash"
        if shell not in SHELLS:
            raise PlayError(f"shell {shell!r} is not played here")
        directory = self.workspace / job.working_directory / (step.get("working-directory") or ".")
        scratch = self.state / "tmp" / uuid.uuid4().hex
        scratch.mkdir(parents=True)
        files = {name: scratch / name for name in ("output", "env", "path")}
        for file in files.values():
            file.touch()
        script_file = scratch / "script"
        script_file.write_text(script + "\n")
        env = dict(env, GITHUB_OUTPUT=str(files["output"]), GITHUB_ENV=str(files["env"]),
                   GITHUB_PATH=str(files["path"]))
        command = [part.replace("{0}", str(script_file)) for part in SHELLS[shell]]
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise PlayError("the job's timeout-minutes ran out")
        try:
            result = subprocess.run(command, cwd=directory, env=env, timeout=remaining)
        except subprocess.TimeoutExpired:
            raise PlayError("the job's timeout-minutes ran out") from None
        if result.returncode != 0:
            raise PlayError(f"exit status {result.returncode}")
        record["outputs"] = read_key_values(files["output"])
        job.env.update(read_key_values(files["env"]))
        added = [line for line in files["path"].read_text().split("\n") if line.strip()]
        if added:
            job.env["PATH"] = os.pathsep.join(added[::-1] + [job.env.get("PATH", "")])
        shutil.rmtree(scratch)


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def condition_holds(operator, tests, claims):
    """IAM condition operators a GitHub OIDC trust policy uses, against the token's claims."""
    for key, expected in tests.items():
        claim = claims.get(key.split(":", 1)[1]) if ":" in key else None
        expected = as_list(expected)
        if operator == "StringEquals" and claim not in expected:
            return False
        if operator == "StringLike" and not any(fnmatch.fnmatchcase(str(claim), e) for e in expected):
            return False
        if operator not in ("StringEquals", "StringLike"):
            raise PlayError(f"condition operator {operator} is not evaluated here")
    return True


def git(directory, *args):
    return subprocess.run(["git", "-C", str(directory), *args], check=True, capture_output=True, text=True).stdout.strip()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workflow", required=True)
    parser.add_argument("--workspace", required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("--repository", default="depot/depot")
    event = parser.add_mutually_exclusive_group(required=True)
    event.add_argument("--tag")
    event.add_argument("--dispatch", action="store_true")
    parser.add_argument("--input", action="append", default=[])
    parser.add_argument("--vars")
    parser.add_argument("--secrets")
    parser.add_argument("--job", action="append", default=[])
    parser.add_argument("--needs-output", action="append", default=[])
    parser.add_argument("--needs-succeeded", action="append", default=[])
    parser.add_argument("--approve", action="append", default=[])
    args = parser.parse_args(argv[1:])
    started = time.monotonic()
    player = None
    try:
        player = Player(args)
        player.failure = None
        result = player.play()
    except PlayError as error:
        print(f"workflow player: {error}", file=sys.stderr)
        return 1
    finally:
        if player is not None:
            report(player, time.monotonic() - started)
    if result != "success":
        print(f"workflow player: FAILED at {player.failure}", file=sys.stderr)
        return 1
    return 0


def report(player, seconds):
    print(f"=== {player.name}: {len(player.played)} steps played, {len(player.skipped)} skipped, {seconds:.0f} s")
    for where, reason in player.skipped:
        print(f"    skipped: {where}: {reason}")
    with open(player.state / "played.tsv", "a") as out:
        for where, duration in player.played:
            out.write(f"played\t{where}\t{duration:.1f}\n")
        for where, reason in player.skipped:
            out.write(f"skipped\t{where}\t{reason}\n")


if __name__ == "__main__":
    sys.exit(main(sys.argv))

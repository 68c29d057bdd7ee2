#!/usr/bin/env python3
"""Cross-layer consistency: every timing, port and path that a layer states must agree
with lifecycle.env (the one source) and with the layers it talks to.

Usage: check_consistency.py [--root DIR]

Layers: lifecycle.env itself, the CloudFormation template (infra/depot.yml), the
service's config.yml, the systemd units and nginx templates (rendered the way Ansible
renders them, by scripts/lib/lint-render.py), the HAProxy stand-in for the ALB
(e2e/lib/alb.sh), the host's boot script (SSM paths), the release scripts (instance
refresh preferences) and the workflows. A layer whose files are missing is a failure too.
Exits 1 on any disagreement.
"""
import argparse
import json
import pathlib
import re
import subprocess
import sys
import tempfile

import yaml

import cfn_yaml


class Report:
    def __init__(self):
        self.failures = []
        self.checked = 0

    def expect(self, layer, what, actual, expected):
        self.checked += 1
        if str(actual) != str(expected):
            self.failures.append(f"{layer}: {what} is {str(actual)!r}, lifecycle.env says {str(expected)!r}")

    def require(self, layer, condition, message):
        self.checked += 1
        if not condition:
            self.failures.append(f"{layer}: {message}")

    def missing(self, layer, what):
        # Every layer exists: one that disappears must fail the check, not drop out of it.
        self.checked += 1
        self.failures.append(f"{layer}: {what} is missing")

    @staticmethod
    def note(layer, what):
        print(f"check {layer}: {what}")


def read_lifecycle(path):
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def seconds(value):
    return int(value)


# ------------------------------------------------------------------ lifecycle.env
def check_lifecycle(life, report):
    layer = "lifecycle.env"
    report.note(layer, "internal rules")
    n = {k: int(v) for k, v in life.items() if v.isdigit()}
    report.require(layer, n["STOP_TIMEOUT_SECONDS"] > n["DRAIN_WINDOW_SECONDS"] + n["UPLOAD_FINISH_SECONDS"] + n["GRACE_PERIOD_SECONDS"],
                   "STOP_TIMEOUT_SECONDS must exceed DRAIN_WINDOW_SECONDS + UPLOAD_FINISH_SECONDS + GRACE_PERIOD_SECONDS"
                   " (systemd must not kill a colour still finishing uploads)")
    report.require(layer, n["UPLOAD_FINISH_SECONDS"] > n["DRAIN_WINDOW_SECONDS"] + n["GRACE_PERIOD_SECONDS"],
                   "UPLOAD_FINISH_SECONDS must exceed DRAIN_WINDOW_SECONDS + GRACE_PERIOD_SECONDS (else a switch cuts what drain and grace alone would)")
    report.require(layer, n["DEREGISTRATION_DELAY_SECONDS"] >= n["UPLOAD_FINISH_SECONDS"],
                   "DEREGISTRATION_DELAY_SECONDS must be at least UPLOAD_FINISH_SECONDS (an instance leaving the balancer"
                   " lets its uploads finish as a colour switch does)")
    report.require(layer, 0 < n["S3_ATTEMPT_TIMEOUT_SECONDS"] <= n["S3_CALL_TIMEOUT_SECONDS"] < n["GRACE_PERIOD_SECONDS"],
                   "S3_ATTEMPT_TIMEOUT_SECONDS <= S3_CALL_TIMEOUT_SECONDS < GRACE_PERIOD_SECONDS must hold"
                   " (an S3 call ends before nginx's proxy_read_timeout gives up on the request)")
    report.require(layer, 0 < n["REDIS_BORROW_WAIT_MILLISECONDS"] < 1000,
                   "REDIS_BORROW_WAIT_MILLISECONDS must be between 1 and 999 (Redis is an accelerator, never worth a second)")
    report.require(layer, n["DRAIN_WINDOW_SECONDS"] > n["HEALTH_CHECK_INTERVAL_SECONDS"] * n["HEALTH_CHECK_UNHEALTHY_THRESHOLD"],
                   "DRAIN_WINDOW_SECONDS must exceed HEALTH_CHECK_INTERVAL_SECONDS x HEALTH_CHECK_UNHEALTHY_THRESHOLD"
                   " (the balancer must stop routing before the listener closes)")
    report.require(layer, n["HEALTH_CHECK_TIMEOUT_SECONDS"] < n["HEALTH_CHECK_INTERVAL_SECONDS"],
                   "HEALTH_CHECK_TIMEOUT_SECONDS must be below HEALTH_CHECK_INTERVAL_SECONDS (a target group rule)")
    report.require(layer, n["MIN_HEALTHY_PERCENTAGE"] <= 100, "MIN_HEALTHY_PERCENTAGE must be at most 100")
    report.require(layer, life["HEALTH_CHECK_PATH"].startswith("/"), "HEALTH_CHECK_PATH must be an absolute path")
    report.require(layer, 0 <= n.get("SWITCH_MAX_ERROR_PERCENT", 100) <= 5,
                   "SWITCH_MAX_ERROR_PERCENT must be a whole percentage from 0 to 5 (the gate of every switch)")


def check_logs(root, report):
    """The log groups the CloudWatch agent writes exist in the stack, with retention, and the
    instance role may write exactly there."""
    layer = "ansible/roles/cloudwatch"
    role = root / "ansible" / "roles" / "cloudwatch"
    infra = root / "infra" / "depot.yml"
    if not (role / "templates" / "amazon-cloudwatch-agent.json.j2").exists() or not infra.exists():
        report.missing(layer, "the agent configuration or infra/depot.yml")
        return
    report.note(layer, "log groups of the agent, the stack and the instance role agree")
    defaults = yaml.safe_load((role / "defaults" / "main.yml").read_text())
    placeholder = defaults.get("depot_cloudwatch_log_prefix", "")
    text = (role / "templates" / "amazon-cloudwatch-agent.json.j2").read_text()
    # At boot the placeholder becomes DEPOT_SSM_PREFIX, which the user data sets to /depot/<env>.
    shipped = {name.replace("{{ depot_cloudwatch_log_prefix }}", "/depot/${EnvironmentName}")
               for name in re.findall(r'"log_group_name":\s*"([^"]+)"', text)}
    report.require(layer, bool(shipped) and placeholder.startswith("@"), "no log groups, or no placeholder for the prefix")
    template = cfn_yaml.load(infra.read_text())
    groups = {}
    for name, resource in template.get("Resources", {}).items():
        if resource.get("Type") == "AWS::Logs::LogGroup":
            props = resource.get("Properties", {})
            groups[props.get("LogGroupName", {}).get("Fn::Sub")] = (name, props)
    granted = json.dumps(template.get("Resources", {}).get("InstanceRole", {}))
    for group in sorted(shipped):
        report.require(layer, group in groups, f"the agent writes to {group}, which infra/depot.yml does not create")
        if group in groups:
            name, props = groups[group]
            report.require("infra/depot.yml", bool(props.get("RetentionInDays")), f"{name} has no retention")
            report.require("infra/depot.yml", "${%s.Arn}:*" % name in granted,
                           f"the instance role may not write to {name} ({group})")


def check_gate(root, report):
    layer = "bin/lib/depotctl/warm.sh"
    path = root / "bin" / "lib" / "depotctl" / "warm.sh"
    if not path.exists():
        report.missing(layer, "the file")
        return
    report.note(layer, "the switch gate's error bound comes from lifecycle.env")
    report.require(layer, "lifecycle SWITCH_MAX_ERROR_PERCENT" in path.read_text(),
                   "the gate no longer reads its error bound from SWITCH_MAX_ERROR_PERCENT")


# ------------------------------------------------------------------ CloudFormation
def cfn_value(template, value):
    """Resolves a literal or a !Ref to a Parameter (its Default); None when it cannot."""
    if isinstance(value, dict) and set(value) == {"Ref"}:
        param = template.get("Parameters", {}).get(value["Ref"])
        return None if param is None else param.get("Default")
    if isinstance(value, (str, int)):
        return value
    return None


def check_infra(root, life, report):
    layer = "infra/depot.yml"
    path = root / "infra" / "depot.yml"
    if not path.exists():
        report.missing(layer, "the file")
        return
    report.note(layer, "target group, group, launch template, security groups against lifecycle.env")
    template = cfn_yaml.load(path.read_text())
    resources = template["Resources"]

    def of_type(kind):
        return {name: r.get("Properties", {}) for name, r in resources.items() if r["Type"] == kind}

    groups = of_type("AWS::ElasticLoadBalancingV2::TargetGroup")
    report.require(layer, len(groups) == 1, f"expected one target group, found {len(groups)}")
    for name, tg in groups.items():
        where = f"{layer} {name}"
        v = lambda key: cfn_value(template, tg.get(key))  # noqa: E731
        report.expect(where, "Port", v("Port"), life["TRAFFIC_PORT"])
        report.expect(where, "HealthCheckPort", v("HealthCheckPort"), life["HEALTH_PORT"])
        report.expect(where, "HealthCheckPath", v("HealthCheckPath"), life["HEALTH_CHECK_PATH"])
        report.expect(where, "HealthCheckIntervalSeconds", v("HealthCheckIntervalSeconds"), life["HEALTH_CHECK_INTERVAL_SECONDS"])
        report.expect(where, "HealthCheckTimeoutSeconds", v("HealthCheckTimeoutSeconds"), life["HEALTH_CHECK_TIMEOUT_SECONDS"])
        report.expect(where, "HealthyThresholdCount", v("HealthyThresholdCount"), life["HEALTH_CHECK_HEALTHY_THRESHOLD"])
        report.expect(where, "UnhealthyThresholdCount", v("UnhealthyThresholdCount"), life["HEALTH_CHECK_UNHEALTHY_THRESHOLD"])
        attributes = {a["Key"]: cfn_value(template, a["Value"]) for a in tg.get("TargetGroupAttributes", [])}
        report.expect(where, "deregistration_delay.timeout_seconds",
                      attributes.get("deregistration_delay.timeout_seconds"), life["DEREGISTRATION_DELAY_SECONDS"])

    for name, asg in of_type("AWS::AutoScaling::AutoScalingGroup").items():
        where = f"{layer} {name}"
        report.expect(where, "HealthCheckType", asg.get("HealthCheckType"), "ELB")
        report.expect(where, "HealthCheckGracePeriod", cfn_value(template, asg.get("HealthCheckGracePeriod")),
                      life["ASG_HEALTH_CHECK_GRACE_SECONDS"])
        report.expect(where, "DefaultInstanceWarmup", cfn_value(template, asg.get("DefaultInstanceWarmup")),
                      life["INSTANCE_WARMUP_SECONDS"])
        version = asg.get("LaunchTemplate", {}).get("Version")
        report.require(where, version not in ("$Latest", "$Default"),
                       "the launch template version must be explicit (instance refresh auto-rollback needs it)")

    for name, lt in of_type("AWS::EC2::LaunchTemplate").items():
        where = f"{layer} {name}"
        data = lt.get("LaunchTemplateData", {})
        report.expect(where, "MetadataOptions.HttpTokens (IMDSv2)", data.get("MetadataOptions", {}).get("HttpTokens"), "required")
        for mapping in data.get("BlockDeviceMappings", []):
            report.require(where, mapping.get("Ebs", {}).get("Encrypted") is True,
                           f"EBS volume {mapping.get('DeviceName')} must be encrypted")
        user_data = json.dumps(data.get("UserData", ""))
        report.require(where, "DEPOT_SSM_PREFIX=/depot/${EnvironmentName}" in user_data,
                       "user data must set DEPOT_SSM_PREFIX=/depot/${EnvironmentName} (read by bin/depot-boot)")

    # What reaches the instances from the load balancer: exactly the traffic and health ports.
    sg_rules = of_type("AWS::EC2::SecurityGroupIngress")
    instance_ports = sorted(
        str(cfn_value(template, rule["FromPort"]))
        for rule in sg_rules.values()
        if rule.get("GroupId") == {"Ref": "InstanceSecurityGroup"}
    )
    report.expect(layer, "ports open on the instances", instance_ports,
                  sorted([life["TRAFFIC_PORT"], life["HEALTH_PORT"]]))
    instance_sg = resources.get("InstanceSecurityGroup", {}).get("Properties", {})
    report.require(layer, not instance_sg.get("SecurityGroupIngress"),
                   "InstanceSecurityGroup must have no inline ingress (only the load balancer rules)")


# ------------------------------------------------------------------ host templates
def render(root, template, out_dir, role, extra=()):
    """Renders a host template as the Ansible role that installs it does (scripts/lib/lint-render.py)."""
    renderer = root / "scripts" / "lib" / "lint-render.py"
    # The shared facts role's defaults (paths, depot_lifecycle), then the installing role's own.
    defaults = [p for p in (root / "ansible" / "roles" / r / "defaults" / "main.yml" for r in ("facts", role)) if p.exists()]
    out = out_dir / (template.name.removesuffix(".j2") + "".join(f".{x.split('=')[1]}" for x in extra))
    if template.suffix != ".j2":
        return template.read_text()
    if not renderer.exists():
        raise RuntimeError(f"{renderer} is missing: cannot render {template}")
    cmd = [sys.executable, str(renderer), "--lifecycle", str(root / "lifecycle.env")]
    for path in defaults:
        cmd += ["--defaults", str(path)]
    for item in extra:
        cmd += ["--set", item]
    done = subprocess.run(cmd + [str(template), str(out)], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"rendering {template.name} failed: {done.stderr.strip().splitlines()[-1:]}")
    return out.read_text()


def unit_settings(text):
    settings = {}
    for line in text.splitlines():
        line = line.strip()
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def longest_stop(life):
    """Seconds a stopping colour may take: the drain window, the uploads it finishes, the grace."""
    return int(life["DRAIN_WINDOW_SECONDS"]) + int(life["UPLOAD_FINISH_SECONDS"]) + int(life["GRACE_PERIOD_SECONDS"])


def template_or_file(directory, name):
    """The Jinja template of NAME if there is one, else the plain file, else None."""
    return next((p for p in (directory / f"{name}.j2", directory / name) if p.exists()), None)


def check_systemd(root, life, report, scratch):
    layer = "systemd/depot@.service"
    path = template_or_file(root / "systemd", "depot@.service")
    if path is None:
        report.missing(layer, "the file")
        return
    report.note(layer, f"{path.name} rendered: stop timeout, lifecycle environment")
    settings = unit_settings(render(root, path, scratch, "depot"))
    timeout = settings.get("TimeoutStopSec", ["(unset)"])[-1]
    report.expect(layer, "TimeoutStopSec", timeout, life["STOP_TIMEOUT_SECONDS"])
    stop = longest_stop(life)
    report.require(layer, timeout.isdigit() and int(timeout) > stop,
                   f"TimeoutStopSec ({timeout}) must exceed drain + upload finish + grace ({stop} s)")
    report.require(layer, any(v.lstrip("-") == "/etc/depot/lifecycle.env" for v in settings.get("EnvironmentFile", [])),
                   "EnvironmentFile=/etc/depot/lifecycle.env missing: the service reads drain and grace from it")


NGINX_SIZE = {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}


def nginx_size(value):
    match = re.fullmatch(r"(\d+)([kKmMgG]?)", value)
    return None if match is None else int(match.group(1)) * NGINX_SIZE[match.group(2).lower()]


def nginx_servers(text):
    """Yields (listen ports, body) for each top-level server { } block."""
    for match in re.finditer(r"^server\s*\{(.*?)^\}", text, re.S | re.M):
        body = match.group(1)
        ports = {re.sub(r".*:", "", m.split()[0]) for m in re.findall(r"^\s*listen\s+([^;]+);", body, re.M)}
        yield ports, body


def nginx_locations(body):
    """{location argument: its body} for the (unnested) locations of a server block."""
    return {m.group(1).strip(): m.group(2) for m in re.finditer(r"^\s*location\s+([^{]+?)\s*\{(.*?)^\s*\}", body, re.S | re.M)}


def check_nginx_traffic(life, report, body):
    layer = "nginx"
    locations = nginx_locations(body)
    upload = locations.get("= /api/v1/assets")
    report.require(layer, upload is not None, "the traffic server has no 'location = /api/v1/assets' (the upload route)")
    if upload is None:
        return
    sizes = re.findall(r"client_max_body_size\s+(\S+);", upload)
    report.expect(layer, "client_max_body_size (bytes) of the upload route", nginx_size(sizes[-1]) if sizes else None,
                  int(life["UPLOAD_LIMIT_BYTES"]))
    report.require(layer, re.search(r"^\s*limit_conn\s+\S+\s+\d+;", upload, re.M) is not None,
                   "the upload route must limit streamed uploads per client address (limit_conn)")
    outside = body
    for text in locations.values():
        outside = outside.replace(text, "")
    default_sizes = [nginx_size(s) for s in re.findall(r"client_max_body_size\s+(\S+);", outside)]
    report.require(layer, bool(default_sizes) and all(s is not None and s < 1024 ** 2 for s in default_sizes),
                   f"every route but the upload one must take small bodies: server-level client_max_body_size is {default_sizes or 'unset'}")
    report.require(layer, re.search(r"^\s*client_body_timeout\s+\d+s?;", outside, re.M) is not None,
                   "client_body_timeout must be set: a client that stops sending holds a connection and an upload buffer")
    for where, text in locations.items():
        if where.startswith(("/api", "= /api")):
            report.require(layer, re.search(r"^\s*limit_req\s+zone=", text, re.M) is not None,
                           f"location {where} must rate-limit per client address (limit_req)")
            read = re.search(r"proxy_read_timeout\s+(\d+)s?;", text)
            report.require(layer, read is not None and int(read.group(1)) > int(life["S3_CALL_TIMEOUT_SECONDS"]),
                           f"location {where}: proxy_read_timeout must exceed S3_CALL_TIMEOUT_SECONDS")


def check_nginx_proxy(root, report):
    layer = "nginx/proxy.conf"
    path = root / "nginx" / "proxy.conf"
    if not path.exists():
        report.missing(layer, "the file")
        return
    text = path.read_text()
    headers = dict(re.findall(r"^\s*proxy_set_header\s+(\S+)\s+(.+?);", text, re.M))
    report.require(layer, headers.get("X-Forwarded-For") == "$remote_addr",
                   f"X-Forwarded-For is {headers.get('X-Forwarded-For')!r}, must be $remote_addr (the client nginx established, never the client's own chain)")
    for name in ("X-Forwarded-Host", "Forwarded", "X-Forwarded-Port"):
        report.require(layer, headers.get(name) == '""',
                       f"{name} is {headers.get(name)!r}, must be cleared (\"\"): the application trusts forwarding headers")


def check_nginx_shutdown(root, life, report, scratch):
    """After a switch's reload, nginx's old workers still proxy the uploads the old colour finishes."""
    layer = "nginx/nginx.conf"
    path = template_or_file(root / "nginx", "nginx.conf")
    if path is None:
        report.missing(layer, "the file")
        return
    found = re.search(r"^\s*worker_shutdown_timeout\s+(\d+)s?;", render(root, path, scratch, "nginx"), re.M)
    stop = longest_stop(life)
    report.require(layer, found is not None and int(found.group(1)) > stop,
                   f"worker_shutdown_timeout ({found and found.group(1)}) must exceed drain + upload finish + grace ({stop} s):"
                   " old workers would cut the uploads the old colour is finishing")


def check_nginx(root, life, report, scratch):
    layer = "nginx"
    site = template_or_file(root / "nginx", "site.conf")
    if site is None:
        report.missing(layer, "nginx/site.conf")
        return
    report.note(layer, f"{site.name} rendered: listen ports, body limits, client limits, timeouts, forwarded headers, health side")
    check_nginx_proxy(root, report)
    check_nginx_shutdown(root, life, report, scratch)
    text = render(root, site, scratch, "nginx")
    servers = list(nginx_servers(text))
    ports = sorted(set().union(*(p for p, _ in servers))) if servers else []
    report.expect(layer, "listen ports", ports, sorted([life["TRAFFIC_PORT"], life["HEALTH_PORT"]]))
    for ports_of_server, body in servers:
        if life["TRAFFIC_PORT"] in ports_of_server:
            check_nginx_traffic(life, report, body)
        if life["HEALTH_PORT"] in ports_of_server:
            path = re.escape(life["HEALTH_CHECK_PATH"])
            ready = re.search(r"location\s+=\s+" + path + r"\s*\{(.*?)\}", body, re.S)
            report.require(layer, ready is not None,
                           f"the health server (:{life['HEALTH_PORT']}) has no 'location = {life['HEALTH_CHECK_PATH']}'")
            if ready:
                report.require(layer, "proxy_pass http://depot_admin" in ready.group(1),
                               f"location = {life['HEALTH_CHECK_PATH']} must proxy to depot_admin (the live admin connector)")
                read = re.search(r"proxy_read_timeout\s+(\d+)s?;", ready.group(1))
                report.require(layer, read is not None and int(read.group(1)) < int(life["HEALTH_CHECK_TIMEOUT_SECONDS"]),
                               "the health location's proxy_read_timeout must be below HEALTH_CHECK_TIMEOUT_SECONDS")
    upstream = root / "nginx" / "upstream.conf.j2"
    if upstream.exists():
        for colour in ("blue", "green"):
            text = render(root, upstream, scratch, "nginx", extra=(f"depot_nginx_colour={colour}",))
            for name, key in (("depot_app", "APP"), ("depot_admin", "ADMIN")):
                block = re.search(r"upstream\s+" + name + r"\s*\{(.*?)\}", text, re.S)
                port = re.search(r"server\s+127\.0\.0\.1:(\d+)", block.group(1)) if block else None
                report.expect(f"{layer} upstream ({colour})", f"{name} port", port and port.group(1),
                              life[f"{colour.upper()}_{key}_PORT"])


# ------------------------------------------------------------------ config.yml
DURATION = re.compile(r"(\d+)\s*(s|sec|second|seconds|ms|m|min|minute|minutes)?")
DURATION_SECONDS = {None: 1, "s": 1, "sec": 1, "second": 1, "seconds": 1, "ms": 0.001,
                    "m": 60, "min": 60, "minute": 60, "minutes": 60}


def env_default(value):
    """${VAR:-default}rest -> (VAR, default + rest); a plain value -> (None, value)."""
    match = re.fullmatch(r"\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}(.*)", str(value))
    return (match.group(1), (match.group(2) or "") + match.group(3)) if match else (None, str(value))


def duration_seconds(value):
    match = DURATION.fullmatch(env_default(value)[1].strip())
    return None if match is None else int(int(match.group(1)) * DURATION_SECONDS[match.group(2)])


def check_config(root, life, report):
    layer = "config.yml"
    path = root / "config.yml"
    if not path.exists():
        report.missing(layer, "the file")
        return
    report.note(layer, "drain window, shutdown grace, upload limit, connector ports")
    config = yaml.safe_load(path.read_text())
    server = config.get("server", {})
    report.expect(layer, "server.shutdownGracePeriod (s)", duration_seconds(server.get("shutdownGracePeriod")),
                  life["GRACE_PERIOD_SECONDS"])
    report.expect(layer, "lifecycle.drainWindow (s)", duration_seconds(config.get("lifecycle", {}).get("drainWindow")),
                  life["DRAIN_WINDOW_SECONDS"])
    report.expect(layer, "lifecycle.uploadFinishWindow (s)", duration_seconds(config.get("lifecycle", {}).get("uploadFinishWindow")),
                  life["UPLOAD_FINISH_SECONDS"])
    storage = config.get("storage", {})
    report.expect(layer, "storage.callTimeout (s)", duration_seconds(storage.get("callTimeout")), life["S3_CALL_TIMEOUT_SECONDS"])
    report.expect(layer, "storage.attemptTimeout (s)", duration_seconds(storage.get("attemptTimeout")), life["S3_ATTEMPT_TIMEOUT_SECONDS"])
    borrow = re.fullmatch(r"(\d+)ms", str(config.get("redis", {}).get("borrowWait")))
    report.expect(layer, "redis.borrowWait (ms)", borrow and borrow.group(1), life["REDIS_BORROW_WAIT_MILLISECONDS"])
    limit = env_default(config.get("limits", {}).get("uploadLimit"))[1].removesuffix("B").strip()
    report.expect(layer, "limits.uploadLimit (bytes)", limit, life["UPLOAD_LIMIT_BYTES"])
    for connectors, allowed in (("applicationConnectors", ("BLUE_APP_PORT",)),
                                ("adminConnectors", ("BLUE_ADMIN_PORT", "HEALTH_PORT"))):
        for connector in server.get(connectors, []):
            port = env_default(connector.get("port"))[1]
            report.require(layer, port in [life[k] for k in allowed],
                           f"server.{connectors} port defaults to {port}, expected {' or '.join(allowed)} of lifecycle.env")


# ------------------------------------------------------------------ HAProxy (the ALB stand-in)
def shell_expand(text, life):
    return re.sub(r"\$\{?([A-Z_][A-Z0-9_]*)\}?", lambda m: life.get(m.group(1), m.group(0)), text)


def check_haproxy(root, life, report):
    layer = "e2e/lib/alb.sh (HAProxy)"
    path = root / "e2e" / "lib" / "alb.sh"
    if not path.exists():
        report.missing(layer, "the file")
        return
    report.note(layer, "health check interval, thresholds, timeout, ports, path")
    text = shell_expand(path.read_text(), life)

    def one(pattern, what):
        found = set(re.findall(pattern, text))
        report.require(layer, len(found) == 1, f"expected one {what}, found {sorted(found) or 'none'}")
        return next(iter(found), None)

    report.expect(layer, "inter", one(r"\binter\s+(\S+?)\"?\s", "inter"), life["HEALTH_CHECK_INTERVAL_SECONDS"] + "s")
    report.expect(layer, "fall", one(r"\bfall\s+(\d+)", "fall"), life["HEALTH_CHECK_UNHEALTHY_THRESHOLD"])
    report.expect(layer, "rise", one(r"\brise\s+(\d+)", "rise"), life["HEALTH_CHECK_HEALTHY_THRESHOLD"])
    report.expect(layer, "timeout check", one(r"timeout check\s+(\S+)", "timeout check"), life["HEALTH_CHECK_TIMEOUT_SECONDS"] + "s")
    report.expect(layer, "check port", one(r"check port\s+(\d+)", "check port"), life["HEALTH_PORT"])
    report.expect(layer, "option httpchk path", one(r"option httpchk GET\s+(\S+)", "httpchk"), life["HEALTH_CHECK_PATH"])
    report.expect(layer, "target port", one(r"\$addr:(\d+)", "target port"), life["TRAFFIC_PORT"])


# ------------------------------------------------------------------ SSM paths and the refresh
def check_boot_paths(root, report):
    layer = "bin/depot-boot"
    path = root / "bin" / "depot-boot"
    if not path.exists():
        report.missing(layer, "the file")
        return
    report.note(layer, "SSM paths match what the stack and the release scripts write")
    text = path.read_text()
    report.require(layer, '"$DEPOT_SSM_PREFIX/release"' in text,
                   "no longer reads the release pointer at $DEPOT_SSM_PREFIX/release (scripts/release/set-pointer writes it)")
    report.require(layer, "$DEPOT_SSM_PREFIX/env/" in text,
                   "no longer reads depot.env from $DEPOT_SSM_PREFIX/env/ (infra/depot.yml writes there)")
    release_lib = root / "scripts" / "release" / "lib.sh"
    if release_lib.exists():
        report.require("scripts/release/lib.sh", 'ssm_prefix() { printf \'/depot/%s\' ' in release_lib.read_text(),
                       "the release scripts' SSM prefix must be /depot/<environment>, as the launch template's user data sets it")


def check_refresh(root, life, report):
    layer = "scripts/release/start-refresh"
    path = root / "scripts" / "release" / "start-refresh"
    if not path.exists():
        report.missing(layer, "the file")
        return
    report.note(layer, "instance refresh preferences it builds")
    out = subprocess.run([str(path), "--print-preferences", "--alarms", "a,b"], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "DEPOT_LIFECYCLE_FILE": str(root / "lifecycle.env")})
    report.require(layer, out.returncode == 0, f"--print-preferences failed: {out.stderr.strip()}")
    if out.returncode != 0:
        return
    prefs = json.loads(out.stdout)
    report.expect(layer, "InstanceWarmup", prefs.get("InstanceWarmup"), life["INSTANCE_WARMUP_SECONDS"])
    report.expect(layer, "MinHealthyPercentage", prefs.get("MinHealthyPercentage"), life["MIN_HEALTHY_PERCENTAGE"])
    report.require(layer, int(prefs.get("MaxHealthyPercentage", 0)) > 100,
                   "MaxHealthyPercentage must exceed 100 (launch before terminate)")
    report.require(layer, prefs.get("AutoRollback") is True, "AutoRollback must be on")
    report.expect(layer, "BakeTime", prefs.get("BakeTime"), life["REFRESH_BAKE_SECONDS"])
    report.expect(layer, "CheckpointDelay", prefs.get("CheckpointDelay"), life["REFRESH_BAKE_SECONDS"])
    report.expect(layer, "CheckpointPercentages", prefs.get("CheckpointPercentages"),
                  [int(life["REFRESH_CHECKPOINT_PERCENT"]), 100])
    check_alarm_windows(root, life, report)
    report.require(layer, prefs.get("AlarmSpecification", {}).get("Alarms") == ["a", "b"],
                   "the rollback alarms must be passed through")


def alarm_window(template, alarm):
    """Seconds of data an alarm needs before it can fire: period x evaluation periods."""
    periods = [cfn_value(template, alarm.get("Period"))]
    periods += [cfn_value(template, m.get("MetricStat", {}).get("Period")) for m in alarm.get("Metrics", [])]
    period = max(int(p) for p in periods if p is not None)
    return period * int(cfn_value(template, alarm.get("EvaluationPeriods")))


def check_alarm_windows(root, life, report):
    # The refresh must still be running (checkpoint, bake time) when a rollback alarm can fire.
    bake = int(life["REFRESH_BAKE_SECONDS"])
    found = 0
    for path in sorted((root / "infra").glob("*.yml")):
        template = cfn_yaml.load(path.read_text())
        for name, resource in template.get("Resources", {}).items():
            if resource.get("Type") != "AWS::CloudWatch::Alarm":
                continue
            found += 1
            window = alarm_window(template, resource.get("Properties", {}))
            report.require(f"infra/{path.name} {name}", window <= bake,
                           f"needs {window} s of data to fire, longer than REFRESH_BAKE_SECONDS ({bake} s):"
                           " the refresh could end before it rolls back")
    report.require("infra", found > 0, "no CloudWatch alarm to roll an instance refresh back")


# What a refresh must roll back on, and how each alarm must read missing data: the rates and the
# response time have no data when nothing was requested (nothing failed), the host count has
# none when no target is registered at all, which no refresh may leave.
ROLLBACK_METRICS = {
    "HTTPCode_Target_5XX_Count": "notBreaching",
    "HTTPCode_ELB_5XX_Count": "notBreaching",
    "TargetResponseTime": "notBreaching",
    "UnHealthyHostCount": "breaching",
}


def alarm_metrics(alarm):
    """The metric names an alarm watches, alone or in a metric-math expression."""
    names = [alarm.get("MetricName")]
    names += [m.get("MetricStat", {}).get("Metric", {}).get("MetricName") for m in alarm.get("Metrics", [])]
    return [name for name in names if name]


def check_rollback_alarms(root, report):
    layer = "infra/depot.yml"
    path = root / "infra" / "depot.yml"
    if not path.exists():
        report.missing(layer, "the file")
        return
    report.note(layer, "the refresh's rollback alarms: every one named, ELB 5xx and target health watched")
    template = cfn_yaml.load(path.read_text())
    alarms = {name: r.get("Properties", {}) for name, r in template.get("Resources", {}).items()
              if r.get("Type") == "AWS::CloudWatch::Alarm"}
    # start-refresh passes the stack's RollbackAlarmNames output as the refresh's alarm specification.
    start_refresh = root / "scripts" / "release" / "start-refresh"
    report.require("scripts/release/start-refresh",
                   start_refresh.exists() and "stack_output \"$env\" RollbackAlarmNames" in start_refresh.read_text(),
                   "must take the refresh's alarms from the stack's RollbackAlarmNames output")
    value = template.get("Outputs", {}).get("RollbackAlarmNames", {}).get("Value", {})
    joined = value.get("Fn::Join", [",", []])[1] if isinstance(value, dict) else []
    named = {item.get("Ref") for item in joined if isinstance(item, dict)}
    for name, alarm in sorted(alarms.items()):
        where = f"{layer} {name}"
        report.require(where, name in named, "is not in the RollbackAlarmNames output: a refresh would not roll back on it")
        for metric in alarm_metrics(alarm):
            if metric in ROLLBACK_METRICS:
                treat, want = alarm.get("TreatMissingData"), ROLLBACK_METRICS[metric]
                report.require(where, treat == want, f"TreatMissingData is {treat!r}, must be {want!r} for {metric}")
    watched = {metric for name, alarm in alarms.items() if name in named for metric in alarm_metrics(alarm)}
    for metric in ROLLBACK_METRICS:
        report.require(layer, metric in watched, f"no rollback alarm watches {metric}")


def check_workflows(root, life, report):
    layer = ".github/workflows"
    files = sorted((root / ".github" / "workflows").glob("*.y*ml"))
    if not files:
        report.missing(layer, "every workflow")
        return
    report.note(layer, f"{len(files)} workflow(s): no timing or port of lifecycle.env written by hand")
    # Refresh and health numbers reach AWS from lifecycle.env through scripts/release; a
    # literal in a workflow would be a second copy nobody checks.
    pattern = re.compile(r"(InstanceWarmup|MinHealthyPercentage|HealthCheckGracePeriod|HealthCheckIntervalSeconds|"
                         r"deregistration_delay|TimeoutStopSec)\W+\d+")
    for path in files:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            report.require(f"{layer}/{path.name}:{number}", not pattern.search(line),
                           f"hard-coded lifecycle value: {line.strip()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", default=pathlib.Path(__file__).resolve().parents[2], type=pathlib.Path)
    root = parser.parse_args().root.resolve()
    life = read_lifecycle(root / "lifecycle.env")
    report = Report()
    check_lifecycle(life, report)
    check_infra(root, life, report)
    with tempfile.TemporaryDirectory() as scratch:
        for check in (check_systemd, check_nginx):
            try:
                check(root, life, report, pathlib.Path(scratch))
            except RuntimeError as error:
                report.require(check.__name__.removeprefix("check_"), False, str(error))
    check_config(root, life, report)
    check_haproxy(root, life, report)
    check_boot_paths(root, report)
    check_gate(root, report)
    check_logs(root, report)
    check_refresh(root, life, report)
    check_rollback_alarms(root, report)
    check_workflows(root, life, report)
    for failure in report.failures:
        print(f"FAIL  {failure}")
    print(f"check-consistency: {report.checked} checks, {len(report.failures)} disagreement(s)")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())

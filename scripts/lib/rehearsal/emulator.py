#!/usr/bin/env python3
"""moto_server, plus what the SSH deploy played on the proving ground needs and moto lacks.

Usage: emulator.py [--parameters-on ADDRESS:PORT] [--run-commands-with PROGRAM] [--refreshes-in DIR]
                   -H ADDRESS -p PORT   (then moto_server's arguments)

- SSM StartSession: ssh-playbook tunnels SSH through `aws ssm start-session --target ID`; the
  CLI asks StartSession for a session, then hands it to session-manager-plugin. It answers as
  AWS does for an instance that exists and runs (TargetNotConnected otherwise), and the
  rehearsal's session-manager-plugin (scripts/lib/rehearsal/bin) carries the bytes to the
  proving ground's host that plays that instance.
- --parameters-on: the account's SSM parameters as the instances read them at boot
  (GET /NAME answers the value of parameter /NAME, 404 when unset), on the address the
  proving ground's hosts reach: bin/depot-boot follows the pointer the workflows move.
- --run-commands-with: SSM Run Command executes, as the agent on each instance would. moto
  records SendCommand and answers every invocation Success with no output; here each
  AWS-RunShellScript invocation runs `PROGRAM INSTANCE_ID` with the commands on its stdin (the
  proving ground's e2e/lib/ssm-agent runs them as root on the host that plays the instance),
  InProgress until it ends, then Success or Failed with its output and exit code.
- --refreshes-in: Auto Scaling instance refreshes, which moto lacks. StartInstanceRefresh writes
  DIR/ID.json (the group, the desired launch template, the preferences) and answers ID;
  DescribeInstanceRefreshes answers each refresh's state from DIR/ID.status (JSON: Status,
  PercentageComplete, StatusReason; Pending while absent). Whoever plays Auto Scaling (the proving
  ground's refresh of its fleet) takes the request and writes the state as the refresh goes.
"""
import argparse
import datetime
import http.server
import json
import os
import pathlib
import subprocess
import sys
import threading
import uuid

from moto.core.exceptions import JsonRESTError
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.autoscaling.exceptions import AutoscalingClientError, ValidationError
from moto.autoscaling.responses import AutoScalingResponse
from moto.core.responses import ActionResult
from moto.ec2.models import ec2_backends
from moto.server import main
from moto.ssm.models import Command, SimpleSystemManagerBackend, ssm_backends
from moto.ssm.responses import SimpleSystemManagerResponse


class TargetNotConnected(JsonRESTError):
    def __init__(self, target):
        super().__init__("TargetNotConnected", f"{target} is not connected.")


def start_session(self):
    target = self._get_param("Target")
    instances = ec2_backends[self.current_account][self.region].all_instances()
    if not any(i.id == target and i.state == "running" for i in instances):
        raise TargetNotConnected(target)
    session = f"rehearsal-{uuid.uuid4().hex[:17]}"
    return ActionResult({
        "SessionId": session,
        "TokenValue": uuid.uuid4().hex,
        "StreamUrl": f"wss://ssmmessages.{self.region}.amazonaws.com/v1/data-channel/{session}",
    })


class ParameterView(http.server.BaseHTTPRequestHandler):
    region = "us-east-1"

    def do_GET(self):
        parameter = ssm_backends[DEFAULT_ACCOUNT_ID][self.region].get_parameter(self.path)
        body = (parameter.value + "\n").encode() if parameter else b"no such parameter\n"
        self.send_response(200 if parameter else 404)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        sys.stderr.write("parameters: " + format % args + "\n")


def serve_parameters(address):
    host, port = address.rsplit(":", 1)
    ParameterView.region = os.environ.get("AWS_DEFAULT_REGION", ParameterView.region)
    server = http.server.ThreadingHTTPServer((host, int(port)), ParameterView)
    threading.Thread(target=server.serve_forever, daemon=True).start()


# ------------------------------------------------------------------ SSM Run Command

# (command id, instance id) -> the invocation's state while and after PROGRAM runs it.
INVOCATIONS = {}


def run_commands_with(program):
    send = SimpleSystemManagerBackend.send_command
    invocation = Command.get_invocation

    def send_command(self, **kwargs):
        command = send(self, **kwargs)
        if command.document_name == "AWS-RunShellScript":
            script = "\n".join(command.parameters.get("commands", [])) + "\n"
            for instance in command.instance_ids:
                INVOCATIONS[(command.command_id, instance)] = {"Status": "InProgress", "StatusDetails": "InProgress"}
                threading.Thread(target=execute, args=(program, command.command_id, instance, script,
                                                       command.timeout_seconds or 3600), daemon=True).start()
        return command

    def get_invocation(self, instance_id, plugin_name):
        answer = invocation(self, instance_id, plugin_name)
        state = INVOCATIONS.get((self.command_id, instance_id))
        if state is not None:
            answer.update(state)
            answer.setdefault("ResponseCode", -1)
        return answer

    SimpleSystemManagerBackend.send_command = send_command
    Command.get_invocation = get_invocation


def execute(program, command_id, instance, script, timeout):
    started = datetime.datetime.now(datetime.timezone.utc)
    try:
        done = subprocess.run([program, instance], input=script.encode(), capture_output=True, timeout=timeout)
        status, code, stdout, stderr = ("Success" if done.returncode == 0 else "Failed", done.returncode,
                                        done.stdout, done.stderr)
    except subprocess.TimeoutExpired as expired:
        status, code, stdout, stderr = "TimedOut", -1, expired.stdout or b"", expired.stderr or b""
    except OSError as error:
        status, code, stdout, stderr = "Failed", -1, b"", f"{program}: {error}".encode()
    stdout, stderr = (stream.decode(errors="replace") for stream in (stdout, stderr))
    sys.stderr.write(f"run command {command_id} on {instance}: {status} ({code})\n")
    # As SSM does, the invocation keeps the first 24,000 characters of each stream.
    INVOCATIONS[(command_id, instance)] = {
        "Status": status, "StatusDetails": status, "ResponseCode": code,
        "StandardOutputContent": stdout[:24000], "StandardErrorContent": stderr[:24000],
        "ExecutionStartDateTime": started.isoformat(),
        "ExecutionEndDateTime": datetime.datetime.now(datetime.timezone.utc).isoformat(),
    }


# ------------------------------------------------------------------ instance refreshes

class RefreshInProgress(AutoscalingClientError):
    code = "InstanceRefreshInProgress"

    def __init__(self, group):
        super().__init__(f"An Instance Refresh is already in progress and blocks the execution of this Instance Refresh for {group}.")


def refreshes_in(directory):
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)

    def start_instance_refresh(self):
        group = self._get_param("AutoScalingGroupName")
        if group not in self.autoscaling_backend.autoscaling_groups:
            raise ValidationError(f"AutoScalingGroup name not found - {group}")
        for request in directory.glob("*.json"):
            ongoing = refresh_state(request)["Status"] in ("Pending", "InProgress", "Cancelling", "Baking",
                                                           "RollbackInProgress")
            if ongoing and json.loads(request.read_text())["AutoScalingGroupName"] == group:
                raise RefreshInProgress(group)
        refresh = str(uuid.uuid4())
        request = {"InstanceRefreshId": refresh, "AutoScalingGroupName": group,
                   "Strategy": self._get_param("Strategy", "Rolling"),
                   "DesiredConfiguration": self._get_param("DesiredConfiguration") or {},
                   "Preferences": self._get_param("Preferences") or {},
                   "StartTime": datetime.datetime.now(datetime.timezone.utc).isoformat()}
        partial = directory / f".{refresh}.json"
        partial.write_text(json.dumps(request, indent=2))
        partial.rename(directory / f"{refresh}.json")
        return ActionResult({"InstanceRefreshId": refresh})

    def describe_instance_refreshes(self):
        group = self._get_param("AutoScalingGroupName")
        wanted = self._get_param("InstanceRefreshIds") or []
        answers = []
        for path in sorted(directory.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True):
            request = json.loads(path.read_text())
            if request["AutoScalingGroupName"] != group or (wanted and request["InstanceRefreshId"] not in wanted):
                continue
            answers.append({"InstanceRefreshId": request["InstanceRefreshId"], "AutoScalingGroupName": group,
                            "StartTime": request["StartTime"], "Preferences": request["Preferences"],
                            "DesiredConfiguration": request["DesiredConfiguration"], **refresh_state(path)})
        return ActionResult({"InstanceRefreshes": answers})

    AutoScalingResponse.start_instance_refresh = start_instance_refresh
    AutoScalingResponse.describe_instance_refreshes = describe_instance_refreshes


def refresh_state(request):
    status = request.with_suffix(".status")
    state = {"Status": "Pending", "PercentageComplete": 0}
    if status.exists():
        state.update(json.loads(status.read_text()))
    return state


if __name__ == "__main__":
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--parameters-on")
    parser.add_argument("--run-commands-with")
    parser.add_argument("--refreshes-in")
    own, rest = parser.parse_known_args(sys.argv[1:])
    SimpleSystemManagerResponse.start_session = start_session
    if own.run_commands_with:
        run_commands_with(own.run_commands_with)
    if own.refreshes_in:
        refreshes_in(own.refreshes_in)
    if own.parameters_on:
        serve_parameters(own.parameters_on)
    sys.exit(main(rest))

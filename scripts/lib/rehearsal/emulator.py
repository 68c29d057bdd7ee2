#!/usr/bin/env python3
"""moto_server, plus what the SSH deploy played on the proving ground needs and moto lacks.

Usage: emulator.py [--parameters-on ADDRESS:PORT] -H ADDRESS -p PORT   (then moto_server's arguments)

- SSM StartSession: ssh-playbook tunnels SSH through `aws ssm start-session --target ID`; the
  CLI asks StartSession for a session, then hands it to session-manager-plugin. It answers as
  AWS does for an instance that exists and runs (TargetNotConnected otherwise), and the
  rehearsal's session-manager-plugin (scripts/lib/rehearsal/bin) carries the bytes to the
  proving ground's host that plays that instance.
- --parameters-on: the account's SSM parameters as the instances read them at boot
  (GET /NAME answers the value of parameter /NAME, 404 when unset), on the address the
  proving ground's hosts reach: bin/depot-boot follows the pointer the workflows move.
"""
import argparse
import http.server
import os
import sys
import threading
import uuid

from moto.core.exceptions import JsonRESTError
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.core.responses import ActionResult
from moto.ec2.models import ec2_backends
from moto.server import main
from moto.ssm.models import ssm_backends
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


if __name__ == "__main__":
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--parameters-on")
    own, rest = parser.parse_known_args(sys.argv[1:])
    SimpleSystemManagerResponse.start_session = start_session
    if own.parameters_on:
        serve_parameters(own.parameters_on)
    sys.exit(main(rest))

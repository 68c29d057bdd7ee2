"""The instance metadata service of one proving-ground instance, IMDSv2 only (the launch
template requires tokens): run inside the instance's network namespace on 169.254.169.254, as
EC2 answers there, but on a port of its own, since port 80 is the instance's nginx (the
instance is pointed at it by DEPOT_IMDS_URL and AWS_EC2_METADATA_SERVICE_ENDPOINT in its
boot.env). It knows what bin/depot-boot and the AWS CLI ask: the instance id, the id of the
image the instance was launched from, its region, and instance-profile credentials (any
non-empty ones do for the emulated account).

    imds.py --instance-id i-... --ami-id ami-... [--region us-east-1] [--bind ADDR] --port PORT
"""
import argparse
import datetime
import json
import secrets
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROLE = "depot-e2e-instance"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instance-id", required=True)
    parser.add_argument("--ami-id", required=True)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--bind", default="169.254.169.254")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    expires = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%SZ")
    metadata = {
        "instance-id": args.instance_id,
        "ami-id": args.ami_id,
        "placement/region": args.region,
        "placement/availability-zone": args.region + "a",
        "iam/security-credentials/": ROLE,
        "iam/security-credentials/" + ROLE: json.dumps({
            "Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": "e2e-instance",
            "SecretAccessKey": "e2e-instance", "Token": "e2e-instance", "Expiration": expires}),
    }
    tokens = set()

    class Handler(BaseHTTPRequestHandler):
        def answer(self, status, body=""):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_PUT(self):
            if self.path != "/latest/api/token" or not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                return self.answer(400)
            token = secrets.token_urlsafe(32)
            tokens.add(token)
            self.answer(200, token)

        def do_GET(self):
            # IMDSv2 only: a request without a token it issued is 401, as with HttpTokens: required.
            if self.headers.get("X-aws-ec2-metadata-token") not in tokens:
                return self.answer(401)
            prefix = "/latest/meta-data/"
            key = self.path[len(prefix):] if self.path.startswith(prefix) else None
            if key not in metadata:
                return self.answer(404)
            self.answer(200, metadata[key])

        def log_message(self, fmt, *args):
            print("imds: " + fmt % args, flush=True)

    ThreadingHTTPServer((args.bind, args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()

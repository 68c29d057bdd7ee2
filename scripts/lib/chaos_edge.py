#!/usr/bin/env python3
"""The edge under hostile clients: Depot's real nginx site (rendered as Ansible renders it,
the balancer's range set to 127.0.0.2/32) in front of an upstream that echoes what reached
it. Clients speak from distinct loopback addresses (127.0.0.x), so per-address limits apply
to each on its own.

Usage: chaos_edge.py --repo DIR --work DIR

Checks, each printing its figures:
  forwarded   a client's own X-Forwarded-For/-Host/-Proto and Forwarded never reach the JVM;
              the balancer's chain gives its last entry and its scheme
  bodies      a JSON route refuses a 100 KiB body with a JSON 413 before the JVM sees it
  uploads     slow streamed uploads from one address beyond the per-address cap get a JSON 429
              with Retry-After within a second; another address still uploads
  rate        a burst from one address beyond the API rate gets JSON 429s; another address is served
  stalled     a body that stops arriving is cut off after client_body_timeout
  headers     the Content-Security-Policy denies everything by default
  openapi     /api/v1/openapi.json passes through with its ETag and Cache-Control, and a
              matching If-None-Match gets the upstream's 304
Exits 1 if any check fails.
"""
import argparse
import http.client
import json
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from chaos_checks import FAILURES, check, free_port


OPENAPI = "/api/v1/openapi.json"
OPENAPI_TAG = '"0123abcd"'
OPENAPI_CACHE = "public, max-age=300"


class Echo(BaseHTTPRequestHandler):
    """Reads the whole body (slowly if the client is slow) and answers with what it saw; answers
    the OpenAPI document's route as Depot does (ETag, Cache-Control, 304 on a matching If-None-Match)."""
    protocol_version = "HTTP/1.1"

    def answer(self):
        if self.path == OPENAPI:
            self.document()
            return
        received = 0
        length = int(self.headers.get("Content-Length") or 0)
        try:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                while (size := int(self.rfile.readline().strip() or b"0", 16)) > 0:
                    received += len(self.rfile.read(size))
                    self.rfile.readline()
                self.rfile.readline()
            else:
                while received < length:
                    chunk = self.rfile.read(min(65536, length - received))
                    if not chunk:
                        return
                    received += len(chunk)
        except (ConnectionError, ValueError):
            return
        body = json.dumps({"headers": dict(self.headers), "received": received}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def document(self):
        matched = self.headers.get("If-None-Match") == OPENAPI_TAG
        body = b"" if matched else b'{"openapi":"3.1.0"}'
        self.send_response(304 if matched else 200)
        self.send_header("ETag", OPENAPI_TAG)
        self.send_header("Cache-Control", OPENAPI_CACHE)
        if not matched:
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = answer

    def log_message(self, *arguments):
        pass


def render(repo, work, traffic_port, app_port, body_timeout):
    conf = work / "conf"
    (conf / "depot").mkdir(parents=True, exist_ok=True)
    (work / "logs").mkdir(exist_ok=True)
    defaults = (repo / "ansible/roles/nginx/defaults/main.yml").read_text()
    defaults = re.sub(r"^depot_nginx_real_ip_from:.*$", 'depot_nginx_real_ip_from: ["127.0.0.2/32"]', defaults, flags=re.M)
    defaults = re.sub(r"^depot_nginx_client_body_timeout:.*$", f"depot_nginx_client_body_timeout: {body_timeout}", defaults, flags=re.M)
    (work / "defaults.yml").write_text(defaults)
    common = [sys.executable, str(repo / "scripts/lib/lint-render.py"), "--lifecycle", str(repo / "lifecycle.env"),
              "--defaults", str(work / "defaults.yml"), "--set", f"depot_nginx_conf_dir={conf / 'depot'}",
              "--set", f"depot_nginx_pid={work / 'nginx.pid'}", "--set", f"depot_nginx_log_dir={work / 'logs'}"]
    subprocess.run(common + [str(repo / "nginx/nginx.conf.j2"), str(conf / "nginx.conf")], check=True)
    subprocess.run(common + [str(repo / "nginx/site.conf.j2"), str(conf / "depot/site.conf")], check=True)
    shutil.copy(repo / "nginx/proxy.conf", conf / "depot/proxy.conf")
    shutil.copy("/etc/nginx/mime.types", conf / "mime.types")
    # Unprivileged loopback ports instead of :80/:8081, and no user switch.
    main = (conf / "nginx.conf").read_text()
    (conf / "nginx.conf").write_text(re.sub(r"^user .*;$", "", main, flags=re.M))
    site = (conf / "depot/site.conf").read_text()
    life = dict(line.split("=", 1) for line in (repo / "lifecycle.env").read_text().splitlines() if "=" in line and not line.startswith("#"))
    site = site.replace(f"listen {life['TRAFFIC_PORT']} default_server;", f"listen 127.0.0.1:{traffic_port} default_server;")
    site = site.replace(f"listen {life['HEALTH_PORT']} default_server;", f"listen 127.0.0.1:{free_port()} default_server;")
    (conf / "depot/site.conf").write_text(site)
    (conf / "depot/live.conf").write_text(
        f"upstream depot_app {{ server 127.0.0.1:{app_port}; keepalive 8; }}\nupstream depot_admin {{ server 127.0.0.1:{free_port()}; }}\n")
    return conf / "nginx.conf"


def request(port, method, path, source="127.0.0.1", headers=None, body=None, timeout=10):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def json_error(status, body):
    try:
        document = json.loads(body)
    except ValueError:
        return False
    return document.get("code") == status and isinstance(document.get("message"), str)


def check_forwarded(port):
    forged = {"X-Forwarded-For": "6.6.6.6", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https",
              "Forwarded": "for=6.6.6.6;host=evil.example;proto=https", "X-Forwarded-Port": "444"}
    _, _, body = request(port, "GET", "/api/v1/assets", source="127.0.0.3", headers=forged)
    seen = json.loads(body)["headers"]
    leaked = [name for name in ("X-Forwarded-Host", "Forwarded", "X-Forwarded-Port") if name in seen]
    check("edge/forwarded", seen.get("X-Forwarded-For") == "127.0.0.3" and seen.get("X-Forwarded-Proto") == "http" and not leaked,
          f"a client's forged headers reach the JVM as X-Forwarded-For={seen.get('X-Forwarded-For')}, "
          f"X-Forwarded-Proto={seen.get('X-Forwarded-Proto')}, passed on: {leaked or 'none'}")
    _, _, body = request(port, "GET", "/api/v1/assets", source="127.0.0.2",
                         headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.7", "X-Forwarded-Proto": "https"})
    seen = json.loads(body)["headers"]
    check("edge/forwarded-balancer", seen.get("X-Forwarded-For") == "203.0.113.7" and seen.get("X-Forwarded-Proto") == "https",
          f"through the balancer the JVM sees X-Forwarded-For={seen.get('X-Forwarded-For')}, X-Forwarded-Proto={seen.get('X-Forwarded-Proto')}")


def check_bodies(port):
    status, _, body = request(port, "POST", "/api/v1/uploads", source="127.0.0.4",
                              headers={"Content-Type": "application/json"}, body=b"{" + b" " * 100 * 1024 + b"}")
    check("edge/bodies", status == 413 and json_error(413, body), f"100 KiB to a JSON route: {status} {body[:80]!r}")


def slow_upload(port, source, hold, results, index):
    """Sends headers and a first chunk, then keeps the upload open for `hold` seconds."""
    started = time.monotonic()
    sock = socket.create_connection(("127.0.0.1", port), source_address=(source, 0), timeout=15)
    try:
        sock.sendall(b"POST /api/v1/assets?filename=slow.bin HTTP/1.1\r\nHost: depot\r\nContent-Type: application/octet-stream\r\n"
                     b"Content-Length: 1048576\r\n\r\n" + b"x" * 1024)
        sock.settimeout(0.2)
        deadline = started + hold
        response = b""
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                response += chunk
                if b"\r\n\r\n" in response and b"}" in response:
                    break
            except socket.timeout:
                sock.sendall(b"x" * 64)
        results[index] = (response.split(b" ", 2)[1].decode() if response.startswith(b"HTTP/") else "open",
                          time.monotonic() - started, response)
    finally:
        sock.close()


def check_uploads(port, cap):
    total = cap + 4
    results = [None] * total
    threads = [threading.Thread(target=slow_upload, args=(port, "127.0.0.5", 3.0, results, i)) for i in range(total)]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    # Another address is not affected by this one's uploads.
    time.sleep(0.5)
    status, _, _ = request(port, "POST", "/api/v1/assets?filename=other.bin", source="127.0.0.6",
                           headers={"Content-Type": "application/octet-stream"}, body=b"y" * 1000)
    for thread in threads:
        thread.join()
    refused = [r for r in results if r[0] == "429"]
    open_ = [r for r in results if r[0] == "open"]
    fast = all(r[1] < 1.0 for r in refused)
    well_formed = all(json_error(429, r[2].split(b"\r\n\r\n", 1)[1]) and b"Retry-After: 1" in r[2] for r in refused)
    check("edge/uploads", len(open_) == cap and len(refused) == total - cap and fast and well_formed and status == 200,
          f"{total} slow uploads from one address: {len(open_)} streaming (cap {cap}), {len(refused)} refused with 429 "
          f"(slowest refusal {max((r[1] for r in refused), default=0):.2f} s, JSON with Retry-After: {well_formed}); "
          f"another address: {status}")


def check_rate(port, rate, burst):
    sent = burst + 2 * rate
    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(pool.map(lambda _: request(port, "GET", "/api/v1/assets", source="127.0.0.7"), range(sent)))
    limited = [s for s in statuses if s[0] == 429]
    served = sum(1 for s in statuses if s[0] == 200)
    other, _, _ = request(port, "GET", "/api/v1/assets", source="127.0.0.8")
    check("edge/rate", limited and all(json_error(429, s[2]) for s in limited) and other == 200 and served >= burst,
          f"{sent} requests at once from one address (rate {rate}/s, burst {burst}): {served} served, {len(limited)} got a JSON 429; "
          f"another address: {other}")


def check_stalled(port, timeout):
    started = time.monotonic()
    sock = socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.9", 0), timeout=timeout + 10)
    try:
        sock.sendall(b"POST /api/v1/assets?filename=stall.bin HTTP/1.1\r\nHost: depot\r\nContent-Length: 1000\r\n\r\nxx")
        response = b""
        while chunk := sock.recv(4096):
            response += chunk
    except (socket.timeout, ConnectionError):
        pass
    finally:
        sock.close()
    elapsed = time.monotonic() - started
    check("edge/stalled", timeout - 0.5 <= elapsed <= timeout + 3,
          f"a body that stops after 2 of 1000 bytes is cut off after {elapsed:.1f} s (client_body_timeout {timeout} s)")


def check_headers(port):
    _, headers, _ = request(port, "GET", "/api/v1/assets", source="127.0.0.10")
    csp = headers.get("Content-Security-Policy", "")
    check("edge/headers", csp.startswith("default-src 'none'"), f"Content-Security-Policy: {csp}")


def check_openapi(port):
    status, headers, body = request(port, "GET", OPENAPI, source="127.0.0.11")
    check("edge/openapi", status == 200 and headers.get("ETag") == OPENAPI_TAG and headers.get("Cache-Control") == OPENAPI_CACHE
          and json.loads(body or b"{}").get("openapi") == "3.1.0",
          f"GET {OPENAPI} without a token: {status}, ETag {headers.get('ETag')}, Cache-Control {headers.get('Cache-Control')}")
    status, headers, body = request(port, "GET", OPENAPI, source="127.0.0.11", headers={"If-None-Match": OPENAPI_TAG})
    check("edge/openapi-revalidate", status == 304 and headers.get("ETag") == OPENAPI_TAG and not body,
          f"with If-None-Match: {status}, ETag {headers.get('ETag')}, {len(body)} body bytes")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", type=pathlib.Path, required=True)
    parser.add_argument("--work", type=pathlib.Path, required=True)
    args = parser.parse_args()
    defaults = (args.repo / "ansible/roles/nginx/defaults/main.yml").read_text()
    knob = lambda name: int(re.search(rf"^{name}:\s*(\d+)", defaults, re.M).group(1))  # noqa: E731
    body_timeout = 2  # the real default is longer; the behaviour is the same, the wait is not
    app_port, traffic_port = free_port(), free_port()
    upstream = ThreadingHTTPServer(("127.0.0.1", app_port), Echo)
    upstream.daemon_threads = True
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    config = render(args.repo, args.work, traffic_port, app_port, body_timeout)
    nginx = subprocess.Popen(["nginx", "-p", str(args.work), "-c", str(config), "-g", "daemon off;"])
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", traffic_port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or nginx.poll() is not None:
                    raise SystemExit("chaos_edge: nginx did not start")
                time.sleep(0.1)
        check_forwarded(traffic_port)
        check_bodies(traffic_port)
        check_uploads(traffic_port, knob("depot_nginx_uploads_per_client"))
        check_rate(traffic_port, knob("depot_nginx_api_rate"), knob("depot_nginx_api_burst"))
        check_stalled(traffic_port, body_timeout)
        check_headers(traffic_port)
        check_openapi(traffic_port)
    finally:
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(timeout=10)
        upstream.shutdown()
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())

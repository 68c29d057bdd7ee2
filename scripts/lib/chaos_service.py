#!/usr/bin/env python3
"""Depot's service under hostile clients: the real jar against a real PostgreSQL, Redis and
S3Proxy (scripts/stack), spoken to over loopback only.

Usage: chaos_service.py --repo DIR --work DIR CASE...

Cases, each printing its figures:
  upload-flood  slow concurrent uploads wanting 4x the upload buffer budget, at -Xmx128m: the
                extra ones get 503 or 429 within a second, the heap stays under -Xmx, /ready
                stays 200 and the JVM never exits
  fake-token-flood
                12 connections send as fast as they can with 50 fake well-formed tokens while
                a real tenant lists and uploads: every fake request is 401, database lookups stay
                at one per fake token, the tenant sees no error, the database pool never fills
  redis-killed  readers by id while Redis is SIGKILLed and started again: no error, /ready stays
                200, the cache is bypassed while it is down and used again when it is back
  postgres-restarted
                readers and uploaders while PostgreSQL stops for 5 s: only 503s, /ready 503
                while down and 200 within 10 s of its return, every upload answered 201 is there
  s3-down       S3 stops while a streamed multipart upload is in flight: a clean 503 naming
                storage; once S3 is back and the reconciler has run, no row and no object remain
  upload-flood-unbounded
                the same flood with the budget lifted ends the JVM (OutOfMemoryError): the
                flood is hostile enough for upload-flood to mean something
Exits 1 if any check fails.
"""
import argparse
import http.client
import json
import os
import pathlib
import re
import select
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from chaos_checks import FAILURES, check, free_port


def read_env(path):
    env = {}
    for line in pathlib.Path(path).read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            env[key] = value
    return env


class Stack:
    """PostgreSQL, Redis and S3Proxy under WORK/stack, started and stopped by scripts/stack."""

    def __init__(self, repo, work):
        self.script = str(repo / "scripts" / "stack")
        self.dir = str(work / "stack")

    def up(self):
        subprocess.run([self.script, "up", self.dir], check=True, stdout=subprocess.DEVNULL)
        self.env = read_env(pathlib.Path(self.dir) / "env")

    def service(self, action, name):
        subprocess.run([self.script, action, self.dir, name], check=True, stdout=subprocess.DEVNULL)

    def down(self):
        subprocess.run([self.script, "down", self.dir], check=False, stdout=subprocess.DEVNULL)


class Depot:
    """The real jar, run as `server config.yml` with system-property overrides of config.yml."""

    def __init__(self, repo, work, stack):
        self.repo = repo
        self.work = work
        self.stack = stack
        self.process = None

    def command(self, *arguments, java_options=()):
        env = dict(os.environ, **self.stack.env)
        done = subprocess.run(["java", *java_options, "-jar", str(self.repo / "target" / "depot.jar"), *arguments, str(self.repo / "config.yml")],
                              env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"depot.jar {' '.join(arguments)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def token(self, tenant):
        return self.command("token", "create", "--tenant", tenant, "--name", "chaos").strip().splitlines()[-1]

    def start(self, name, heap="128m", overrides=None):
        self.app_port, self.admin_port = free_port(), free_port()
        env = dict(os.environ, **self.stack.env, DEPOT_APP_PORT=str(self.app_port), DEPOT_ADMIN_PORT=str(self.admin_port))
        properties = [f"-Ddw.{key}={value}" for key, value in (overrides or {}).items()]
        self.log = self.work / f"depot-{name}.log"
        self.process = subprocess.Popen(["java", f"-Xmx{heap}", "-XX:+ExitOnOutOfMemoryError", *properties, "-jar",
                                         str(self.repo / "target" / "depot.jar"), "server", str(self.repo / "config.yml")],
                                        env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while self.admin("/ready")[0] != 200:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Depot did not get ready; see {self.log}")
            time.sleep(0.3)

    def stop(self):
        if self.process and self.process.poll() is None:
            # SIGHUP: the ordinary shutdown at once, without the production drain window.
            self.process.send_signal(1)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def alive(self):
        return self.process.poll() is None

    def admin(self, path, timeout=5):
        return request(self.admin_port, "GET", path, timeout=timeout)

    def api(self, method, path, token=None, body=None, headers=None, timeout=30):
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        return request(self.app_port, method, path, body, all_headers, timeout)

    def heap_used(self):
        status, body, _ = self.admin("/metrics")
        match = re.search(r"^jvm_memory_heap_used\S* (\S+)$", body.decode(), re.MULTILINE) if status == 200 else None
        return float(match.group(1)) if match else None


def request(port, method, path, body=None, headers=None, timeout=30):
    """(status, body, headers); status 0 when the connection failed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    except OSError as e:
        return 0, str(e).encode(), {}
    finally:
        connection.close()


def slow_upload(port, token, size, chunk, pause, hold_after=None, gate=None):
    """Sends SIZE bytes in CHUNKs every PAUSE seconds (only the first HOLD_AFTER of them, then
    waits; with GATE, a (bytes, threading.Event) pair, no more than its bytes until its event is
    set), stopping as soon as an answer arrives. Returns (status, seconds until the answer, body);
    status 0 when the connection failed."""
    started = time.monotonic()
    answer = b""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
            sock.sendall((f"POST /api/v1/assets?filename=flood.bin HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                          f"Authorization: Bearer {token}\r\nContent-Type: application/octet-stream\r\n"
                          f"Content-Length: {size}\r\nConnection: close\r\n\r\n").encode())
            payload = os.urandom(chunk)
            sent = 0
            while sent < size and not select.select([sock], [], [], pause)[0]:
                if hold_after is not None and sent >= hold_after:
                    continue
                if gate is not None and sent >= gate[0] and not gate[1].is_set():
                    continue
                sock.sendall(payload[:min(chunk, size - sent)])
                sent += chunk
            while not complete(answer):
                part = sock.recv(65536)
                if not part:
                    break
                answer += part
    except OSError:
        pass
    seconds = time.monotonic() - started
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    return status, seconds, answer.partition(b"\r\n\r\n")[2]


def complete(answer):
    head, separator, body = answer.partition(b"\r\n\r\n")
    if not separator:
        return False
    match = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return len(body) >= (int(match.group(1)) if match else 0)


class Watch:
    """Samples /ready and the heap every 200 ms while a case runs."""

    def __init__(self, depot):
        self.depot = depot
        self.ready = []
        self.heap = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stopping.is_set():
            self.ready.append(self.depot.admin("/ready", timeout=2)[0])
            used = self.depot.heap_used()
            if used is not None:
                self.heap.append(used)
            self.stopping.wait(0.2)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join()


def warm_up(depot, tokens, concurrency):
    """A fresh JVM's first requests load and compile the request path and grow the connection
    pools: timings count once a burst as wide as the case's has been served."""
    def small_upload(index):
        return depot.api("POST", "/api/v1/assets?filename=warm.txt", tokens[index % len(tokens)], b"warm", {"Content-Type": "text/plain"})[0]

    with ThreadPoolExecutor(concurrency) as pool:
        for _ in range(3):
            list(pool.map(small_upload, range(concurrency)))


HEAP_MIB, PART_MIB, BUDGET_MIB, PER_TENANT = 128, 8, 32, 6
# 4x the budget in part buffers (as much as the whole heap), from two tenants: 8 each, 6 of them within a tenant's cap.
# Each body is a whole part, so each takes a part buffer (a body declared smaller gets a buffer of its size).
FLOOD_UPLOADS, FLOOD_UPLOAD_BYTES = 4 * BUDGET_MIB // PART_MIB, PART_MIB << 20


def start_for_flood(depot, name, budget_mib, per_tenant):
    depot.start(name, heap=f"{HEAP_MIB}m", overrides={
        "storage.partSize": f"{PART_MIB}MiB", "limits.uploadBufferBudget": f"{budget_mib}MiB",
        "limits.uploadBufferWait": "500ms", "limits.uploadsPerTenant": per_tenant})


def flood(depot, tokens):
    with ThreadPoolExecutor(FLOOD_UPLOADS) as pool:
        return list(pool.map(lambda index: slow_upload(depot.app_port, tokens[index % 2], FLOOD_UPLOAD_BYTES, 64 << 10, 0.1), range(FLOOD_UPLOADS)))


def case_upload_flood_unbounded(depot, tokens):
    """The same flood with the budget and the cap lifted: proof that it is enough to end the JVM
    that the budget protects, as every upload's buffer did before there was one."""
    start_for_flood(depot, "upload-flood-unbounded", budget_mib=1024, per_tenant=100)
    try:
        results = flood(depot, tokens)
        depot.process.wait(10)
        check("upload-flood-unbounded/jvm", not depot.alive() and "OutOfMemoryError" in depot.log.read_text(),
              f"without the budget the JVM {'is still running' if depot.alive() else f'exited with {depot.process.returncode}'}; "
              f"{sum(1 for result in results if result[0] == 201)} of {FLOOD_UPLOADS} uploads stored")
    except subprocess.TimeoutExpired:
        check("upload-flood-unbounded/jvm", False, "without the budget the JVM survived the flood: the flood proves nothing")
    finally:
        depot.stop()


def case_upload_flood(depot, tokens):
    heap_mib, part_mib, budget_mib, per_tenant, uploads, size = HEAP_MIB, PART_MIB, BUDGET_MIB, PER_TENANT, FLOOD_UPLOADS, FLOOD_UPLOAD_BYTES
    start_for_flood(depot, "upload-flood", budget_mib, per_tenant)
    pid = depot.process.pid
    warm_up(depot, tokens, uploads)
    try:
        with Watch(depot) as watch:
            results = flood(depot, tokens)
        counts = {status: sum(1 for result in results if result[0] == status) for status in sorted({result[0] for result in results})}
        refused = [result for result in results if result[0] in (429, 503)]
        slowest_refusal = max((seconds for _, seconds, _ in refused), default=0)
        timings = {status: "/".join(f"{seconds * 1000:.0f}" for seconds in sorted(result[1] for result in results if result[0] == status))
                   for status in (429, 503)}
        json_errors = all(json.loads(body).get("code") == status for status, _, body in refused)
        peak_heap = max(watch.heap, default=0) / (1 << 20)
        not_ready = sum(1 for status in watch.ready if status != 200)
        check("upload-flood/answers", counts.get(201, 0) == budget_mib // part_mib and counts.get(429, 0) == 2 * (uploads // 2 - per_tenant)
              and counts.get(503, 0) == uploads - budget_mib // part_mib - 2 * (uploads // 2 - per_tenant) and json_errors,
              f"{uploads} uploads of {size >> 20} MiB at 640 KiB/s, budget {budget_mib} MiB ({budget_mib // part_mib} part buffers), "
              f"{per_tenant} per tenant: {counts} (201 stored, 429 tenant cap, 503 budget); every refusal JSON with its code: {json_errors}")
        check("upload-flood/refusal-time", bool(refused) and slowest_refusal < 1.0,
              f"{len(refused)} refused, the slowest after {slowest_refusal * 1000:.0f} ms (bound 1000 ms); "
              f"ms until 429: {timings[429]}, until 503: {timings[503]}")
        check("upload-flood/heap", 0 < peak_heap < heap_mib,
              f"peak heap used {peak_heap:.0f} MiB of -Xmx{heap_mib}m over {len(watch.heap)} samples")
        check("upload-flood/ready", not_ready == 0 and len(watch.ready) > 0,
              f"/ready answered 200 {len(watch.ready) - not_ready} of {len(watch.ready)} times")
        check("upload-flood/jvm", depot.alive() and depot.process.pid == pid,
              f"the JVM (pid {pid}) {'is still running' if depot.alive() else f'exited with {depot.process.returncode}'}")
    finally:
        depot.stop()


def metric(text, pattern):
    """The first sample of the Prometheus metric whose name matches PATTERN, or None."""
    match = re.search(rf"^(?:{pattern})(?:{{[^}}]*}})? (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else None


class Load:
    """CALL run by THREADS threads until DEADLINE, each result's status counted; statuses
    are what CALL returns (0: no answer)."""

    def __init__(self, threads, seconds, call):
        self.threads, self.seconds, self.call = threads, seconds, call
        self.statuses = {}
        self.lock = threading.Lock()

    def worker(self, index):
        deadline = time.monotonic() + self.seconds
        count = 0
        while time.monotonic() < deadline:
            status = self.call(index, count)
            count += 1
            with self.lock:
                self.statuses[status] = self.statuses.get(status, 0) + 1

    def run(self):
        with ThreadPoolExecutor(self.threads) as pool:
            list(pool.map(self.worker, range(self.threads)))
        return self

    def total(self):
        return sum(self.statuses.values())

    def count(self, predicate):
        return sum(number for status, number in self.statuses.items() if predicate(status))


class KeepAlive:
    """One persistent connection per thread, reopened after a failure."""

    def __init__(self, port):
        self.port = port
        self.local = threading.local()

    def request(self, method, path, headers, body=None):
        connection = getattr(self.local, "connection", None) or http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        self.local.connection = connection
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                self.local.connection = None
            return response.status
        except (OSError, http.client.HTTPException):
            connection.close()
            self.local.connection = None
            return 0


def legitimate_tenant(depot, token, connections):
    """A tenant's ordinary mix: list, fetch one, upload a small file."""
    authorization = {"Authorization": f"Bearer {token}"}

    def call(index, count):
        if count % 3 == 0:
            return connections.request("POST", "/api/v1/assets?filename=legit.txt", dict(authorization, **{"Content-Type": "text/plain"}), b"legit")
        return connections.request("GET", "/api/v1/assets?limit=5", authorization)
    return call


def case_fake_token_flood(depot, tokens):
    distinct, flood_threads, seconds = 50, 12, 10
    depot.start("fake-token-flood", heap="256m")
    try:
        warm_up(depot, tokens, 8)
        fakes = [f"dpt_{os.urandom(32).hex()[:43]}" for _ in range(distinct)]
        flood_connections, legit_connections = KeepAlive(depot.app_port), KeepAlive(depot.app_port)
        before = depot.admin("/metrics")[1].decode()
        pool_active, pool_waiting = [], []
        stopping = threading.Event()

        def watch_pool():
            while not stopping.is_set():
                text = depot.admin("/metrics", timeout=2)[1].decode()
                for samples, name in ((pool_active, "active"), (pool_waiting, "waiting")):
                    value = metric(text, rf"io_dropwizard_db_ManagedPooledDataSource_postgresql_{name}")
                    if value is not None:
                        samples.append(value)
                stopping.wait(0.2)

        watcher = threading.Thread(target=watch_pool, daemon=True)
        watcher.start()
        flood = Load(flood_threads, seconds, lambda index, count: flood_connections.request(
            "GET", "/api/v1/assets", {"Authorization": f"Bearer {fakes[(index * 7919 + count) % distinct]}"}))
        legit = Load(2, seconds, legitimate_tenant(depot, tokens[0], legit_connections))
        with ThreadPoolExecutor(2) as pool:
            for future in [pool.submit(flood.run), pool.submit(legit.run)]:
                future.result()
        stopping.set()
        watcher.join()
        after = depot.admin("/metrics")[1].decode()
        lookups = metric(after, "depot_auth_lookups(?:_total)?") - metric(before, "depot_auth_lookups(?:_total)?")
        legit_errors = legit.count(lambda status: status not in (200, 201))
        check("fake-token-flood/flood", flood.count(lambda status: status == 401) == flood.total() > 0,
              f"{flood.total()} requests with {distinct} fake tokens in {seconds} s ({flood.total() / seconds:.0f}/s from {flood_threads} connections): {flood.statuses}")
        # Requests that carry a fake token before its first lookup has answered each look it up too.
        bound = 2 * distinct + legit.total()
        check("fake-token-flood/lookups", lookups <= bound,
              f"{lookups:.0f} database lookups for {flood.total()} fake and {legit.total()} real requests "
              f"(bound {bound}: one per fake token per TTL, as many again for requests racing its first lookup, plus the real ones)")
        check("fake-token-flood/tenant", legit.total() > 0 and legit_errors == 0,
              f"the real tenant made {legit.total()} requests ({legit.total() / seconds:.0f}/s): {legit.statuses}; error rate {100 * legit_errors / max(1, legit.total()):.2f} %")
        check("fake-token-flood/pool", bool(pool_active) and max(pool_active) < 32 and max(pool_waiting, default=0) == 0,
              f"database pool: peak {max(pool_active, default=-1):.0f} of 32 connections in use, peak {max(pool_waiting, default=-1):.0f} requests waiting, "
              f"{len(pool_active)} samples")
    finally:
        depot.stop()


class Phases:
    """Readers (and optionally uploaders) of one tenant running through named phases; each
    answer is counted under the phase it finished in."""

    def __init__(self, depot, token, asset_ids, upload=False):
        self.depot, self.token, self.asset_ids, self.upload = depot, token, asset_ids, upload
        self.connections = KeepAlive(depot.app_port)
        self.phase = "before"
        self.statuses = {}
        self.stored = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.worker, args=(index,), daemon=True) for index in range(3)]

    def worker(self, index):
        authorization = {"Authorization": f"Bearer {self.token}"}
        count = 0
        while not self.stopping.is_set():
            if self.upload and index == 0:
                status, body, _ = self.depot.api("POST", "/api/v1/assets?filename=during.txt", self.token, b"during", {"Content-Type": "text/plain"}, timeout=20)
                if status == 201:
                    with self.lock:
                        self.stored.append(json.loads(body)["id"])
            else:
                status = self.connections.request("GET", f"/api/v1/assets/{self.asset_ids[count % len(self.asset_ids)]}", authorization)
            count += 1
            with self.lock:
                phase = self.statuses.setdefault(self.phase, {})
                phase[status] = phase.get(status, 0) + 1
            time.sleep(0.02)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join()

    def enter(self, phase):
        with self.lock:
            self.phase = phase

    def count(self, phase, predicate):
        return sum(number for status, number in self.statuses.get(phase, {}).items() if predicate(status))


def stored_assets(depot, token, count):
    ids = []
    for index in range(count):
        status, body, _ = depot.api("POST", f"/api/v1/assets?filename=seed-{index}.txt", token, f"seed {index}".encode(), {"Content-Type": "text/plain"})
        if status != 201:
            raise RuntimeError(f"seeding an asset failed: {status} {body[:200]!r}")
        ids.append(json.loads(body)["id"])
    return ids


def cache_hits(depot):
    return metric(depot.admin("/metrics")[1].decode(), "depot_cache_hits(?:_total)?") or 0


def kill_pidfile(path):
    pid = int(pathlib.Path(path).read_text().strip())
    os.kill(pid, 9)
    while pathlib.Path(f"/proc/{pid}").exists() and pathlib.Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z":
        time.sleep(0.05)


def case_redis_killed(depot, tokens):
    depot.start("redis-killed", heap="256m")
    try:
        ids = stored_assets(depot, tokens[0], 10)
        warm_up(depot, tokens, 4)
        with Phases(depot, tokens[0], ids) as load:
            time.sleep(3)
            kill_pidfile(pathlib.Path(depot.stack.dir) / "redis.pid")
            load.enter("down")
            # Reads that took their answer from Redis just before the kill count theirs just after it.
            time.sleep(0.5)
            hits_up = cache_hits(depot)
            ready_down = [depot.admin("/ready")[0] for _ in range(wait_samples(4))]
            hits_down = cache_hits(depot)
            depot.stack.service("start", "redis")
            load.enter("back")
            back_at = time.monotonic()
            while cache_hits(depot) <= hits_down and time.monotonic() - back_at < 30:
                time.sleep(0.2)
            cache_again = time.monotonic() - back_at
            time.sleep(1)
        down = load.count("down", lambda status: True)
        errors = {phase: load.count(phase, lambda status: status != 200) for phase in ("before", "down", "back")}
        check("redis-killed/reads", down > 0 and sum(errors.values()) == 0,
              f"reads by id: {load.statuses}; non-200 per phase {errors}")
        check("redis-killed/ready", set(ready_down) == {200}, f"/ready while Redis was down: {len(ready_down)} samples, all {set(ready_down)} (degraded, not unready)")
        check("redis-killed/bypass", cache_hits(depot) > hits_down and hits_down == hits_up,
              f"cache hits: {hits_up:.0f} at the kill, +{hits_down - hits_up:.0f} during {down} reads while down, "
              f"used again {cache_again:.1f} s after Redis returned")
    finally:
        depot.stop()


def wait_samples(seconds):
    return int(seconds / 0.25)


def case_postgres_restarted(depot, tokens):
    depot.start("postgres-restarted", heap="256m")
    try:
        ids = stored_assets(depot, tokens[0], 10)
        warm_up(depot, tokens, 4)
        ready = []
        stopping = threading.Event()

        def watch_ready():
            while not stopping.is_set():
                ready.append((time.monotonic(), depot.admin("/ready", timeout=2)[0]))
                stopping.wait(0.25)

        watcher = threading.Thread(target=watch_ready, daemon=True)
        with Phases(depot, tokens[0], ids, upload=True) as load:
            watcher.start()
            time.sleep(3)
            load.enter("down")
            depot.stack.service("stop", "postgres")
            stopped_at = time.monotonic()
            time.sleep(5)
            depot.stack.service("start", "postgres")
            back_at = time.monotonic()
            load.enter("back")
            while not (ready and ready[-1][0] > back_at and ready[-1][1] == 200) and time.monotonic() - back_at < 30:
                time.sleep(0.1)
            ready_after = time.monotonic() - back_at
            time.sleep(2)
            stopping.set()
            watcher.join()
        not_ready_while_down = [status for at, status in ready if stopped_at + 2 < at < back_at]
        unexpected = {phase: load.count(phase, lambda status: status not in (200, 201, 503)) for phase in load.statuses}
        lost = [asset for asset in load.stored if depot.api("GET", f"/api/v1/assets/{asset}", tokens[0])[0] != 200]
        check("postgres-restarted/ready", bool(not_ready_while_down) and set(not_ready_while_down) == {503} and ready_after <= 10,
              f"/ready while down: {len(not_ready_while_down)} samples, {set(not_ready_while_down)}; 200 again {ready_after:.1f} s after PostgreSQL returned (bound 10 s)")
        check("postgres-restarted/answers", sum(unexpected.values()) == 0 and load.count("before", lambda status: status == 503) == 0,
              f"requests per phase: {load.statuses}; anything but 200/201/503: {unexpected}")
        check("postgres-restarted/uploads", not lost and len(load.stored) > 0,
              f"{len(load.stored)} uploads answered 201, {len(lost)} of them missing afterwards")
    finally:
        depot.stop()


def s3_client(stack):
    import boto3
    return boto3.client("s3", endpoint_url=stack.env["DEPOT_S3_ENDPOINT"], region_name="us-east-1",
                        aws_access_key_id=stack.env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=stack.env["AWS_SECRET_ACCESS_KEY"])


def bucket_keys(stack, prefix):
    pages = s3_client(stack).get_paginator("list_objects_v2").paginate(Bucket=stack.env["DEPOT_S3_BUCKET"], Prefix=prefix)
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


def multipart_uploads(s3, bucket, prefix):
    """(key, upload id) of every multipart upload in progress under PREFIX."""
    listed = s3.list_multipart_uploads(Bucket=bucket, Prefix=prefix)
    return {(upload["Key"], upload["UploadId"]) for upload in listed.get("Uploads", [])}


def first_part_stored(stack, prefix, known, uploader, timeout):
    """Waits until S3 lists part 1 of a multipart upload under PREFIX that is not among KNOWN;
    returns the seconds waited, or None after TIMEOUT or once UPLOADER has ended without it."""
    from botocore.exceptions import ClientError
    s3, bucket = s3_client(stack), stack.env["DEPOT_S3_BUCKET"]
    started = time.monotonic()
    while uploader.is_alive() and time.monotonic() - started < timeout:
        try:
            if any(part["PartNumber"] == 1 for key, upload_id in multipart_uploads(s3, bucket, prefix) - known
                   for part in s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id).get("Parts", [])):
                return time.monotonic() - started
        except ClientError:
            # S3Proxy's filesystem store answers ListParts 400 while a part is being written (its
            # temporary file is no part yet): not stored yet.
            pass
        time.sleep(0.1)
    return None


def case_s3_down(depot, tokens):
    """A streamed upload of three 5 MiB parts loses S3 after its first part."""
    depot.start("s3-down", heap="256m", overrides={"storage.partSize": "5MiB", "maintenance.reconcileInterval": "2s", "maintenance.orphanAge": "30s"})
    try:
        warm_up(depot, tokens, 2)
        prefix = "tenants/chaos-b/"
        keys_before = bucket_keys(depot.stack, prefix)
        uploads_before = multipart_uploads(s3_client(depot.stack), depot.stack.env["DEPOT_S3_BUCKET"], prefix)
        assets_before = json.loads(depot.api("GET", "/api/v1/assets?limit=200", tokens[1])[1])["items"]
        result = {}
        s3_stopped = threading.Event()

        # The first part's bytes, then nothing more until S3 is down: S3 stops once Depot has stored
        # part 1 and before it can store part 2, however slow the machine. Two parts' worth, then the
        # client waits: the answer is not lost to the reset of a connection the server stopped reading.
        def upload():
            result["answer"] = slow_upload(depot.app_port, tokens[1], 15 << 20, 128 << 10, 0.03, hold_after=10 << 20,
                                           gate=(5 << 20, s3_stopped))

        # Daemon: a client still held at the gate when the case gives up must not keep the run alive.
        uploader = threading.Thread(target=upload, daemon=True)
        uploader.start()
        bound = 30
        waited = first_part_stored(depot.stack, prefix, uploads_before, uploader, bound)
        if waited is None:
            status, _, body = result.get("answer", (0, 0, b""))
            check("s3-down/first-part", False, f"S3 listed no part 1 of a new multipart upload under {prefix} within {bound} s; "
                  f"the upload {'is still waiting' if uploader.is_alive() else f'got {status}: {body[:200]!r}'}")
            return
        depot.stack.service("stop", "s3")
        s3_stopped.set()
        check("s3-down/first-part", True, f"part 1 (5 MiB) of the upload listed on S3 {waited:.1f} s after it began (bound {bound} s); S3 stopped then")
        uploader.join(60)
        status, seconds, body = result.get("answer", (0, 0, b""))
        depot.stack.service("start", "s3")
        time.sleep(6)  # a few reconcile passes (every 2 s)
        keys_after = bucket_keys(depot.stack, prefix)
        assets_after = json.loads(depot.api("GET", "/api/v1/assets?limit=200", tokens[1])[1])["items"]
        message = json.loads(body).get("message", "") if body.startswith(b"{") else body[:200].decode(errors="replace")
        check("s3-down/answer", status == 503 and "storage" in message,
              f"the upload got {status} after {seconds:.1f} s: {message!r}")
        check("s3-down/leftovers", keys_after == keys_before and len(assets_after) == len(assets_before),
              f"objects under {prefix}: {len(keys_before)} before, {len(keys_after)} after S3 returned and the reconciler ran; "
              f"rows: {len(assets_before)} before, {len(assets_after)} after")
    finally:
        depot.stop()


CASES = {"s3-down": case_s3_down, "upload-flood": case_upload_flood, "upload-flood-unbounded": case_upload_flood_unbounded,
         "fake-token-flood": case_fake_token_flood, "redis-killed": case_redis_killed,
         "postgres-restarted": case_postgres_restarted}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", required=True, type=pathlib.Path)
    parser.add_argument("--work", required=True, type=pathlib.Path)
    parser.add_argument("cases", nargs="+", choices=sorted(CASES))
    arguments = parser.parse_args()
    stack = Stack(arguments.repo, arguments.work)
    stack.up()
    depot = Depot(arguments.repo, arguments.work, stack)
    try:
        depot.command("db", "migrate")
        with ThreadPoolExecutor(2) as pool:
            tokens = list(pool.map(depot.token, ["chaos-a", "chaos-b"]))
        for name in arguments.cases:
            started = time.monotonic()
            CASES[name](depot, tokens)
            print(f"      {name}: {time.monotonic() - started:.1f} s", flush=True)
    finally:
        depot.stop()
        stack.down()
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())

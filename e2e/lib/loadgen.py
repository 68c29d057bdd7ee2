#!/usr/bin/env python3
"""Steady, bounded HTTP load for the proving ground (standard library only).

  loadgen.py run --url URL --token T --out FILE [--rate R] [--connections N]
                 [--duration S] [--max-requests N]
      Sends a mix of metadata GETs, lists, content redirects (not followed) and small
      uploads over N keep-alive connections at R requests/s in all, until SIGTERM, S
      seconds or N requests. Rewrites FILE every second with per-second counts of
      successes (2xx/3xx), failures (other statuses) and socket errors, and a histogram of
      the latencies of the responses (buckets 5 % wide).
      Like any HTTP/1.1 client (RFC 9112 9.3.1, browsers, the ALB), a request that fails on a
      *reused* keep-alive connection before any byte of a response (the server closed the idle
      connection, e.g. an nginx reload) is sent once more on a new connection; uploads carry an
      Idempotency-Key so that is safe. Such resends are counted ("resent") and reported; a
      failure on a fresh connection is an error.
  loadgen.py window FILE START_MS END_MS
      Prints "requests failures errors resent" counted in whole seconds overlapping the window.
  loadgen.py p99 FILE START_MS END_MS
      Prints the p99 latency (ms) of the responses in whole seconds overlapping the window.
  loadgen.py capacity FILE SKIP_SECONDS
      Prints the mean successes per second of a run's whole seconds, the first SKIP_SECONDS
      (warm-up) and the last (cut short) left out, then the failures and socket errors in them.
  loadgen.py switches FILE WINDOW_S SWITCH_MS...
      Prints JSON: the p99 latency in the WINDOW_S seconds after each colour switch, the steady
      p99 (every second more than WINDOW_S before the first switch) and each ratio of the two.
"""
import math
import argparse
import http.client
import json
import os
import random
import signal
import statistics
import sys
import threading
import time
import urllib.parse

# Failures that mean "the server had closed this idle connection" when no response byte came.
STALE_CONNECTION = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)
MIX = ["get", "list", "get", "content", "get", "list", "content", "upload"]
FAILURE_SAMPLES = 50
# Latency histogram: bucket k holds latencies in [GROWTH**k, GROWTH**(k+1)) ms.
GROWTH = 1.05
RUN_ID = "load-%d-%d" % (os.getpid(), int(time.time()))


class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.seconds = {}
        self.failures = []
        self.started_ms = int(time.time() * 1000)

    def add(self, outcome, kind, detail=None, latency_ms=None):
        sec = str(int(time.time()))
        with self.lock:
            bucket = self.seconds.setdefault(sec, {"ok": 0, "fail": 0, "err": 0, "resent": 0, "latency": {}})
            bucket[outcome] += 1
            if latency_ms is not None:
                key = str(math.floor(math.log(max(latency_ms, 0.01), GROWTH)))
                bucket["latency"][key] = bucket["latency"].get(key, 0) + 1
            if outcome in ("fail", "err") and len(self.failures) < FAILURE_SAMPLES:
                self.failures.append({"t": time.time(), "kind": kind, "detail": detail})

    def dump(self, path):
        # Copied under the lock, histograms too: workers keep adding while the file is written.
        with self.lock:
            doc = {"started_ms": self.started_ms,
                   "seconds": {sec: dict(bucket, latency=dict(bucket["latency"])) for sec, bucket in self.seconds.items()},
                   "failures": list(self.failures)}
        totals = {k: sum(b[k] for b in doc["seconds"].values()) for k in ("ok", "fail", "err", "resent")}
        doc["totals"] = totals
        tmp = path + ".tmp"
        with open(tmp, "w") as fh:
            json.dump(doc, fh)
        os.replace(tmp, path)


class Client:
    """One keep-alive connection; reconnects after a socket error."""

    def __init__(self, url, token, counters=None):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.headers = {"Authorization": "Bearer " + token}
        self.conn = None
        self.served = 0
        self.counters = counters

    def request(self, method, path, body=None, headers=None):
        reused = self.conn is not None and self.served > 0
        try:
            return self._send(method, path, body, headers)
        except STALE_CONNECTION:
            if not reused:
                raise
            if self.counters is not None:
                self.counters.add("resent", method)
            return self._send(method, path, body, headers)

    def _send(self, method, path, body, headers):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=15)
            self.served = 0
        try:
            self.conn.request(method, path, body=body, headers={**self.headers, **(headers or {})})
            resp = self.conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        self.served += 1
        if resp.getheader("Connection", "").lower() == "close":
            self.close()
        return resp.status, data

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def upload(client, n):
    body = ("depot load %d\n" % n).encode() * 8
    return client.request("POST", "/api/v1/assets?filename=load-%d.txt" % n, body,
                          {"Content-Type": "text/plain", "Idempotency-Key": "%s-%d" % (RUN_ID, n)})


def setup(url, token):
    """One asset to read back; retried while the target comes up."""
    client = Client(url, token)
    deadline = time.time() + 120
    while True:
        try:
            status, data = upload(client, 0)
            if status in (200, 201):
                return json.loads(data)["id"]
            err = "HTTP %d %s" % (status, data[:200])
        except (OSError, http.client.HTTPException, ValueError, KeyError) as exc:
            err = repr(exc)
        if time.time() > deadline:
            sys.exit("loadgen: cannot create the asset to read back: " + err)
        time.sleep(1)


def worker(index, args, asset_id, counters, stop, budget):
    client = Client(args.url, args.token, counters)
    # Kinds drawn at random (seeded: runs repeat): a fixed cycle keeps step with a round-robin
    # balancer's, so with as many connections as servers one server would get every upload.
    kinds = random.Random(index)
    interval = args.connections / args.rate
    next_at = time.monotonic() + interval * index / args.connections
    n = index
    while not stop.is_set():
        with budget["lock"]:
            if budget["left"] <= 0:
                stop.set()
                break
            budget["left"] -= 1
        kind = kinds.choice(MIX)
        n += args.connections
        started = time.monotonic()
        try:
            if kind == "get":
                status, _ = client.request("GET", "/api/v1/assets/%s" % asset_id)
            elif kind == "list":
                status, _ = client.request("GET", "/api/v1/assets?limit=10")
            elif kind == "content":
                status, _ = client.request("GET", "/api/v1/assets/%s/content" % asset_id)
            else:
                status, _ = upload(client, n)
            latency_ms = (time.monotonic() - started) * 1000
            if 200 <= status < 400:
                counters.add("ok", kind, latency_ms=latency_ms)
            else:
                counters.add("fail", kind, "HTTP %d" % status, latency_ms)
        except (OSError, http.client.HTTPException) as exc:
            counters.add("err", kind, repr(exc))
        next_at += interval
        # Steady rate: never burst to catch up after a slow response, just carry on.
        next_at = max(next_at, time.monotonic())
        stop.wait(max(0.0, next_at - time.monotonic()))
    client.close()


def run(args):
    counters = Counters()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    asset_id = setup(args.url, args.token)
    budget = {"lock": threading.Lock(), "left": args.max_requests}
    threads = [threading.Thread(target=worker, args=(i, args, asset_id, counters, stop, budget))
               for i in range(args.connections)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + args.duration
    while not stop.is_set() and time.monotonic() < deadline:
        counters.dump(args.out)
        stop.wait(1)
    stop.set()
    for t in threads:
        t.join()
    counters.dump(args.out)


def seconds_within(path, start_ms, end_ms):
    """The run's per-second buckets of the whole seconds overlapping the window."""
    with open(path) as fh:
        doc = json.load(fh)
    first, last = int(start_ms) // 1000, int(end_ms) // 1000
    return [b for sec, b in doc["seconds"].items() if first <= int(sec) <= last]


def window(path, start_ms, end_ms):
    ok = fail = err = resent = 0
    for b in seconds_within(path, start_ms, end_ms):
        ok, fail, err, resent = ok + b["ok"], fail + b["fail"], err + b["err"], resent + b["resent"]
    print(ok + fail + err, fail, err, resent)


def p99(path, start_ms, end_ms):
    value = percentile([b.get("latency", {}) for b in seconds_within(path, start_ms, end_ms)], 0.99)
    print("%.1f" % value if value else "-")


def capacity(path, skip_seconds):
    with open(path) as fh:
        doc = json.load(fh)
    seconds = sorted(int(sec) for sec in doc["seconds"])
    counted = [doc["seconds"][str(sec)] for sec in seconds[int(skip_seconds):-1]]
    if not counted:
        sys.exit("loadgen: no whole second to count in " + path)
    print(round(sum(b["ok"] for b in counted) / len(counted)), sum(b["fail"] for b in counted),
          sum(b["err"] for b in counted))


def percentile(histograms, fraction):
    """The latency (ms, bucket's upper bound) under which `fraction` of the responses fell."""
    merged = {}
    for histogram in histograms:
        for key, count in histogram.items():
            merged[int(key)] = merged.get(int(key), 0) + count
    total = sum(merged.values())
    if not total:
        return None
    seen = 0
    for key in sorted(merged):
        seen += merged[key]
        if seen >= fraction * total:
            return GROWTH ** (key + 1)
    return None


def switches(path, window_s, switch_ms):
    try:
        with open(path) as fh:
            doc = json.load(fh)
    except FileNotFoundError:
        doc = {"seconds": {}}
    seconds = {int(sec): bucket.get("latency", {}) for sec, bucket in doc["seconds"].items()}
    starts = sorted(int(ms) // 1000 for ms in switch_ms)
    # Steady: the load before anything switched. Seconds between switches are not steady: the
    # scenarios in between start JVMs, kill them, reboot hosts, and would flatter every ratio.
    steady = percentile([h for sec, h in seconds.items() if starts and sec < starts[0] - window_s], 0.99)
    windows = []
    for start in starts:
        after = percentile([h for sec, h in seconds.items() if start <= sec < start + window_s], 0.99)
        windows.append({"switch_s": start, "p99_ms": after, "ratio": after / steady if after and steady else None})
    ratios = sorted(w["ratio"] for w in windows if w["ratio"] is not None)
    print(json.dumps({"window_s": window_s, "steady_p99_ms": steady, "after_switch": windows,
                      "ratio_max": ratios[-1] if ratios else None,
                      "ratio_median": statistics.median(ratios) if ratios else None}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("--url", required=True)
    r.add_argument("--token", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--rate", type=float, default=40.0)
    r.add_argument("--connections", type=int, default=4)
    r.add_argument("--duration", type=float, default=1800)
    r.add_argument("--max-requests", type=int, default=500000)
    for name in ("window", "p99"):
        w = sub.add_parser(name)
        w.add_argument("file")
        w.add_argument("start_ms")
        w.add_argument("end_ms")
    c = sub.add_parser("capacity")
    c.add_argument("file")
    c.add_argument("skip_seconds", type=int)
    x = sub.add_parser("switches")
    x.add_argument("file")
    x.add_argument("window_s", type=int)
    x.add_argument("switch_ms", nargs="*")
    args = parser.parse_args()
    if args.command == "run":
        run(args)
    elif args.command == "capacity":
        capacity(args.file, args.skip_seconds)
    elif args.command == "switches":
        switches(args.file, args.window_s, args.switch_ms)
    elif args.command == "p99":
        p99(args.file, args.start_ms, args.end_ms)
    else:
        window(args.file, args.start_ms, args.end_ms)


if __name__ == "__main__":
    main()

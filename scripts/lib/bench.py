#!/usr/bin/env python3
"""Depot's performance goals, each measured as a ratio against a baseline from the same run.

Usage: bench.py --repo DIR --jar JAR --hello-jar JAR --out DIR [--short] [--keep]

Brings up a throwaway stack (scripts/stack), Depot's real nginx site (rendered as Ansible
renders it) and, behind the same nginx, either Depot or the hello baseline (bench/hello): the
live upstream is switched with a reload, as depotctl switches colours. Rounds alternate
baseline and Depot (ABBA), so that a machine that gets busier or quieter moves both sides.

Writes OUT/results.json and OUT/<measure>.png (each round's ratio against the goal) and
prints goal / measured / ratio per line. Exits non-zero only when the harness itself fails
(a server that does not start, a failed request), never because a figure misses its goal.
"""
import argparse
import base64
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from chaos_edge import free_port, render  # noqa: E402  (the one renderer of the real site)

MIB = 1048576
# A request slower than the timeout counts as an error of the run, not as a figure.
WRK = ["wrk", "-t2", "-c64", "--latency", "--timeout", "10s"]


class Settings:
    """Lengths of each phase: the full run (about 14 minutes) or the short form CI runs."""

    def __init__(self, short):
        self.short = short
        # A JVM's throughput climbs for minutes while its JIT compiles (hello for about a minute, Depot for
        # two to three on 2 cores): each side is loaded in chunks until its rate stops climbing, so the
        # rounds compare compiled code, not how far each compiler got.
        self.warmup_chunk_seconds = 1 if short else 10
        self.warmup_limit_seconds = 3 if short else 300
        # The scale ratio compares one application at two sizes, in rounds ABBA: a bounded warm-up
        # (each side alike) keeps the run within its 15 minutes.
        self.scale_warmup_chunk_seconds = 1 if short else 5
        self.scale_warmup_limit_seconds = 3 if short else 20
        self.round_seconds = 2 if short else 10
        self.rounds = 1 if short else 3
        self.upload_mib = 64 if short else 1024
        self.upload_rounds = 1 if short else 2
        self.starts = 1 if short else 3
        self.list_assets = 30
        # Cost as data grows: the same reads against a table of each size, one tenant holding 9 in 10.
        self.scale_sizes = (1000, 20000 if short else 1000000)
        self.scale_round_seconds = 2 if short else 6
        self.scale_rounds = 1 if short else 2
        self.scale_get_ids = 1000


def log(message):
    print(f"{time.strftime('%H:%M:%S', time.gmtime())} bench: {message}", file=sys.stderr, flush=True)


class HarnessError(Exception):
    pass


def http(method, url, token=None, body=None, headers=None, timeout=30):
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_until(what, probe, process=None, timeout=120, interval=0.02):
    deadline = time.monotonic() + timeout
    while True:
        try:
            if probe():
                return
        except OSError:
            pass
        if process is not None and process.poll() is not None:
            raise HarnessError(f"{what} exited with {process.returncode} before it was ready")
        if time.monotonic() > deadline:
            raise HarnessError(f"{what} not ready within {timeout} s")
        time.sleep(interval)


def archive_options(archive):
    """The unit's options for the release's archive (systemd/depot@.service.j2)."""
    return [f"-XX:SharedArchiveFile={archive}", "-Xshare:auto"]


def ok(url):
    return http("GET", url, timeout=2)[0] == 200


class Jvm:
    """One server JVM on free loopback ports; `ready_ms` is java -jar -> the readiness URL's 200."""

    def __init__(self, name, command, env, log_path, ready_path, app_port, admin_port):
        self.name = name
        self.app_port = app_port
        self.admin_port = admin_port
        started = time.monotonic()
        self.log = open(log_path, "wb")
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_until(name, lambda: ok(f"http://127.0.0.1:{admin_port}{ready_path}"), self.process)
        self.ready_ms = round((time.monotonic() - started) * 1000)

    def rss_mib(self):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        raise HarnessError(f"{self.name} has no VmRSS")

    def stop(self):
        """SIGTERM and wait."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise HarnessError(f"{self.name} did not stop within 60 s of SIGTERM")
        finally:
            self.log.close()


class RssSampler:
    """Peak resident memory of a JVM, sampled every 200 ms while a load runs."""

    def __init__(self, jvm):
        self.jvm = jvm
        self.peak = 0.0
        self.running = True
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self):
        while self.running:
            self.peak = max(self.peak, self.jvm.rss_mib())
            time.sleep(0.2)

    def stop(self):
        self.running = False
        self.thread.join()
        return self.peak


class Bench:
    def __init__(self, args):
        self.args = args
        self.settings = Settings(args.short)
        self.repo = args.repo
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="depot-bench."))
        # PostgreSQL runs as its own user and must reach the stack's directory.
        os.chmod(self.work, 0o755)
        self.rounds = {}
        self.figures = {}
        self.nginx = None
        self.stack_up = False
        self.failed_requests = {}

    # --- the stack, nginx and the servers -------------------------------------------------
    def up(self):
        # S3 over HTTPS, as on AWS: over plain HTTP the SDK signs every chunk of an upload's body
        # (SigV4 streaming, SHA-256 on both ends), which it leaves to TLS over HTTPS.
        subprocess.run([str(self.repo / "scripts/stack"), "up", str(self.work / "stack"), "--s3-tls"], check=True,
                       stdout=subprocess.DEVNULL)
        self.stack_up = True
        self.env = dict(os.environ)
        for line in (self.work / "stack/env").read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                name, value = line.removeprefix("export ").split("=", 1)
                self.env[name] = value.strip("'\"")
        # Throughput, not the per-token limit, is measured; the limit's Redis round trip still runs.
        self.env["DEPOT_RATE_LIMIT"] = "1000000000"
        self.java_options, self.java_environment = self.shipped_java()
        # The stack's certificate is the one Depot's JVMs trust, as a host's trust AWS's.
        self.s3_trust = [f"-Djavax.net.ssl.trustStore={self.env['STACK_S3_TRUST_STORE']}",
                         f"-Djavax.net.ssl.trustStorePassword={self.env['STACK_S3_TRUST_STORE_PASSWORD']}"]
        log(f"Depot's JVM as its unit runs it: {' '.join(self.java_options)} {self.java_environment}")
        self.java_command(["db", "migrate"], "migrate")
        self.token = self.java_command(["token", "create", "--tenant", "bench", "--name", "bench"], "token")
        self.token = self.token.strip().splitlines()[-1]
        self.traffic_port = free_port()
        nginx_dir = self.work / "nginx"
        nginx_dir.mkdir()
        self.nginx_conf = render(self.repo, nginx_dir, self.traffic_port, free_port(), 10)
        self.nginx_live = nginx_dir / "conf/depot/live.conf"
        keepalive = re.search(r"^depot_nginx_upstream_keepalive:\s*(\d+)",
                              (self.repo / "ansible/roles/nginx/defaults/main.yml").read_text(), re.M).group(1)
        self.nginx_keepalive = int(keepalive)
        self.nginx_prefix = nginx_dir
        self.nginx = subprocess.Popen(["nginx", "-p", str(nginx_dir), "-c", str(self.nginx_conf), "-g", "daemon off;"])
        wait_until("nginx", lambda: socket.create_connection(("127.0.0.1", self.traffic_port), timeout=1).close() or True,
                   self.nginx, timeout=10)

    def java_command(self, arguments, name, **environment):
        result = subprocess.run(["java", "-jar", str(self.args.jar)] + arguments + [str(self.repo / "config.yml")],
                                env=dict(self.env, **environment), capture_output=True, text=True)
        if result.returncode != 0:
            raise HarnessError(f"{name} failed: {result.stdout[-2000:]}{result.stderr[-2000:]}")
        return result.stdout

    def shipped_java(self):
        """The JVM options and environment the unit gives Depot: java.env as Ansible renders it."""
        rendered = self.work / "java.env"
        subprocess.run([sys.executable, str(self.repo / "scripts/lib/lint-render.py"), "--lifecycle", str(self.repo / "lifecycle.env"),
                        "--defaults", str(self.repo / "ansible/roles/depot/defaults/main.yml"),
                        "--set", "ansible_managed=rendered by make bench",
                        str(self.repo / "ansible/roles/depot/templates/java.env.j2"), str(rendered)], check=True)
        options, environment = [], {}
        for line in rendered.read_text().splitlines():
            if line and not line.startswith("#") and "=" in line:
                name, value = line.split("=", 1)
                if name == "JAVA_OPTS":
                    options = value.split()
                else:
                    environment[name] = value
        return options, environment

    def depot(self, name, heap, *options, **environment):
        """Depot as its unit runs it (java.env's options and environment), the heap capped at `heap`."""
        app, admin = free_port(), free_port()
        env = dict(self.env, **self.java_environment, DEPOT_APP_PORT=str(app), DEPOT_ADMIN_PORT=str(admin), **environment)
        command = ["java", *self.java_options, f"-Xmx{heap}", *self.s3_trust, *options, "-Ddw.lifecycle.drainWindow=0s", "-jar", str(self.served_jar),
                   "server", str(self.repo / "config.yml")]
        jvm = Jvm(name, command, env, self.work / f"{name}.log", "/ready", app, admin)
        log(f"{name} ready in {jvm.ready_ms} ms")
        return jvm

    def shipped_archive(self):
        """The class-data-sharing archive a host ships: `depotctl cds`'s training run, in a scratch
        root laid out as a host's. Depot then runs from a colour's path, as its unit does."""
        root = self.work / "host"
        release = root / "releases/bench"
        release.mkdir(parents=True)
        (root / "colours").mkdir()
        (root / "colours/blue").symlink_to("../releases/bench")
        shutil.copy(self.args.jar, release / "depot.jar")
        digest = subprocess.run(["sha256sum", str(release / "depot.jar")], capture_output=True, text=True, check=True).stdout.split()[0]
        (release / "depot.jar.sha256").write_text(f"{digest}  depot.jar\n")
        self.served_jar = root / "colours/blue/depot.jar"
        env = {"PATH": os.environ["PATH"], "DEPOT_ROOT": str(root), "DEPOT_ETC": str(self.work / "host-etc"),
               "DEPOT_CONFIG": str(self.repo / "config.yml"), "DEPOT_LIFECYCLE_FILE": str(self.repo / "lifecycle.env")}
        started = time.monotonic()
        with open(self.work / "cds.log", "wb") as out:
            subprocess.run([str(self.repo / "bin/depotctl"), "cds", "bench"], env=env, stdout=out, stderr=subprocess.STDOUT, check=True)
        archive = release / "depot.jsa"
        if not archive.exists():
            raise HarnessError(f"depotctl cds wrote no archive: {(self.work / 'cds.log').read_text()[-1000:]}")
        self.figures["archive"] = {"mib": round(archive.stat().st_size / MIB, 1), "training_s": round(time.monotonic() - started, 1)}
        log(f"the shipped archive: {self.figures['archive']['mib']} MiB, trained in {self.figures['archive']['training_s']} s")
        return archive

    def hello(self, heap):
        app, admin = free_port(), free_port()
        command = ["java", f"-Xmx{heap}",
                   "-Ddw.server.applicationConnectors[0].bindHost=127.0.0.1", f"-Ddw.server.applicationConnectors[0].port={app}",
                   "-Ddw.server.adminConnectors[0].bindHost=127.0.0.1", f"-Ddw.server.adminConnectors[0].port={admin}",
                   "-jar", str(self.args.hello_jar), "server"]
        jvm = Jvm("hello", command, self.env, self.work / "hello.log", "/healthcheck", app, admin)
        # Dropwizard's healthcheck is on the admin port; the resource itself must answer too.
        wait_until("hello", lambda: ok(f"http://127.0.0.1:{app}/api/v1/hello"), jvm.process)
        return jvm

    def point_nginx_at(self, jvm, probe_path, token=None):
        """Rewrites live.conf and reloads, as a colour switch does; waits until nginx answers from it."""
        self.nginx_live.write_text(
            f"upstream depot_app {{ server 127.0.0.1:{jvm.app_port} max_fails=0; keepalive {self.nginx_keepalive}; }}\n"
            f"upstream depot_admin {{ server 127.0.0.1:{jvm.admin_port} max_fails=0; keepalive 4; }}\n")
        subprocess.run(["nginx", "-p", str(self.nginx_prefix), "-c", str(self.nginx_conf), "-s", "reload"], check=True)
        wait_until(f"nginx in front of {jvm.name}",
                   lambda: http("GET", self.url(probe_path), token=token, timeout=2)[0] == 200, self.nginx, timeout=20)
        # Old workers finish their connections; give the new ones the machine.
        time.sleep(0.5)

    def url(self, path):
        return f"http://127.0.0.1:{self.traffic_port}{path}"

    def down(self):
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)
            self.nginx.wait(timeout=20)
        if self.stack_up:
            subprocess.run([str(self.repo / "scripts/stack"), "down", str(self.work / "stack")],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if self.args.keep:
            log(f"kept {self.work}")
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    # --- load -----------------------------------------------------------------------------
    def warm_up(self, name, path, token=None, script=None, chunk_seconds=None, limit_seconds=None):
        """Loads path in chunks until the rate has not beaten its best by more than 3 % for three chunks
        in a row (or the limit is reached); each chunk's rate is kept in results.json."""
        settings = self.settings
        chunk_seconds = chunk_seconds or settings.warmup_chunk_seconds
        limit_seconds = limit_seconds or settings.warmup_limit_seconds
        rates, best, flat = [], 0.0, 0
        while flat < 3 and len(rates) * chunk_seconds < limit_seconds:
            rate, _ = self.wrk(path, chunk_seconds, token, script)
            rates.append(round(rate, 1))
            flat = 0 if rate > best * 1.03 else flat + 1
            best = max(best, rate)
        settled = flat >= 3
        self.figures.setdefault("warm_up", {})[name] = {"chunk_seconds": chunk_seconds, "rates": rates, "settled": settled}
        log(f"warm-up {name}: {len(rates) * chunk_seconds} s, " + ("settled" if settled else "still climbing at the limit")
            + f" at {rates[-1]:.0f} req/s (best {best:.0f})")

    def wrk(self, path, seconds, token=None, script=None):
        """req/s and p99 ms of a wrk run on path (or of the requests a wrk Lua script makes)."""
        command = WRK + [f"-d{seconds}s"]
        if token:
            command += ["-H", f"Authorization: Bearer {token}"]
        if script:
            command += ["-s", str(script)]
        output = subprocess.run(command + [self.url(path)], capture_output=True, text=True, check=True).stdout
        requests = int(re.search(r"^\s*(\d+) requests in", output, re.M).group(1))
        failed = sum(int(count) for count in re.findall(r"(?:Non-2xx or 3xx responses|connect|read|write|timeout):? (\d+)", output))
        # A few failures on an overloaded machine are a figure (recorded); many mean a broken setup.
        if failed > max(1, requests // 100):
            raise HarnessError(f"wrk saw {failed} of {requests} requests fail on {path}:\n{output}")
        if failed:
            log(f"{failed} of {requests} requests failed on {path} (recorded in results.json)")
            self.failed_requests[path] = self.failed_requests.get(path, 0) + failed
        rate = float(re.search(r"^Requests/sec:\s*([\d.]+)", output, re.M).group(1))
        value, unit = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
        return rate, p99

    def upload(self, path, data_file):
        """Seconds for a POST of the file through nginx and Depot; returns (seconds, asset id).

        curl -T streams the file (--data-binary @FILE would read all of it into memory first)."""
        result = subprocess.run(["curl", "-sS", "--max-time", "600", "-o", str(self.work / "upload.json"), "-w", "%{http_code} %{time_total}",
                                 "-X", "POST", "-H", f"Authorization: Bearer {self.token}",
                                 "-H", "Content-Type: application/octet-stream", "-H", "Expect:", "-T", str(data_file), self.url(path)],
                                capture_output=True, text=True, check=True)
        status, seconds = result.stdout.split()
        if status != "201":
            raise HarnessError(f"upload answered {status}: {(self.work / 'upload.json').read_text()[:500]}")
        return float(seconds), json.loads((self.work / "upload.json").read_text())["id"]

    def upload_direct(self, data_file):
        """Seconds for the presigned PUT alone, straight to the same S3Proxy."""
        size = data_file.stat().st_size
        body = json.dumps({"filename": "direct.bin", "contentType": "application/octet-stream", "size": size}).encode()
        status, answer = http("POST", self.url("/api/v1/uploads"), token=self.token, body=body,
                              headers={"Content-Type": "application/json"})
        if status not in (200, 201):
            raise HarnessError(f"POST /api/v1/uploads answered {status}: {answer[:500]!r}")
        ticket = json.loads(answer)
        headers = []
        for name, value in ticket.get("headers", {}).items():
            if name.lower() != "content-length":
                headers += ["-H", f"{name}: {value}"]
        result = subprocess.run(["curl", "-sS", "--max-time", "600", "--cacert", self.env["STACK_S3_CA_PEM"],
                                 "-o", "/dev/null", "-w", "%{http_code} %{time_total}",
                                 "-X", ticket["method"], *headers, "-H", "Expect:", "-T", str(data_file), ticket["url"]],
                                capture_output=True, text=True, check=True)
        status, seconds = result.stdout.split()
        if status != "200":
            raise HarnessError(f"presigned PUT answered {status}")
        return float(seconds)

    # --- the measures ---------------------------------------------------------------------
    def seed(self):
        """Assets for the read measures: one to GET, a page's worth to list."""
        ids = []
        for index in range(self.settings.list_assets):
            status, answer = http("POST", self.url(f"/api/v1/assets?filename=seed-{index}.txt"), token=self.token,
                                  body=f"asset {index}\n".encode(), headers={"Content-Type": "text/plain"})
            if status != 201:
                raise HarnessError(f"seeding answered {status}: {answer[:500]!r}")
            ids.append(json.loads(answer)["id"])
        return ids

    def reads(self, archive):
        """GET and list against hello behind the same nginx; Depot at -Xmx256m with the shipped
        archive, as its unit runs it, its RSS sampled."""
        settings = self.settings
        hello = self.hello("256m")
        depot = self.depot("depot-reads", "256m", *archive_options(archive))
        try:
            self.point_nginx_at(depot, "/api/v1/assets?limit=1", self.token)
            asset = self.seed()[0]
            get_path, list_path = f"/api/v1/assets/{asset}", "/api/v1/assets"
            self.upload_direct(self.write_file("train", 1))
            status, _ = http("DELETE", self.url(f"/api/v1/assets/{self.seed_one()}"), token=self.token)
            if status != 204:
                raise HarnessError(f"DELETE answered {status}")
            sides = {
                "hello": (hello, "/api/v1/hello", None),
                "depot": (depot, get_path, self.token),
            }
            for name, (jvm, path, token) in sides.items():
                self.point_nginx_at(jvm, path, token)
                self.warm_up(name, path, token)
                if name == "depot":
                    self.warm_up("list", list_path, token)
            samples = {key: [] for key in ("hello", "get", "list")}
            peak_rss = 0.0
            for round_index in range(settings.rounds):
                order = ["hello", "depot"] if round_index % 2 == 0 else ["depot", "hello"]
                for name in order:
                    jvm, path, token = sides[name]
                    self.point_nginx_at(jvm, path, token)
                    if name == "hello":
                        samples["hello"].append(self.wrk(path, settings.round_seconds))
                        continue
                    sampler = RssSampler(depot)
                    samples["get"].append(self.wrk(get_path, settings.round_seconds, self.token))
                    samples["list"].append(self.wrk(list_path, settings.round_seconds, self.token))
                    peak_rss = max(peak_rss, sampler.stop())
                log(f"round {round_index + 1}: hello {samples['hello'][-1]}, get {samples['get'][-1]}, list {samples['list'][-1]}")
            self.rounds["get_rate"] = [g[0] / h[0] for g, h in zip(samples["get"], samples["hello"])]
            self.rounds["get_p99"] = [g[1] / h[1] for g, h in zip(samples["get"], samples["hello"])]
            self.rounds["list_rate"] = [g[0] / h[0] for g, h in zip(samples["list"], samples["hello"])]
            self.rounds["rss"] = [peak_rss]
            self.figures["reads"] = samples
            self.figures["rss_peak_mib"] = round(peak_rss, 1)
        finally:
            depot.stop()
            hello.stop()

    def seed_one(self):
        status, answer = http("POST", self.url("/api/v1/assets?filename=gone.txt"), token=self.token, body=b"gone\n",
                              headers={"Content-Type": "text/plain"})
        if status != 201:
            raise HarnessError(f"upload answered {status}")
        return json.loads(answer)["id"]

    def write_file(self, name, mib):
        path = self.work / name
        with open(path, "wb") as out:
            for _ in range(mib):
                out.write(os.urandom(MIB))
        return path

    def uploads(self):
        """The upload through nginx and Depot at -Xmx128m against a presigned PUT to the same S3Proxy."""
        settings = self.settings
        data = self.write_file("upload.bin", settings.upload_mib)
        depot = self.depot("depot-uploads", "128m")
        direct, through = [], []
        try:
            self.point_nginx_at(depot, "/api/v1/assets?limit=1", self.token)
            for round_index in range(settings.upload_rounds):
                order = ["direct", "depot"] if round_index % 2 == 0 else ["depot", "direct"]
                for side in order:
                    if side == "direct":
                        direct.append(settings.upload_mib / self.upload_direct(data))
                    else:
                        seconds, asset = self.upload(f"/api/v1/assets?filename=upload-{round_index}.bin", data)
                        through.append(settings.upload_mib / seconds)
                        http("DELETE", self.url(f"/api/v1/assets/{asset}"), token=self.token)
                log(f"upload {settings.upload_mib} MiB round {round_index + 1}: direct {direct[-1]:.0f} MiB/s, "
                    f"Depot {through[-1]:.0f} MiB/s")
            if depot.process.poll() is not None:
                raise HarnessError("Depot died during the uploads (see depot-uploads.log)")
        finally:
            depot.stop()
            data.unlink()
        self.rounds["upload"] = [d / p for d, p in zip(through, direct)]
        self.figures["upload_mib_per_s"] = {"direct": direct, "depot": through, "mib": settings.upload_mib}

    # --- cost as data grows -----------------------------------------------------------------
    def psql(self, database, sql):
        """Rows of a statement run as the schema's owner (a migration tool's role), '|'-separated."""
        environment = dict(os.environ, PGPASSWORD=self.env["DEPOT_DB_OWNER_PASSWORD"])
        result = subprocess.run(["psql", self.database_url(database), "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                                env=environment, capture_output=True, text=True)
        if result.returncode != 0:
            raise HarnessError(f"psql failed on {sql[:80]}: {result.stderr[-1000:]}")
        return [line.split("|") for line in result.stdout.splitlines() if line]

    def database_url(self, database, scheme=None):
        """The stack's PostgreSQL URL for another database: libpq's as the owner, or a JDBC URL."""
        jdbc = self.env["DEPOT_DB_URL"]
        base = jdbc[:jdbc.rindex("/") + 1]
        if scheme == "jdbc":
            return base + database
        return base.replace("jdbc:postgresql://", f"postgresql://{self.env['DEPOT_DB_OWNER_USER']}@") + database

    def scale_database(self, size):
        """A database of its own holding `size` assets loaded by scripts/seed-assets, most of them
        tenant scale's; returns what the reads need: its JDBC URL, a token, GET ids and a deep cursor."""
        database = f"depot_scale_{size}"
        self.psql("postgres", f"CREATE DATABASE {database}")
        url = self.database_url(database, "jdbc")
        self.java_command(["db", "migrate"], f"migrate {database}", DEPOT_DB_URL=url)
        token = self.java_command(["token", "create", "--tenant", "scale", "--name", "bench"], "token",
                                  DEPOT_DB_URL=url).strip().splitlines()[-1]
        started = time.monotonic()
        subprocess.run([str(self.repo / "scripts/seed-assets"), str(size), self.database_url(database)],
                       env=dict(os.environ, PGPASSWORD=self.env["DEPOT_DB_OWNER_PASSWORD"]), check=True)
        self.figures.setdefault("scale", {}).setdefault("seed_seconds", {})[size] = round(time.monotonic() - started, 1)
        ids = [row[0] for row in self.psql(
            database, f"SELECT id FROM assets WHERE tenant = 'scale' ORDER BY random() LIMIT {self.settings.scale_get_ids}")]
        tenant_rows = int(self.psql(database, "SELECT count(*) FROM assets WHERE tenant = 'scale'")[0][0])
        micros, last_id = self.psql(database, "SELECT (extract(epoch FROM created_at) * 1000000)::bigint, id FROM assets "
                                    f"WHERE tenant = 'scale' ORDER BY created_at DESC, id DESC OFFSET {tenant_rows * 9 // 10} LIMIT 1")[0]
        # A nextCursor as Depot writes it (io.depot.core.Cursor): a page starting 90 % into the listing.
        cursor = base64.urlsafe_b64encode(f"{micros}:{last_id}".encode()).decode().rstrip("=")
        script = self.work / f"get-{size}.lua"
        script.write_text("local ids = {" + ",".join(f'"{asset}"' for asset in ids) + "}\n"
                          "request = function() return wrk.format(nil, \"/api/v1/assets/\" .. ids[math.random(#ids)]) end\n")
        return {"database": database, "url": url, "token": token, "get_script": script, "tenant_rows": tenant_rows,
                "deep_path": f"/api/v1/assets?cursor={cursor}"}

    def assets_scans(self, database):
        sequential, index = self.psql(database, "SELECT seq_scan, coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = 'assets'")[0]
        return int(sequential), int(index)

    def scale(self):
        """GET, the first page and a page 90 % deep, at each size: one Depot per database, Redis off so that
        every read reaches PostgreSQL (the cache would hide the table's size). Rounds ABBA between sizes.
        PostgreSQL's own counters show whether any statement scanned the big table meanwhile."""
        settings = self.settings
        small, large = settings.scale_sizes
        sides = {size: self.scale_database(size) for size in (small, large)}
        scans_before = self.assets_scans(sides[large]["database"])
        servers = {}
        try:
            for size, side in sides.items():
                servers[size] = self.depot(f"depot-scale-{size}", "256m", DEPOT_DB_URL=side["url"], DEPOT_REDIS_URL="")
            measures = {
                "get": lambda side: ("/", side["get_script"]),
                "first_page": lambda side: ("/api/v1/assets", None),
                "deep_page": lambda side: (side["deep_path"], None),
            }
            for size, side in sides.items():
                self.point_nginx_at(servers[size], side["deep_path"], side["token"])
                for name, target in measures.items():
                    path, script = target(side)
                    self.warm_up(f"{name} at {size}", path, side["token"], script, settings.scale_warmup_chunk_seconds,
                                 settings.scale_warmup_limit_seconds)
            samples = {size: {name: [] for name in measures} for size in sides}
            for round_index in range(settings.scale_rounds):
                order = [small, large] if round_index % 2 == 0 else [large, small]
                for size in order:
                    side = sides[size]
                    self.point_nginx_at(servers[size], side["deep_path"], side["token"])
                    for name, target in measures.items():
                        path, script = target(side)
                        samples[size][name].append(self.wrk(path, settings.scale_round_seconds, side["token"], script))
                log(f"scale round {round_index + 1}: " + ", ".join(
                    f"{name} {samples[small][name][-1][0]:.0f} / {samples[large][name][-1][0]:.0f} req/s" for name in measures))
        finally:
            for server in servers.values():
                server.stop()
        # A backend reports its counters when it exits: Depot's pool is closed by now.
        time.sleep(1)
        scans_after = self.assets_scans(sides[large]["database"])
        # Cost ratio: time per request at the large size over the small one (req/s small ÷ large).
        ratios = {name: [s[0] / l[0] for s, l in zip(samples[small][name], samples[large][name])] for name in measures}
        self.rounds["scale"] = [max(ratios[name][index] for name in measures) for index in range(settings.scale_rounds)]
        scale = self.figures["scale"]
        scale.update({
            "sizes": [small, large], "tenant_rows": {size: side["tenant_rows"] for size, side in sides.items()},
            "samples_rate_p99": samples, "cost_ratio": {name: statistics.median(series) for name, series in ratios.items()},
            "assets_scans_at_large": {"sequential": scans_after[0] - scans_before[0], "index": scans_after[1] - scans_before[1]},
        })
        if scale["assets_scans_at_large"]["index"] == 0:
            raise HarnessError("no index scan on assets was counted during the reads: the counters are not what they seem")

    def start_up(self, archive):
        plain, shared = [], []
        for index in range(self.settings.starts):
            order = ["plain", "archive"] if index % 2 == 0 else ["archive", "plain"]
            for variant in order:
                options = archive_options(archive) if variant == "archive" else []
                jvm = self.depot(f"start-{variant}-{index}", "256m", *options)
                (shared if variant == "archive" else plain).append(jvm.ready_ms)
                jvm.stop()
        self.rounds["start"] = [s / p for s, p in zip(shared, plain)]
        self.figures["start_ms"] = {"plain": plain, "archive": shared}

    def run(self):
        started = time.monotonic()
        try:
            self.up()
            archive = self.shipped_archive()
            self.reads(archive)
            self.uploads()
            self.scale()
            self.start_up(archive)
        finally:
            self.down()
        self.figures["jar_bytes"] = self.args.jar.stat().st_size
        self.figures["failed_requests"] = self.failed_requests
        self.figures["seconds"] = round(time.monotonic() - started)
        return report(self.rounds, self.figures, self.args.out, self.settings.short)


# --- the goals and the report ------------------------------------------------------------------
# (key, measure, goal, "max" when the measured figure must stay at or under the goal)
GOALS = [
    ("get_rate", "metadata GET (cache hit) via nginx, req/s ÷ hello via the same nginx", 1.0, "min"),
    ("get_p99", "metadata GET (cache hit) via nginx, p99 ÷ hello's p99", 1.0, "max"),
    ("list_rate", "list a page via nginx, req/s ÷ hello", 0.7, "min"),
    ("upload", "upload via nginx at -Xmx128m, MiB/s ÷ presigned PUT to the same S3", 0.8, "min"),
    ("scale", "cost at 1,000,000 assets ÷ at 1,000 (GET, first page, deep page)", 1.5, "max"),
    ("start", "java -jar -> /ready, with the archive ÷ without", 0.5, "max"),
    ("start_archive_ms", "java -jar -> /ready with the archive, ms (idle machine)", 2000, "max"),
    ("rss", "resident memory under read load at -Xmx256m, MiB", 300, "max"),
    ("jar", "shaded jar, MB", 30, "max"),
    ("boot_ready", "proving-ground boot -> /ready, median s", 6, "max"),
    ("switch_p99", "p99 in the 30 s after a colour switch ÷ steady p99", 2, "max"),
]
# Rows make bench does not measure, and where their figures come from instead.
ELSEWHERE = {
    "boot_ready": "the proving ground's row (make e2e), not make bench's",
    "switch_p99": "the proving ground's row (make e2e), not make bench's",
}


def measured_values(rounds, figures):
    values = {key: statistics.median(series) for key, series in rounds.items() if series}
    if "start_ms" in figures:
        values["start_archive_ms"] = statistics.median(figures["start_ms"]["archive"])
        rounds["start_archive_ms"] = figures["start_ms"]["archive"]
    values["jar"] = figures["jar_bytes"] / 1e6
    rounds["jar"] = [values["jar"]]
    return values


def report(rounds, figures, out, short):
    out.mkdir(parents=True, exist_ok=True)
    values = measured_values(rounds, figures)
    rows = []
    for key, measure, goal, direction in GOALS:
        value = values.get(key)
        row = {"key": key, "measure": measure, "goal": goal, "direction": direction, "measured": value,
               "rounds": rounds.get(key, [])}
        if value is None:
            row["met"] = None
            row["note"] = ELSEWHERE.get(key, "not measured")
        else:
            row["met"] = value >= goal if direction == "min" else value <= goal
            row["ratio_to_goal"] = value / goal
        rows.append(row)
    results = {"short": short, "machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg()},
               "rows": rows, "figures": figures}
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"\n{'measure':<76} {'goal':>10} {'measured':>10} {'÷goal':>7}  met")
    for row in rows:
        sign = "≥" if row["direction"] == "min" else "≤"
        if row["measured"] is None:
            print(f"{row['measure']:<76} {sign + format(row['goal'], 'g'):>10} {'-':>10} {'-':>7}  {row['note']}")
            continue
        print(f"{row['measure']:<76} {sign + format(row['goal'], 'g'):>10} {row['measured']:>10.3g} "
              f"{row['ratio_to_goal']:>7.2f}  {'yes' if row['met'] else 'NO'}")
        chart(row, out)
    if "scale" in figures:
        scale = figures["scale"]
        print(f"cost at {scale['sizes'][1]:,} ÷ at {scale['sizes'][0]:,} assets: " + ", ".join(
            f"{name} {ratio:.2f}" for name, ratio in scale["cost_ratio"].items())
            + f"; statements on assets at {scale['sizes'][1]:,} while Depot read it: {scale['assets_scans_at_large']['sequential']}"
            f" sequential scans, {scale['assets_scans_at_large']['index']} index scans")
    if short:
        print("(short form: figures from single short rounds, not to be compared with the goals)")
    log(f"results in {out / 'results.json'}, charts beside it; {figures['seconds']} s")
    return 0


def chart(row, out):
    """Each round's figure as a bar, the goal as a line: a PNG drawn by gnuplot."""
    data = out / f"{row['key']}.dat"
    data.write_text("".join(f"{index + 1} {value}\n" for index, value in enumerate(row["rounds"])))
    top = max(row["rounds"] + [row["goal"]]) * 1.25
    script = "\n".join([
        "set terminal pngcairo size 800,360 font 'sans,10'",
        f"set output '{out / (row['key'] + '.png')}'",
        f"set title \"{row['measure']}\\nmedian {row['measured']:.3g}, goal {'≥' if row['direction'] == 'min' else '≤'} {row['goal']:g}\"",
        f"set yrange [0:{top}]",
        "set xlabel 'round'",
        "set style fill solid 0.6",
        "set boxwidth 0.6",
        "set xtics 1",
        f"plot '{data}' using 1:2 with boxes title 'measured', {row['goal']} with lines lw 2 dt 2 title 'goal'",
    ])
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    data.unlink()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", type=pathlib.Path, required=True)
    parser.add_argument("--jar", type=pathlib.Path, required=True)
    parser.add_argument("--hello-jar", type=pathlib.Path, required=True)
    parser.add_argument("--out", type=pathlib.Path, required=True)
    parser.add_argument("--short", action="store_true", help="one short round of each (CI: the harness cannot rot)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, archive)")
    args = parser.parse_args()
    try:
        return Bench(args).run()
    except (HarnessError, subprocess.CalledProcessError) as error:
        log(f"error: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())

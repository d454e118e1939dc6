#!/usr/bin/env python3
"""The Yici benchmark: each figure measured beside its ceiling in the same run.

Run through `tools/dev bench [--smoke] [--scale X]`. Writes build/bench/results.json and prints a
table. Sections whose hub feature is not built yet are reported as missing, never invented.
"""
import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import disk_stalls

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_kb = 0
    try:
        with open("/proc/meminfo") as f:
            mem_kb = int(re.search(r"MemTotal:\s+(\d+)", f.read()).group(1))
    except (OSError, AttributeError):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem_kb / 1024 / 1024, 1),
            "kernel": platform.release()}


class Hub:
    """A yici-hub process on a free port with a temporary data directory."""

    def __init__(self, build, pki, work, threads=2, sources_dir=None, policy=None, extra_config="", log_level="warn",
                 ready_timeout_s=30):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="hub-", dir=work)
        with open(os.path.join(self.dir, "hub.yaml"), "w") as f:
            f.write(f"""listen: 127.0.0.1:{self.port}
data_dir: {self.dir}/data
sources_dir: {sources_dir or self.dir + '/sources'}
policy: {policy or ROOT + '/config/policy.yaml'}
matters_dir: {ROOT}/config/matters
schemas_dir: {ROOT}/schemas
tls: {{cert: {pki}/hub.crt, key: {pki}/hub.key, client_ca: {pki}/ca.crt}}
signing: {{keys: [{{file: {pki}/signing/active.key, state: active}}]}}
log: {{level: {log_level}}}
threads: {threads}
{extra_config}""")
        self.log = open(os.path.join(self.dir, "hub.log"), "w")
        start = time.monotonic()
        self.proc = subprocess.Popen([f"{build}/yici-hub", "--config", f"{self.dir}/hub.yaml"],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.startup_ms = None
        deadline = start + ready_timeout_s
        while time.monotonic() < deadline:
            # --max-time: a hub that accepts connections but never answers must not hold the bench.
            r = subprocess.run(["curl", "-fsS", "--max-time", "2", "--cacert", f"{pki}/ca.crt",
                                f"https://127.0.0.1:{self.port}/readyz"], capture_output=True)
            if r.returncode == 0:
                self.startup_ms = (time.monotonic() - start) * 1000
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.01)
        # Never leave the process behind: an orphaned hub keeps the caller's output pipe open, and
        # ctest then waits for it long after the test's own timeout.
        how = (f"exited with status {self.proc.returncode}" if self.proc.poll() is not None
               else f"was not ready within {ready_timeout_s} s and was killed")
        self.kill()
        raise RuntimeError(f"yici-hub {how}; the end of its log:\n{self.log_tail()}")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def log_tail(self, lines=20):
        self.log.flush()
        with open(self.log.name, errors="replace") as f:
            return "".join(f.readlines()[-lines:])

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
            raise RuntimeError("yici-hub did not stop within 30 s of SIGTERM and was killed; the end of its log:\n"
                               + self.log_tail())


class Nginx:
    """nginx with the hub's certificate and client-certificate verification, serving one file."""

    def __init__(self, pki, work, body_bytes, workers):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="nginx-", dir=work)
        os.chmod(self.dir, 0o755)
        with open(os.path.join(self.dir, "response.json"), "w") as f:
            f.write("x" * body_bytes)
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""worker_processes {workers};
daemon off;
user root;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  server {{
    listen 127.0.0.1:{self.port} ssl;
    ssl_certificate {pki}/hub.crt;
    ssl_certificate_key {pki}/hub.key;
    ssl_client_certificate {pki}/ca.crt;
    ssl_verify_client on;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / {{ root {self.dir}; default_type application/json; }}
  }}
}}
""")
        self.stderr = open(os.path.join(self.dir, "stderr.log"), "w+")
        self.proc = subprocess.Popen(["nginx", "-c", conf, "-p", self.dir], stdout=subprocess.DEVNULL,
                                     stderr=self.stderr)
        time.sleep(0.3)
        if self.proc.poll() is not None:
            self.stderr.seek(0)
            raise RuntimeError("nginx did not start: " + self.stderr.read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def _stat_cpu_seconds(stat):
    """User + system CPU seconds from the text of a proc(5) stat file (fields 14, 15)."""
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User + system CPU seconds of process `pid` so far, all its threads."""
    with open(f"/proc/{pid}/stat") as f:
        return _stat_cpu_seconds(f.read())


def thread_cpu_seconds(pid):
    """CPU seconds of process `pid`'s live threads, added up by thread name with its digits dropped,
    so that a pool adds up ("io-1", "io-2" -> "io-")."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:
            continue  # the thread ended
        name = stat[stat.index("(") + 1:stat.rindex(")")].rstrip("0123456789")
        out[name] = out.get(name, 0.0) + _stat_cpu_seconds(stat)
    return out


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def loadgen(build, pki, port, path, who, seconds, connections, rate=0, warmup=None, server_pid=None):
    """Runs yici-loadgen and returns its JSON result, plus the CPU cores it used ("loadgen_cores") and,
    with `server_pid`, the cores that process used meanwhile ("server_cores", warm-up included in both)."""
    target = ["--paths-file", path[1:]] if path.startswith("@") else ["--path", path]
    warmup = min(1.0, seconds / 4) if warmup is None else warmup
    cmd = [f"{build}/yici-loadgen", "--port", str(port), *target, "--ca", f"{pki}/ca.crt",
           "--cert", f"{pki}/{who}.crt", "--key", f"{pki}/{who}.key", "-c", str(connections),
           "-d", str(seconds), "--warmup", str(warmup), "--rate", str(rate)]
    started, own_before = time.monotonic(), children_cpu_seconds()
    server_before = cpu_seconds(server_pid) if server_pid else None
    done = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if not done.stdout.strip():  # it could not run at all; exit 1 with a result is checked below
        raise RuntimeError(f"yici-loadgen exited {done.returncode}: {done.stderr.strip()[-500:]}")
    result = check_statuses(json.loads(done.stdout), path)
    result["loadgen_cores"] = round((children_cpu_seconds() - own_before) / elapsed, 2)
    if server_pid:
        result["server_cores"] = round((cpu_seconds(server_pid) - server_before) / elapsed, 2)
    return result


def cpu_us_per_request(result):
    """The server's CPU microseconds per request answered, from a loadgen() result with server_cores."""
    return round(result["server_cores"] / result["rps"] * 1e6) if result["rps"] else None


def check_statuses(result, path):
    """A run counts only if every answer was a 2xx: a hub answering 401, 404 or 503 as fast as it
    can must not be reported as lookups per second."""
    bad = {status: n for status, n in result.get("statuses", {}).items() if not status.startswith("2")}
    if bad or not result.get("statuses"):
        raise RuntimeError(f"load generator on {path}: answers other than 2xx {bad or 'none at all'}; "
                           "the figures would not be lookups")
    return result


def openssl_es256_per_s(seconds):
    out = subprocess.run(["openssl", "speed", "-seconds", str(seconds), "ecdsap256"], capture_output=True,
                         text=True).stdout
    m = re.search(r"256 bits ecdsa \(nistp256\)\s+\S+s\s+\S+s\s+([\d.]+)\s+([\d.]+)", out)
    return float(m.group(1)) if m else None


ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def resident_id(i):
    """A distinct valid 18-character resident ID (GB 11643 check character) for row i."""
    first17 = "330106%04d%02d%02d%03d" % (1940 + i % 60, 1 + i // 60 % 12, 1 + i // 720 % 28, i // 20160 % 1000)
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def make_department(rows, work):
    """A public-security SQLite table of `rows` valid residents in pinyin columns; returns its path and IDs."""
    import sqlite3
    path = os.path.join(work, "dept.db")
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE person (sfzh TEXT PRIMARY KEY, xm TEXT, xb TEXT, csrq TEXT, gxsj TEXT)")
    ids = []

    def gen():
        for i in range(rows):
            rid = resident_id(i)
            ids.append(rid)
            yield (rid, "居民%d" % i, "男" if int(rid[16]) % 2 else "女", rid[6:14],
                   "2026-01-01 %02d:%02d:%02d" % (i // 3600 % 24, i // 60 % 60, i % 60))
    db.executemany("INSERT INTO person VALUES (?,?,?,?,?)", gen())
    db.commit()
    db.close()
    return path, ids


def sqlite_copy_rows_per_s(dept, rows, work):
    """The ceiling for ingest: the sqlite3 shell copying the same rows into a keyed table."""
    db = os.path.join(work, "copy.db")
    if os.path.exists(db):
        os.remove(db)
    setup = f"""PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; ATTACH '{dept}' AS d;
CREATE TABLE dst (sfzh TEXT PRIMARY KEY, xm TEXT, xb TEXT, csrq TEXT, gxsj TEXT);"""
    start = time.monotonic()
    subprocess.run(["sqlite3", db], input=setup + "INSERT INTO dst SELECT * FROM d.person;", text=True, check=True,
                   capture_output=True)
    return rows / (time.monotonic() - start)


def remove_database(path):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def sqlite_schema_copy_rows_per_s(dept, rows, work, records_db, batch=10000):
    """A second ingest ceiling: the sqlite3 shell storing the same rows as the hub stores them.

    The table and indexes are the hub's own (read from its records.db after the pull), each row gets
    a JSON document with the same fields in the same order (unmapped ones null, as the hub writes
    them) and 32 random bytes in hex where the hub stores the document's SHA-256 (the shell's only
    hash, SHA3, costs it more than a microsecond a row, several times OpenSSL's SHA-256, and would
    flatter the hub), read in key order as the hub's full pull reads. No checks, no normalising:
    this does less than the hub does, so it is a ceiling; the gap from it to the plain copy is the
    storage the hub's schema asks for.
    """
    import sqlite3
    src = sqlite3.connect(f"file:{records_db}?mode=ro", uri=True)
    ddl = [r[0] for r in src.execute("SELECT sql FROM sqlite_master WHERE tbl_name = 'records' AND sql IS NOT NULL "
                                     "ORDER BY type = 'index', name")]
    sample = src.execute("SELECT fields FROM records LIMIT 1").fetchone()
    src.close()
    if not ddl or not sample:
        raise RuntimeError(f"no records table or record in {records_db} to copy the schema from")
    fields = ", ".join(f"'{k}', {MAPPING.get(k, 'NULL')}" for k in json.loads(sample[0]))
    db = os.path.join(work, "schema-copy.db")
    remove_database(db)
    setup = ("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-32768; "
             + ";\n".join(ddl) + ";\n")
    # One transaction per batch of the hub's default size, as the hub commits (each one fsync).
    keys = sqlite3.connect(f"file:{dept}?mode=ro", uri=True)
    bounds = [r[0] for r in keys.execute("SELECT sfzh FROM person ORDER BY sfzh")][::batch]
    keys.close()
    copy = "".join(
        "INSERT INTO records (dataset, subject, source, source_key, version, content_hash, pulled_at, status, "
        "fields) SELECT 'population', sfzh, 'psb', sfzh, 1, lower(hex(randomblob(32))), "
        f"'2026-11-23T18:00:00.000000Z', 'valid', doc FROM (SELECT sfzh, json_object({fields}) AS doc "
        f"FROM d.person WHERE sfzh >= '{lo}'" + (f" AND sfzh < '{hi}'" if hi else "") + " ORDER BY sfzh);\n"
        for lo, hi in zip(bounds, bounds[1:] + [None]))
    subprocess.run(["sqlite3", db], input=setup, text=True, check=True, capture_output=True)
    start = time.monotonic()
    subprocess.run(["sqlite3", db], input=f"ATTACH '{dept}' AS d; PRAGMA synchronous=FULL; PRAGMA cache_size=-32768;"
                   + copy, text=True, check=True, capture_output=True)
    elapsed = time.monotonic() - start
    remove_database(db)
    return rows / elapsed


BENCH_POLICY = """principals:
  - {id: market-regulation, kind: department, name: 市场监督管理局, cert_cn: market-regulation}
  - {id: public-security, kind: department, name: 公安厅, cert_cn: public-security}
  - {id: admin, kind: admin, cert_cn: admin}
  - {id: auditor, kind: auditor, cert_cn: auditor}
grants:
  - principal: market-regulation
    dataset: population
    fields: [id_number, name, gender, birth_date]
    purposes: [food-business-license]
"""


# Population fields and the department's columns they come from (the bench source's mapping).
MAPPING = {"id_number": "sfzh", "name": "xm", "gender": "xb", "birth_date": "csrq", "updated_at": "gxsj"}


def write_source(sources, dept):
    os.makedirs(sources, exist_ok=True)
    with open(os.path.join(sources, "psb.yaml"), "w") as f:
        f.write(f"""id: psb
department: public-security
dataset: population
adapter: {{type: sqlite, path: {dept}, table: person}}
primary_key: [sfzh]
cursor: {{column: gxsj, overlap: 1m}}
mapping: {{{", ".join(f"{k}: {v}" for k, v in MAPPING.items())}}}
schedule: {{every: 24h}}
""")


def wait_for_pull(pki, hub, timeout_s):
    """The hub's first pull of source psb (from its admin view), once it has finished."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        view = admin_get(pki, hub.port, "/v1/admin/sources/psb")
        if view and view["recent_pulls"]:
            pull = view["recent_pulls"][0]
            if pull.get("error"):
                raise RuntimeError(f"the bench pull failed: {pull}")
            return pull
        time.sleep(0.2)
    raise RuntimeError(f"the bench pull did not finish in {timeout_s} s")


def admin_get(pki, port, path, parse=json.loads):
    r = subprocess.run(["curl", "-fsS", "--max-time", "30", "--cacert", f"{pki}/ca.crt", "--cert", f"{pki}/admin.crt",
                        "--key", f"{pki}/admin.key", f"https://127.0.0.1:{port}{path}"], capture_output=True, text=True)
    return parse(r.stdout) if r.returncode == 0 else None


def metric(text, name):
    """The value of an unlabelled series in a Prometheus text exposition, or None."""
    m = re.search(r"^" + re.escape(name) + r" (\S+)$", text or "", re.M)
    return float(m.group(1)) if m else None


def histogram(text, name):
    """The cumulative buckets [(upper bound, count), ...] of an unlabelled Prometheus histogram."""
    out = []
    for le, count in re.findall(r"^" + re.escape(name) + r'_bucket\{le="([^"]+)"\} (\S+)$', text or "", re.M):
        out.append((float("inf") if le == "+Inf" else float(le), float(count)))
    return sorted(out)


def histogram_quantile(q, before, after):
    """The q-quantile of the observations made between two scrapes of a histogram, interpolated
    within its bucket as Prometheus' histogram_quantile() does; None without observations."""
    delta = [(le, a - b) for (le, a), (_, b) in zip(after, before)]
    if not delta or delta[-1][1] <= 0:
        return None
    rank = q * delta[-1][1]
    lower, below = 0.0, 0.0
    for le, count in delta:
        if count >= rank:
            if le == float("inf"):
                return lower
            return lower + (le - lower) * (rank - below) / max(count - below, 1e-9)
        lower, below = le, count
    return None


def fdatasync_ms(work, seconds):
    """The disk's own commit latency, the floor under every audited lookup: 16 KiB appended to a
    file in the bench's directory (the hub's data directory's file system) and fdatasync'd, for
    `seconds`. Returns (p50, p99) in ms."""
    path = os.path.join(work, "fsync-probe")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    block, lat = b"y" * 16384, []
    try:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            os.write(fd, block)
            start = time.perf_counter()
            os.fdatasync(fd)
            lat.append((time.perf_counter() - start) * 1000)
    finally:
        os.close(fd)
        os.remove(path)
    lat.sort()
    return round(lat[len(lat) // 2], 3), round(lat[min(len(lat) - 1, len(lat) * 99 // 100)], 3)


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def hub_signs_per_s(build, pki, seconds):
    out = subprocess.run([os.path.join(build, "yici-bench-sign"), "--key", os.path.join(pki, "signing", "active.key"),
                          "--seconds", str(seconds)], check=True, capture_output=True, text=True).stdout
    return json.loads(out)["signs_per_s"]


def audit_figures(build, work, entries, proof_entries):
    out = subprocess.run([os.path.join(build, "yici-bench-audit"), "--dir", os.path.join(work, "audit-bench"),
                          "--entries", str(entries), "--proof-entries", str(proof_entries)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def normalise_rows_per_s(build, rows):
    """Population rows/s through the schema normaliser on one core, beside a JSON-escape-only baseline."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = subprocess.run([os.path.join(build, "yici-bench-normalise"), "--schema",
                          os.path.join(root, "schemas", "population.yaml"), "--rows", str(rows)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", required=True)
    ap.add_argument("--pki", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, under a minute; figures must exist")
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies sizes and durations")
    ap.add_argument("--rss-rows", type=int, default=5_000_000,
                    help="rows in the separate pull whose peak RSS is measured (about 2 minutes at 5M)")
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    args.pki = os.path.abspath(args.pki)
    seconds = 1.0 if args.smoke else 10.0 * args.scale
    rows = 20000 if args.smoke else int(1_000_000 * args.scale)
    work = tempfile.mkdtemp(prefix="yici-bench-")
    results = {"machine": machine(), "mode": "smoke" if args.smoke else "full", "missing": []}
    try:
        # A department table of `rows` residents, pulled by the hub through the population schema.
        dept, ids = make_department(rows, work)
        sync_p50, sync_p99 = fdatasync_ms(work, 1 if args.smoke else 3)
        results["disk"] = {"fdatasync_p50_ms": sync_p50, "fdatasync_p99_ms": sync_p99}
        results["ingest"] = {"rows": rows, "sqlite_copy_rows_per_s": round(sqlite_copy_rows_per_s(dept, rows, work))}
        sources = os.path.join(work, "sources")
        write_source(sources, dept)
        policy = os.path.join(work, "policy.yaml")
        with open(policy, "w") as f:
            f.write(BENCH_POLICY)
        hub = Hub(args.build, args.pki, work, sources_dir=sources, policy=policy)
        results["startup_ms"] = round(hub.startup_ms, 1)
        try:
            pull = wait_for_pull(args.pki, hub, 600)
            results["ingest"]["hub_rows_per_s"] = round(pull["rows_read"] / max(pull["duration_ms"], 1) * 1000)
            results["ingest"]["ratio"] = round(results["ingest"]["hub_rows_per_s"] /
                                               results["ingest"]["sqlite_copy_rows_per_s"], 3)
            results["ingest"]["peak_rss_mb"] = peak_rss_mb(hub.proc.pid)
            # Signed, audited lookups of random existing subjects.
            paths = os.path.join(work, "paths.txt")
            rng = random.Random(20261123)
            with open(paths, "w") as f:
                for rid in rng.sample(ids, min(len(ids), 20000)):
                    f.write(f"/v1/records/population/{rid}?purpose=food-business-license\n")
            hub_run = loadgen(args.build, args.pki, hub.port, "@" + paths, "market-regulation", seconds, 32,
                              server_pid=hub.proc.pid)
            # Three fixed-rate runs, reported by their median p99 with all three kept: one disk
            # stall (the device completing nothing for 100-700 ms, seen on this VM's disk) in a
            # 10-second run sets that run's p99 on its own, and the runs show how often that happens.
            commit_buckets = "yici_audit_commit_duration_seconds"
            before = histogram(admin_get(args.pki, hub.port, "/metrics", parse=lambda t: t), commit_buckets)
            # Each beside the longest stall of the data directory's disk during it (disk_stalls.py).
            halves = []
            for _ in range(1 if args.smoke else 3):
                watcher = disk_stalls.StallWatcher(work).start()
                halves.append(loadgen(args.build, args.pki, hub.port, "@" + paths, "market-regulation", seconds, 32,
                                      rate=max(1, int(hub_run["rps"] / 2)), server_pid=hub.proc.pid))
                halves[-1]["disk_stall_max_ms"], halves[-1]["disk_stalls_over_50ms"] = watcher.stop()
            # How well concurrent lookups shared the audit log's group commits (one fsync each).
            text = admin_get(args.pki, hub.port, "/metrics", parse=lambda t: t)
            commits, entries = metric(text, "yici_audit_commits_total"), metric(text, "yici_audit_entries_written_total")
            # How long those runs' group commits took, fsync included: the floor under their latency.
            after = histogram(text, commit_buckets)
            commit_ms = [histogram_quantile(q, before, after) for q in (0.5, 0.99, 0.999)]
        finally:
            hub.stop()
        results["ingest"]["sqlite_schema_copy_rows_per_s"] = round(sqlite_schema_copy_rows_per_s(
            dept, rows, work, os.path.join(hub.dir, "data", "records.db")))
        results["ingest"]["ratio_to_schema_copy"] = round(results["ingest"]["hub_rows_per_s"] /
                                                          results["ingest"]["sqlite_schema_copy_rows_per_s"], 3)
        nginx = Nginx(args.pki, work, int(hub_run["mean_body_bytes"]) or 1, workers=2)
        try:
            ng = loadgen(args.build, args.pki, nginx.port, "/response.json", "market-regulation", seconds, 32)
        finally:
            nginx.stop()
        results["lookup"] = {"endpoint": "GET /v1/records/population/{random existing id} (signed, audited)",
                             "records": rows, "mean_body_bytes": hub_run["mean_body_bytes"],
                             "hub_rps": round(hub_run["rps"]), "nginx_rps": round(ng["rps"]),
                             "ratio": round(hub_run["rps"] / ng["rps"], 3) if ng["rps"] else None,
                             "p50_ms": hub_run["p50_ms"], "p99_ms": hub_run["p99_ms"],
                             "p999_ms": hub_run["p999_ms"],
                             "p99_at_half_load_ms": sorted(h["p99_ms"] for h in halves)[len(halves) // 2],
                             "p99_at_half_load_runs_ms": [h["p99_ms"] for h in halves],
                             "disk_stall_max_ms_at_half_load_runs": [h["disk_stall_max_ms"] for h in halves],
                             "disk_stalls_over_50ms_at_half_load_runs": [h["disk_stalls_over_50ms"] for h in halves],
                             # What the machine's cores did meanwhile: the hub and the load generator
                             # share them, and a busy machine queues requests whatever the hub does.
                             "cores": results["machine"]["cores"],
                             "hub_cores_at_full_load": hub_run["server_cores"],
                             "loadgen_cores_at_full_load": hub_run["loadgen_cores"],
                             "hub_cores_at_half_load_runs": [h["server_cores"] for h in halves],
                             "loadgen_cores_at_half_load_runs": [h["loadgen_cores"] for h in halves],
                             "hub_cpu_us_per_lookup": cpu_us_per_request(hub_run),
                             "hub_cpu_us_per_lookup_at_half_load": sorted(cpu_us_per_request(h) for h in halves)[
                                 len(halves) // 2],
                             "audit_entries_per_commit": round(entries / commits, 2) if commits else None,
                             "audit_commit_p50_ms_at_half_load": round(commit_ms[0] * 1000, 3)
                             if commit_ms[0] is not None else None,
                             "audit_commit_p99_ms_at_half_load": round(commit_ms[1] * 1000, 3)
                             if commit_ms[1] is not None else None,
                             "audit_commit_p999_ms_at_half_load": round(commit_ms[2] * 1000, 3)
                             if commit_ms[2] is not None else None,
                             "errors": hub_run["errors"] + sum(h["errors"] for h in halves)}
        results["sign"] = {"openssl_per_s": openssl_es256_per_s(1 if args.smoke else 3),
                           "hub_per_s": round(hub_signs_per_s(args.build, args.pki, 1 if args.smoke else 3))}
        results["sign"]["ratio"] = round(results["sign"]["hub_per_s"] / results["sign"]["openssl_per_s"], 3)
        results["audit"] = audit_figures(args.build, work, 2000 if args.smoke else int(200_000 * args.scale),
                                         10_000 if args.smoke else int(10_000_000 * args.scale))
        results["normalise"] = normalise_rows_per_s(args.build, 20000 if args.smoke else int(1_000_000 * args.scale))
        # Peak RSS during a pull of --rss-rows rows (5M by default), in a hub of its own.
        rss_rows = 20000 if args.smoke else args.rss_rows
        results["ingest"]["peak_rss_rows"] = rss_rows
        if rss_rows == rows:
            results["ingest"]["peak_rss_at_rows_mb"] = results["ingest"]["peak_rss_mb"]
        else:
            os.remove(dept)
            big = os.path.join(work, "big")
            os.makedirs(big)
            big_dept, _ = make_department(rss_rows, big)
            write_source(os.path.join(big, "sources"), big_dept)
            hub = Hub(args.build, args.pki, big, sources_dir=os.path.join(big, "sources"), policy=policy)
            try:
                pull = wait_for_pull(args.pki, hub, 3600)
                results["ingest"]["peak_rss_at_rows_mb"] = peak_rss_mb(hub.proc.pid)
                results["ingest"]["hub_rows_per_s_at_rss_rows"] = round(pull["rows_read"] / max(pull["duration_ms"], 1)
                                                                        * 1000)
            finally:
                hub.stop()
        if rss_rows < 5_000_000:
            results["missing"].append("ingest.peak_rss_at_rows_mb at 5M rows (run without --rss-rows)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2, ensure_ascii=False)
    m = results["machine"]
    print(f"machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GiB")
    l = results["lookup"]
    print(f"{'figure':38} {'hub':>12} {'ceiling':>12} {'ratio':>7}")
    print(f"{'requests/s ' + l['endpoint'][:26]:38} {l['hub_rps']:>12} {l['nginx_rps']:>12} {l['ratio']:>7}")
    print(f"{'p50 / p99 / p99.9 ms':38} {l['p50_ms']:>5} / {l['p99_ms']} / {l['p999_ms']}")
    print(f"{'p99 ms at half the max rate, median':38} {l['p99_at_half_load_ms']:>12}   (runs: "
          f"{' / '.join(str(v) for v in l['p99_at_half_load_runs_ms'])})")
    print(f"{'longest disk stall ms in those runs':38} {'':>12}   (runs: "
          f"{' / '.join(str(v) for v in l['disk_stall_max_ms_at_half_load_runs'])})")
    print(f"{'CPU cores used at half load: hub, loadgen':38} {'':>12}   (runs: " + " / ".join(
        f"{h} + {g}" for h, g in zip(l['hub_cores_at_half_load_runs'], l['loadgen_cores_at_half_load_runs']))
          + f" of {l['cores']})")
    print(f"{'hub CPU us per lookup: full, half load':38} {l['hub_cpu_us_per_lookup']!s:>5} / "
          f"{l['hub_cpu_us_per_lookup_at_half_load']}")
    print(f"{'audit entries per group commit':38} {l['audit_entries_per_commit']!s:>12}")
    print(f"{'audit commit ms at half load, p50/p99/p99.9':38} {l['audit_commit_p50_ms_at_half_load']!s:>5} / "
          f"{l['audit_commit_p99_ms_at_half_load']} / {l['audit_commit_p999_ms_at_half_load']}")
    dk = results["disk"]
    print(f"{'disk fdatasync ms, 16 KiB, p50 / p99':38} {dk['fdatasync_p50_ms']!s:>5} / {dk['fdatasync_p99_ms']}")
    sg = results["sign"]
    print(f"{'ES256 signatures/s (vs openssl speed)':38} {sg['hub_per_s']:>12} {sg['openssl_per_s']:>12} "
          f"{sg['ratio']:>7}")
    au = results["audit"]
    print(f"{'audit appends/s, durable (' + str(au['append_threads']) + ' threads)':38} {au['append_per_s']:>12.0f}")
    print(f"{'audit verification, entries/s':38} {au['verify_entries_per_s']:>12.0f}")
    print(f"{'inclusion proof ms at ' + str(au['proof_tree_size']) + ' (p50/p99)':38} "
          f"{au['proof_ms']:>5} / {au['proof_p99_ms']}")
    print(f"{'subject search ms at ' + str(au['proof_tree_size']) + ', 8 HMACs (p50/max)':38} "
          f"{au['subject_search_ms']:>5} / {au['subject_search_max_ms']}")
    print(f"{'subject index: merging a span, ms; step p99/max':38} {au['subject_merge_ms']:>5} "
          f"({au['subject_merge_steps']} steps; {au['subject_merge_step_p99_ms']} / {au['subject_merge_step_max_ms']})")
    ig = results["ingest"]
    print(f"{'ingest rows/s (vs sqlite3 INSERT…SELECT)':38} {ig['hub_rows_per_s']:>12} {ig['sqlite_copy_rows_per_s']:>12} "
          f"{ig['ratio']:>7}")
    print(f"{'ingest (vs sqlite3 into the hub schema)':38} {ig['hub_rows_per_s']:>12} "
          f"{ig['sqlite_schema_copy_rows_per_s']:>12} {ig['ratio_to_schema_copy']:>7}")
    print(f"{'ingest peak RSS, MB (' + str(ig['rows']) + ' rows)':38} {ig['peak_rss_mb']:>12}")
    print(f"{'ingest peak RSS, MB (' + str(ig['peak_rss_rows']) + ' rows)':38} {ig['peak_rss_at_rows_mb']:>12}"
          + (f"   ({ig['hub_rows_per_s_at_rss_rows']} rows/s)" if "hub_rows_per_s_at_rss_rows" in ig else ""))
    nz = results["normalise"]
    print(f"{'normalise population rows/s, 1 core':38} {nz['normalise_rows_per_s']:>12.0f} "
          f"{nz['baseline_json_rows_per_s']:>12.0f} {nz['ratio_to_baseline']:>7}")
    print(f"{'start-up to ready, ms':38} {results['startup_ms']:>12}")
    for item in results["missing"]:
        print("not measured yet:", item)
    print("results:", args.out)
    if args.smoke:
        # The smoke run keeps the harness from rotting: every figure it can measure today must exist.
        need = [("lookup", "hub_rps"), ("lookup", "nginx_rps"), ("lookup", "ratio"), ("lookup", "p50_ms"),
                ("lookup", "p99_ms"), ("lookup", "p99_at_half_load_ms"), ("lookup", "audit_entries_per_commit"),
                ("lookup", "audit_commit_p50_ms_at_half_load"), ("lookup", "audit_commit_p99_ms_at_half_load"),
                ("lookup", "hub_cpu_us_per_lookup"), ("lookup", "hub_cpu_us_per_lookup_at_half_load"),
                ("disk", "fdatasync_p50_ms"), ("disk", "fdatasync_p99_ms"),
                ("sign", "openssl_per_s"),
                ("sign", "hub_per_s"), ("sign", "ratio"), ("audit", "append_per_s"),
                ("audit", "verify_entries_per_s"), ("audit", "proof_ms"), ("audit", "subject_search_ms"),
                ("ingest", "sqlite_copy_rows_per_s"), ("ingest", "hub_rows_per_s"), ("ingest", "ratio"),
                ("ingest", "sqlite_schema_copy_rows_per_s"), ("ingest", "ratio_to_schema_copy"),
                ("ingest", "peak_rss_mb"), ("ingest", "peak_rss_at_rows_mb"), ("normalise", "normalise_rows_per_s"),
                ("normalise", "baseline_json_rows_per_s")]
        absent = [f"{a}.{b}" for a, b in need if results.get(a, {}).get(b) in (None, 0)]
        if results.get("startup_ms") is None:
            absent.append("startup_ms")
        if absent:
            print("smoke: figures missing:", ", ".join(absent), file=sys.stderr)
            return 1
        if results["lookup"]["errors"]:
            # Refusals or failures would be measured as if they were lookups: the figure means nothing.
            print(f"smoke: {results['lookup']['errors']} lookup requests failed", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

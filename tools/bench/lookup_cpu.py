#!/usr/bin/env python3
"""CPU per signed lookup: the hub's user+system time divided by the lookups it answered.

Starts a hub on a generated department table (as tools/bench/run.py does), warms it up, then runs
the load generator at full speed or at a fixed rate and reads /proc/<pid>/stat before and after.
Used for the A/B experiments in docs/performance-log.md, where throughput alone is too
noisy on a shared 2-core machine: the CPU a lookup costs moves much less than the rate does.

  tools/bench/lookup_cpu.py --build build/release --rows 200000 --seconds 8 [--rate 3500] [--perf FILE]
                            [--audit-sql 'CREATE INDEX audit_by_subject ON audit_entries (subject_hmac, seq)']

Besides the total it prints the CPU per lookup of each of the hub's threads by name (io-, the main
thread "yici-hub", which is the first I/O thread, audit-commit, wal-audit, ...) and the audit
commits per second with their entries per commit, from /metrics: a commit's own cost (transaction,
fsync, waking its waiters) is shared by its entries.

--perf records the hub with `perf record --call-graph dwarf` during the measured run (use the dev
build, which has debug info). Environment variables set for this script reach the hub, so an
experiment's switch can be passed that way.
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (the bench's own helpers: Hub, loadgen, generated departments)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(run.ROOT, "build/release"))
    ap.add_argument("--pki", default=os.path.join(run.ROOT, "certs/dev"))
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--rate", type=int, default=0, help="requests/s, open loop; 0: as fast as it goes")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--perf", help="write a perf profile of the measured run to this file")
    ap.add_argument("--audit-sql", help="SQL run on the hub's audit.db after the warm-up, for experiments "
                    "(e.g. 'CREATE INDEX audit_by_subject ON audit_entries (subject_hmac, seq)', the random-insert "
                    "subject index the log had before subject_index.h: docs/performance-log.md)")
    args = ap.parse_args()
    build, pki = os.path.abspath(args.build), os.path.abspath(args.pki)
    work = tempfile.mkdtemp(prefix="yici-lookup-cpu-")
    try:
        dept, ids = run.make_department(args.rows, work)
        sources = os.path.join(work, "sources")
        run.write_source(sources, dept)
        policy = os.path.join(work, "policy.yaml")
        with open(policy, "w") as f:
            f.write(run.BENCH_POLICY)
        hub = run.Hub(build, pki, work, sources_dir=sources, policy=policy)
        try:
            run.wait_for_pull(pki, hub, 600)
            paths = os.path.join(work, "paths.txt")
            rng = random.Random(1)
            with open(paths, "w") as f:
                for rid in rng.sample(ids, min(len(ids), 20000)):
                    f.write(f"/v1/records/population/{rid}?purpose=food-business-license\n")
            run.loadgen(build, pki, hub.port, "@" + paths, "market-regulation", 2, args.connections)  # warm-up
            if args.audit_sql:
                import sqlite3
                db = sqlite3.connect(os.path.join(hub.dir, "data", "audit.db"), timeout=30)
                db.executescript(args.audit_sql)
                db.close()
            perf = None
            if args.perf:
                perf = subprocess.Popen(["perf", "record", "-F", "999", "--call-graph", "dwarf,16384", "-o", args.perf,
                                         "-p", str(hub.proc.pid)], stderr=subprocess.DEVNULL)
            before = run.cpu_seconds(hub.proc.pid)
            threads_before = run.thread_cpu_seconds(hub.proc.pid)
            metrics_before = run.admin_get(pki, hub.port, "/metrics", parse=lambda t: t)
            # No warm-up inside the measured run (the run above was one), so the CPU counted is
            # the CPU of the lookups counted.
            r = run.loadgen(build, pki, hub.port, "@" + paths, "market-regulation", args.seconds, args.connections,
                            rate=args.rate, warmup=0)
            used = run.cpu_seconds(hub.proc.pid) - before
            threads_after = run.thread_cpu_seconds(hub.proc.pid)
            metrics_after = run.admin_get(pki, hub.port, "/metrics", parse=lambda t: t)
            if perf:
                perf.send_signal(signal.SIGINT)
                perf.wait()
        finally:
            hub.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    answered = r["requests"]
    out = {"rps": r["rps"], "p50_ms": r["p50_ms"], "p99_ms": r["p99_ms"], "errors": r["errors"],
           "hub_cpu_s": round(used, 2), "hub_cpu_us_per_lookup": round(used / answered * 1e6, 1) if answered else None}
    if answered:
        # Where the hub's CPU went, per lookup and thread name, and how many entries each audit
        # commit carried: the per-commit cost (transaction, fsync, wake-ups) is shared by them.
        out["thread_cpu_us_per_lookup"] = {
            name: round((threads_after.get(name, 0.0) - t0) / answered * 1e6, 1)
            for name, t0 in sorted(threads_before.items()) if threads_after.get(name, 0.0) - t0 > 0}
        def delta(name):
            a, b = run.metric(metrics_after, name), run.metric(metrics_before, name)
            return a - b if a is not None and b is not None else None
        commits, entries = delta("yici_audit_commits_total"), delta("yici_audit_entries_written_total")
        out["audit_commits_per_s"] = round(commits / args.seconds) if commits else None
        out["audit_entries_per_commit"] = round(entries / commits, 2) if commits else None
    print(json.dumps(out))
    # Refused or failed lookups would be counted as if answered: the figure would mean nothing.
    return 1 if r["errors"] or not answered else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The bench's CPU figures (run.cpu_seconds, run.thread_cpu_seconds, run.children_cpu_seconds,
run.cpu_us_per_request):
a process that burns a known amount of CPU is measured as such, one that sleeps as none."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402

BURN = "import time\nend = time.process_time() + {s}\nwhile time.process_time() < end: pass\n{tail}"


# Two threads named burn-1 and burn-2 (prctl PR_SET_NAME, as the hub names its threads) burn
# 0.25 s of their own CPU each, then everything sleeps.
NAMED_BURN = """import ctypes, threading, time
libc = ctypes.CDLL(None)
def burn(name):
    libc.prctl(15, name.encode(), 0, 0, 0)
    end = time.thread_time() + 0.25
    while time.thread_time() < end: pass
    time.sleep(30)
for i in (1, 2):
    threading.Thread(target=burn, args=(f"burn-{i}",), daemon=True).start()
time.sleep(30)
"""


def near(name, got, want, slack):
    assert abs(got - want) <= slack, f"{name}: got {got:.3f}, want {want} ± {slack}"


def main():
    # A process that burns 0.6 s of CPU and then waits: measured while it waits.
    child = subprocess.Popen([sys.executable, "-c", BURN.format(s=0.6, tail="time.sleep(30)")])
    try:
        time.sleep(0.1)
        deadline = time.monotonic() + 20
        while run.cpu_seconds(child.pid) < 0.6 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)  # the clock ticks behind the child's own count: let it finish its loop
        busy = run.cpu_seconds(child.pid)
        near("a process that burned 0.6 s", busy, 0.6, 0.15)
        time.sleep(0.5)
        near("the same process, sleeping", run.cpu_seconds(child.pid) - busy, 0.0, 0.05)
    finally:
        child.kill()
        child.wait()

    # Per thread name, digits dropped: the two burners add up under "burn-"; the main thread that
    # only slept has next to nothing.
    child = subprocess.Popen([sys.executable, "-c", NAMED_BURN])
    try:
        deadline = time.monotonic() + 20
        while run.thread_cpu_seconds(child.pid).get("burn-", 0) < 0.5 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
        threads = run.thread_cpu_seconds(child.pid)
        near("two named threads that burned 0.25 s each", threads.get("burn-", 0), 0.5, 0.15)
        assert not any(name.startswith("burn-") and name != "burn-" for name in threads), threads
        assert threads.get("python", 0) < 0.2, threads  # the main thread: interpreter start-up only
        near("all threads together", sum(threads.values()), run.cpu_seconds(child.pid), 0.05)
    finally:
        child.kill()
        child.wait()

    # Children's CPU: a child that burns 0.4 s adds about 0.4 s; one that sleeps adds nothing.
    before = run.children_cpu_seconds()
    subprocess.run([sys.executable, "-c", BURN.format(s=0.4, tail="")], check=True)
    near("a child that burned 0.4 s", run.children_cpu_seconds() - before, 0.4 + 0.03, 0.15)
    before = run.children_cpu_seconds()
    subprocess.run(["sleep", "0.3"], check=True)
    near("a child that slept", run.children_cpu_seconds() - before, 0.0, 0.05)

    # Cores per request: 1.5 cores at 10,000 requests/s is 150 us each; no requests, no figure.
    assert run.cpu_us_per_request({"server_cores": 1.5, "rps": 10000}) == 150
    assert run.cpu_us_per_request({"server_cores": 1.5, "rps": 0}) is None
    print("cpu_accounting: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())

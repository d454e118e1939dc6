#!/usr/bin/env python3
"""The bench harness never leaves a hub behind: one that never answers, or exits at once, is
reported with the end of its log and is gone afterwards (an orphan would hold ctest's pipe open).

Uses stand-ins for yici-hub (shell scripts in a temporary build directory), not the real hub: the
point is what the harness does when a hub misbehaves, which the real one cannot be made to do.
"""
import os
import shutil
import stat
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402

WEDGED = """#!/usr/bin/env python3
# Listens on the configured port and never answers: TLS handshakes hang.
import re, socket, sys, time
port = int(re.search(r"listen: 127.0.0.1:(\\d+)", open(sys.argv[2]).read()).group(1))
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", port)); s.listen()
print("wedged stand-in listening", flush=True)
conns = []
while True:
    conns.append(s.accept()[0])
"""

EXITS = """#!/bin/sh
echo "config: bad thing at line 3" >&2
exit 2
"""


def stand_in(script):
    build = tempfile.mkdtemp(prefix="harness-build-")
    path = os.path.join(build, "yici-hub")
    with open(path, "w") as f:
        f.write(script)
    os.chmod(path, stat.S_IRWXU)
    return build


def expect_failure(build, timeout_s, must_say):
    work = tempfile.mkdtemp(prefix="harness-work-")
    started = time.monotonic()
    try:
        run.Hub(build, os.path.join(run.ROOT, "certs", "dev"), work, ready_timeout_s=timeout_s)
    except RuntimeError as e:
        elapsed = time.monotonic() - started
        message = str(e)
    else:
        raise AssertionError("Hub() returned for a stand-in that never becomes ready")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for words in must_say:
        assert words in message, f"the error should say {words!r}: {message}"
    assert elapsed < timeout_s + 10, f"gave up after {elapsed:.1f} s, not about {timeout_s} s"
    left = [p for p in os.listdir("/proc") if p.isdigit() and build in _cmdline(p)]
    shutil.rmtree(build, ignore_errors=True)
    assert not left, f"stand-in processes left running: {left}"
    return elapsed


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().decode(errors="replace")
    except OSError:
        return ""


def check_statuses_refuses_error_runs():
    ok = {"rps": 100.0, "statuses": {"200": 1000}}
    assert run.check_statuses(ok, "/x") is ok
    for bad in ({"rps": 9000.0, "statuses": {"200": 10, "401": 5}}, {"rps": 9000.0, "statuses": {"503": 1}},
                {"rps": 0.0, "statuses": {}}):
        try:
            run.check_statuses(bad, "/v1/records/x")
        except RuntimeError as e:
            assert "other than 2xx" in str(e), str(e)
        else:
            raise AssertionError(f"check_statuses accepted {bad}")


def main():
    check_statuses_refuses_error_runs()
    print("load generator runs with answers other than 2xx are refused")
    t = expect_failure(stand_in(WEDGED), 2, ["was not ready within 2 s and was killed", "wedged stand-in listening"])
    print(f"wedged hub: given up after {t:.1f} s, killed, its log reported")
    t = expect_failure(stand_in(EXITS), 30, ["exited with status 2", "bad thing at line 3"])
    print(f"exiting hub: reported after {t:.1f} s with its status and log")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""disk_stalls: a stall is measured from /proc/diskstats samples as the stretch with I/O in flight
and nothing completed; busy and idle stretches are not stalls."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import disk_stalls  # noqa: E402


def check(name, got, want):
    assert got == want, f"{name}: got {got}, want {want}"


def main():
    ms = 0.001
    # Idle, then busy (completing every sample), then one request stuck for 200 ms, then busy again.
    samples = [(0 * ms, 100, 0), (10 * ms, 100, 0), (20 * ms, 103, 2), (30 * ms, 107, 1)]
    samples += [((30 + 10 * i) * ms, 107, 1) for i in range(1, 21)]  # stuck until 230 ms
    samples += [(240 * ms, 108, 0), (250 * ms, 120, 3), (260 * ms, 130, 3)]
    check("one 200 ms stall", disk_stalls.stalls(samples), (200.0, 1))
    # Two stalls, 60 ms and 40 ms: only the first reaches the 50 ms threshold.
    two = [(0, 1, 1), (60 * ms, 1, 1), (70 * ms, 2, 1), (110 * ms, 2, 1), (120 * ms, 3, 0)]
    check("two stalls", disk_stalls.stalls(two), (60.0, 1))
    check("two stalls, 30 ms threshold", disk_stalls.stalls(two, threshold_ms=30), (60.0, 2))
    # Nothing in flight for a long time is idle, not a stall; steady completions are not stalls.
    check("idle", disk_stalls.stalls([(i * 0.1, 5, 0) for i in range(50)]), (0.0, 0))
    check("busy", disk_stalls.stalls([(i * ms, i, 4) for i in range(500)]), (0.0, 0))
    # A stall still running when sampling stops counts.
    check("open stall", disk_stalls.stalls([(0, 9, 1), (80 * ms, 9, 1)]), (80.0, 1))
    check("no samples", disk_stalls.stalls([]), (0.0, 0))

    # Reading a diskstats file: the device's line, by major and minor, completions of every kind.
    with tempfile.NamedTemporaryFile("w", suffix="diskstats", delete=False) as f:
        f.write("   7       0 loop0 5 0 10 0 0 0 0 0 0 1 0 0 0 0 0 0 0\n")
        f.write(" 254       0 vda 10 1 2 3 20 1 2 3 4 5 6 30 0 0 0 40 0\n")
        f.write(" 254       1 vda1 1 1 1 1 1 1 1 1 9 1 1\n")  # an old kernel: no discard or flush fields
        path = f.name
    try:
        check("vda", disk_stalls.read_sample(254, 0, path), (10 + 20 + 30 + 40, 4))
        check("vda1", disk_stalls.read_sample(254, 1, path), (1 + 1, 9))
        check("absent", disk_stalls.read_sample(8, 0, path), None)
    finally:
        os.remove(path)
    check("unreadable", disk_stalls.read_sample(254, 0, "/nonexistent/diskstats"), None)

    # The watcher on this machine's temporary directory: a number when it has a block device.
    tmp = tempfile.gettempdir()
    watcher = disk_stalls.StallWatcher(tmp, interval_s=0.005).start()
    with tempfile.NamedTemporaryFile(dir=tmp) as f:
        for _ in range(20):
            f.write(b"x" * 4096)
            f.flush()
            os.fsync(f.fileno())
    longest, count = watcher.stop()
    if disk_stalls.read_sample(*disk_stalls.device_of(tmp)) is None:
        check("no block device", (longest, count), (None, None))
    else:
        assert longest is not None and longest >= 0 and count >= 0, (longest, count)
    print("disk_stalls: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Stalls of the disk under a directory while a measurement runs, read from /proc/diskstats.

A stall is a stretch in which the device has requests in flight and completes none of them. Every
audited lookup waits for its group commit's fsync, so one stall of 200 ms in a 10-second run at
5,000 lookups/s holds about 1,000 lookups (2% of the run) for up to 200 ms: that run's p99 is the
stall, whatever the hub does. Reporting the longest stall beside the p99 tells a slow disk from a
slow hub.

Linux only; on a file system with no block device of its own (tmpfs, overlay) nothing is measured
and the figures are None.
"""
import os
import threading
import time

# /proc/diskstats fields (split on white space): 3 reads completed, 7 writes completed,
# 11 I/Os in progress, 14 discards completed (kernel 4.18+), 18 flushes completed (5.5+).
_COMPLETED = (3, 7, 14, 18)
_IN_FLIGHT = 11


def device_of(path):
    st = os.stat(path)
    return os.major(st.st_dev), os.minor(st.st_dev)


def read_sample(major, minor, diskstats="/proc/diskstats"):
    """(completed I/Os of every kind, I/Os in flight) of the device, or None if it is not listed."""
    try:
        with open(diskstats) as f:
            for line in f:
                p = line.split()
                if len(p) > _IN_FLIGHT and int(p[0]) == major and int(p[1]) == minor:
                    return sum(int(p[i]) for i in _COMPLETED if i < len(p)), int(p[_IN_FLIGHT])
    except OSError:
        return None
    return None


def stalls(samples, threshold_ms=50.0):
    """From (time_s, completed, in_flight) samples in time order: (longest stall in ms, number of
    stalls of at least threshold_ms). A stall runs from the last sample at which the device was idle
    or had just completed something to the last sample before it completes something again, so it
    is measured to within the sampling interval."""
    longest, count = 0.0, 0
    since, current = None, 0.0
    prev = None
    for t, completed, in_flight in samples:
        stuck = prev is not None and in_flight > 0 and completed == prev[1]
        if stuck:
            current = (t - since) * 1000
            longest = max(longest, current)
        else:
            if current >= threshold_ms:
                count += 1
            current = 0.0
            since = t
        prev = (t, completed, in_flight)
    if current >= threshold_ms:
        count += 1
    return round(longest, 1), count


class StallWatcher:
    """Samples the device holding `path` every `interval_s` on a thread from start() to stop();
    stop() returns stalls() of what it saw, or (None, None) when the device is not in diskstats."""

    def __init__(self, path, interval_s=0.01):
        self._dev = device_of(path)
        self._interval = interval_s
        self._samples = []
        self._done = threading.Event()
        self._thread = None

    def start(self):
        if read_sample(*self._dev) is None:
            return self
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._done.is_set():
            sample = read_sample(*self._dev)
            if sample is not None:
                self._samples.append((time.monotonic(), *sample))
            self._done.wait(self._interval)

    def stop(self, threshold_ms=50.0):
        if self._thread is None:
            return None, None
        self._done.set()
        self._thread.join()
        return stalls(self._samples, threshold_ms)

"""Latency statistics shared by the benchmarks.

Wall-clock time is what a person waits; on a shared machine it includes time
other processes held the CPU, so the CPU time this thread spent is reported
beside it (what the same call costs on a quiet machine, minus disk waits).
"""

import statistics
import time


def timed(call, runs, warmup=2):
    """``{"wall": [...], "cpu": [...]}`` seconds per call over ``runs`` runs."""
    for _ in range(warmup):
        call()
    wall, cpu = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.thread_time()
        call()
        wall.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - cpu_started)
    return {"wall": wall, "cpu": cpu}


def _p95(ordered):
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def summary(samples):
    """Median and 95th percentile in milliseconds, wall and CPU."""
    result = {}
    for kind, values in samples.items():
        ordered = sorted(values)
        result[f"{kind}_median_ms"] = statistics.median(ordered) * 1000
        result[f"{kind}_p95_ms"] = _p95(ordered) * 1000
    return result

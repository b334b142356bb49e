"""Latency statistics shared by the benchmarks."""

import statistics
import time


def timed(call, runs, warmup=2):
    """Seconds per call of ``call()`` over ``runs`` runs, after ``warmup``."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def summary(samples):
    """Median and 95th percentile, in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": statistics.median(ordered) * 1000, "p95_ms": p95 * 1000}

"""The timing loop both Python benchmarks share: the same cases run on the
Python SDK and on otelmetrics in alternating rounds, so noise from other
processes on a shared machine hits both alike, and the table gives the
median round with the spread of the per-round ratios."""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Callable, Dict, List, Tuple

Cases = Dict[str, Callable[[int], None]]


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--calls", type=int, default=50_000, help="calls per round")
    parser.add_argument("--rounds", type=int, default=15)
    return parser.parse_args()


def ns_per_call(fn: Callable[[int], None], n: int) -> float:
    start = time.perf_counter_ns()
    fn(n)
    return (time.perf_counter_ns() - start) / n


def compare(sdk: Cases, ours: Cases, targets: Dict[str, float], *, calls: int, rounds: int,
            sides: Tuple[str, str] = ("otel-sdk", "otelmetrics")) -> None:
    """Prints, per case: the median ns per call of each side, the ratio of
    the medians, the min-max and interquartile range of the per-round ratios,
    and the target; the machine's load average first. ``sides`` names the
    two columns (the first is the one the ratio divides)."""
    print(f"load average {os.getloadavg()[0]:.1f}; {rounds} rounds of {calls} calls, alternating")
    print(f"{'case':32} {sides[0] + ' ns':>12} {sides[1] + ' ns':>15} {'speedup':>8} {'min-max':>11} "
          f"{'IQR':>11} {'target':>7}")
    for case in ours:
        sdk[case](1000), ours[case](1000)   # warm-up: first-time series creation, caches
        a: List[float] = []
        b: List[float] = []
        for _ in range(rounds):
            a.append(ns_per_call(sdk[case], calls))
            b.append(ns_per_call(ours[case], calls))
        s, o = statistics.median(a), statistics.median(b)
        ratios = sorted(x / y for x, y in zip(a, b))
        q1, q3 = ratios[len(ratios) // 4], ratios[-(len(ratios) // 4) - 1]
        target = targets.get(case)
        print(f"{case:32} {s:12.0f} {o:15.0f} {s / o:7.1f}x {f'{ratios[0]:.1f}-{ratios[-1]:.1f}x':>11} "
              f"{f'{q1:.1f}-{q3:.1f}x':>11} {f'{target:.0f}x' if target else '-':>7}")

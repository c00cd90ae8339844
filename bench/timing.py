"""Timing the benchmarks share: a call run several times, the median in milliseconds."""

import statistics
import time
from collections.abc import Callable
from typing import Any


def timed(call: Callable[[], Any], runs: int, warm_up: bool = True) -> list[float]:
    """Seconds of each of `runs` calls, after one untimed call unless `warm_up` is False."""
    if warm_up:
        call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


def median_ms(times: list[float]) -> float:
    return round(statistics.median(times) * 1000, 1)

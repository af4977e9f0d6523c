"""The timing loop and the result table shared by every benchmark module."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    subject: str          # what was timed, e.g. "add_working_days"
    ops: int              # operations in one timed batch
    times: tuple[float, ...]  # seconds per batch, one per repeat

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def per_op(self, seconds: float) -> float:
        return seconds / self.ops


def measure(subject: str, batch: Callable[[], object], *, ops: int, repeats: int = 5,
            warmup: int = 1, setup: Callable[[], object] | None = None) -> Result:
    """Time `batch()` (which performs `ops` operations) `repeats` times after `warmup` runs.

    `setup`, when given, runs before every run and outside the timing (e.g. a fresh table).
    The garbage collector is left on: the code runs with it in production too.
    """
    for _ in range(warmup):
        if setup:
            setup()
        batch()
    times = []
    for _ in range(repeats):
        if setup:
            setup()
        gc.collect()  # start each repeat with no garbage left over from the previous one
        start = time.perf_counter()
        batch()
        times.append(time.perf_counter() - start)
    return Result(subject, ops, tuple(times))


def human_time(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def table(results: list[Result]) -> str:
    """A Markdown table: subject, batch size, repeats, batch min/median, per-op min/median."""
    header = ("| subject | ops/batch | repeats | batch min | batch median | per op min "
              "| per op median | ops/s (best) |")
    rows = [header, "|" + "---|" * 8]
    for r in results:
        rows.append(f"| {r.subject} | {r.ops:,} | {len(r.times)} | {human_time(r.best)} "
                    f"| {human_time(r.median)} | {human_time(r.per_op(r.best))} "
                    f"| {human_time(r.per_op(r.median))} | {r.ops / r.best:,.0f} |")
    return "\n".join(rows)

"""Planning checks on compliance for a whole country (JO 1199/826, Cr §6-8, §10, §12-16).

    python -m benchmarks.risk_planning [--quick]

200,000 subjects of every type with random histories: `kzreg.risk.planning.build_plan`
decides, per subject, planned or skipped with its reason (vectorized over columns), with and
without the 5% cap; the columns are built once, outside the timing, as the register's
query would hand them over.
"""

from __future__ import annotations

import argparse
import datetime as dt

import numpy as np

from benchmarks._harness import Result, measure, table
from kzreg.risk.indicator import score_arrays
from kzreg.risk.planning import NO_DATE, TYPES, Subjects, build_plan
from kzreg.risk.subjects import ControlKind


def subjects(count: int, seed: int = 16) -> Subjects:
    rng = np.random.default_rng(seed)
    ct, it = rng.integers(1, 60, count), rng.integers(1, 60, count)
    cf = (rng.random(count) * (ct + 1)).astype(np.int64)
    i_f = (rng.random(count) * (it + 1)).astype(np.int64)
    gross = (rng.random(count) < 0.03).astype(np.int64)
    num, den, _ = score_arrays(gross, cf, ct, i_f, it)
    base = dt.date(2022, 1, 1).toordinal()

    def dates(share: float) -> np.ndarray:
        days = base + rng.integers(0, 4 * 365, count)
        return np.where(rng.random(count) < share, days, NO_DATE)

    return Subjects(np.array([f"S{k:07d}" for k in range(count)], object),
                    rng.integers(0, len(TYPES) - 1, count), rng.integers(0, 2, count) *
                    (rng.random(count) < 0.15), num, den, dates(0.6), dates(0.1), dates(0.02))


def run(quick: bool = False) -> list[Result]:
    n = 20_000 if quick else 200_000
    cols = subjects(n)
    start, end = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    out = []
    for info in (False, True):
        label = "with information system" if info else "5% cap"
        out.append(measure(f"plan {n:,} subjects, checks, {label}",
                           lambda info=info: build_plan(cols, start, end,
                                                        ControlKind.COMPLIANCE_CHECK,
                                                        information_system=info),
                           ops=n, repeats=3))
    return out


def notes(quick: bool = False) -> list[str]:
    n = 20_000 if quick else 200_000
    plan = build_plan(subjects(n), dt.date(2026, 1, 1), dt.date(2026, 12, 31),
                      ControlKind.COMPLIANCE_CHECK)
    return [f"{n:,} subjects, 5% cap {plan.cap:,}: {plan.summary()}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print(table(run(args.quick)))
    for note in notes(args.quick):
        print(f"\nnote: {note}")


if __name__ == "__main__":
    main()

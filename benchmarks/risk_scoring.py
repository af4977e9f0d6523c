"""Scoring and banding a country's subjects (JO 1199/826, Cr §12-13), exact and vectorized,
side by side with the same formula written in OpenFisca (openfisca-core).

    python -m benchmarks.risk_scoring [--quick]

kzreg: `kzreg.risk.indicator.score_arrays` — integer numpy arithmetic, SP = num/den with
the band decided by integer comparison (num ≤ 30·den), so no value is ever rounded.
OpenFisca: variables gross … insignificant_total, `indicator` (float formula of Cr §13) and
`risk_band`, computed by a default simulation of N subjects. Reported: both times, and how
many subjects OpenFisca's floating point puts in another band than the exact one — over the
benchmark sample and over every subject with up to 50 requirements of each kind whose exact
indicator is on a band boundary (30 or 70).
"""

from __future__ import annotations

import argparse
import time
from fractions import Fraction

import numpy as np

from benchmarks._harness import Result, measure, table
from kzreg.risk.indicator import score_arrays


def sample(count: int, seed: int = 11) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    ct = rng.integers(0, 60, count)
    it = rng.integers(0, 60, count)
    cf = (rng.random(count) * (ct + 1)).astype(np.int64)
    i_f = (rng.random(count) * (it + 1)).astype(np.int64)
    gross = (rng.random(count) < 0.03).astype(np.int64)
    return gross, cf, ct, i_f, it


def boundary_cases(max_total: int = 50) -> tuple[np.ndarray, ...]:
    """Every (cf, ct, if, it) with totals ≤ max_total whose exact SP is 30 or 70."""
    rows = []
    shares = [(Fraction(f * 100, t), f, t) for t in range(1, max_total + 1)
              for f in range(t + 1)]
    by_value: dict[Fraction, list[tuple[int, int]]] = {}
    for value, f, t in shares:
        by_value.setdefault(value, []).append((f, t))
    for vc, pairs_c in by_value.items():
        for target in (30, 70):
            vi = (target - vc * Fraction(7, 10)) / Fraction(3, 10)
            for f_i, t_i in by_value.get(vi, ()):
                for f_c, t_c in pairs_c:
                    rows.append((0, f_c, t_c, f_i, t_i))
    return tuple(np.array(col, np.int64) for col in zip(*rows, strict=True))


def near_boundary_cases(max_total: int = 200, within: Fraction = Fraction(1, 10_000)):
    """Subjects with totals ≤ max_total whose exact SP is within `within` of 30 or 70 (on
    either side): for each (ct, it, cf), the insignificant counts just below and above."""
    rows = []
    it = np.arange(1, max_total + 1, dtype=np.int64)
    for ct in range(1, max_total + 1):
        for cf in range(ct + 1):
            for target in (30, 70):
                # smallest i_f with 70·cf·it + 30·i_f·ct > target·ct·it
                above = (target * ct * it - 70 * cf * it) // (30 * ct) + 1
                for i_f in (above - 1, above):
                    ok = (i_f >= 0) & (i_f <= it)
                    num = 70 * cf * it + 30 * i_f * ct
                    den = ct * it
                    near = ok & (np.abs(num - target * den) * within.denominator
                                 <= within.numerator * den)
                    for t, f in zip(it[near], i_f[near], strict=True):
                        rows.append((0, cf, ct, int(f), int(t)))
    rows = sorted(set(rows))
    return tuple(np.array(col, np.int64) for col in zip(*rows, strict=True))


def near_boundary_long_lists(count: int = 200_000, low: int = 700, high: int = 3000,
                             seed: int = 5) -> tuple[np.ndarray, ...]:
    """Random subjects with long checklists (low..high requirements of each kind) whose
    indicator is just above 30 or 70: the smallest i_f that crosses the boundary."""
    rng = np.random.default_rng(seed)
    ct = rng.integers(low, high + 1, count)
    it = rng.integers(low, high + 1, count)
    target = np.where(rng.random(count) < 0.5, 30, 70)
    cf = (rng.random(count) * (ct + 1)).astype(np.int64)
    i_f = (target * ct * it - 70 * cf * it) // (30 * ct) + 1
    ok = (i_f >= 0) & (i_f <= it)
    return tuple(a[ok] for a in (np.zeros(count, np.int64), cf, ct, i_f, it))


def openfisca_system():
    from openfisca_core.entities import build_entity
    from openfisca_core.periods import DateUnit
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem
    from openfisca_core.variables import Variable

    subject = build_entity(key="subject", plural="subjects", label="Subject of control",
                           is_person=True)

    def count_variable(name: str) -> type:
        return type(name, (Variable,), {"value_type": int, "entity": subject,
                                        "definition_period": DateUnit.YEAR, "label": name})

    class indicator(Variable):  # noqa: N801 - OpenFisca names variables in snake case
        value_type = float
        entity = subject
        definition_period = DateUnit.YEAR
        label = "Cr §13: 100 for a gross violation, else SRZ + SRN"

        def formula(s, period):  # noqa: N805
            gross = s("gross", period)
            cf, ct = s("considerable_found", period), s("considerable_total", period)
            i_f, it = s("insignificant_found", period), s("insignificant_total", period)
            srz = np.where(ct > 0, cf * 100 / np.where(ct > 0, ct, 1) * 0.7, 0)
            srn = np.where(it > 0, i_f * 100 / np.where(it > 0, it, 1) * 0.3, 0)
            return np.where(gross > 0, 100, srz + srn)

    class risk_band(Variable):  # noqa: N801
        value_type = int
        entity = subject
        definition_period = DateUnit.YEAR
        label = "Cr §12: 1 low (≤30), 2 average (≤70), 3 high"

        def formula(s, period):  # noqa: N805
            value = s("indicator", period)
            return np.select([value <= 30, value <= 70], [1, 2], 3)

    system = TaxBenefitSystem([subject])
    for name in ("gross", "considerable_found", "considerable_total", "insignificant_found",
                 "insignificant_total"):
        system.add_variable(count_variable(name))
    system.add_variable(indicator)
    system.add_variable(risk_band)
    return system


def openfisca_bands(system, cols: tuple[np.ndarray, ...]) -> np.ndarray:
    from openfisca_core.simulations import SimulationBuilder

    sim = SimulationBuilder().build_default_simulation(system, count=len(cols[0]))
    for name, col in zip(("gross", "considerable_found", "considerable_total",
                          "insignificant_found", "insignificant_total"), cols, strict=True):
        sim.set_input(name, "2026", col)
    return sim.calculate("risk_band", "2026")


def run(quick: bool = False) -> list[Result]:
    n = 20_000 if quick else 1_000_000
    cols = sample(n)
    results = [measure(f"kzreg exact score+band ({n:,})", lambda: score_arrays(*cols), ops=n,
                       repeats=3 if quick else 5)]
    try:
        system = openfisca_system()
    except ImportError:
        return results
    results.append(measure(f"OpenFisca float score+band ({n:,})",
                           lambda: openfisca_bands(system, cols), ops=n,
                           repeats=3 if quick else 5))
    return results


def notes(quick: bool = False) -> list[str]:
    out = []
    try:
        system = openfisca_system()
    except ImportError:
        return ["openfisca-core is not installed: no comparison"]
    for label, cols in (("benchmark sample", sample(20_000 if quick else 1_000_000)),
                        ("every boundary subject (totals ≤ 50, exact SP = 30 or 70)",
                         boundary_cases(20 if quick else 50)),
                        (f"every subject within 1/10000 of 30 or 70 (totals ≤ "
                         f"{40 if quick else 200})", near_boundary_cases(40 if quick else 200)),
                        ("random subjects just above 30 or 70 with 700-3000 requirements of "
                         "each kind", near_boundary_long_lists(20_000 if quick else 200_000))):
        _, _, exact = score_arrays(*cols)
        fisca = openfisca_bands(system, cols)
        wrong = int((fisca != exact).sum())
        out.append(f"{label}: {len(cols[0]):,} subjects, OpenFisca (float) puts {wrong:,} "
                   "in another band than the exact arithmetic")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    t0 = time.perf_counter()
    print(table(run(args.quick)))
    for note in notes(args.quick):
        print(f"\nnote: {note}")
    print(f"\n# total {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()

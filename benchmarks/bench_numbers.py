"""Exact arithmetic for the risk indicator of JO 1199/826, Cr §13, over a million subjects.

SP = (SP2c·100/SP1c)·0.7 + (SP2i·100/SP1i)·0.3, then the band of Cr §12 (≤30 low,
≤70 average, above: high). Timed with Fraction (exact), with Decimal at the default
28-digit context (exact only when the quotients terminate), through the helpers of
kzreg.law.numbers, and with float as a reference for what exactness costs (floats are
not allowed in legal arithmetic: (3·100/7)·0.7 is 29.999999999999996 in binary).
"""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

from benchmarks._harness import Result, measure
from kzreg.law.numbers import frac, percent_of, round_to

Subject = tuple[int, int, int, int]  # required/revealed considerable, insignificant


def subjects(count: int, seed: int = 3) -> list[Subject]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        req_c, req_i = rng.randint(1, 50), rng.randint(1, 50)
        out.append((req_c, rng.randint(0, req_c), req_i, rng.randint(0, req_i)))
    return out


F07, F03 = Fraction(7, 10), Fraction(3, 10)
D07, D03, D100 = Decimal("0.7"), Decimal("0.3"), Decimal(100)
N07, N03 = frac("0.7"), frac("0.3")


def band(sp) -> str:
    return "low" if sp <= 30 else "average" if sp <= 70 else "high"


def sp_fraction(s: Subject) -> Fraction:
    req_c, rev_c, req_i, rev_i = s
    return Fraction(rev_c * 100, req_c) * F07 + Fraction(rev_i * 100, req_i) * F03


def sp_decimal(s: Subject) -> Decimal:
    req_c, rev_c, req_i, rev_i = s
    return (Decimal(rev_c) * D100 / Decimal(req_c)) * D07 \
        + (Decimal(rev_i) * D100 / Decimal(req_i)) * D03


def sp_helpers(s: Subject) -> Fraction:
    req_c, rev_c, req_i, rev_i = s
    return percent_of(rev_c, req_c) * N07 + percent_of(rev_i, req_i) * N03


def sp_float(s: Subject) -> float:
    req_c, rev_c, req_i, rev_i = s
    return (rev_c * 100 / req_c) * 0.7 + (rev_i * 100 / req_i) * 0.3


def disagreements(max_required: int) -> dict[str, int]:
    """Every subject with up to `max_required` violations of each kind: how often Decimal
    and float give a value other than the exact one, and how often another band."""
    pairs = [(req, rev) for req in range(1, max_required + 1) for rev in range(req + 1)]
    # each term is computed as sp_* computes it; the sum is over every pair of terms
    terms = {kind: [(Fraction(rev * 100, req) * fw, Decimal(rev) * D100 / Decimal(req) * dw,
                     rev * 100 / req * w) for req, rev in pairs]
             for kind, fw, dw, w in (("c", F07, D07, 0.7), ("i", F03, D03, 0.3))}
    out = {"subjects": 0, "on a band boundary": 0, "decimal value": 0, "decimal band": 0,
           "float value": 0, "float band": 0}
    for fc, dc, xc in terms["c"]:
        for fi, di, xi in terms["i"]:
            exact, d, f = fc + fi, dc + di, xc + xi
            out["subjects"] += 1
            out["on a band boundary"] += exact in (30, 70)
            out["decimal value"] += d != exact
            out["float value"] += f != exact
            right = band(exact)
            out["decimal band"] += band(d) != right
            out["float band"] += band(f) != right
    return out


def run(quick: bool = False) -> list[Result]:
    count = 5_000 if quick else 1_000_000
    repeats = 3
    data = subjects(count)

    def with_fraction() -> None:
        for s in data:
            band(sp_fraction(s))

    def with_decimal() -> None:
        for s in data:
            band(sp_decimal(s))

    def with_helpers() -> None:
        for s in data:
            band(sp_helpers(s))

    def fraction_rounded() -> None:
        for s in data:
            round_to(sp_fraction(s), 2)

    def with_float() -> None:
        for s in data:
            band(sp_float(s))

    return [
        measure("risk SP + band, Fraction", with_fraction, ops=count, repeats=repeats),
        measure("risk SP + band, Decimal (28 digits)", with_decimal, ops=count,
                repeats=repeats),
        measure("risk SP + band, numbers.percent_of/frac", with_helpers, ops=count,
                repeats=repeats),
        measure("risk SP, Fraction + numbers.round_to(2)", fraction_rounded, ops=count,
                repeats=repeats),
        measure("risk SP + band, float (reference only)", with_float, ops=count,
                repeats=repeats),
    ]


def notes(quick: bool = False) -> list[str]:
    limit = 12 if quick else 50
    counts = disagreements(limit)
    return [f"risk SP for every subject with 1..{limit} required violations of each kind, "
            "compared with the exact Fraction: "
            + ", ".join(f"{k} {v:,}" for k, v in counts.items())]

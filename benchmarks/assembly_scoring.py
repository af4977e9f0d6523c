"""Scoring claim lists against R-App2 / R-App3 (Order 493), with the full explanation.

    python -m benchmarks.assembly_scoring [--quick]

kzreg: `kzreg.assembly.scoring.score_case` on a realistic car case (every R-App2 line
claimed, mixed origins, per-unit items) and a truck case (every R-App3 line), dated so the
threshold is judged too. Reported: time per case, including validation, table selection,
the explanation and the JSON form.
"""

from __future__ import annotations

import argparse

from benchmarks._harness import Result, measure, table
from kzreg.assembly.scoring import score_case
from kzreg.assembly.tables import versions

ORIGINS = ("KZ", "BY", "RU", "CN", "DE")


def full_case(vehicle: str) -> dict:
    name = "R-App2" if vehicle == "car" else "R-App3"
    claims = []
    for n, line in enumerate(versions(name)[-1].scored_lines):
        claim = {"item": line.id}
        if line.kind == "component":
            claim["origin"] = ORIGINS[n % len(ORIGINS)]
            claim["incompatibility_documented"] = n % 2 == 0
        if line.unit is not None:
            claim["quantity"] = "2" if line.unit.per in ("patent", "model", "tranche") else "12.5"
        claims.append(claim)
    return {"vehicle": vehicle, "agreement_concluded_on": "2021-03-01", "as_of": "2027-05-01",
            "claims": claims}


def run(quick: bool = False) -> list[Result]:
    n = 20 if quick else 200
    results = []
    for vehicle in ("car", "truck"):
        case = full_case(vehicle)
        lines = len(case["claims"])
        results.append(measure(f"score_case {vehicle} ({lines} claims)",
                               lambda case=case: [score_case(case) for _ in range(n)], ops=n,
                               repeats=3 if quick else 5))
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.assembly_scoring")
    parser.add_argument("--quick", action="store_true")
    print(table(run(quick=parser.parse_args().quick)))

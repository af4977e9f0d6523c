"""Properties of the score: more claims never lower it; the order of claims is irrelevant."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from kzreg.assembly.scoring import score_case
from kzreg.assembly.tables import versions

ORIGINS = ["KZ", "BY", "RU", "AM", "KG", "CN", "DE", "TR"]


def claim_for(line, origin: str, documented: bool, quantity: Decimal) -> dict:
    claim = {"item": line.id}
    if line.kind == "component":
        claim["origin"] = origin
        claim["incompatibility_documented"] = documented
    if line.unit is not None:
        if line.unit.per in ("patent", "model", "tranche"):
            quantity = quantity.to_integral_value()
        claim["quantity"] = str(quantity)
    return claim


@st.composite
def cases(draw):
    vehicle = draw(st.sampled_from(["car", "truck", "bus"]))
    table = versions("R-App2" if vehicle == "car" else "R-App3")[-1]
    lines = draw(st.lists(st.sampled_from(table.scored_lines), unique_by=lambda x: x.id,
                          max_size=25))
    claims = [claim_for(line, draw(st.sampled_from(ORIGINS)), draw(st.booleans()),
                        draw(st.decimals(min_value=0, max_value=100, places=2)))
              for line in lines]
    return vehicle, claims


def total(vehicle: str, claims: list[dict]) -> Decimal:
    return Decimal(str(score_case({"vehicle": vehicle, "claims": claims})["total"]))


@settings(max_examples=60, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_order_of_claims_is_irrelevant(case, rnd) -> None:
    vehicle, claims = case
    shuffled = list(claims)
    rnd.shuffle(shuffled)
    assert total(vehicle, claims) == total(vehicle, shuffled)


@settings(max_examples=60, deadline=None)
@given(cases(), st.integers(min_value=0, max_value=25))
def test_score_is_monotone_in_claims(case, cut) -> None:
    vehicle, claims = case
    assert total(vehicle, claims[:cut]) <= total(vehicle, claims)
    assert total(vehicle, claims) >= 0

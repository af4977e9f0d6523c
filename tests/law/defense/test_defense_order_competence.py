"""Who acts by the funds' budget and the date (Law 236-VI Art 6-1, Art 7 sub 8, Art 25,
Art 31 p.2, Art 32 p.1): the digest's cases T7.1-T7.3 and T10.3, worked from the text."""

from __future__ import annotations

import datetime as dt

import pytest

from kzreg.defense.competence import Funds, who_acts
from kzreg.law.errors import NotInForce
from kzreg.law.settings import override


def bodies(on: dt.date, funds: Funds) -> dict[str, tuple[str, str]]:
    value = who_acts(on, funds).value
    return {k: (f["body"], f["basis"].locator) for k, f in value["functions"].items()}


def test_recipient_budget_the_recipient_selects_signs_finances() -> None:   # T7.1
    got = bodies(dt.date(2026, 1, 1), Funds.RECIPIENT)
    assert got["select_contractor"] == ("recipient", "Art 7 sub 8")
    assert got["conclude_contract"] == ("recipient", "Art 25 sub 6")
    assert got["finance"] == ("recipient", "Art 25 sub 7")
    assert got["approve_research_reports"] == ("recipient", "Art 7 sub 14-2")
    assert got["notified_of_contract_events"] == ("sdp_body", "Art 22 p.12")


def test_sdp_body_budget_after_law_211_viii() -> None:   # T7.2, T10.3 (after)
    result = who_acts(dt.date(2026, 1, 1), Funds.SDP_BODY)
    got = {k: (f["body"], f["basis"].locator) for k, f in result.value["functions"].items()}
    assert got["select_contractor"] == ("sdp_body", "Art 6-1 sub 12")
    assert got["conclude_contract"] == ("sdp_body", "Art 6-1 sub 14")
    assert got["supply_to_recipient"] == ("sdp_body", "Art 6-1 sub 17")
    assert got["accept"] == ("recipient", "Art 25 sub 6")
    # the publication date of Law 211-VIII is not loaded: the answer is flagged
    assert result.value["flagged"] is True


def test_transitional_rule_2020_the_authorised_body_concludes() -> None:   # T7.3
    got = bodies(dt.date(2020, 6, 1), Funds.SDP_BODY)
    assert got["conclude_contract"] == ("authorised_body", "Art 31 p.2")
    # before Law 211-VIII the SDP body's selection was the authorised body's (inferred)
    assert got["select_contractor"] == ("authorised_body", "Art 31 p.2")
    assert bodies(dt.date(2020, 6, 1), Funds.RECIPIENT)["conclude_contract"][0] == "recipient"


def test_transition_ends_with_2020_and_contracts_articles_from_2020() -> None:
    assert bodies(dt.date(2021, 1, 1), Funds.SDP_BODY)["conclude_contract"][0] == \
        "authorised_body"   # still before Law 211-VIII, but no longer Art 31 p.2
    assert bodies(dt.date(2021, 1, 1), Funds.SDP_BODY)["conclude_contract"][1] == "Art 31 p.2"
    assert who_acts(dt.date(2019, 11, 15), Funds.SDP_BODY).value[
        "contract_articles_in_force"] is False                            # T10.1
    assert who_acts(dt.date(2020, 1, 15), Funds.SDP_BODY).value[
        "contract_articles_in_force"] is True


def test_unknown_start_of_the_sdp_body_can_be_refused() -> None:
    with override(defense__sdp_body_start_if_publication_unknown="refuse"), \
            pytest.raises(NotInForce):
        who_acts(dt.date(2026, 1, 1), Funds.SDP_BODY)
    with override(acts__publication_dates={"law-211-VIII": "2025-07-20"}):
        result = who_acts(dt.date(2025, 8, 1), Funds.SDP_BODY)
        early = who_acts(dt.date(2025, 7, 29), Funds.SDP_BODY)
    assert result.value["flagged"] is False and result.value["sdp_body_exists"] is True
    assert early.value["sdp_body_exists"] is False


def test_prototypes_and_tasks_by_funds_and_date() -> None:
    """Art 6-1 sub 13, 20; Art 25 sub 4; Art 7 sub 11-13."""
    after = bodies(dt.date(2026, 1, 1), Funds.SDP_BODY)
    assert after["communicate_tasks"] == ("sdp_body", "Art 6-1 sub 13")
    assert after["approve_testing_rules"] == ("sdp_body", "Art 6-1 sub 20")
    assert after["state_testing"] == ("recipient", "Art 7 sub 11")
    assert after["accept_prototypes"] == ("recipient", "Art 7 sub 13")
    assert after["mass_production_documents"] == ("recipient", "Art 7 sub 12")
    assert bodies(dt.date(2026, 1, 1), Funds.RECIPIENT)["communicate_tasks"] == (
        "recipient", "Art 25 sub 4")
    # before Law 211-VIII the SDP body's part was the authorised body's (inferred)
    assert bodies(dt.date(2024, 1, 1), Funds.SDP_BODY)["approve_testing_rules"] == (
        "authorised_body", "Art 31 p.2")

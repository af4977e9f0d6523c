"""Contractor selection (Law 236-VI Art 20), the register (Art 1 sub 24) and the offshore gate
(Art 20 p.10): the digest's cases T4, T6, T10.2 worked by hand from the text."""

from __future__ import annotations

import datetime as dt

import pytest

from kzreg.defense import registers
from kzreg.defense.registers import Entity, Kind, OffshoreList, Owner, Register
from kzreg.defense.selection import (
    Competition,
    EnvelopeOpening,
    Gate,
    Item,
    Outcome,
    Purpose,
    offshore_gate,
    select,
)
from kzreg.law.errors import Conflict, InputError, LegalRuleError, NotFound, NotInForce
from kzreg.law.rules import get_rule
from kzreg.law.settings import override

ON = dt.date(2025, 4, 1)
# A synthetic list for the tests: "XO" and "XP" are not assigned ISO codes.
ZONES = OffshoreList("test-list", "test order", dt.date(2024, 1, 1), frozenset({"XO", "XP"}))

A = Entity("100000000001", "Alpha", production_facilities_in_kz=True)
B = Entity("100000000002", "Beta", production_facilities_in_kz=True,
           protects_classified=True, protection_level=2)
C = Entity("100000000003", "Gamma", production_facilities_in_kz=True)
AO = Entity("990000000009", "Authorized organization")


def book() -> Register:
    register = Register()
    for entity in (A, B, C):
        register.include(entity, (Kind.PRODUCER,), ("1", "9"), dt.date(2024, 6, 1), "decision 1")
    return register


def opening(**kw) -> EnvelopeOpening:
    base = dict(held_on=ON, members=("chair", "member"), signed_by=("chair", "member"),
                envelopes=(A.bin, B.bin, C.bin), present=(A.bin,), audio_ref="a.ogg",
                video_ref="v.mp4")
    return EnvelopeOpening(**{**base, **kw})


def contest(winner: str | None = B.bin, **kw) -> Competition:
    return Competition((A, B, C), winner, opening(**kw))


# --- the offshore gate (T4) ----------------------------------------------------------------

def test_t4_1_registered_in_an_offshore_zone_is_ineligible() -> None:
    entity = Entity("1", "Offshore Ltd", jurisdiction="XO")
    result = offshore_gate(entity, ON, zones=ZONES)
    assert result.value is Gate.INELIGIBLE
    assert result.citations[-1].locator == "Art 20 p.10"
    assert offshore_gate(A, ON, zones=ZONES).value is Gate.ELIGIBLE


def test_t4_2_offshore_legal_entity_owner_and_importer() -> None:
    owned = Entity("2", "KZ Co", owners=(Owner("Holding", True, "XP"),))
    assert offshore_gate(owned, ON, zones=ZONES).value is Gate.INELIGIBLE
    foreign = Entity("3", "Foreign supplier", resident=False, jurisdiction="XO")
    assert offshore_gate(foreign, ON, purpose=Purpose.IMPORT_MILITARY,
                         zones=ZONES).value is Gate.INELIGIBLE


def test_dual_use_import_is_flagged_by_default() -> None:
    foreign = Entity("3", "Foreign supplier", resident=False, jurisdiction="XO")
    assert offshore_gate(foreign, ON, purpose=Purpose.IMPORT_DUAL_USE,
                         zones=ZONES).value is Gate.REVIEW
    with override(defense__offshore_import_goods_scope="military_and_dual_use"):
        assert offshore_gate(foreign, ON, purpose=Purpose.IMPORT_DUAL_USE,
                             zones=ZONES).value is Gate.INELIGIBLE


def test_t4_3_special_body_and_research_scope() -> None:
    entity = Entity("4", "Offshore Ltd", jurisdiction="XO")
    assert offshore_gate(entity, ON, special_state_body=True,
                         zones=ZONES).value is Gate.INELIGIBLE
    research_owner = Entity("5", "Lab", owners=(Owner("Holding", True, "XO"),))
    result = offshore_gate(research_owner, ON, research=True, zones=ZONES)
    assert result.value is Gate.REVIEW          # literal: not applicable; flagged
    assert "Art 20 p.8" in [c.locator for c in result.citations]
    with override(defense__offshore_research_handling="not_applied"):
        assert offshore_gate(research_owner, ON, research=True,
                             zones=ZONES).value is Gate.NOT_APPLICABLE


def test_natural_person_owner_is_flagged_not_refused() -> None:
    entity = Entity("6", "KZ Co", owners=(Owner("Mr X", False, "XO"),))
    assert offshore_gate(entity, ON, zones=ZONES).value is Gate.REVIEW
    with override(defense__offshore_natural_person_owner="not_covered"):
        assert offshore_gate(entity, ON, zones=ZONES).value is Gate.ELIGIBLE


def test_the_dated_list_in_force() -> None:
    later = OffshoreList("v2", "test order 2", dt.date(2025, 1, 1), frozenset({"XQ"}))
    assert registers.offshore_list(dt.date(2024, 6, 1), [ZONES, later]).id == "test-list"
    assert registers.offshore_list(ON, [ZONES, later]).id == "v2"
    with pytest.raises(NotInForce):
        registers.offshore_list(dt.date(2023, 1, 1), [ZONES, later])


def test_no_list_loaded_refuses_to_answer() -> None:
    # the shipped data holds no version: the gate refuses rather than pass everyone
    with pytest.raises(NotInForce) as err:
        offshore_gate(A, ON)
    assert err.value.citation.locator == "Art 20 p.10"


# --- the register ------------------------------------------------------------------------

def test_register_inclusion_conditions() -> None:
    foreign = Entity("7", "Foreign", resident=False, production_facilities_in_kz=False)
    problems = registers.check_inclusion(foreign, (Kind.PRODUCER,), ON).value
    assert any(p.startswith("resident") for p in problems)
    assert any(p.startswith("production_facilities_in_kz") for p in problems)
    supplier = Entity("8", "Service Co")
    assert registers.check_inclusion(supplier, (Kind.SUPPLIER,), ON).value == []
    with pytest.raises(InputError):
        Register().include(foreign, (Kind.PRODUCER,), ("1",), ON, "d")


def test_register_dates_and_removal() -> None:
    register = book()
    with pytest.raises(Conflict):
        register.include(A, (Kind.PRODUCER,), ("1",), ON, "again")
    register.remove(C.bin, ON, "qualification lost")
    assert {e.entity.bin for e in register.members(ON, "1")} == {A.bin, B.bin}
    assert len(register.members(dt.date(2025, 3, 31), "1")) == 3
    assert register.members(dt.date(2024, 5, 31)) == []
    with pytest.raises(NotFound):
        register.remove(C.bin, ON, "twice")


# --- the cascade (T6, T10.2) ---------------------------------------------------------------

def test_t6_1_register_competition_selects_the_winner() -> None:
    result = select(Item("1", competition=contest()), ON, book(), ZONES)
    assert result.value.outcome is Outcome.REGISTER_WINNER
    assert result.value.contractor == B.bin
    assert "Art 20 p.4 part 2" in [c.locator for c in result.citations]


def test_opening_without_video_or_signatures_is_refused() -> None:
    with pytest.raises(LegalRuleError) as err:
        select(Item("1", competition=contest(video_ref=None)), ON, book(), ZONES)
    assert "audio and video" in str(err.value)
    with pytest.raises(LegalRuleError) as err:
        select(Item("1", competition=contest(signed_by=("chair",))), ON, book(), ZONES)
    assert "member" in str(err.value)
    with pytest.raises(LegalRuleError):
        select(Item("1", competition=contest(present=("777",))), ON, book(), ZONES)


def test_participant_outside_the_register_is_refused() -> None:
    stranger = Entity("200000000000", "Stranger")
    with pytest.raises(LegalRuleError) as err:
        select(Item("1", competition=Competition((A, stranger), A.bin,
                                                 opening(envelopes=(A.bin,)))),
               ON, book(), ZONES)
    assert err.value.citation.locator == "Art 20 p.4 part 1"


def test_classified_item_needs_a_winner_able_to_protect_it() -> None:
    assert select(Item("1", secrecy_level=2, competition=contest()), ON, book(),
                  ZONES).value.contractor == B.bin
    with pytest.raises(LegalRuleError) as err:
        select(Item("1", secrecy_level=1, competition=contest(A.bin)), ON, book(), ZONES)
    assert err.value.citation.locator == "Art 20 p.4 part 4"
    with override(defense__classified_protection_gate="considered"):
        assert select(Item("1", secrecy_level=1, competition=contest(A.bin)), ON, book(),
                      ZONES).value.contractor == A.bin


def test_offshore_winner_is_refused() -> None:
    owned = Entity(A.bin, "Alpha", production_facilities_in_kz=True,
                   owners=(Owner("Holding", True, "XO"),))
    with pytest.raises(LegalRuleError) as err:
        select(Item("1", competition=Competition((owned, B), owned.bin,
                                                 opening(envelopes=(A.bin, B.bin)))),
               ON, book(), ZONES)
    assert err.value.citation.locator == "Art 20 p.10"


def test_t6_2_authorized_organization_then_exclusion() -> None:
    result = select(Item("1", authorized_organization=AO), ON, book(), ZONES)
    assert result.value == result.value.__class__(Outcome.AUTHORIZED_ORGANIZATION, AO.bin)
    excluded = select(Item("1", authorized_organization=AO, ao_can_supply=False), ON,
                      book(), ZONES)
    assert excluded.value.outcome is Outcome.PUBLIC_PROCUREMENT
    assert excluded.citations[-2].locator == "Art 20 p.6"
    moved = select(Item("1", authorized_organization=AO, ao_can_supply=False,
                        after_exclusion="redistribute"), ON, book(), ZONES)
    assert moved.value.outcome is Outcome.REDISTRIBUTED


def test_offshore_authorized_organization_cannot_supply() -> None:
    ao = Entity(AO.bin, AO.name, owners=(Owner("Holding", True, "XP"),))
    result = select(Item("1", authorized_organization=ao), ON, book(), ZONES)
    assert result.value.outcome is Outcome.PUBLIC_PROCUREMENT


def test_t6_3_reserve_supply_and_research() -> None:
    depot = Entity("300000000003", "Reserve depot")
    result = select(Item("9", reserve_supplier=depot), ON, book(), ZONES)
    assert result.value == result.value.__class__(Outcome.RESERVE_SUPPLIER, depot.bin)
    # no depot holds the assets: the register competition of p.4-6 (p.7 part 2)
    fallback = select(Item("9", competition=contest(A.bin)), ON, book(), ZONES)
    assert fallback.value.contractor == A.bin
    assert "Art 20 p.7 part 2" in [c.locator for c in fallback.citations]
    research = select(Item("6", dstc_selected=True), ON, book(), ZONES)
    assert research.value.outcome is Outcome.RESEARCH
    assert [c.locator for c in research.citations][:2] == ["Art 20 p.8", "Art 21 p.1"]
    assert select(Item("6"), ON, book(), ZONES).value.outcome is Outcome.RESEARCH_NOT_SELECTED


def test_reserve_refresh_transfer_comes_first() -> None:
    result = select(Item("1", reserve_refresh_match=True, competition=contest()), ON,
                    book(), ZONES)
    assert result.value.outcome is Outcome.RESERVE_TRANSFER


def test_special_state_body_skips_pp3_to_7_but_not_p10() -> None:
    result = select(Item("1", special_state_body=True, special_body_contractor=C), ON,
                    book(), ZONES)
    assert result.value.outcome is Outcome.SPECIAL_BODY
    offshore = Entity("9", "Offshore", jurisdiction="XO")
    with pytest.raises(LegalRuleError):
        select(Item("1", special_state_body=True, special_body_contractor=offshore), ON,
               book(), ZONES)


def test_t10_2_no_authorized_organization_fallback_before_september_2019() -> None:
    early = dt.date(2019, 8, 1)
    result = select(Item("1", authorized_organization=AO), early, Register(), ZONES)
    assert result.value.outcome is Outcome.NOT_SELECTED
    on_day = select(Item("1", authorized_organization=AO), dt.date(2019, 9, 1), Register(),
                    ZONES)
    assert on_day.value.outcome is Outcome.AUTHORIZED_ORGANIZATION


def test_selection_rule_from_json() -> None:
    member = {"bin": A.bin, "production_facilities_in_kz": True}
    result = get_rule("defense.selection").run({
        "category": "1",
        "members": [{"entity": member, "categories": ["1"], "included_on": "2024-06-01"}],
        "competition": {"participants": [A.bin], "winner": A.bin, "opening": {
            "held_on": "2025-04-01", "members": ["chair"], "signed_by": ["chair"],
            "envelopes": [A.bin], "audio_ref": "a", "video_ref": "v"}},
        "offshore_list": {"id": "t", "approved_by": "t", "effective_from": "2024-01-01",
                          "jurisdictions": ["XO"]}}, ON)
    assert result.value.contractor == A.bin
    assert result.to_dict()["value"]["outcome"] == "register_contractor_selected"


# --- the lists that decide what the order buys (Art 19 p.1 part 3, p.2 parts 2-3) ----------

def test_item_not_on_the_first_heads_list_goes_to_public_procurement() -> None:
    result = select(Item("2", on_list=False, competition=contest()), ON, book(), ZONES)
    assert result.value.outcome is Outcome.PUBLIC_PROCUREMENT
    assert "Art 19 p.2 part 3" in [c.locator for c in result.citations]
    listed = select(Item("1", on_list=True, competition=contest()), ON, book(), ZONES)
    assert listed.value.outcome is Outcome.REGISTER_WINNER


def test_special_body_buys_what_is_not_on_its_list_by_public_procurement() -> None:
    result = select(Item("1", special_state_body=True, special_body_contractor=C,
                         on_list=False), ON, book(), ZONES)
    assert result.value.outcome is Outcome.PUBLIC_PROCUREMENT
    assert "Art 19 p.1 part 2" in [c.locator for c in result.citations]
    # on its list, the special body's own selection (Art 20 p.9)
    assert select(Item("1", special_state_body=True, special_body_contractor=C, on_list=True),
                  ON, book(), ZONES).value.outcome is Outcome.SPECIAL_BODY

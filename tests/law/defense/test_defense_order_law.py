"""The order (Law 236-VI Art 19), its requirements (Art 20 p.2) and secrecy (Art 25 sub 3):
cases worked by hand from the text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from kzreg.defense import order, secrecy
from kzreg.defense.order import Route
from kzreg.defense.requirements import Requirement, matches_frozen
from kzreg.law.errors import Conflict, InputError, LegalRuleError
from kzreg.law.rules import get_rule
from kzreg.law.settings import override

ON = dt.date(2025, 3, 3)


@pytest.mark.parametrize(("category", "listed", "special", "expected", "clause"), [
    ("1", False, False, Route.ORDER, "Art 19 p.1 part 1"),
    ("2", True, False, Route.ORDER, "Art 19 p.1 part 1"),
    ("2", False, False, Route.PUBLIC_PROCUREMENT, "Art 19 p.2 part 3"),
    ("12", False, False, Route.PUBLIC_PROCUREMENT, "Art 19 p.2 part 3"),
    ("5", False, True, Route.EITHER, "Art 19 p.1 part 2"),
    ("7", False, True, Route.PUBLIC_PROCUREMENT, "Art 19 p.2 part 3"),
])
def test_route_classifier(category, listed, special, expected, clause) -> None:
    result = order.route(category, in_head_list=listed, special_state_body=special)
    assert result.value is expected
    assert result.steps[-1].citation.locator == clause


def test_item_the_authorized_organization_cannot_supply_leaves_the_order() -> None:
    result = order.route("1", ao_cannot_supply=True)
    assert result.value is Route.PUBLIC_PROCUREMENT
    assert "Art 20 p.6" in [c.locator for c in result.citations]


def test_unknown_category_names_the_field() -> None:
    with pytest.raises(InputError) as err:
        order.route("13")
    assert err.value.field == "category"


def line(**kw) -> order.Line:
    base = dict(nomenclature="armoured vehicle", category="1", quantity=Decimal(100),
                unit_price=Decimal(10000), deadline=dt.date(2025, 12, 1), recipient="MoD",
                contractor="111111111111", section="I", stage="2025")
    return order.Line(**{**base, **kw})


def draft(*lines: order.Line, **kw) -> order.Draft:
    base = dict(planning_period="2025-2027", lines=lines or (line(),), recipients=("MoD",),
                contractors=("111111111111",))
    return order.Draft(**{**base, **kw})


def test_complete_draft_and_its_totals() -> None:
    d = draft(line(), line(nomenclature="spare parts", quantity=Decimal(3),
                           unit_price=Decimal("2500.50"), section="II", stage="2026"))
    result = order.validate(d, ON)
    assert result.value == []
    totals = result.steps[1].output
    # 100 x 10,000 + 3 x 2,500.50 = 1,007,501.50
    assert totals["total"] == Decimal("1007501.50")
    assert totals["sections"] == {"I": Decimal(1000000), "II": Decimal("7501.50")}


def test_draft_without_contractors_is_invalid() -> None:
    problems = order.validate(draft(contractors=()), ON).value
    assert any("Art 19 p.3 sub 4" in p for p in problems)


def test_draft_line_without_deadline_or_price() -> None:
    problems = order.validate(draft(line(deadline=None, unit_price=Decimal(0))), ON).value
    assert any("deadline" in p and "sub 1" in p for p in problems)
    assert any("unit_price" in p and "sub 2" in p for p in problems)


def test_funds_check_is_a_warning_unless_set_to_error() -> None:
    d = draft(allocated_funds=Decimal(999999))
    assert order.validate(d, ON).value == []
    with override(defense__sdo_funds_check="error"):
        assert any("Art 24 p.1" in p for p in order.validate(d, ON).value)


def test_approval_needs_a_government_act_and_complete_content() -> None:
    approved = order.approve(draft(), "Decree 123", ON).value
    assert approved.act_date == ON
    with pytest.raises(InputError):
        order.approve(draft(), " ", ON)
    with pytest.raises(LegalRuleError) as err:
        order.approve(draft(recipients=()), "Decree 123", ON)
    assert err.value.citation.locator == "Art 19 p.3"


def test_approved_order_is_not_changed_by_an_art_23_p2_modification() -> None:
    approved = order.approve(draft(), "Decree 123", ON).value
    result = order.check_change(approved, ON, contract_ground="quantity_change",
                                government_act="Decree 200")
    assert result.value is False
    assert "Art 19 p.4" in [c.locator for c in result.citations]
    # Art 19 p.4 applies from 1 January 2020 (Art 32 p.1): before it, only the act matters
    early = order.check_change(approved, dt.date(2019, 11, 15), contract_ground="tts_change",
                               government_act="Decree 200")
    assert early.value is True


def test_approved_order_changes_only_by_a_government_act() -> None:
    approved = order.approve(draft(), "Decree 123", ON).value
    assert order.check_change(approved, ON).value is False
    assert order.check_change(approved, ON, government_act="Decree 200").value is True


def test_rule_registry_runs_order_content() -> None:
    result = get_rule("defense.order-content").run(
        {"planning_period": "2025-2027", "recipients": ["MoD"], "contractors": [],
         "lines": [{"nomenclature": "radio", "category": "3", "quantity": "5",
                    "unit_price": "100", "deadline": "2025-12-01", "recipient": "MoD",
                    "contractor": "X", "section": "I", "stage": "2025"}]}, ON)
    assert any("sub 4" in p for p in result.value)


def requirement() -> Requirement:
    tts = Requirement("radio station", "MoD")
    tts.draft({"range_km": "60"}, "Astana, unit 1234", national_standards=("ST RK 1",))
    return tts


def test_tts_versions_freeze_and_mismatch() -> None:
    tts = requirement()
    with pytest.raises(LegalRuleError):
        tts.send(1, ON)              # not approved yet (Art 25 sub 5)
    tts.approve(1, ON)
    tts.send(1, ON)
    frozen = tts.freeze(1, "selection-7")
    with pytest.raises(Conflict):
        tts.freeze(1, "selection-8")
    second = tts.revise(1, {"range_km": "40"})
    assert second.number == 2 and tts.get(1).characteristics == {"range_km": "60"}
    # T5.3: the contract lists 40 km while the frozen selection specification said 60 km
    diffs = matches_frozen(frozen, {"range_km": "40"}).value
    assert diffs == ["range_km: selection 60, contract 40"]
    assert matches_frozen(frozen, {"range_km": "60"}).value == []


def test_tts_needs_the_place_of_delivery() -> None:
    with pytest.raises(InputError) as err:
        Requirement("x", "MoD").draft({"a": "1"}, " ")
    assert err.value.field == "place_of_delivery"


def test_secrecy_can_see_and_redact() -> None:
    assert secrecy.can_see(2, 1) and secrecy.can_see(1, 1) and not secrecy.can_see(0, 1)
    assert secrecy.level_of("top secret") == 2
    with pytest.raises(InputError):
        secrecy.level_of(7)
    record = {"nomenclature": "radio", "unit_price": "100",
              "spec": {"range_km": "60", "band": "VHF"}}
    levels = {"unit_price": 1, "spec.range_km": 2}
    officer = SimpleNamespace(clearance=1)
    public = SimpleNamespace(clearance=0)
    seen = secrecy.redact(record, officer, levels)
    assert seen == {"nomenclature": "radio", "unit_price": "100",
                    "spec": {"range_km": secrecy.WITHHELD, "band": "VHF"}}
    hidden = secrecy.redact(record, public, levels)
    assert hidden["unit_price"] == secrecy.WITHHELD
    assert "100" not in str(hidden) and "60" not in str(hidden)
    whole = secrecy.redact(record, officer, record_level=2)
    assert set(whole.values()) == {secrecy.WITHHELD}


def test_guarded_explanation_leaks_nothing() -> None:
    explained = order.validate(draft(line(nomenclature="classified missile")), ON)
    stub = secrecy.guard(explained, SimpleNamespace(clearance=0), 2)
    text = stub.to_text() + str(stub.to_dict())
    assert "missile" not in text and "1000000" not in text
    assert secrecy.guard(explained, SimpleNamespace(clearance=3), 2) is explained


def application(**kw):
    from kzreg.defense.applications import Application

    base = dict(recipient="MoD", category="1", nomenclature="armoured vehicle",
                quantity=Decimal(10), planning_period="2025-2027",
                justification="re-equipment programme, staff standard 12",
                place_of_delivery="Astana")
    return Application(**{**base, **kw})


def test_applications_feed_the_draft() -> None:
    from kzreg.defense.applications import check_application

    areas = frozenset({"radar"})
    assert check_application(application(), areas, ON).value == []
    problems = check_application(application(category="2", justification=" "), areas,
                                 ON).value
    assert any("Art 19 p.2 part 3" in p for p in problems)
    assert any("Art 25 sub 1" in p for p in problems)
    research = application(category="6", research_area="lasers", place_of_delivery="")
    assert any("Art 25 sub 2" in p for p in check_application(research, areas, ON).value)
    assert check_application(application(category="6", research_area="radar",
                                         place_of_delivery=""), areas, ON).value == []


def test_research_enters_only_on_dstc_selection_after_an_opinion() -> None:
    from kzreg.defense.applications import research_included

    areas = frozenset({"radar"})
    assert research_included("radar", areas, "positive, council 3", True, ON).value is True
    assert research_included("radar", areas, None, True, ON).value is False
    assert research_included("radar", areas, "positive", False, ON).value is False
    assert research_included("lasers", areas, "positive", True, ON).value is False


def test_research_report_steps_run_in_the_order_of_art_21() -> None:
    """Examined by the council (Art 21 p.4), considered by the DSTC (p.2 task 4), approved
    (Art 6-1 sub 19 / Art 7 sub 14-2): never out of order, never dated backwards."""
    from kzreg.defense.applications import report_step

    day = dt.date(2025, 5, 10)
    assert report_step("submitted", "examine", day, day).value == "examined"
    assert report_step("examined", "consider", day, day).value == "considered"
    assert report_step("considered", "approve", day, day).value == "approved"
    with pytest.raises(LegalRuleError) as refused:
        report_step("submitted", "approve", day, day)
    assert refused.value.citation.locator == "Art 6-1 sub 19"
    with pytest.raises(InputError):
        report_step("submitted", "examine", day, day + dt.timedelta(days=1))
    with pytest.raises(InputError):
        report_step("submitted", "publish", day, day)

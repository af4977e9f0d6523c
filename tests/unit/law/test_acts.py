"""The acts registry: loading, validation, date arithmetic, settings, CLI and docs."""

from __future__ import annotations

import copy
import datetime as dt
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from kzreg.law import acts
from kzreg.law.acts import (
    EffectiveRule,
    InForceUnknown,
    covers,
    explain_in_force,
    get_act,
    in_force,
    normalize_provision,
    parse_registry,
    resolve,
    version_on,
)
from kzreg.law.citations import cite
from kzreg.law.errors import InputError, NotFound, NotInForce
from kzreg.law.settings import override

D = dt.date
ROOT = Path(__file__).resolve().parents[3]
ACTS_YAML = ROOT / "src" / "kzreg" / "law" / "data" / "acts.yaml"
DOC = ROOT / "docs" / "acts.md"

PROJECT_IDS = ["order-407", "order-487", "order-493", "order-303", "law-86-VII", "jo-1199-826",
               "law-236-VI", "budget-2024", "budget-2025", "budget-2026", "code-customs",
               "code-civil"]


def raw_registry() -> dict:
    return yaml.safe_load(ACTS_YAML.read_text(encoding="utf-8"))


# --- the registry ---------------------------------------------------------------------

@pytest.mark.parametrize("act_id", PROJECT_IDS)
def test_every_project_act_id_resolves_for_citations(act_id):
    assert get_act(act_id).short
    assert str(cite(act_id, "§1")).endswith(", §1")


def test_short_names_read_as_the_digests_cite_them():
    assert get_act("order-407").short == "Order 407"
    assert get_act("law-86-VII").short == "Law 86-VII"
    assert get_act("jo-1199-826").short == "Joint Order 1199/826"


def test_seed_facts_are_recorded():
    order = get_act("order-407")
    assert (order.adopted, order.registration_date, order.registration_number) == (
        D(2021, 4, 28), D(2021, 4, 28), "22649")
    assert order.rests_on[0] == cite("code-customs", "Art 437(6)")
    assert get_act("order-493").registration_number == "21252"
    assert get_act("order-493").abolished.by == "order-303"
    assert {a.by for a in get_act("law-86-VII").amendments} >= {"law-188-VIII", "law-107-VIII"}
    assert {a.by for a in get_act("law-236-VI").amendments} >= {"law-211-VIII", "law-33-VIII"}


def test_unknown_act_names_the_field():
    with pytest.raises(NotFound) as err:
        get_act("order-999")
    assert err.value.field == "act"


def test_amendment_label_gives_the_amending_act_and_its_date():
    amendment = get_act("order-407").amendments[0]
    assert amendment.label == "Order 487 of 26.07.2024"
    assert [a.act for a in acts.amendments_by("law-177-VII")] == ["law-86-VII", "law-236-VI"]


def test_every_act_id_in_acts_yaml_appears_in_docs():
    text = DOC.read_text(encoding="utf-8")
    missing = [act_id for act_id in raw_registry() if f"`{act_id}`" not in text]
    assert not missing, f"docs/acts.md lacks {missing}; run `kzreg acts doc > docs/acts.md`"


def test_docs_are_current():
    from kzreg.law.acts_doc import render

    assert DOC.read_text(encoding="utf-8") == render(), \
        "docs/acts.md is stale: run `kzreg acts doc > docs/acts.md`"


# --- validation of the data -----------------------------------------------------------

def _broken(mutate) -> dict:
    data = copy.deepcopy(raw_registry())
    mutate(data)
    return data


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d["order-407"].update(kind="decree"), "acts.order-407.kind"),
    (lambda d: d["order-407"].update(typo=1), "acts.order-407"),
    (lambda d: d["order-407"]["entry_into_force"].update(rule="soon"),
     "acts.order-407.entry_into_force.rule"),
    (lambda d: d["order-407"]["entry_into_force"].pop("days"),
     "acts.order-407.entry_into_force"),
    (lambda d: d["order-487"]["entry_into_force"].pop("date"),
     "acts.order-487.entry_into_force.date"),
    (lambda d: d["order-407"]["amendments"][0].update(by="order-999"),
     "acts.order-407.amendments"),
    (lambda d: d["order-493"]["abolished"].update(by="order-999"),
     "acts.order-493.abolished.by"),
    (lambda d: d["order-407"].update(adopted="28.04.2021"), "acts.order-407.adopted"),
    (lambda d: d["order-407"]["rests_on"][0].update(extra="x"), "acts.order-407.rests_on"),
    (lambda d: d["law-86-VII"]["amendments"][0]["changes"][0].update(action="repealed"),
     "acts.law-86-VII.amendments[0].changes[0].action"),
])
def test_bad_registry_data_is_rejected_naming_the_field(mutate, field):
    with pytest.raises(InputError) as err:
        parse_registry(_broken(mutate))
    assert err.value.field == field


def test_the_shipped_registry_parses():
    assert set(parse_registry(raw_registry())) == {a.id for a in acts.all_acts()}


# --- provisions -----------------------------------------------------------------------

@pytest.mark.parametrize("rule, provision, expected", [
    ("Art 22", "Art 22", True),
    ("Art 22", "Art 22 p.5", True),
    ("Art 22", "Art 22(5)", True),
    ("Art 2", "Art 22", False),
    ("Art 51", "Art 51-1", False),
    ("Art 20 p.2", "Art 20", False),
])
def test_covers_matches_whole_provisions_only(rule, provision, expected):
    assert covers(rule, provision) is expected


def test_provision_names_are_normalized():
    assert normalize_provision("Article  22") == "Art 22"
    assert normalize_provision("Art. 51-1") == "Art 51-1"


# --- counting from publication (settings) ---------------------------------------------

TEN_DAYS = EffectiveRule("after_publication", "ten calendar days after publication", days=10)
SIX_MONTHS = EffectiveRule("after_publication", "six months after publication", months=6)


def test_unknown_publication_gives_unknown_date_with_a_lower_bound():
    eff = resolve(TEN_DAYS, "order-407")
    assert eff.date is None and not eff.verified
    assert eff.not_before == D(2021, 5, 9)  # registered 28.04.2021 + 10 + 1


def test_counting_setting_decides_plus_n_or_plus_n_plus_1():
    with override(acts__publication_dates={"order-407": "2021-04-29"}):
        assert resolve(TEN_DAYS, "order-407").date == D(2021, 5, 10)
        with override(acts__effective_after_publication_counting="publication_plus_n"):
            assert resolve(TEN_DAYS, "order-407").date == D(2021, 5, 9)


def test_months_are_counted_by_calendar_month():
    with override(acts__publication_dates={"law-71-VIII": "2024-08-31"}):
        assert resolve(SIX_MONTHS, "law-71-VIII").date == D(2025, 3, 1)  # 28.02 + 1
        with override(acts__effective_after_publication_counting="publication_plus_n"):
            assert resolve(SIX_MONTHS, "law-71-VIII").date == D(2025, 2, 28)


def test_publication_supplied_by_setting_is_marked_as_such():
    with override(acts__publication_dates={"order-303": "2022-06-01"}):
        pub = acts.publication("order-303")
        assert pub.date == D(2022, 6, 1) and pub.verified
        assert "acts.publication_dates" in pub.note


def test_bad_publication_date_in_setting_names_the_field():
    with override(acts__publication_dates={"order-303": "1 June"}):
        with pytest.raises(InputError) as err:
            acts.publication("order-303")
    assert err.value.field == "settings.acts.publication_dates.order-303"


def test_counting_setting_refuses_other_values():
    with pytest.raises(InputError):
        with override(acts__effective_after_publication_counting="plus_two"):
            pass


def test_until_setting_moves_the_boundary_day():
    assert acts.explain_provision_in_force("law-86-VII", "Art 51", D(2026, 1, 1)).value is False
    with override(acts__until_is_exclusive=False):
        assert acts.explain_provision_in_force("law-86-VII", "Art 51",
                                               D(2026, 1, 1)).value is True
        assert acts.explain_provision_in_force("law-86-VII", "Art 51",
                                               D(2026, 1, 2)).value is False


# --- three-valued answers ---------------------------------------------------------------

def test_in_force_refuses_to_guess():
    with pytest.raises(InForceUnknown) as err:
        in_force("order-493", D(2021, 6, 1))
    assert isinstance(err.value, NotInForce)
    assert err.value.field == "on"
    assert "publication" in err.value.message


def test_explained_in_force_cites_the_entry_into_force_clause():
    result = explain_in_force("order-407", D(2025, 1, 1))
    assert result.value is True
    assert cite("order-407", "Ord §3") in result.citations
    assert result.to_dict()["value"] is True


def test_a_datetime_is_not_a_date():
    with pytest.raises(InputError) as err:
        explain_in_force("order-407", dt.datetime(2025, 1, 1, 12, 0))
    assert err.value.field == "on"


def test_version_label_names_the_latest_amendment_in_force():
    assert version_on("order-407", D(2025, 1, 1)).label == "as amended by Order 487 of 26.07.2024"
    assert version_on("order-493", D(2020, 1, 1)).label == "not in force"


# --- CLI ------------------------------------------------------------------------------

runner = CliRunner()


def _cli(*args: str):
    from kzreg.cli import app

    return runner.invoke(app, list(args))


def test_cli_acts_list_shows_every_act():
    result = _cli("acts", "list")
    assert result.exit_code == 0
    for act_id in PROJECT_IDS:
        assert act_id in result.output


def test_cli_acts_show_on_a_date_says_why():
    result = _cli("acts", "show", "order-407", "--on", "2024-11-22")
    assert result.exit_code == 0, result.output
    assert "Order 487 of 26.07.2024" in result.output
    assert "not yet in force on that day" in result.output
    assert "Rules §3" in result.output
    assert "UNVERIFIED" in result.output  # the inferred 'in force by'


def test_cli_provision_command():
    result = _cli("acts", "provision", "law-236-VI", "Art 22", "--on", "2019-12-31")
    assert result.exit_code == 0
    assert "not in force" in result.output


@pytest.mark.parametrize("args, field", [
    (["acts", "show", "order-999"], "act:"),
    (["acts", "show", "order-407", "--on", "2024-13-01"], "on:"),
    (["params", "show", "nope"], "parameter:"),
    (["params", "show", "mci", "--on", "2019-06-01"], "on:"),
])
def test_cli_bad_input_exits_2_naming_the_field(monkeypatch, capsys, args, field):
    from kzreg.cli import main

    monkeypatch.setattr(sys, "argv", ["kzreg", *args])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 2
    assert capsys.readouterr().err.startswith(f"error: {field}")

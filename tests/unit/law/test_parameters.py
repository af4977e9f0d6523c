"""Dated parameters: lookups by date, boundaries, exactness, validation, CLI."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from kzreg.law.citations import cite
from kzreg.law.errors import InputError, NotFound, NotInForce
from kzreg.law.parameters import get_parameter, mci, mci_amount, parse_parameter

D = dt.date
MCI_YAML = (Path(__file__).resolve().parents[3] / "src" / "kzreg" / "law" / "data"
            / "parameters" / "mci.yaml")


@pytest.mark.parametrize("day, value", [
    (D(2020, 3, 31), "2651"), (D(2020, 4, 1), "2778"),
    (D(2021, 6, 1), "2917"), (D(2022, 6, 1), "3063"), (D(2023, 6, 1), "3450"),
    (D(2024, 1, 1), "3692"), (D(2024, 12, 31), "3692"),
    (D(2025, 1, 1), "3932"), (D(2025, 12, 31), "3932"), (D(2026, 1, 1), "4325"),
])
def test_mci_by_date(day, value):
    assert mci(day).value == Decimal(value)


def test_mci_for_social_payments_changed_within_2022():
    benefits = get_parameter("mci_benefits")
    assert benefits.at(D(2022, 3, 31)).value == Decimal("3063")
    assert benefits.at(D(2022, 4, 1)).value == Decimal("3180")
    assert benefits.at(D(2022, 4, 1)).source.act == "law-121-VII"
    # ... while the MCI for penalties, taxes and other payments stayed at 3,063
    assert mci(D(2022, 4, 1)).value == Decimal("3063")


def test_value_knows_its_period_and_source():
    value = mci(D(2025, 6, 1))
    assert (value.since, value.until) == (D(2025, 1, 1), D(2025, 12, 31))
    assert value.source == cite("budget-2025", "MCI clause")
    assert value.verified
    use = value.use()
    assert (use.name, use.value, use.source, use.verified) == ("mci", Decimal("3932"),
                                                                value.source, True)


@pytest.mark.parametrize("day", [D(2019, 12, 31), D(2027, 1, 1)])
def test_no_value_outside_the_known_years_names_the_date(day):
    with pytest.raises(NotInForce) as err:
        mci(day)
    assert err.value.field == "on"
    assert day.isoformat() in err.value.message


def test_unknown_parameter_names_the_field():
    with pytest.raises(NotFound) as err:
        get_parameter("mzp")
    assert err.value.field == "parameter"


def test_mci_amount_is_exact_and_cites_the_budget_law_and_the_threshold():
    result = mci_amount(700_000, D(2025, 3, 1), basis=cite("order-493", "R §7"))
    assert result.value == Decimal("2752400000")
    assert result.citations == [cite("budget-2025", "MCI clause"), cite("order-493", "R §7")]
    assert result.steps[0].parameters[0].name == "mci"


def test_mci_amount_takes_fractions_and_refuses_floats():
    assert mci_amount(Fraction(1, 2), D(2024, 5, 1)).value == Decimal("1846")
    assert mci_amount("0.5", D(2024, 5, 1)).value == Decimal("1846.0")
    with pytest.raises(InputError) as err:
        mci_amount(0.5, D(2024, 5, 1))
    assert err.value.field == "multiple"
    with pytest.raises(InputError):
        mci_amount(-1, D(2024, 5, 1))


# --- validation -----------------------------------------------------------------------

def raw() -> dict:
    return yaml.safe_load(MCI_YAML.read_text(encoding="utf-8"))


def _with(mutate) -> dict:
    data = copy.deepcopy(raw())
    mutate(data)
    return data


def test_a_float_in_yaml_is_refused():
    data = yaml.safe_load(MCI_YAML.read_text(encoding="utf-8").replace('"3692"', "3692.0"))
    with pytest.raises(InputError) as err:
        parse_parameter("mci", data)
    assert err.value.field == "parameters.mci.values[5].value"


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d["values"][1].update(since=D(2019, 1, 1)), "parameters.mci.values[1].since"),
    (lambda d: d["values"][1].update(since=d["values"][0]["since"]),
     "parameters.mci.values[1].since"),
    (lambda d: d["values"][0].update(until=D(2020, 4, 1)), "parameters.mci.values[1].since"),
    (lambda d: d["values"][0].update(until=D(2019, 1, 1)), "parameters.mci.values[0].until"),
    (lambda d: d["values"][0].pop("verified"), "parameters.mci.values[0].verified"),
    (lambda d: d["values"][0].update(value=True), "parameters.mci.values[0].value"),
    (lambda d: d["values"][0].update(value="1/3"), "parameters.mci.values[0].value"),
    (lambda d: d["values"][0].update(value="abc"), "parameters.mci.values[0].value"),
    (lambda d: d["values"][0].update(source={"act": "budget-1999"}),
     "parameters.mci.values[0].source"),
    (lambda d: d["values"][0].update(since="1 Jan 2020"), "parameters.mci.values[0].since"),
    (lambda d: d["values"][0].update(typo=1), "parameters.mci.values[0]"),
    (lambda d: d.pop("unit"), "parameters.mci.unit"),
    (lambda d: d.update(values=[]), "parameters.mci.values"),
])
def test_bad_parameter_data_is_rejected_naming_the_field(mutate, field):
    with pytest.raises(InputError) as err:
        parse_parameter("mci", _with(mutate))
    assert err.value.field == field


def test_an_open_value_runs_until_the_day_before_the_next():
    data = _with(lambda d: [v.pop("until") for v in d["values"]])
    param = parse_parameter("mci", data)
    assert param.values[0].until == D(2020, 3, 31)
    assert param.values[-1].until is None
    assert param.at(D(2030, 1, 1)).value == Decimal("4325")


def test_integer_values_are_accepted():
    data = _with(lambda d: d["values"][0].update(value=2651))
    assert parse_parameter("mci", data).values[0].value == Decimal(2651)


# --- CLI ------------------------------------------------------------------------------

def _cli(*args: str):
    from kzreg.cli import app

    return CliRunner().invoke(app, list(args))


def test_cli_params_show_on_a_date_gives_value_and_source():
    result = _cli("params", "show", "mci", "--on", "2025-01-01")
    assert result.exit_code == 0
    assert "3932 KZT" in result.output and "Law 141-VIII" in result.output


def test_cli_params_show_without_date_gives_the_history():
    result = _cli("params", "show", "mci_benefits")
    assert result.exit_code == 0
    assert "3063" in result.output and "3180" in result.output and "4325" in result.output


def test_cli_params_list():
    result = _cli("params", "list")
    assert result.exit_code == 0
    assert "mci " in result.output and "mci_benefits" in result.output

"""The five-year thresholds of R §24 on every kind of day of the 20-year term."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kzreg.assembly.scoring import score_case
from kzreg.assembly.tables import versions
from kzreg.assembly.thresholds import judge, period_of, term_last_day
from kzreg.law.errors import InputError, LegalRuleError
from kzreg.law.explain import Trace
from kzreg.law.settings import override

D = dt.date


def case(total_items: list[dict], concluded: str, as_of: str) -> dict:
    return {"vehicle": "car", "agreement_concluded_on": concluded, "as_of": as_of,
            "claims": total_items}


ENTRY = [{"item": "1"}]                         # 3000


@pytest.mark.parametrize(("as_of", "threshold", "period"), [
    ("2021-03-01", 3000, 1),       # the day of conclusion
    ("2026-02-28", 3000, 1),       # the day before the fifth anniversary
    ("2026-03-01", 5000, 2),       # the fifth anniversary starts period 2
    ("2031-02-28", 5000, 2),
    ("2031-03-01", 7000, 3),
    ("2036-02-29", 7000, 3),       # 2036 is a leap year
    ("2036-03-01", 9000, 4),
    ("2041-03-01", 9000, 4),       # the last day of the term
])
def test_threshold_on_anniversaries(as_of: str, threshold: int, period: int) -> None:
    result = score_case(case(ENTRY, "2021-03-01", as_of))
    assert result["threshold"] == threshold
    assert result["period"]["number"] == period
    assert result["meets_threshold"] is (threshold == 3000)


def test_outside_the_term() -> None:
    with pytest.raises(LegalRuleError, match="ended on 2041-03-01"):
        score_case(case(ENTRY, "2021-03-01", "2041-03-02"))
    with pytest.raises(InputError, match="before the agreement was concluded"):
        score_case(case(ENTRY, "2021-03-01", "2021-02-28"))
    with override(assembly__term_last_day="day_before_twentieth_anniversary"), \
            pytest.raises(LegalRuleError, match="ended on 2041-02-28"):
        score_case(case(ENTRY, "2021-03-01", "2041-03-01"))


def test_digest_a_t10_surplus_carries_over() -> None:
    table = versions("R-App2")[-1]
    concluded = D(2021, 3, 1)
    ok = judge(table, Decimal(3600), concluded, D(2022, 6, 1), Trace())
    assert ok.meets and ok.surplus == 600
    assert not judge(table, Decimal(4999), concluded, D(2026, 6, 1), Trace()).meets
    assert judge(table, Decimal(5000), concluded, D(2026, 6, 1), Trace()).meets
    assert judge(table, Decimal(9000), concluded, D(2036, 3, 1), Trace()).threshold == 9000


def test_new_points_per_period_reading() -> None:
    table = versions("R-App2")[-1]
    with override(assembly__surplus_carry_over="new_points_per_period"):
        # 3,600 at the start of period 2, 5,000 now: only 1,400 new points
        check = judge(table, Decimal(5000), D(2021, 3, 1), D(2026, 6, 1), Trace(),
                      period_start_total=Decimal(3600))
        assert not check.meets
        with pytest.raises(InputError):
            judge(table, Decimal(5000), D(2021, 3, 1), D(2026, 6, 1), Trace())


def test_29_february_conclusion() -> None:
    table = versions("R-App3")[-1]
    concluded = D(2024, 2, 29)
    assert period_of(table, concluded, D(2029, 2, 27))[0] == 0
    assert period_of(table, concluded, D(2029, 2, 28)) == (1, D(2029, 2, 28), D(2034, 2, 27))
    assert term_last_day(table, concluded) == D(2044, 2, 29)


def test_threshold_only_with_both_dates() -> None:
    result = score_case({"vehicle": "car", "claims": ENTRY, "as_of": "2021-06-01"})
    assert "threshold" not in result and result["total"] == 3000


def test_scoring_refused_before_2021() -> None:
    with pytest.raises(LegalRuleError, match="not earlier than 2021-01-01"):
        score_case(case(ENTRY, "2020-12-30", "2021-06-01"))

"""Industrial grant funds (Law 86-VII Art 42(5)): a year's balance is not returned to the
budget but spent on grants the next year. Independent cases computed by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kzreg.law.errors import InputError
from kzreg.law.rules import get_rule
from kzreg.producers.grant_funds import FundsInput, funds

ON = dt.date(2028, 3, 1)


def test_the_balance_is_carried_to_the_next_year():
    rows = funds(FundsInput(year=2028, allocated={2026: Decimal("1000000000"),
                                                   2027: Decimal("500000000")},
                            granted={2026: Decimal("700000000"),
                                     2027: Decimal("900000000.50")}), ON).value
    assert [(r.year, r.opening, r.allocated, r.granted, r.closing, r.overcommitted)
            for r in rows] == [
        (2026, 0, 1000000000, 700000000, 300000000, False),
        # 300,000,000 carried + 500,000,000 = 800,000,000 available; 100,000,000.50 short
        (2027, 300000000, 500000000, Decimal("900000000.50"), Decimal("-100000000.50"), True),
        (2028, 0, 0, 0, 0, False)]


def test_the_rule_cites_art_42_5_and_refuses_without_funds():
    result = get_rule("producers.industrial-grant-funds").run(
        {"year": 2027, "allocated": {"2026": "10", "2027": "5"}, "granted": {"2026": "4"}},
        ON)
    assert result.value[-1].opening == 6 and result.value[-1].closing == 11
    assert any(s.citation.locator == "Art 42(5)" and "not returned" in s.description
               for s in result.steps)
    with pytest.raises(InputError):
        funds(FundsInput(year=2025, allocated={2026: Decimal(1)}), ON)

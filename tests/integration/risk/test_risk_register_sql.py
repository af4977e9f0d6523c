"""The register at national scale, on SQLite and PostgreSQL: degrees computed by the
database agree with the numpy arithmetic of planning/indicator for every subject of the demo
(under several readings of the settings); pages, filters and the chart come from SQL."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import numpy as np
import pytest

from kzreg.law.settings import override
from kzreg.platform.db import unit_of_work
from kzreg.risk import demo, planning, register
from kzreg.risk.indicator import score_arrays
from kzreg.risk.subjects import Degree


def numpy_degrees(session):
    """Each subject's (objective, indicator, subjective) by the planning path."""
    rows = register.plan_inputs(session, dt.date(2027, 1, 1))
    cols = planning.columns(rows)
    objective = planning._objective_columns(cols.type_code, cols.relief)
    counts = np.array([(r.gross, r.considerable_found, r.considerable_total,
                        r.insignificant_found, r.insignificant_total) for r in rows], np.int64)
    _, _, subjective = score_arrays(*counts.T)
    if planning.get_setting("risk.downgrade_applies_to").value == "final_degree":
        steps = planning.get_setting("risk.downgrade_max_steps").value
        subjective = np.maximum(subjective - np.minimum(cols.relief, steps), 1)
    return {r.id: (Degree.of_rank(o).value if o else None, Fraction(int(n), int(d)),
                   Degree.of_rank(int(s)).value)
            for r, o, n, d, s in zip(rows, objective, cols.num, cols.den, subjective,
                                     strict=True)}


@pytest.fixture
def demo_db(db):
    with unit_of_work() as s:
        assert "3000 subjects" in demo.load(s)
    return db


READINGS = [
    {},
    {"risk__band_boundaries": "round_half_up_first"},
    {"risk__downgrade_applies_to": "final_degree"},
    {"risk__downgrade_max_steps": 3, "risk__unlisted_subject_types_class": "average"},
]


@pytest.mark.parametrize("reading", READINGS, ids=["default", "round", "final", "steps"])
def test_sql_register_agrees_with_numpy(demo_db, reading):
    with override(**reading), unit_of_work() as s:
        expected = numpy_degrees(s)
        got = {r["code"]: (r["objective_degree"], Fraction(r["indicator_fraction"]),
                           r["degree"]) for r in register.all_rows(s)}
        assert got == expected
        dist = register.distribution(s)
    objective = {}
    for o, _, _ in expected.values():
        objective[o or "unclassified"] = objective.get(o or "unclassified", 0) + 1
    assert dist["objective"] == objective
    assert sum(dist["subjective"].values()) == 3000


def test_pages_and_filters_in_sql(demo_db):
    with unit_of_work() as s:
        everyone = register.all_rows(s)
        first = register.page(s, per_page=50)
        assert first.total == 3000 and len(first.rows) == 50 and first.pages == 60
        last = register.page(s, per_page=50, page=60)
        assert [r["code"] for r in last.rows][-1] == "KZ-03000"
        high = register.page(s, register.Filters(type="regulated_product_seller",
                                                 degree="high", objective="high"))
        expected = [r for r in everyone if r["type"] == "regulated_product_seller"
                    and r["degree"] == "high" and r["objective_degree"] == "high"]
        assert high.total == len(expected) > 0
        assert all(r["degree"] == "high" for r in high.rows)
        unclassed = register.page(s, register.Filters(objective="unclassified"))
        assert unclassed.total == sum(1 for r in everyone if r["objective_degree"] is None)
        named = register.page(s, register.Filters(q="kz-0012"))
        assert named.total == 10 and named.rows[0]["code"] == "KZ-00120"
        assert register.page(s, register.Filters(q="%")).total == 0   # no wildcard

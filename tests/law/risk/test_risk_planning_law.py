"""Planning (Cr §6-8, §10, §12-16): each subject planned or skipped with its clause."""

import datetime as dt

import pytest

from kzreg.law.errors import InputError
from kzreg.law.settings import override
from kzreg.risk.planning import PlanInput, build_plan, columns, five_percent_cap
from kzreg.risk.subjects import ControlKind as K
from kzreg.risk.subjects import SubjectType as T

D = dt.date
HIGH_SCORE = dict(considerable_found=9, considerable_total=10, insignificant_found=4,
                  insignificant_total=10)          # 75: high
AVG_SCORE = dict(considerable_found=5, considerable_total=10, insignificant_found=2,
                 insignificant_total=10)           # 41: average


YEAR_2026 = (D(2026, 1, 1), D(2026, 12, 31))


def plan(rows, control=K.COMPLIANCE_CHECK, info=True, period=YEAR_2026):
    return build_plan(columns(rows), *period, control, information_system=info)


def by_id(p):
    return {e["id"]: e for e in p.entries()}


def test_each_reason_with_its_clause():
    rows = [
        PlanInput("gross", T.REGULATED_PRODUCT_SELLER, gross=1),
        PlanInput("avg", T.ORIGIN_EXPERT_ORGANIZATION, **AVG_SCORE),
        PlanInput("lab", T.TEST_LABORATORY, **HIGH_SCORE),
        PlanInput("fair", T.REGULATED_PRODUCT_SELLER, exempt_until=D(2026, 12, 31), **HIGH_SCORE),
        PlanInput("fair-half", T.REGULATED_PRODUCT_SELLER, exempt_until=D(2026, 6, 30),
                  **HIGH_SCORE),
        PlanInput("fixed", T.REGULATED_PRODUCT_SELLER, eliminated_on=D(2025, 5, 1), **HIGH_SCORE),
        PlanInput("recent", T.ORIGIN_CERTIFICATE_BODY, last_check=D(2025, 12, 31), **HIGH_SCORE),
        PlanInput("clean", T.REGULATED_PRODUCT_SELLER, considerable_total=10),
        PlanInput("old-fix", T.REGULATED_PRODUCT_SELLER, eliminated_on=D(2024, 5, 1), gross=1),
        PlanInput("avg-recent", T.CONFORMITY_ASSESSMENT_BODY, last_check=D(2024, 6, 1),
                  **HIGH_SCORE),
    ]
    out = by_id(plan(rows))
    assert out["gross"]["status"] == "planned" and out["gross"]["rank"] == 1
    assert out["old-fix"]["status"] == "planned"      # two periods ago: no longer excluded
    assert out["avg"]["status"] == "planned"
    assert out["lab"]["clause"] == "Cr §6"
    assert out["fair"]["clause"] == "Cr §14"           # exempted for the whole period
    # an exemption ending inside the period: planned, but not before its end (Cr §14)
    assert out["fair-half"]["status"] == "planned"
    assert out["fair-half"]["not_before"] == "2026-07-01"
    assert out["fixed"]["clause"] == "Cr §10"          # B-T17
    # high: one check a year, so the next on the period's last day at the earliest
    assert out["recent"]["status"] == "planned" and out["recent"]["not_before"] == "2026-12-31"
    assert out["clean"]["clause"] == "Cr §12"
    # average degree: once in two years, last 2024-06-01 → from 2026-06-01, inside the period
    assert out["avg-recent"]["status"] == "planned"
    assert out["avg-recent"]["not_before"] == "2026-06-01"


def test_recent_check_blocks_until_the_year_is_full():
    rows = [PlanInput("a", T.REGULATED_PRODUCT_SELLER, last_check=D(2026, 1, 15), **HIGH_SCORE)]
    assert by_id(plan(rows))["a"]["clause"] == "Cr §7"
    rows = [PlanInput("a", T.REGULATED_PRODUCT_SELLER, last_check=D(2025, 3, 1), **HIGH_SCORE)]
    assert by_id(plan(rows))["a"]["not_before"] == "2026-03-01"


def test_low_degree_gets_no_preventive_control_with_visit():
    rows = [PlanInput("tc", T.TRAINING_CENTER, gross=1),
            PlanInput("ins", T.ORIGIN_EXPERT_ORGANIZATION, relief_grounds=1, gross=1)]
    out = by_id(plan(rows, K.PREVENTIVE_WITH_VISIT))
    assert out["tc"]["clause"] == "Cr §8"
    assert out["ins"]["clause"] == "Cr §8" and out["ins"]["degree"] == "low"   # B-T13
    assert by_id(plan(rows, K.COMPLIANCE_CHECK))["tc"]["status"] == "planned"


def test_b_t14_five_percent_cap():
    assert five_percent_cap(240).value == 12
    assert five_percent_cap(250).value == 12
    assert five_percent_cap(19).value == 0
    with override(risk__five_percent_cap_rounding="ceiling"):
        assert five_percent_cap(250).value == 13


def test_cap_keeps_the_highest_indicators_exactly():
    rows = [PlanInput(f"s{k:03}", T.REGULATED_PRODUCT_SELLER, considerable_found=k % 10 + 1,
                      considerable_total=10, insignificant_found=1, insignificant_total=3)
            for k in range(100)]
    rows.append(PlanInput("top", T.REGULATED_PRODUCT_SELLER, gross=1))
    p = plan(rows, info=False)
    assert p.cap == 5 and int(p.planned.sum()) == 5
    planned = [e for e in p.entries() if e["status"] == "planned"]
    assert planned[0]["id"] == "top"
    assert [e["id"] for e in planned[1:]] == ["s009", "s019", "s029", "s039"]
    assert sum(e["clause"] == "Cr §16" for e in p.entries()) > 0
    assert any("5%" in s.description for s in p.explained.steps)


def test_bad_period_and_control():
    rows = [PlanInput("a", T.REGULATED_PRODUCT_SELLER)]
    with pytest.raises(InputError):
        plan(rows, period=(D(2026, 2, 1), D(2026, 1, 1)))
    with pytest.raises(InputError):
        plan(rows, K.UNSCHEDULED)


def test_priority_is_exact_where_floats_tie():
    import numpy as np

    from kzreg.risk.planning import _priority

    # 30 and 30 + 10⁻¹⁷ are the same float; the larger must still come first
    num = np.array([3 * 10**17, 3 * 10**17 + 1, 5], dtype=object)
    den = np.array([10**16, 10**16, 1], dtype=object)
    degree = np.array([3, 3, 3])
    last = np.array([0, 0, 0])
    assert list(_priority(np.arange(3), num, den, degree, last)) == [1, 0, 2]

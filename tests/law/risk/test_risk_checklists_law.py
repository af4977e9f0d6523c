"""Checklists as data (Cr §11, Cr-App1..5) and rapid response (Cr §16-2, §16-3)."""

import datetime as dt

import pytest

from kzreg.law.errors import InputError, LegalRuleError, NotFound
from kzreg.risk.checklists import (
    Severity,
    appendices,
    checklist_for,
    count_violations,
    parse_severities,
    requirements,
)
from kzreg.risk.rapid_response import measures_for, prohibition_term
from kzreg.risk.subjects import ControlKind as K
from kzreg.risk.subjects import SubjectType as T


def test_the_text_keeps_97_requirements_in_five_appendices():
    assert [len(a.requirements) for a in appendices()] == [2, 5, 6, 32, 52]
    assert len(requirements()) == 97
    assert requirements()["cr-app5-14"].text.count("30 (thirty) calendar days") == 1
    assert requirements()["cr-app1-01"].text.startswith("compliance of National Flag")


def test_checklist_selection():
    assert checklist_for(T.STATE_SYMBOLS_MANUFACTURER, K.COMPLIANCE_CHECK).value.locator == \
        "Cr-App2"
    assert checklist_for(T.TRAINING_CENTER, K.UNSCHEDULED).value.locator == "Cr-App3"
    with pytest.raises(NotFound):   # B-G9: Cr-App3 only for unscheduled inspections
        checklist_for(T.TRAINING_CENTER, K.PREVENTIVE_WITH_VISIT)
    with pytest.raises(NotFound):   # Cr-App6 is absent
        checklist_for(T.CONFORMITY_ASSESSMENT_BODY, K.UNSCHEDULED)


def test_scoring_refuses_without_severities_and_names_the_setting():
    app2 = checklist_for(T.STATE_SYMBOLS_MANUFACTURER, K.COMPLIANCE_CHECK).value
    partial = {"cr-app2-01": Severity.GROSS}
    with pytest.raises(LegalRuleError) as err:
        count_violations(app2, ["cr-app2-02"], partial)
    assert err.value.field == "risk.requirement_severity_table"
    assert "cr-app2-02" in err.value.message


def test_counts_from_a_filled_checklist():
    app2 = checklist_for(T.STATE_SYMBOLS_MANUFACTURER, K.COMPLIANCE_CHECK).value
    sev = parse_severities("cr-app2-01: considerable\ncr-app2-02: considerable\n"
                           "cr-app2-03: insignificant\ncr-app2-04: insignificant\n"
                           "cr-app2-05: gross\n", "s.yaml")
    counts = count_violations(app2, ["cr-app2-02", "cr-app2-03"], sev,
                              not_applicable=["cr-app2-05"]).value
    assert (counts.gross, counts.considerable_found, counts.considerable_total,
            counts.insignificant_found, counts.insignificant_total) == (0, 1, 2, 1, 2)
    with pytest.raises(InputError):
        count_violations(app2, ["cr-app4-01"], sev)


def test_severity_files_are_validated():
    with pytest.raises(InputError) as err:
        parse_severities("id,severity\ncr-app1-01,severe\n", "s.csv")
    assert err.value.field == "s.csv.cr-app1-01"
    with pytest.raises(NotFound):
        parse_severities('{"cr-app9-01": "gross"}', "s.json")
    assert parse_severities("id,severity\ncr-app1-01,Gross\n", "s.csv") == {
        "cr-app1-01": Severity.GROSS}


def test_b_t15_rapid_response():
    assert measures_for([17]).value.measures == {"prohibition": (17,), "withdrawal": ()}
    assert measures_for([24]).value.measures == {"prohibition": (), "withdrawal": (24,)}
    both = measures_for([293]).value
    assert both.measures == {"prohibition": (293,), "withdrawal": (293,)}
    assert both.flagged_for_review == (293,)
    assert not measures_for([18]).value.any
    with pytest.raises(InputError):
        measures_for(["x"])


def test_prohibition_runs_thirty_calendar_days_from_the_day_after():
    term = prohibition_term(dt.date(2025, 1, 31)).value
    assert (term.first_day, term.last_day) == (dt.date(2025, 2, 1), dt.date(2025, 3, 2))

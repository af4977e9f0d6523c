"""Order 407 deadlines: §5 (24 hours), §11 (one hour), §14 (one hour), §18(3) (five years),
and which wording of the Rules applied (Order 487, in force 23.11.2024). C-T6, C-T7, C-T9,
C-T13 to C-T15."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from kzreg.law.citations import cite
from kzreg.law.errors import NotInForce
from kzreg.law.rules import get_rule
from kzreg.law.settings import override

AS_OF = dt.date(2025, 6, 1)
ALMATY = "+05:00"


def run(rule_id, data, as_of=AS_OF):
    return get_rule(rule_id).run(data, as_of)


def utc(text):
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


# --- §5 -------------------------------------------------------------------------------------

def test_rules_5_c_t7_parties_informed_and_escort_organised_within_24_hours():
    """C-T7: decision 2024-12-02 09:15; all due by 2024-12-03 09:15; the carrier informed at
    09:16 on 12-03 is a breach, each action judged on its own (decision_24h_scope)."""
    result = run("escort.organise-deadline", {
        "decided_at": f"2024-12-02T09:15:00{ALMATY}",
        "declarant_informed_at": f"2024-12-02T12:00:00{ALMATY}",
        "carrier_informed_at": f"2024-12-03T09:16:00{ALMATY}",
        "operator_informed_at": f"2024-12-03T09:15:00{ALMATY}",
        "organised_at": f"2024-12-03T09:00:00{ALMATY}"})
    assert result.value.due == utc(f"2024-12-03T09:15:00{ALMATY}")
    verdict = {a.action: a.on_time for a in result.value.actions}
    assert verdict == {"declarant informed": True, "carrier informed": False,
                       "national operator informed": True, "escort organised": True}
    assert result.value.breached
    assert cite("order-407", "Rules §5") in result.citations


def test_order_487_c_t15_decision_before_23_11_2024_needs_the_unavailable_earlier_text():
    """C-T15: §5 was reworded by Order 487 from 23.11.2024; for a decision of 2024-11-20 the
    earlier wording applied and it is not loaded (setting escort.pre_amendment_dates)."""
    with pytest.raises(NotInForce) as err:
        run("escort.organise-deadline", {"decided_at": f"2024-11-20T10:00:00{ALMATY}"})
    assert err.value.field == "decided_at"
    assert "not loaded" in err.value.message
    assert err.value.citation.act == "order-487"
    with override(escort__pre_amendment_dates="apply_current_text"):
        result = run("escort.organise-deadline", {"decided_at": f"2024-11-20T10:00:00{ALMATY}"})
    assert result.value.due == utc(f"2024-11-21T10:00:00{ALMATY}")
    assert any("current wording is applied" in s.description for s in result.steps)


# --- §11 ------------------------------------------------------------------------------------

def test_rules_11_c_t6_departure_notice_on_time_destination_notice_late():
    """C-T6: removal at 12:00; departure office informed 12:40, destination office 13:05."""
    result = run("escort.notice-deadline", {
        "occurred_at": f"2025-04-01T12:00:00{ALMATY}",
        "departure": {"sent_at": f"2025-04-01T12:39:00{ALMATY}",
                      "delivered_at": f"2025-04-01T12:40:00{ALMATY}"},
        "destination": {"sent_at": f"2025-04-01T12:59:00{ALMATY}",
                        "delivered_at": f"2025-04-01T13:05:00{ALMATY}"}})
    assert result.value.due == utc(f"2025-04-01T13:00:00{ALMATY}")
    assert [a.on_time for a in result.value.actions] == [True, False]


def test_rules_11_the_notice_counts_when_delivered_per_the_setting():
    data = {"occurred_at": "2025-04-01T12:00:00Z",
            "destination": {"sent_at": "2025-04-01T12:59:00Z",
                            "delivered_at": "2025-04-01T13:05:00Z"}}
    assert run("escort.notice-deadline", data).value.actions[1].on_time is False
    with override(escort__notice_counts_when="sent"):
        assert run("escort.notice-deadline", data).value.actions[1].on_time is True


def test_rules_11_late_detection_does_not_move_the_deadline():
    result = run("escort.notice-deadline", {"occurred_at": "2025-04-01T12:00:00Z",
                                            "detected_at": "2025-04-01T12:50:00Z"})
    assert result.value.due == utc("2025-04-01T13:00:00Z")


# --- §14 ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("done", "on_time"), [("17:40:00", True), ("17:41:00", False)])
def test_rules_14_c_t9_deactivation_not_later_than_one_hour_after_the_request(done, on_time):
    """C-T9: request received 16:40; deactivated 17:40 is on time, 17:41 late."""
    result = run("escort.deactivation-deadline", {
        "request_received_at": f"2025-05-05T16:40:00{ALMATY}",
        "deactivated_at": f"2025-05-05T{done}{ALMATY}"})
    assert result.value.actions[0].on_time is on_time
    assert cite("order-407", "Rules §14") in result.citations


def test_rules_14_hours_are_elapsed_time_across_almatys_offset_change():
    """2024-02-29 23:30 (+06:00) + 1 h is 2024-02-29 23:30 (+05:00) — 1 March 2024."""
    result = run("escort.deactivation-deadline",
                 {"request_received_at": "2024-02-29T23:30:00+06:00"}, dt.date(2024, 3, 1))
    assert result.value.due == utc("2024-02-29T18:30:00+00:00")


# --- §18(3) ---------------------------------------------------------------------------------

def test_rules_18_3_c_t13_retention_five_years_from_the_day_after_deactivation():
    """C-T13: deactivated 2025-03-10: counted from 2025-03-11, kept through 2030-03-10,
    deletable from 2030-03-11 (setting escort.retention_end)."""
    value = run("escort.retention", {"deactivated_at": "2025-03-10"}).value
    assert (value.counted_from, value.kept_through, value.deletable_from) == (
        dt.date(2025, 3, 11), dt.date(2030, 3, 10), dt.date(2030, 3, 11))
    assert value.on_expiry == "mark_deletable"


def test_rules_18_3_c_t14_leap_day_start_ends_on_28_february():
    """C-T14: deactivated 2025-02-28 would be ordinary; 2024-02-28 starts the count on the
    leap day 2024-02-29. Kept through 2029-02-28 (the setting's example)."""
    with override(escort__pre_amendment_dates="apply_current_text"):  # §18 reworded 23.11.2024
        value = run("escort.retention", {"deactivated_at": "2024-02-28"}).value
    assert value.counted_from == dt.date(2024, 2, 29)
    assert value.kept_through == dt.date(2029, 2, 28)
    assert value.deletable_from == dt.date(2029, 3, 1)


def test_rules_18_3_the_day_of_deactivation_is_the_almaty_date():
    value = run("escort.retention", {"deactivated_at": "2025-03-10T20:30:00Z"}).value
    assert value.deactivated_on == dt.date(2025, 3, 11)  # 01:30 on 11 March in Almaty


def test_rules_18_3_anniversary_reading_per_the_setting():
    with override(escort__retention_end="anniversary_day"):
        value = run("escort.retention", {"deactivated_at": "2025-03-10"}).value
    assert value.kept_through == dt.date(2030, 3, 11)


# --- which wording applied (Order 487) ---------------------------------------------------------

def test_order_487_rules_3_amended_from_23_11_2024():
    before = run("escort.wording", {"provision": "Rules §3(8)", "on": "2024-11-22"}).value
    after = run("escort.wording", {"provision": "Rules §3(8)", "on": "2024-11-23"}).value
    assert (before.wording, before.text_available) == ("original", False)
    assert (after.wording, after.text_available) == ("amended", True)
    assert "not loaded" in before.note


def test_order_487_left_rules_13_unamended():
    value = run("escort.wording", {"provision": "Rules §13", "on": "2023-01-01"}).value
    assert (value.wording, value.text_available) == ("unamended", True)


def test_ord_3_order_407_not_in_force_before_it_was_registered():
    value = run("escort.wording", {"provision": "Rules §13", "on": "2021-01-01"}).value
    assert value.wording == "not in force"
    with pytest.raises(NotInForce):
        run("escort.deactivation-deadline", {"request_received_at": "2021-01-01T10:00:00Z"})


# --- the command line ----------------------------------------------------------------------

KZREG = [sys.executable, "-m", "kzreg.cli"]


def test_cli_rules_explain_escort_deactivation_deadline(tmp_path):
    data = tmp_path / "in.json"
    data.write_text(json.dumps({"request_received_at": "2025-05-05T16:40:00+05:00",
                                "deactivated_at": "2025-05-05T17:41:00+05:00"}))
    out = subprocess.run([*KZREG, "rules", "explain", "escort.deactivation-deadline",
                          str(data), "--as-of", "2025-06-01", "--json"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["value"]["due"] == "2025-05-05T12:40:00+00:00"
    assert doc["value"]["actions"][0]["on_time"] is False
    assert {"act": "order-407", "locator": "Rules §14"} in [
        {k: b[k] for k in ("act", "locator")} for b in doc["basis"]]


def test_cli_rules_explain_escort_situations_text_and_refusal(tmp_path):
    data = tmp_path / "trace.json"
    data.write_text(json.dumps({"seal": "S1", "records": [
        {"time": "2025-03-03T10:00:00Z", "lat": 43.25, "lon": 77.0},
        {"time": "2025-03-03T13:00:01Z", "lat": 43.25, "lon": 77.0}]}))
    out = subprocess.run([*KZREG, "rules", "explain", "escort.non-routine-situations",
                          str(data), "--as-of", "2025-06-01"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "signal_loss of seal S1" in out.stdout and "Rules §11" in out.stdout
    bad = tmp_path / "msg.json"
    bad.write_text(json.dumps({"seal_number": "NP-1", "route": None}))
    out = subprocess.run([*KZREG, "rules", "explain", "escort.activation-message", str(bad)],
                         capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr.startswith("error: transit_declaration_number, ")
    assert "Rules §8" in out.stderr and "Traceback" not in out.stderr

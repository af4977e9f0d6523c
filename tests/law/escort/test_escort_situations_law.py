"""Order 407, Rules §3(8) and §11 — non-routine situations and the one-hour notice.

Each test is one clause or one case of the digest (spec C.7, C-T1 to C-T6), run through the
registered rule `escort.non-routine-situations` as the CLI and the API run it.
"""

from __future__ import annotations

import datetime as dt

from kzreg.escort import SituationType
from kzreg.law.citations import cite
from kzreg.law.rules import get_rule
from kzreg.law.settings import override

AS_OF = dt.date(2025, 6, 1)
DAY = "2025-03-03"
# a straight road along latitude 43.25 from 76.90 to 77.50 (GeoJSON: [lon, lat])
ROUTE = {"type": "LineString", "coordinates": [[76.90, 43.25], [77.50, 43.25]]}


def t(hms: str) -> str:
    return f"{DAY}T{hms}+00:00"


def at(hms: str) -> dt.datetime:
    return dt.datetime.fromisoformat(t(hms))


def run(records, **extra):
    data = {"seal": "KZ-0001", "records": records, **extra}
    return get_rule("escort.non-routine-situations").run(data, AS_OF)


def ping(hms: str, **fields):
    return {"time": t(hms), "lat": 43.25, "lon": 77.0, "state": "closed", **fields}


def of_type(result, kind: SituationType):
    return [s for s in result.value if s.type is kind]


# --- signal loss: "loss of the navigation seal signal for more than 3 (three) hours" ------

def test_rules_3_8_c_t1_signal_lost_exactly_three_hours_is_not_a_non_routine_situation():
    """C-T1: lost 10:00:00, restored 13:00:00 — "more than" is strict (signal_loss_boundary)."""
    result = run([ping("10:00:00"), ping("13:00:00")])
    assert result.value == []
    assert any(u.name == "escort.signal_loss_boundary" for s in result.steps
               for u in s.parameters)


def test_rules_3_8_c_t2_signal_lost_three_hours_and_one_second_is_non_routine():
    """C-T2: restored at 13:00:01, and also at 13:01: a signal loss in both cases."""
    for restored in ("13:00:01", "13:01:00"):
        result = run([ping("10:00:00"), ping(restored)])
        (loss,) = of_type(result, SituationType.SIGNAL_LOSS)
        assert loss.started_at == at("10:00:00")
        assert loss.ended_at == at(restored)


def test_rules_3_8_signal_loss_of_more_than_three_hours_is_non_routine():
    result = run([ping("08:00:00"), ping("11:30:00")])
    assert [s.type for s in result.value] == [SituationType.SIGNAL_LOSS]
    assert cite("order-407", "Rules §3(8)") in result.citations


def test_rules_3_8_boundary_follows_the_setting_greater_or_equal():
    with override(escort__signal_loss_boundary="greater_or_equal"):
        result = run([ping("10:00:00"), ping("13:00:00")])
    assert len(of_type(result, SituationType.SIGNAL_LOSS)) == 1


def test_rules_3_8_fractions_below_the_resolution_do_not_lengthen_a_silence():
    """Measured to the second (signal_loss_resolution_seconds = 1): 3 h 0.5 s is 3 h."""
    result = run([ping("10:00:00"), {**ping("13:00:00"), "time": f"{DAY}T13:00:00.500+00:00"}])
    assert result.value == []


def test_rules_3_8_11_c_t3_signal_not_restored_occurs_at_three_hours_notice_by_four():
    """C-T3: lost 10:00, not restored; the clock reaches 15:00. The situation occurs at 13:00
    (+ one second to be "more than"), both offices are to be told by 14:00 (C-G2)."""
    result = run([ping("10:00:00")], observed_until=t("15:00:00"))
    (loss,) = result.value
    assert loss.occurred_at == at("13:00:00")
    assert loss.detected_at == at("13:00:01")
    assert loss.notify_by == at("14:00:00")
    assert loss.ended_at is None
    assert cite("order-407", "Rules §11") in result.citations


def test_rules_3_8_open_silence_of_exactly_three_hours_is_not_yet_a_loss():
    assert run([ping("10:00:00")], observed_until=t("13:00:00")).value == []
    assert len(run([ping("10:00:00")], observed_until=t("13:00:01")).value) == 1


def test_rules_3_8_c_t4_separate_gaps_do_not_add_up():
    """C-T4: gaps 10:00-12:00 and 12:10-14:00 (2 h + 1 h 50 min): no non-routine situation."""
    result = run([ping("10:00:00"), ping("12:00:00"), ping("12:10:00"), ping("14:00:00")])
    assert result.value == []


def test_rules_3_8_silence_counts_from_activation():
    result = run([ping("13:30:00")], activated_at=t("10:00:00"))
    (loss,) = result.value
    assert loss.started_at == at("10:00:00")


def test_rules_3_8_silence_is_measured_by_receipt_not_by_late_buffered_points():
    """Setting signal_loss_clock = receipt_time: black-box points sent late do not fill
    the silence between receipts."""
    buffered = {**ping("11:00:00"), "received_at": t("13:30:00")}
    result = run([ping("10:00:00"), buffered])
    (loss,) = result.value
    assert loss.ended_at == at("13:30:00")
    with override(escort__signal_loss_clock="device_time"):
        assert run([ping("10:00:00"), buffered]).value == []


def test_rules_3_8_signal_loss_is_measured_per_seal():
    """Setting signal_loss_measured_per = seal: another seal on the vehicle reporting does
    not cover this one's silence."""
    other = {**ping("11:00:00"), "seal": "KZ-0002"}
    result = run([ping("10:00:00"), other, ping("13:30:00")])
    assert len(result.value) == 1
    with override(escort__signal_loss_measured_per="vehicle"):
        assert run([ping("10:00:00"), other, ping("13:30:00")]).value == []


def test_rules_3_8_a_message_without_position_fix_is_still_signal():
    """Setting signal_loss_signal_meaning = any_transmission."""
    no_fix = {"time": t("11:30:00"), "valid": False}
    assert run([ping("10:00:00"), no_fix, ping("13:30:00")]).value == []
    with override(escort__signal_loss_signal_meaning="position_fix"):
        assert len(run([ping("10:00:00"), no_fix, ping("13:30:00")]).value) == 1


def test_rules_3_5_silence_ends_with_deactivation():
    """After deactivation the seal is no longer under control: no silence after it."""
    result = run([ping("10:00:00")], deactivated_at=t("12:00:00"),
                 observed_until=t("18:00:00"))
    assert result.value == []


# --- unauthorized removal ------------------------------------------------------------------

def test_rules_3_8_opening_a_seal_before_deactivation_is_unauthorized_removal():
    result = run([ping("10:00:00"), ping("10:30:00", state="opened"),
                  ping("10:31:00", state="opened")])
    (removal,) = result.value
    assert removal.type is SituationType.UNAUTHORIZED_REMOVAL
    assert removal.occurred_at == at("10:30:00")
    assert removal.notify_by == at("11:30:00")


def test_rules_3_8_14_removal_after_deactivation_is_authorized():
    result = run([ping("10:00:00"), {**ping("11:00:00", state="removed")}],
                 deactivated_at=t("10:45:00"))
    assert result.value == []


def test_rules_11_removal_occurs_at_the_seal_time_even_if_received_late():
    """Setting event_occurrence_clock = device_time; notice_deadline_anchor = occurrence."""
    late = {**ping("10:30:00", state="removed"), "received_at": t("11:10:00")}
    (removal,) = run([ping("10:00:00"), late]).value
    assert removal.occurred_at == at("10:30:00")
    assert removal.detected_at == at("11:10:00")
    assert removal.notify_by == at("11:30:00")


# --- deviation from the route (if such a route is established) -----------------------------

OFF_ROUTE = [ping("10:00:00"), ping("10:10:00", lat=43.30), ping("10:16:00", lat=43.31)]


def test_rules_3_8_8_6_c_t5_route_not_established_no_deviation():
    """C-T5: the vehicle leaves the corridor, but the route field says "not established"."""
    for route in ("not established", None):
        result = run(OFF_ROUTE, route=route)
        assert result.value == []
        assert any("no route is established" in s.description for s in result.steps)


def test_rules_3_8_c_t5_route_established_deviation_is_non_routine():
    result = run(OFF_ROUTE, route=ROUTE)
    (deviation,) = result.value
    assert deviation.type is SituationType.ROUTE_DEVIATION
    assert deviation.occurred_at == at("10:10:00")  # when it first left the corridor
    assert deviation.detected_at == at("10:16:00")  # after the debounce of 5 minutes
    assert deviation.notify_by == at("11:10:00")
    assert deviation.evidence["distance_m"] > 5000


def test_rules_3_8_gps_jitter_inside_the_corridor_or_briefly_outside_raises_nothing():
    jitter = [ping("10:00:00", lat=43.254), ping("10:01:00", lat=43.246),
              ping("10:02:00", lat=43.27), ping("10:03:00", lat=43.25)]
    assert run(jitter, route=ROUTE).value == []


def test_rules_3_8_corridor_width_is_the_setting():
    near = [ping("10:00:00", lat=43.255), ping("10:10:00", lat=43.255)]  # about 556 m off
    assert run(near, route=ROUTE).value == []
    with override(escort__route_corridor_half_width_m=500):
        assert len(run(near, route=ROUTE).value) == 1


# --- version of the Rules ---------------------------------------------------------------------

def test_order_487_detector_refuses_escorts_before_23_11_2024_the_old_text_is_not_loaded():
    import pytest

    from kzreg.law.errors import NotInForce

    with pytest.raises(NotInForce) as err:
        get_rule("escort.non-routine-situations").run(
            {"seal": "S", "activated_at": "2024-11-20T10:00:00+05:00", "records": []}, AS_OF)
    assert err.value.field == "activated_at"
    assert "not loaded" in err.value.message

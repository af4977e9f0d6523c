"""DetectionEngine: its timers, its API, and the bad input it refuses."""

from __future__ import annotations

import datetime as dt

import pytest

from kzreg.escort.engine import DetectionEngine, Report, from_us, to_us
from kzreg.escort.situations import SituationType
from kzreg.law.errors import Conflict, InputError, LegalRuleError
from kzreg.law.settings import override
from kzreg.tracking.position import Position, SealState

T0 = dt.datetime(2025, 3, 3, 10, tzinfo=dt.UTC)
H3 = dt.timedelta(hours=3)
S1 = dt.timedelta(seconds=1)


def engine_with(*seals: str) -> DetectionEngine:
    engine = DetectionEngine()
    for seal in seals:
        engine.activate(seal, T0)
    return engine


def test_microseconds_round_trip_exactly():
    instant = dt.datetime(2025, 3, 3, 13, 0, 0, 999_999, tzinfo=dt.timezone(
        dt.timedelta(hours=5)))
    assert from_us(to_us(instant)) == instant
    with pytest.raises(InputError):
        to_us(dt.datetime(2025, 3, 3))


def test_the_timer_is_set_for_three_hours_and_one_second_after_the_last_signal():
    engine = engine_with("A")
    assert engine.next_deadline() == T0 + H3 + S1
    assert engine.advance(T0 + H3) == []
    (loss,) = engine.advance(T0 + H3 + S1)
    assert (loss.seal, loss.type, loss.detected_at) == ("A", SituationType.SIGNAL_LOSS,
                                                          T0 + H3 + S1)


def test_advance_is_idempotent_and_an_open_loss_is_raised_once():
    engine = engine_with("A")
    assert len(engine.advance(T0 + dt.timedelta(hours=5))) == 1
    assert engine.advance(T0 + dt.timedelta(hours=5)) == []
    assert engine.advance(T0 + dt.timedelta(hours=9)) == []


def test_a_signal_re_arms_the_timer_lazily():
    engine = engine_with("A")
    engine.observe(Report("A", T0 + dt.timedelta(hours=2)))
    assert engine.advance(T0 + H3 + S1) == []          # stale entry: re-armed, not raised
    assert engine.next_deadline() == T0 + dt.timedelta(hours=5) + S1
    (loss,) = engine.advance(T0 + dt.timedelta(hours=5) + S1)
    assert loss.started_at == T0 + dt.timedelta(hours=2)


def test_advance_touches_only_due_timers_not_every_seal():
    engine = engine_with(*(f"S{n}" for n in range(5000)))
    engine.observe(Report("S7", T0))
    before = list(engine._heap)
    assert engine.advance(T0 + dt.timedelta(hours=2)) == []
    assert engine._heap == before                       # nothing popped, nothing scanned
    assert len(engine.advance(T0 + H3 + S1)) == 5000


def test_a_report_after_a_missed_timer_still_raises_the_loss_detected_on_receipt():
    """If advance() was not run (a stalled worker), the returning signal judges the gap."""
    engine = engine_with("A")
    restored = T0 + dt.timedelta(hours=4)
    found = engine.observe(Report("A", restored))
    assert [s.status for s in found] == ["open", "ended"]
    assert found[-1].detected_at == restored and found[-1].ended_at == restored


def test_situation_versions_share_a_key():
    engine = engine_with("A")
    (raised,) = engine.advance(T0 + dt.timedelta(hours=4))
    (ended,) = engine.observe(Report("A", T0 + dt.timedelta(hours=5)))
    assert raised.key == ended.key and ended.ended_at is not None
    assert raised.ended_at is None                      # versions are new objects


def test_deactivation_stops_the_timer_and_later_reports_are_not_judged():
    engine = engine_with("A")
    assert engine.deactivate("A", T0 + dt.timedelta(hours=1)) == []
    assert engine.advance(T0 + dt.timedelta(hours=9)) == []
    assert engine.observe(Report("A", T0 + dt.timedelta(hours=2), state="removed")) == []
    engine.forget("A")
    assert not engine.is_active("A") and len(engine) == 0


def test_reactivation_starts_a_new_escort_and_double_activation_is_refused():
    engine = engine_with("A")
    with pytest.raises(Conflict):
        engine.activate("A", T0)
    engine.deactivate("A", T0 + dt.timedelta(hours=1))
    engine.activate("A", T0 + dt.timedelta(hours=2))
    assert engine.advance(T0 + dt.timedelta(hours=4)) == []
    (loss,) = engine.advance(T0 + dt.timedelta(hours=5, seconds=1))
    assert loss.started_at == T0 + dt.timedelta(hours=2)


def test_identical_routes_are_shared():
    engine = DetectionEngine()
    road = {"type": "LineString", "coordinates": [[76.9, 43.25], [77.5, 43.25]]}
    engine.activate("A", T0, road)
    engine.activate("B", T0, {"type": "LineString", "coordinates": [[76.9, 43.25],
                                                                    [77.5, 43.25]]})
    assert engine._seals["A"].route is engine._seals["B"].route


def test_bad_input_is_refused_naming_the_field():
    engine = engine_with("A")
    with pytest.raises(InputError) as err:
        engine.activate("B", T0, corridor_m=0)
    assert err.value.field == "corridor_m"
    with pytest.raises(InputError) as err:
        engine.activate("B", T0, {"type": "Point", "coordinates": [1, 2]})
    assert err.value.field == "route"
    with pytest.raises(InputError) as err:
        engine.observe(Report("A", T0, state="ajar"))
    assert err.value.field == "state"
    with pytest.raises(InputError) as err:
        engine.deactivate("Z", T0)
    assert err.value.field == "seal"


def test_a_vehicle_wide_loss_is_refused_rather_than_measured_per_seal():
    with override(escort__signal_loss_measured_per="vehicle"), \
            pytest.raises(LegalRuleError) as err:
        DetectionEngine()
    assert err.value.field == "settings.escort.signal_loss_measured_per"


def test_a_tracking_position_is_a_report():
    engine = engine_with("A")
    position = Position("dev-1", T0 + dt.timedelta(minutes=5), 43.25, 77.0,
                        seal_state=SealState.OPENED,
                        server_time=T0 + dt.timedelta(minutes=7))
    (removal,) = engine.observe(Report.from_position("A", position))
    assert removal.occurred_at == T0 + dt.timedelta(minutes=5)
    assert removal.detected_at == T0 + dt.timedelta(minutes=7)
    assert removal.notify_by == T0 + dt.timedelta(minutes=65)


def test_signal_meaning_position_fix_ignores_reports_without_a_fix():
    with override(escort__signal_loss_signal_meaning="position_fix"):
        engine = engine_with("A")
    engine.observe(Report("A", T0 + dt.timedelta(hours=2)))                  # no fix
    assert len(engine.advance(T0 + H3 + S1)) == 1


def test_a_restarted_service_counts_the_silence_from_the_stored_last_signal():
    engine = DetectionEngine()
    engine.activate("A", T0, last_signal=T0 + dt.timedelta(hours=2))
    assert engine.next_deadline() == T0 + dt.timedelta(hours=5) + S1


def test_restored_open_situations_are_not_raised_again_and_end_as_usual():
    first = DetectionEngine()
    first.activate("A", T0)
    (loss,) = first.advance(T0 + dt.timedelta(hours=4))
    (removal,) = first.observe(Report("A", T0 + dt.timedelta(hours=4), state="opened"))[-1:]
    # the service restarts: a new engine, told what the database kept
    engine = DetectionEngine()
    engine.activate("A", T0)
    engine.restore("A", last_signal=T0, open_situations=[loss])
    assert engine.advance(T0 + dt.timedelta(hours=5)) == []
    (ended,) = engine.observe(Report("A", T0 + dt.timedelta(hours=6)))
    assert ended.key == loss.key and ended.ended_at == T0 + dt.timedelta(hours=6)
    engine.restore("A", open_situations=[removal])
    (closed,) = engine.observe(Report("A", T0 + dt.timedelta(hours=7), state="closed"))
    assert closed.key == removal.key and closed.evidence["ended_by"] == "closed"
    with pytest.raises(InputError):
        engine.restore("Z")

"""Order 407, Rules §3(8) and §11 through `kzreg escort replay`: hand-made traces, each
written out line by line and judged by hand (not produced by the engine's own helpers).

Route: a straight road along latitude 43.25 from 76.90 to 77.50 E; 0.01° of latitude is
about 1,112 m, so 43.254 is ~445 m off the road (inside a 1 km corridor), 43.27 ~2.2 km
(outside).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kzreg.escort.replay import replay
from kzreg.law.errors import InputError
from kzreg.law.settings import override

ROAD = {"type": "LineString", "coordinates": [[76.90, 43.25], [77.50, 43.25]]}


def at(hms: str, day: str = "2025-03-03") -> str:
    return f"{day}T{hms}Z"


def activated(hms: str, seal: str = "KZ1", route=None, corridor=None) -> dict:
    return {"time": at(hms), "seal": seal, "event": "activated", "route": route,
            "corridor_m": corridor}


def report(hms: str, seal: str = "KZ1", lat: float = 43.25, lon: float = 77.0,
           state: str = "closed", **extra) -> dict:
    return {"time": at(hms), "seal": seal, "lat": lat, "lon": lon, "state": state, **extra}


def clock(hms: str) -> dict:
    return {"time": at(hms), "event": "clock"}


def deactivated(hms: str, seal: str = "KZ1") -> dict:
    return {"time": at(hms), "seal": seal, "event": "deactivated"}


def run(*lines: dict) -> list[dict]:
    return [s.to_json() for s in replay([json.dumps(line) for line in lines]).situations]


# --- signal loss: "more than 3 (three) hours" (C-T1 to C-T4) --------------------------

def test_replay_exactly_three_hours_of_silence_is_not_a_loss():
    assert run(activated("10:00:00"), report("10:00:00"), report("13:00:00")) == []
    assert run(activated("10:00:00"), report("10:00:00"), clock("13:00:00")) == []


def test_replay_three_hours_and_one_second_is_a_loss_detected_at_that_second():
    (loss,) = run(activated("10:00:00"), report("10:00:00"), report("13:00:01"))
    assert loss["type"] == "signal_loss" and loss["seal"] == "KZ1"
    assert loss["started_at"] == at("10:00:00")
    assert loss["occurred_at"] == at("13:00:00")
    assert loss["detected_at"] == at("13:00:01")
    assert loss["notify_by"] == at("14:00:00")
    assert loss["ended_at"] == at("13:00:01") and loss["status"] == "ended"


def test_replay_open_silence_is_judged_by_a_clock_line_and_the_timer_fires_on_time():
    """A clock line at 15:00 tells the replay that time passed: the loss was detected by
    the timer at 13:00:01, not when the clock line happened to come."""
    (loss,) = run(activated("10:00:00"), report("10:00:00"), clock("15:00:00"))
    assert (loss["detected_at"], loss["notify_by"], loss["ended_at"]) == (
        at("13:00:01"), at("14:00:00"), None)
    assert loss["evidence"]["clock"] == "receipt_time"


def test_replay_a_trace_that_stops_before_the_mark_raises_nothing():
    assert run(activated("10:00:00"), report("10:00:00"), clock("13:00:00.999999")) == []


def test_replay_silence_counts_from_activation():
    (loss,) = run(activated("08:00:00"), clock("11:00:01"))
    assert loss["started_at"] == at("08:00:00") and loss["detected_at"] == at("11:00:01")


def test_replay_separate_gaps_do_not_add_up():
    assert run(activated("10:00:00"), report("10:00:00"), report("12:00:00"),
               report("12:10:00"), report("14:00:00"), clock("14:30:00")) == []


def test_replay_restored_signal_ends_the_loss_and_a_new_silence_is_judged_afresh():
    first, second = run(activated("00:00:00"), report("00:00:00"), report("04:00:00"),
                        clock("07:00:00"), clock("07:00:01"))
    assert first["ended_at"] == at("04:00:00")
    assert first["evidence"]["silence_s"] == 4 * 3600
    assert second["started_at"] == at("04:00:00")
    assert second["detected_at"] == at("07:00:01") and second["ended_at"] is None


def test_replay_deactivation_before_the_mark_ends_control_after_it_ends_the_loss():
    assert run(activated("10:00:00"), report("10:00:00"), deactivated("12:59:59"),
               clock("18:00:00")) == []
    (loss,) = run(activated("10:00:00"), report("10:00:00"), deactivated("14:00:00"))
    assert loss["detected_at"] == at("13:00:01")
    assert loss["ended_at"] == at("14:00:00")
    assert loss["evidence"]["ended_by"] == "deactivation"


def test_replay_the_boundary_follows_the_setting():
    with override(escort__signal_loss_boundary="greater_or_equal"):
        (loss,) = run(activated("10:00:00"), clock("13:00:00"))
    assert loss["detected_at"] == at("13:00:00")


# --- unauthorized removal -----------------------------------------------------------

def test_replay_opening_an_active_seal_is_unauthorized_removal_once_until_closed():
    found = run(activated("10:00:00"), report("10:00:00"), report("10:30:00", state="opened"),
                report("10:31:00", state="removed"), report("10:40:00", state="closed"),
                report("10:50:00", state="opened"))
    assert [(f["type"], f["started_at"]) for f in found] == [
        ("unauthorized_removal", at("10:30:00")), ("unauthorized_removal", at("10:50:00"))]
    assert found[0]["notify_by"] == at("11:30:00")
    assert found[0]["ended_at"] == at("10:40:00")


def test_replay_removal_after_deactivation_is_authorized():
    assert run(activated("10:00:00"), report("10:00:00"), deactivated("11:00:00"),
               report("11:05:00", state="removed")) == []


def test_replay_removal_recorded_before_deactivation_but_received_after_is_unauthorized():
    """A black-box record: the seal opened at 10:50 (its own clock, the setting
    escort.event_occurrence_clock), the operator learnt of it at 11:10."""
    (removal,) = run(activated("10:00:00"), report("10:00:00"), deactivated("11:00:00"),
                     clock("11:10:00"), report("10:50:00", state="opened"))
    assert removal["occurred_at"] == at("10:50:00")
    assert removal["detected_at"] == at("11:10:00")
    assert removal["notify_by"] == at("11:50:00")


def test_replay_positions_of_a_seal_never_activated_are_not_judged():
    result = replay([json.dumps(report("10:00:00", seal="KZ9", state="opened"))])
    assert result.situations == [] and result.ignored == 1


# --- deviation from the route ----------------------------------------------------------

def test_replay_gps_jitter_inside_the_corridor_raises_nothing():
    lines = [activated("10:00:00", route=ROAD, corridor=1000)]
    for minute, lat in enumerate([43.254, 43.246, 43.2535, 43.2471, 43.25, 43.258]):
        lines.append(report(f"10:{minute:02d}:00", lat=lat, lon=77.0 + minute * 0.01))
    assert run(*lines) == []


def test_replay_a_brief_excursion_shorter_than_the_debounce_raises_nothing():
    assert run(activated("10:00:00", route=ROAD), report("10:00:00"),
               report("10:01:00", lat=43.27), report("10:05:59", lat=43.28),
               report("10:06:00", lat=43.25)) == []


def test_replay_a_sustained_exit_is_a_deviation_from_the_first_fix_outside():
    found = run(activated("10:00:00", route=ROAD), report("10:00:00"),
                report("10:10:00", lat=43.27), report("10:14:00", lat=43.28),
                report("10:15:00", lat=43.29), report("10:40:00", lat=43.2502))
    (dev,) = found
    assert dev["type"] == "route_deviation"
    assert dev["started_at"] == dev["occurred_at"] == at("10:10:00")
    assert dev["detected_at"] == at("10:15:00")
    assert dev["notify_by"] == at("11:10:00")
    assert dev["ended_at"] == at("10:40:00")
    assert 2000 < dev["evidence"]["distance_m"] < 2500


def test_replay_corridor_width_comes_from_the_activation_line_or_else_the_setting():
    off = [report("10:00:00", lat=43.256), report("10:10:00", lat=43.256)]   # ~667 m
    assert run(activated("10:00:00", route=ROAD), *off) == []                 # 1,000 m
    assert len(run(activated("10:00:00", route=ROAD, corridor=500), *off)) == 1
    with override(escort__route_corridor_half_width_m=600):
        assert len(run(activated("10:00:00", route=ROAD), *off)) == 1


def test_replay_no_route_established_no_deviation():
    for route in (None, "not established"):
        assert run(activated("10:00:00", route=route), report("10:00:00", lat=45.0),
                   report("10:30:00", lat=45.1)) == []


# --- late (black-box) records ---------------------------------------------------------

def test_replay_late_fixes_do_not_fill_a_gap_the_operator_lived_through():
    """Setting escort.signal_loss_clock = receipt_time: nothing was received from 10:00
    to 14:00, so there was a loss, even though the black box later delivers fixes from
    11:00 and 12:30."""
    (loss,) = run(activated("10:00:00"), report("10:00:00"), report("14:00:00"),
                  report("11:00:00"), report("12:30:00"))
    assert (loss["started_at"], loss["ended_at"]) == (at("10:00:00"), at("14:00:00"))


def test_replay_with_the_device_clock_a_late_fix_inside_the_gap_retracts_the_loss():
    with override(escort__signal_loss_clock="device_time"):
        (loss,) = run(activated("10:00:00"), report("10:00:00"), report("14:00:00"),
                      report("12:00:00"))
    assert loss["status"] == "retracted"
    assert loss["retracted_at"] == at("14:00:00")
    assert loss["evidence"]["retracted_by"]["fix_time"] == at("12:00:00")


def test_replay_with_the_device_clock_what_is_left_of_a_split_gap_is_still_judged():
    with override(escort__signal_loss_clock="device_time"):
        found = run(activated("10:00:00"), report("10:00:00"), report("16:00:00"),
                    report("11:00:00"))
    assert [f["status"] for f in found] == ["retracted", "ended"]
    assert (found[1]["started_at"], found[1]["ended_at"]) == (at("11:00:00"), at("16:00:00"))


def test_replay_a_late_excursion_is_judged_in_the_order_of_the_seal_clock():
    """Live fixes to 11:00 on the road; the black box then delivers 10:20-10:40 off it."""
    (dev,) = run(activated("10:00:00", route=ROAD), report("10:00:00"),
                 report("11:00:00", lon=77.2),
                 report("10:20:00", lat=43.27), report("10:30:00", lat=43.28),
                 report("10:40:00", lat=43.25))
    assert dev["started_at"] == at("10:20:00")
    assert dev["detected_at"] == at("11:00:00")      # received with the black box
    assert dev["ended_at"] == at("10:40:00")


# --- several seals ----------------------------------------------------------------------

def test_replay_interleaved_seals_are_judged_apart():
    found = run(activated("10:00:00", "A", route=ROAD), activated("10:00:00", "B"),
                activated("10:05:00", "C"),
                report("10:00:00", "A"), report("10:01:00", "B"),
                report("10:10:00", "A", lat=43.3), report("10:20:00", "B", state="opened"),
                report("10:16:00", "A", lat=43.3), report("12:00:00", "C"),
                report("13:00:00", "A"), report("13:05:00", "B"), clock("15:00:01"))
    kinds = sorted((f["seal"], f["type"], f["detected_at"], f["ended_at"]) for f in found)
    assert kinds == [
        # A's 10:16 fix came after B's 10:20 report: received at 10:20, judged at 10:16
        ("A", "route_deviation", at("10:20:00"), at("13:00:00")),
        ("B", "unauthorized_removal", at("10:20:00"), at("13:05:00")),   # closed again
        ("C", "signal_loss", at("15:00:01"), None),       # silent since 12:00
    ]


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize(("line", "field"), [
    ("not json", "line 2: line"),
    ('{"seal": "KZ1", "lat": 1, "lon": 2}', "line 2: time"),
    ('{"time": "2025-03-03T10:00:00", "seal": "KZ1", "lat": 1, "lon": 2}', "line 2: time"),
    ('{"time": "2025-03-03T10:00:00Z", "lat": 1, "lon": 2}', "line 2: seal"),
    ('{"time": "2025-03-03T10:00:00Z", "seal": "KZ1", "lat": 91, "lon": 2}', "line 2: lat"),
    ('{"time": "2025-03-03T10:00:00Z", "seal": "KZ1", "lat": 1}', "line 2: lon"),
    ('{"time": "2025-03-03T10:00:00Z", "seal": "KZ1", "lat": 1, "lon": 2, "state": "x"}',
     "line 2: state"),
    ('{"time": "2025-03-03T10:00:00Z", "event": "parked"}', "line 2: event"),
    ('{"time": "2025-03-03T10:00:00Z", "seal": "KZ2", "event": "activated", '
     '"route": {"type": "LineString", "coordinates": [[77, 43], [200, 43]]}}',
     "line 2: route.coordinates[1]"),
    ('{"time": "2025-03-03T10:00:00Z", "seal": "KZ2", "event": "activated", '
     '"corridor_m": -5}', "line 2: corridor_m"),
    ('{"time": "2025-03-03T09:00:00Z", "event": "clock"}', "line 2: time"),
])
def test_replay_a_malformed_line_is_refused_naming_the_line_and_field(line, field):
    first = json.dumps(activated("10:00:00"))
    with pytest.raises(InputError) as err:
        replay([first, line])
    assert err.value.field == field


def test_replay_command_prints_json_lines_and_exits_2_on_bad_input(tmp_path):
    trace = tmp_path / "trace.jsonl"
    trace.write_text("\n".join(json.dumps(x) for x in (
        activated("10:00:00"), report("10:00:00"), clock("13:00:01"))) + "\n")
    done = subprocess.run([sys.executable, "-m", "kzreg.cli", "escort", "replay", str(trace)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    assert json.loads(line)["detected_at"] == at("13:00:01")
    bad = subprocess.run([sys.executable, "-m", "kzreg.cli", "escort", "replay", "-"],
                         input=json.dumps(activated("10:00:00")) + "\n{\"time\": 5}\n",
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2
    assert bad.stderr.strip() == "error: line 2: time: 5 is not an ISO 8601 date-time"

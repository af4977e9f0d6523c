"""DetectionEngine properties over random traces: batch splits do not matter, the replay's
batching equals record-by-record judging, and the engine agrees with the single-seal
SealTracker (an independent, simpler implementation) on traces in order."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from kzreg.escort import DetectorConfig, Route, SealTracker
from kzreg.escort.engine import STATE_CODES, DetectionEngine, Report, from_us, to_us
from kzreg.escort.replay import replay

T0 = dt.datetime(2025, 3, 3, 10, tzinfo=dt.UTC)
ROAD = {"type": "LineString", "coordinates": [[76.90, 43.25], [77.50, 43.25]]}
SEALS = ("A", "B", "C")           # A follows ROAD, B has no route, C follows ROAD too
ROUTES = {"A": ROAD, "B": None, "C": ROAD}

step = st.tuples(
    st.integers(0, 5 * 3600),                      # seconds since the previous report
    st.integers(0, 900),                           # how late the fix is (black box)
    st.sampled_from(SEALS),
    st.sampled_from([43.25, 43.254, 43.27, 43.3, None]),
    st.sampled_from([None, "closed", "closed", "opened", "removed"]),
)


def reports(steps, *, late=True):
    out, t = [], to_us(T0)
    for gap, lateness, seal, lat, state in steps:
        t += gap * 1_000_000
        fix = t - lateness * 1_000_000 if late else t
        out.append((seal, fix, t, lat, None if lat is None else 77.0 + (t % 7) * 0.05,
                    STATE_CODES[state]))
    return out


def fresh():
    engine = DetectionEngine()
    for seal in SEALS:
        engine.activate(seal, T0, ROUTES[seal], 1000)
    return engine


def versions(found):
    return [(s.key, s.detected_at, s.ended_at, s.retracted_at, s.notify_by) for s in found]


@settings(max_examples=120, deadline=None)
@given(st.lists(step, max_size=40), st.lists(st.integers(0, 40), max_size=6))
def test_batch_splits_do_not_change_the_result(steps, cuts):
    rows = reports(steps)
    one = fresh()
    each = []
    for seal, fix, recv, lat, lon, code in rows:
        state = {v: k for k, v in STATE_CODES.items()}[code]
        each += one.observe(Report(seal, from_us(fix), from_us(recv), lat, lon, state))
    batched, engine = [], fresh()
    bounds = sorted({0, len(rows), *(c for c in cuts if c < len(rows))})
    for a, b in zip(bounds, bounds[1:], strict=False):
        cols = list(zip(*rows[a:b], strict=True))
        batched += engine.observe_columns(*cols)
    assert versions(batched) == versions(each)


@settings(max_examples=80, deadline=None)
@given(st.lists(step, max_size=40), st.integers(1, 12))
def test_replay_batching_equals_judging_each_record_after_its_timers(steps, hours):
    rows = reports(steps)
    end = (rows[-1][2] if rows else to_us(T0)) + hours * 3600 * 1_000_000
    engine, latest = fresh(), {}
    for seal, fix, recv, lat, lon, code in rows:
        for s in engine.replay_until(recv) + engine.observe_columns(
                [seal], [fix], [recv], [lat], [lon], [code]):
            latest[s.key] = s
    for s in engine.replay_until(end):
        latest[s.key] = s
    names = {v: k for k, v in STATE_CODES.items()}
    lines = [json.dumps({"time": from_us(to_us(T0)).isoformat(), "seal": seal,
                         "event": "activated", "route": ROUTES[seal], "corridor_m": 1000})
             for seal in SEALS]
    for seal, fix, recv, lat, lon, code in rows:
        lines.append(json.dumps({"time": from_us(fix).isoformat(),
                                 "received": from_us(recv).isoformat(), "seal": seal,
                                 "lat": lat, "lon": lon, "state": names[code]}))
    lines.append(json.dumps({"time": from_us(end).isoformat(), "event": "clock"}))
    assert versions(replay(lines).situations) == versions(latest.values())


@settings(max_examples=60, deadline=None)
@given(st.lists(step, max_size=30), st.integers(0, 6 * 3600))
def test_advance_is_idempotent(steps, extra):
    engine = fresh()
    rows = reports(steps)
    engine.observe_columns(*zip(*rows, strict=True)) if rows else None
    now = from_us((rows[-1][2] if rows else to_us(T0)) + extra * 1_000_000)
    engine.advance(now)
    assert engine.advance(now) == []


@settings(max_examples=120, deadline=None)
@given(st.lists(step, max_size=40))
def test_the_engine_agrees_with_the_single_seal_tracker_on_traces_in_order(steps):
    rows = reports(steps, late=False)
    config = DetectorConfig.from_settings(1000)
    road = Route([tuple(p) for p in ROAD["coordinates"]])
    trackers = {seal: SealTracker(seal, config, road if ROUTES[seal] else None, T0)
                for seal in SEALS}
    engine, latest = fresh(), {}
    for seal, fix, recv, lat, lon, code in rows:
        state = {v: k for k, v in STATE_CODES.items()}[code]
        for tracker in trackers.values():     # the clock reaches every seal
            tracker.advance(from_us(recv))
        trackers[seal].observe(from_us(fix), from_us(recv), lat, lon, state)
        for s in engine.replay_until(recv) + engine.observe_columns(
                [seal], [fix], [recv], [lat], [lon], [code]):
            latest[s.key] = s
    expected = sorted((s.seal, s.type.value, s.started_at, s.occurred_at, s.detected_at,
                       s.notify_by) for t in trackers.values() for s in t.situations)
    got = sorted((s.seal, s.type.value, s.started_at, s.occurred_at, s.detected_at,
                  s.notify_by) for s in latest.values())
    assert got == expected

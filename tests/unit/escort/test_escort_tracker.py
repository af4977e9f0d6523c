"""The streaming detector: timers, clock ticks, long traces."""

from __future__ import annotations

import datetime as dt

from kzreg.escort import DetectorConfig, Route, SealTracker, SituationType

T0 = dt.datetime(2025, 3, 3, 10, tzinfo=dt.UTC)


def tracker(route=None):
    return SealTracker("S", DetectorConfig.from_settings(), route, activated_at=T0)


def test_next_deadline_is_the_first_second_past_three_hours_and_moves_with_each_signal():
    seal = tracker()
    assert seal.next_deadline() == T0 + dt.timedelta(hours=3, seconds=1)
    seal.observe(T0 + dt.timedelta(minutes=30), lat=43.0, lon=77.0)
    assert seal.next_deadline() == T0 + dt.timedelta(hours=3, minutes=30, seconds=1)


def test_a_clock_tick_raises_an_open_loss_once_and_the_return_of_the_signal_not_again():
    seal = tracker()
    assert seal.advance(T0 + dt.timedelta(hours=3)) == 0
    assert seal.advance(T0 + dt.timedelta(hours=3, seconds=1)) == 1
    assert seal.advance(T0 + dt.timedelta(hours=5)) == 0
    assert seal.observe(T0 + dt.timedelta(hours=6), lat=43.0, lon=77.0) == 0
    assert seal.next_deadline() == T0 + dt.timedelta(hours=9, seconds=1)
    assert [s.type for s in seal.situations] == [SituationType.SIGNAL_LOSS]


def test_a_reclosed_seal_opened_again_is_a_second_removal():
    seal = tracker()
    for minutes, state in [(1, "opened"), (2, "opened"), (3, "closed"), (4, "tamper")]:
        seal.observe(T0 + dt.timedelta(minutes=minutes), state=state)
    assert [s.started_at.minute for s in seal.situations] == [1, 4]


def test_after_deactivation_nothing_is_judged():
    seal = tracker()
    seal.deactivate(T0 + dt.timedelta(hours=1))
    assert seal.observe(T0 + dt.timedelta(hours=2), state="removed") == 0
    assert seal.advance(T0 + dt.timedelta(hours=9)) == 0
    assert seal.next_deadline() is None


def test_a_long_trace_along_a_long_route_raises_nothing():
    # a 2,000-point route eastwards; the vehicle drives along it reporting every 10 s.
    # Its speed is measured in benchmarks/, not here.
    route = Route([(60.0 + i * 0.01, 45.0 + 0.002 * (i % 7)) for i in range(2000)])
    seal = tracker(route)
    step = dt.timedelta(seconds=10)
    for i in range(20_000):
        seal.observe(T0 + i * step, lat=45.0, lon=60.0 + (i % 19000) * 0.001, state="closed")
    assert seal.situations == []

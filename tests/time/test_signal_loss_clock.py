"""The signal-loss detector (Order 407 §3(8): no signal for more than 3 hours) when the
clock jumps and across the 1 March 2024 offset change, on SQLite and PostgreSQL.

Silence is elapsed time, so the Almaty offset changing under it must not move the loss
by an hour; a clock that jumps ahead by many hours raises one loss per seal starting at
the last receipt (not at the jump); a clock set back neither raises a loss again nor
ends one before it started. (tests/integration/tracking/test_tracking_restart.py covers
the exact 3-hour boundary and restarts.)"""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select

from kzreg.platform.db import unit_of_work
from kzreg.tracking import registry
from kzreg.tracking.models import TrackingSituation
from kzreg.tracking.pipeline import Pipeline
from kzreg.tracking.position import Position
from kzreg.tracking.store import Incoming

ROUTE = {"type": "LineString", "coordinates": [[76.90, 43.20], [76.90, 43.60]]}
# 22:00 in Almaty (+06) on 29 February 2024: the clocks go back two hours later
T0 = dt.datetime(2024, 2, 29, 16, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def _setup(db: str, seals: int) -> None:
    with unit_of_work(db) as s:
        for n in range(seals):
            registry.register_seal(s, f"S{n}", device_id=f"dev{n}", protocol="egts")
            registry.activate(s, f"S{n}", at=T0 - dt.timedelta(hours=1), route=ROUTE,
                              corridor_m=500, escort_ref=f"E{n}", departure_office="55201",
                              destination_office="55202")


def _losses(db: str) -> list[tuple]:
    with unit_of_work(db) as s:
        rows = s.scalars(select(TrackingSituation).where(TrackingSituation.type ==
                                                         "signal_loss")
                         .order_by(TrackingSituation.seal))
        return [(r.seal, r.started_at, r.detected_at, r.ended_at) for r in rows]


async def _send(pipeline: Pipeline, device: str, at: dt.datetime) -> None:
    await pipeline.submit(Incoming(device, "egts", pipeline.clock(),
                                   [Position(device, at, 43.3, 76.9)]))


def test_loss_is_elapsed_time_across_the_offset_change(db):
    _setup(db, 1)
    clock = Clock(T0)

    async def run() -> None:
        pipeline = Pipeline(db, clock=clock)
        await pipeline.start()
        await _send(pipeline, "dev0", T0 - dt.timedelta(seconds=5))
        # 3 hours later by the wall clock in Almaty would be 01:00 (+05) — only 2 h elapsed
        clock.now = T0 + dt.timedelta(hours=3)
        assert await pipeline.tick() == []
        clock.now = T0 + dt.timedelta(hours=3, seconds=1)
        assert [s.seal for s in await pipeline.tick()] == ["S0"]
        await pipeline.stop()

    asyncio.run(run())
    [(seal, started, detected, ended)] = _losses(db)
    assert (started, ended) == (T0, None)
    assert detected == T0 + dt.timedelta(hours=3, seconds=1)


def test_a_clock_jumping_ahead_then_back_raises_each_loss_once(db):
    _setup(db, 2)
    clock = Clock(T0)

    async def run() -> None:
        pipeline = Pipeline(db, clock=clock)
        await pipeline.start()
        await _send(pipeline, "dev0", T0 - dt.timedelta(seconds=5))
        await _send(pipeline, "dev1", T0 - dt.timedelta(seconds=3))
        clock.now = T0 + dt.timedelta(hours=30)             # jumps ahead 30 hours at once
        assert sorted(s.seal for s in await pipeline.tick()) == ["S0", "S1"]
        clock.now = T0 + dt.timedelta(minutes=10)           # set back
        assert await pipeline.tick() == []
        await _send(pipeline, "dev0", T0 + dt.timedelta(minutes=9))   # S0 is heard again
        await asyncio.sleep(0.05)
        clock.now = T0 + dt.timedelta(hours=31)             # and forward once more
        fired = await pipeline.tick()
        await pipeline.stop()
        return fired

    asyncio.run(run())
    losses = _losses(db)
    assert [seal for seal, *_ in losses].count("S1") == 1   # S1: one loss, still open
    s1 = next(row for row in losses if row[0] == "S1")
    assert s1[1] == T0 and s1[3] is None
    for seal, started, detected, ended in losses:
        assert started <= detected
        assert ended is None or ended >= started, (seal, started, ended)

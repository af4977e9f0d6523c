"""Timer-driven signal loss and a restart that loses nothing (Order 407 §3(8), §11).

The pipeline runs on a clock the test moves: a silence of exactly 3 h is not a loss,
3 h 00 min 01 s is, found by the ticker's heap without scanning the seals; after a restart
the engine is rebuilt from the database (active seals, last receipt, open situations,
recent positions) and carries on as if it had never stopped.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select

from kzreg.escort.engine import to_us
from kzreg.platform.db import unit_of_work
from kzreg.tracking import registry
from kzreg.tracking.models import TrackingSituation
from kzreg.tracking.pipeline import Pipeline
from kzreg.tracking.position import Position, SealState
from kzreg.tracking.store import Incoming

T0 = dt.datetime(2026, 11, 20, 6, 0, tzinfo=dt.UTC)
ROUTE = {"type": "LineString", "coordinates": [[76.90, 43.20], [76.90, 43.60]]}


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def _setup(db: str, seals: int = 2) -> None:
    with unit_of_work(db) as session:
        for n in range(seals):
            registry.register_seal(session, f"S{n}", device_id=f"dev{n}", protocol="egts")
            registry.activate(session, f"S{n}", at=T0, route=ROUTE, corridor_m=500,
                              escort_ref=f"E{n}", departure_office="55201",
                              destination_office="55202")


def _situations(db: str) -> list[tuple]:
    with unit_of_work(db) as session:
        rows = session.scalars(select(TrackingSituation).order_by(TrackingSituation.id))
        return [(s.seal, s.type, s.started_at, s.ended_at) for s in rows]


async def _send(pipeline: Pipeline, device: str, *positions: Position) -> None:
    await pipeline.submit(Incoming(device, "egts", pipeline.clock(), list(positions)))


def _at(device: str, seconds: int, lat: float = 43.3, **kw) -> Position:
    return Position(device, T0 + dt.timedelta(seconds=seconds), lat, 76.9, **kw)


def test_signal_loss_fires_just_after_three_hours(db):
    _setup(db)
    clock = Clock(T0 + dt.timedelta(minutes=10))

    async def run() -> None:
        pipeline = Pipeline(db, clock=clock)
        await pipeline.start()
        await _send(pipeline, "dev0", _at("dev0", 590))
        await _send(pipeline, "dev1", _at("dev1", 595))
        last = T0 + dt.timedelta(minutes=10)             # both received at clock time
        clock.now = last + dt.timedelta(hours=3)
        assert await pipeline.tick() == []               # exactly 3 h: not "more than"
        clock.now = last + dt.timedelta(hours=3, seconds=1)
        fired = await pipeline.tick()
        assert sorted(s.seal for s in fired) == ["S0", "S1"]
        assert pipeline.engine.next_deadline() is None    # nothing left to wait for
        clock.now += dt.timedelta(minutes=5)
        await _send(pipeline, "dev0", _at("dev0", 4 * 3600))   # S0's signal is back
        await asyncio.sleep(0.05)
        await pipeline.stop()

    asyncio.run(run())
    rows = _situations(db)
    loss = {seal: (start, end) for seal, kind, start, end in rows if kind == "signal_loss"}
    assert loss["S0"][0] == T0 + dt.timedelta(minutes=10)
    assert loss["S0"][1] == T0 + dt.timedelta(hours=3, minutes=15, seconds=1)   # ended
    assert loss["S1"][1] is None                                                  # still open


def test_restart_rebuilds_the_engine_from_the_database(db):
    _setup(db)
    clock = Clock(T0 + dt.timedelta(minutes=30))

    async def before_crash() -> None:
        pipeline = Pipeline(db, clock=clock)
        await pipeline.start()
        # S0 opened; S1 off its route (0.1° east, ~8 km) for 3 minutes of the 5 needed
        await _send(pipeline, "dev0", _at("dev0", 1700, seal_state=SealState.OPENED))
        await _send(pipeline, "dev1", *[Position("dev1", T0 + dt.timedelta(seconds=1620 + 60 * i),
                                                 43.4, 77.0) for i in range(4)])
        await asyncio.sleep(0.05)
        await pipeline.stop()                           # the process "dies" here

    async def after_restart() -> Pipeline:
        clock.now = T0 + dt.timedelta(minutes=33)
        pipeline = Pipeline(db, clock=clock)
        await pipeline.start()
        seals = pipeline.engine._seals
        assert set(seals) == {"S0", "S1"}
        assert seals["S0"].opened is not None               # the open removal is known
        assert seals["S1"].out_since == to_us(T0 + dt.timedelta(seconds=1620))  # debounce
        # two more minutes outside complete S1's deviation: the debounce survived
        await _send(pipeline, "dev1", Position("dev1", T0 + dt.timedelta(seconds=1920),
                                               43.4, 77.0))
        # S0 reports "opened" again: the same removal, not a second one
        await _send(pipeline, "dev0", _at("dev0", 1980, seal_state=SealState.OPENED))
        await asyncio.sleep(0.05)
        # silence from here: the restart kept the last receipts, the timer still fires
        clock.now = T0 + dt.timedelta(minutes=33, hours=3, seconds=1)
        assert sorted(s.seal for s in await pipeline.tick()) == ["S0", "S1"]
        await pipeline.stop()
        return pipeline

    asyncio.run(before_crash())
    assert [r[:2] for r in _situations(db)] == [("S0", "unauthorized_removal")]
    asyncio.run(after_restart())
    kinds = sorted(r[:2] for r in _situations(db))
    assert kinds == [("S0", "signal_loss"), ("S0", "unauthorized_removal"),
                     ("S1", "route_deviation"), ("S1", "signal_loss")]
    deviation = next(r for r in _situations(db) if r[1] == "route_deviation")
    assert deviation[2] == T0 + dt.timedelta(seconds=1620)      # from the first fix outside


def test_restart_after_downtime_reports_the_loss_that_occurred(db):
    _setup(db, seals=1)
    clock = Clock(T0 + dt.timedelta(minutes=1))

    async def run(stop_after: bool) -> list:
        pipeline = Pipeline(db, clock=clock)
        await pipeline.start()
        if stop_after:
            await _send(pipeline, "dev0", _at("dev0", 50))
            await asyncio.sleep(0.05)
        await pipeline.stop()
        return []

    asyncio.run(run(True))
    clock.now = T0 + dt.timedelta(hours=5)                  # the service was down 5 hours
    asyncio.run(run(False))
    assert [(s, k, start) for s, k, start, _ in _situations(db)] == \
        [("S0", "signal_loss", T0 + dt.timedelta(minutes=1))]
    asyncio.run(run(False))                                 # a second restart: no duplicate
    assert len(_situations(db)) == 1


def test_deactivation_elsewhere_reaches_the_running_engine(db):
    _setup(db, seals=1)
    clock = Clock(T0 + dt.timedelta(minutes=1))

    async def run() -> None:
        pipeline = Pipeline(db, clock=clock)
        await pipeline.start()
        assert pipeline.engine.is_active("S0")
        with unit_of_work(db) as session:                   # the escort room, §14
            registry.deactivate(session, "S0", at=T0 + dt.timedelta(minutes=2))
        await pipeline.poll_seals()
        assert not pipeline.engine.is_active("S0")
        clock.now = T0 + dt.timedelta(hours=4)
        assert await pipeline.tick() == []                  # no loss after deactivation
        await pipeline.stop()

    asyncio.run(run())
    assert _situations(db) == []

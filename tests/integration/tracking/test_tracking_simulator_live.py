"""The simulator against the real listeners and pipeline (in-process, ephemeral ports),
on SQLite and PostgreSQL: Wialon IPS 2.0 and EGTS devices log in, every report is
acknowledged after it is stored, and the scenarios raise the §3(8) situations — the opened
seal an unauthorized removal, the silent one a signal loss, the deviating one a route
deviation — which the console's live feed then reports."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import func, select

from kzreg.escort import console_data
from kzreg.law.settings import get_setting, override
from kzreg.platform.actors import Actor, Role
from kzreg.platform.db import unit_of_work
from kzreg.tracking import simulator
from kzreg.tracking.models import TrackingPosition, TrackingSituation
from kzreg.tracking.pipeline import Pipeline
from kzreg.tracking.server import TrackingServer

OPERATOR = Actor("operator", Role.OPERATOR)


async def _simulate(url: str, seals, options) -> dict[str, int]:
    pipeline = Pipeline(url)
    await pipeline.start()
    server = TrackingServer(pipeline, host="127.0.0.1", ports={"wialon-ips": 0, "egts": 0})
    await server.start()
    try:
        await simulator.run(seals, "127.0.0.1", server.ports, options)
        await asyncio.sleep(1.5)   # the pipeline's ticker fires the due signal loss
    finally:
        await server.stop()
        await pipeline.stop()
    return server.ports


def test_simulated_seals_report_over_wialon_and_egts_and_raise_situations(db):
    seals = simulator.plan(4, list(simulator.Scenario), prefix="T", run="it")
    options = simulator.Options(accel=200, interval=1.0, event_after=1.5,
                                deviation_seconds=30, silence_lead=3.0, duration=6.0)
    with override(escort__route_deviation_min_minutes=0):
        with unit_of_work() as session:
            simulator.register(session, seals, now=dt.datetime.now(dt.UTC), corridor_m=1000,
                               options=options)
            mark = console_data.Watermark.start(session, dt.datetime.now(dt.UTC))
        asyncio.run(_simulate(db, seals, options))

    by_scenario = {seal.scenario: seal for seal in seals}
    for seal in seals:
        if seal.scenario != simulator.Scenario.SILENT:
            assert seal.errors == [], seal.errors
            assert seal.acked >= 4, (seal.seal_number, seal.acked)
    assert {s.protocol for s in seals} == {"wialon-ips", "egts"}
    with unit_of_work() as session:
        stored = dict(session.execute(select(TrackingPosition.seal, func.count())
                                      .group_by(TrackingPosition.seal)).all())
        for seal in seals:
            if seal.scenario != simulator.Scenario.SILENT:
                # every acknowledged report is stored, one row each (fixes are a second apart)
                assert stored[seal.seal_number] == seal.acked, seal.seal_number
        assert by_scenario[simulator.Scenario.SILENT].seal_number not in stored
        found = {(s.seal, s.type) for s in session.scalars(select(TrackingSituation))}
        events = console_data.changes(session, OPERATOR, mark, dt.datetime.now(dt.UTC))
    assert (by_scenario[simulator.Scenario.OPEN].seal_number, "unauthorized_removal") in found
    assert (by_scenario[simulator.Scenario.SILENT].seal_number, "signal_loss") in found
    assert (by_scenario[simulator.Scenario.DEVIATE].seal_number, "route_deviation") in found
    assert not any(seal == by_scenario[simulator.Scenario.NORMAL].seal_number
                   for seal, _ in found)
    kinds = {name for name, _ in events}
    assert {"position", "situation", "signal"} <= kinds
    live = {(e["seal"], e["type"]) for name, e in events if name == "situation"}
    assert live == found


def test_a_deviating_vehicle_leaves_the_corridor_and_comes_back():
    seal = simulator.plan(2, [simulator.Scenario.DEVIATE], prefix="G")[0]
    path = simulator.Path(seal.route)
    options = simulator.Options(event_after=10, deviation_seconds=20, deviation_m=5000)
    now = dt.datetime.now(dt.UTC)
    from kzreg.escort.geo import Route

    route = Route(seal.route)
    off = [route.distance(p.lat, p.lon) for p in
           (simulator.position_at(seal, path, t, options, now) for t in (0, 9, 11, 29, 31))]
    assert off[0] < 1 and off[1] < 1 and off[4] < 1
    assert 4900 < off[2] < 5100 and 4900 < off[3] < 5100
    assert get_setting("escort.route_corridor_half_width_m").value < 5000


def test_the_demo_route_runs_between_the_demo_offices_on_the_basemap_road():
    seals = simulator.plan(2, [simulator.Scenario.NORMAL])
    there, back = seals
    assert (there.departure, there.destination) == ("50511", "51730")
    assert (back.departure, back.destination) == ("51730", "50511")
    assert there.route == back.route[::-1]
    almaty, khorgos = there.route[0], there.route[-1]
    assert abs(almaty[1] - 43.25) < 0.1 and abs(almaty[0] - 76.91) < 0.1
    assert abs(khorgos[1] - 44.22) < 0.1 and abs(khorgos[0] - 80.40) < 0.1
    assert 250_000 < simulator.Path(there.route).length_m < 400_000
    with pytest.raises(LookupError):
        simulator.road("Nowhere – Elsewhere")

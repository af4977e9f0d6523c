"""The console's API over HTTP: who sees which seals, the track, the operator's audited
acknowledgement of a situation, the offline basemap, and the live feed's authentication."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient

from kzreg.platform.audit import entries
from kzreg.platform.db import unit_of_work
from kzreg.platform.users import create_user, issue_token
from kzreg.tracking import registry
from kzreg.tracking.models import TrackingSituation
from kzreg.tracking.position import Position, SealState
from kzreg.tracking.store import Incoming, PositionStore

PW = "correct horse battery"
ROUTE = {"type": "LineString", "coordinates": [[76.91, 43.25], [78.26, 43.6], [80.40, 44.22]]}
DEVICE = "868000000000001"


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def console_app():
    from kzreg.escort.console import router
    from kzreg.web import create_app

    app = create_app()
    if not any(getattr(r, "path", "") == "/escort/console" for r in app.routes):
        app.include_router(router)   # until the escort room's api.py includes it
    return app


@pytest.fixture
def site(db):
    now = dt.datetime.now(dt.UTC)
    with unit_of_work() as s:
        create_user(s, "op", "operator", PW)
        create_user(s, "aud", "auditor", PW)
        create_user(s, "khorgos", "customs_officer", PW, offices=("51730",))
        create_user(s, "elsewhere", "customs_officer", PW, offices=("99999",))
        create_user(s, "maker", "manufacturer", PW, bin="150340012340")
        tokens = {n: issue_token(s, n) for n in ("op", "aud", "khorgos", "elsewhere", "maker")}
        registry.register_seal(s, "S-1", device_id=DEVICE, protocol="wialon-ips")
        registry.activate(s, "S-1", at=now - dt.timedelta(minutes=10), route=ROUTE,
                          corridor_m=1000, escort_ref="E-1", departure_office="50511",
                          destination_office="51730")
    PositionStore(max_future=dt.timedelta(minutes=10)).write([
        Incoming(DEVICE, "wialon-ips", now, [
            Position(DEVICE, now - dt.timedelta(minutes=2), 43.3, 77.1,
                     seal_state=SealState.CLOSED),
            Position(DEVICE, now - dt.timedelta(minutes=1), 43.4, 77.3,
                     seal_state=SealState.OPENED)]),
        Incoming("unknown-1", "egts", now, [Position("unknown-1", now, 45.0, 70.0)])])
    with unit_of_work() as s:
        situation = TrackingSituation(
            seal="S-1", type="unauthorized_removal", started_at=now - dt.timedelta(minutes=1),
            occurred_at=now - dt.timedelta(minutes=1), detected_at=now,
            notify_by=now + dt.timedelta(minutes=59), evidence={"state": "opened"})
        s.add(situation)
        s.flush()
        situation_id = situation.id
    return TestClient(console_app(), raise_server_exceptions=False), tokens, situation_id


def get(client, token, url):
    return client.get(url, headers={"Authorization": f"Bearer {token}"})


def test_the_operator_sees_seals_positions_situations_and_quarantine(site):
    client, tokens, situation_id = site
    state = get(client, tokens["op"], "/api/escort/console/state").json()
    [seal] = state["seals"]
    assert seal["seal"] == "S-1" and seal["corridor_m"] == 1000
    assert seal["route"] == ROUTE["coordinates"]
    assert seal["last_position"]["lat"] == 43.4
    assert seal["last_position"]["seal_state"] == "opened"
    assert seal["last_seen"] is not None
    assert [s["id"] for s in state["situations"]] == [situation_id]
    assert state["situations"][0]["basis"].endswith("§11")
    assert [q["device"] for q in state["quarantine"]] == ["unknown-1"]
    assert state["can_acknowledge"] is True
    track = get(client, tokens["op"], "/api/escort/console/seals/S-1/track").json()
    assert track["points"] == [[77.1, 43.3], [77.3, 43.4]]


def test_scope_officers_by_office_businesses_refused(site):
    client, tokens, _ = site
    khorgos = get(client, tokens["khorgos"], "/api/escort/console/state").json()
    assert [s["seal"] for s in khorgos["seals"]] == ["S-1"]
    assert khorgos["quarantine"] == [] and khorgos["can_acknowledge"] is False
    elsewhere = get(client, tokens["elsewhere"], "/api/escort/console/state").json()
    assert elsewhere["seals"] == [] and elsewhere["situations"] == []
    assert get(client, tokens["elsewhere"],
               "/api/escort/console/seals/S-1/track").status_code == 404
    refused = get(client, tokens["maker"], "/api/escort/console/state")
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api/escort/console/state").status_code == 401
    assert client.get("/api/escort/live").status_code == 401
    assert get(client, tokens["maker"], "/api/escort/live").status_code == 403


def test_acknowledging_a_situation_is_audited_once(site):
    client, tokens, situation_id = site
    url = f"/api/escort/console/situations/{situation_id}/acknowledge"
    auth = {"Authorization": f"Bearer {tokens['op']}"}
    first = client.post(url, headers=auth)
    assert first.status_code == 200, first.text
    again = client.post(url, headers=auth).json()
    assert again["acknowledged"]["by"] == "op"
    with unit_of_work() as s:
        acks = [e for e in entries(s) if e.action == "escort.situation.acknowledged"]
    assert len(acks) == 1 and json.loads(acks[0].data)["situation_id"] == situation_id
    state = get(client, tokens["op"], "/api/escort/console/state").json()
    assert state["situations"][0]["acknowledged"]["by"] == "op"
    for who in ("aud", "khorgos"):
        assert client.post(url, headers={"Authorization": f"Bearer {tokens[who]}"}
                           ).status_code == 403
    missing = client.post("/api/escort/console/situations/999999/acknowledge", headers=auth)
    assert missing.status_code == 404


def test_the_basemap_is_served_from_the_package(site):
    client, tokens, _ = site
    response = client.get("/api/escort/console/basemap")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    assert len(response.content) < 2_000_000
    layers = {}
    for feature in response.json()["features"]:
        layers.setdefault(feature["properties"]["layer"], []).append(feature)
    assert {"country", "neighbour", "region", "lake", "road", "city"} <= set(layers)
    assert layers["country"][0]["properties"]["name"] == "Kazakhstan"
    cities = {f["properties"]["name"] for f in layers["city"]}
    assert {"Almaty", "Astana", "Khorgos", "Shymkent"} <= cities


def test_the_live_feed_reports_each_stored_thing_once(site):
    from kzreg.escort import console_data
    from kzreg.platform.actors import Actor, Role

    operator = Actor("op", Role.OPERATOR)
    elsewhere = Actor("elsewhere", Role.CUSTOMS_OFFICER, offices=frozenset({"99999"}))
    _, _, situation_id = site
    now = dt.datetime.now(dt.UTC)
    with unit_of_work() as s:
        mark = console_data.Watermark.start(s, now)
        other = console_data.Watermark.parse(mark.token())
        # the first poll may repeat what was stored just before the watermark (a commit
        # may land late); the page ignores a position it already has
        console_data.changes(s, operator, mark, now)
        console_data.changes(s, elsewhere, other, now)
    later = now + dt.timedelta(seconds=1)
    PositionStore(max_future=dt.timedelta(minutes=10)).write([
        Incoming(DEVICE, "wialon-ips", later, [Position(DEVICE, later, 43.5, 77.6)]),
        Incoming("unknown-2", "egts", later, [Position("unknown-2", later, 45.0, 70.0)])])
    with unit_of_work() as s:
        s.get(TrackingSituation, situation_id).ended_at = later
        s.add(TrackingSituation(seal="S-1", type="signal_loss", started_at=now,
                                occurred_at=now, detected_at=later,
                                notify_by=later + dt.timedelta(hours=1)))
    with unit_of_work() as s:
        events = console_data.changes(s, operator, mark, later)
        again = console_data.changes(s, operator, mark, later + dt.timedelta(seconds=1))
        hidden = console_data.changes(s, elsewhere, other, later)
    names = [name for name, _ in events]
    assert names.count("position") == 1 and names.count("signal") == 1
    [position] = [e for n, e in events if n == "position"]
    assert (position["lat"], position["lon"], position["seal"]) == (43.5, 77.6, "S-1")
    situations = {e["type"]: e for n, e in events if n == "situation"}
    assert situations["unauthorized_removal"]["ended_at"] is not None
    assert situations["signal_loss"]["ended_at"] is None
    assert [e["device"] for n, e in events if n == "quarantine"] == ["unknown-2"]
    assert again == []                     # nothing is sent twice
    assert [n for n, _ in hidden] == []    # another office's seal: nothing at all
    token = console_data.Watermark.parse(mark.token())
    assert token is not None and token.situation_id == mark.situation_id
    assert console_data.Watermark.parse("garbage") is None

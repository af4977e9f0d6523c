"""PostgreSQL goes away while the system runs, and comes back. The outage is a proxy the
test cuts (tests/faults/proxy.py) — the shared server itself is never stopped. The worker
keeps ticking and fires every timer exactly once afterwards; the tracking service stops
acknowledging (devices keep their data) and catches up; the web answers with an error
instead of hanging and serves again without a restart."""

from __future__ import annotations

import datetime as dt
import time

import httpx
import pytest
from sqlalchemy import func, select

from faults.fleet import Fleet
from faults.helpers import free_port, port_open, postgres_database, spawn, wait_for
from faults.proxy import CuttableProxy
from faults.test_kill_tracking import (
    DEVICES,
    check_nothing_acked_is_lost,
    register,
    tracking_settings,
)
from kzreg.platform.actors import Actor, Role
from kzreg.platform.audit import AuditEntry, verify
from kzreg.platform.cases import CaseEvent, open_case
from kzreg.platform.db import unit_of_work
from kzreg.platform.timers import Timer
from kzreg.platform.users import create_user, issue_token
from support.sample_case import SAMPLE

pytestmark = pytest.mark.postgres
OFFICER = Actor("aigerim", Role.INDUSTRY_OFFICER)
T0 = dt.datetime(2024, 4, 30, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def pg_db(request, tmp_path, monkeypatch):
    request.getfixturevalue("pg_server")
    with postgres_database(tmp_path, monkeypatch) as url:
        yield url


def _count(model, *where) -> int:
    with unit_of_work() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def test_worker_rides_out_a_database_outage(pg_db, tmp_path):
    with unit_of_work() as s:
        for k in range(100):
            open_case(s, SAMPLE.name, actor=OFFICER, title=f"permit {k}",
                      party_bins=["123456789012"], at=T0)
    with CuttableProxy() as proxy:
        worker = spawn(proxy.url(pg_db), "worker", "--poll", "0.1", "--limit", "5",
                       log=tmp_path / "worker.log")
        try:
            wait_for(lambda: _count(Timer, Timer.status != "pending") >= 40, 60, "firing")
            proxy.cut()
            time.sleep(3)
            assert worker.poll() is None, "the worker died with its database"
            assert _count(Timer, Timer.status == "pending") > 0
            proxy.restore()
            wait_for(lambda: _count(Timer, Timer.status == "pending") == 0, 90,
                     "the worker to catch up")
        finally:
            worker.terminate()
            worker.wait(30)
    assert "tick failed" in (tmp_path / "worker.log").read_text()   # it noticed, said so
    assert _count(CaseEvent, CaseEvent.transition == "deemed_refused") == 100
    assert _count(AuditEntry, AuditEntry.action == "deadline.breached") == 100
    with unit_of_work() as s:
        assert verify(s).ok


def test_tracking_stops_acknowledging_during_an_outage_then_catches_up(pg_db, tmp_path):
    register(pg_db, DEVICES)
    port = free_port()
    settings = tracking_settings(tmp_path, port)
    start_at = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=2)
    with CuttableProxy() as proxy:
        server = spawn(proxy.url(pg_db), "tracking", "serve", log=tmp_path / "tracking.log",
                       KZREG_SETTINGS_FILE=settings)
        fleet = Fleet(port, DEVICES, start_at)
        try:
            wait_for(lambda: port_open(port), 60, "the listener")
            fleet.start()
            wait_for(lambda: fleet.total >= 100, 60, "acknowledged fixes")
            proxy.cut()
            time.sleep(1)                             # what was in flight settles
            during = fleet.total
            time.sleep(3)
            assert fleet.total == during, "acknowledged while the database was away"
            assert server.poll() is None
            proxy.restore()
            wait_for(lambda: fleet.total >= during + 150, 60, "catching up")
        finally:
            fleet.stop.set()
            fleet.join(30)
            server.terminate()
            server.wait(30)
    check_nothing_acked_is_lost(pg_db, fleet)


def test_web_answers_an_error_during_an_outage_and_recovers_without_restart(pg_db,
                                                                           tmp_path):
    with unit_of_work() as s:
        create_user(s, "officer1", Role.INDUSTRY_OFFICER, "outage-password-12")
        token = issue_token(s, "officer1")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}
    with CuttableProxy() as proxy:
        server = spawn(proxy.url(pg_db), "serve", "--port", str(port),
                       "--log-level", "warning", log=tmp_path / "serve.log")
        try:
            wait_for(lambda: port_open(port), 60, "kzreg serve")
            assert httpx.get(f"{url}/api/cases", headers=headers, timeout=10).status_code == 200
            proxy.cut()
            started = time.monotonic()
            answer = httpx.get(f"{url}/api/cases", headers=headers, timeout=30)
            assert answer.status_code == 503 and time.monotonic() - started < 15
            assert answer.headers["retry-after"].isdigit()
            assert answer.json()["type"].endswith("/unavailable")
            assert "Traceback" not in answer.text
            health = httpx.get(f"{url}/health", timeout=30)
            assert health.status_code == 503
            proxy.restore()
            wait_for(lambda: httpx.get(f"{url}/api/cases", headers=headers,
                                       timeout=10).status_code == 200, 30, "recovery")
        finally:
            server.terminate()
            server.wait(30)

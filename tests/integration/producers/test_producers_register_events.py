"""Automatic removal on notices of the state register of legal entities (Law 86-VII Art 51-6
para 2-3), and removal on monitoring only after a notice to eliminate (Art 51-4(2)): SQLite
and PostgreSQL, the service, the command line and the API."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from kzreg.law.calendar import ALMATY
from kzreg.law.errors import Conflict, Forbidden, InputError, LegalRuleError
from kzreg.law.settings import override
from kzreg.platform.audit import AuditEntry
from kzreg.platform.db import unit_of_work
from kzreg.platform.notifications import inbox
from kzreg.platform.users import create_user, get_user, issue_token
from kzreg.producers import register_events as ev
from kzreg.producers import service
from kzreg.producers.cli import app
from kzreg.producers.models import LegalEntityEvent

PW = "correct horse battery"
BIN = "150340012340"          # the producer
HEIR = "180840045211"         # a successor
runner = CliRunner()


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=ALMATY)


@pytest.fixture
def people(db, monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with unit_of_work() as s:
        maker = create_user(s, "maker", "manufacturer", PW, bin=BIN)
        heir = create_user(s, "heir", "manufacturer", PW, bin=HEIR)
        officer = create_user(s, "officer", "industry_officer", PW)
        service.enter_wholly_produced(s, officer.actor(), bin=BIN, name="Dala Grain LLP",
                                      category="agricultural_products",
                                      source="agriculture_authority",
                                      goods=[{"code": "1001", "title": "Wheat"}],
                                      at=at("2025-09-01"))
        return {"maker": maker.id, "heir": heir.id, "officer": officer.actor()}


def _event(**over):
    return {"bin": BIN, "kind": "liquidation", "date": "2025-11-03", "source_ref": "GBD-1",
            **over}


def test_liquidation_removes_once_audited_and_notified(people):
    officer = people["officer"]
    with unit_of_work() as s:
        row, dup = ev.receive(s, officer, _event(), at=at("2025-11-05"))
        assert (row.outcome, dup) == ("removed", False)
        entry = service.entry_by_bin(s, BIN)
        assert (entry.status, entry.excluded_on, entry.exclusion_ground) == (
            "excluded", dt.date(2025, 11, 3), "liquidation")
        assert service.search(s, "Dala") == []
        assert any("automatically" in n.subject and "GBD-1" in n.subject
                   for n in inbox(s, people["maker"]))
        audited = s.scalars(select(AuditEntry).where(
            AuditEntry.action == "producers.register.legal_entity_removed")).one()
        assert audited.basis.endswith("Art 51-6") and audited.payload["source_ref"] == "GBD-1"
    with unit_of_work() as s:   # re-delivered: the first answer, nothing new
        row, dup = ev.receive(s, officer, _event(), at=at("2025-11-06"))
        assert (row.outcome, dup) == ("removed", True)
        assert s.query(LegalEntityEvent).count() == 1
        assert s.query(AuditEntry).filter(AuditEntry.action.like(
            "producers.register.legal_entity_%")).count() == 1
        with pytest.raises(Conflict):
            ev.receive(s, officer, _event(date="2025-11-04"))


def test_transformation_keeps_and_merger_removes_telling_the_successor(people):
    officer = people["officer"]
    with unit_of_work() as s:
        kept, _ = ev.receive(s, officer, _event(kind="reorganisation", source_ref="GBD-2",
                                                reorganisation_form="transformation",
                                                successor_bins=[BIN]), at=at("2025-11-05"))
        assert (kept.outcome, kept.review) == ("kept", False)
        assert service.entry_by_bin(s, BIN).status == "included"
        merged, _ = ev.receive(s, officer, _event(kind="reorganisation", source_ref="GBD-3",
                                                  reorganisation_form="merger",
                                                  successor_bins=f"{HEIR}"),
                               at=at("2025-11-06"))
        assert merged.outcome == "removed" and merged.successor_bins == [HEIR]
        assert service.entry_by_bin(s, BIN).exclusion_ground == "reorganisation"
        assert any("anew" in n.subject for n in inbox(s, people["heir"]))
        again, _ = ev.receive(s, officer, _event(source_ref="GBD-4"), at=at("2025-11-07"))
        assert again.outcome == "not_in_register"


@pytest.mark.parametrize(("event", "field"), [
    ({"kind": "bankruptcy"}, "kind"),
    ({"kind": "reorganisation"}, "reorganisation_form"),
    ({"date": "2025-12-01"}, "date"),              # after its receipt
    ({"bin": "150340012341"}, "bin"),              # control digit
    ({"source_ref": ""}, "source_ref"),
])
def test_bad_notices_are_refused_naming_the_field(people, event, field):
    with unit_of_work() as s, pytest.raises(InputError) as err:
        ev.receive(s, people["officer"], _event(**event), at=at("2025-11-05"))
    assert err.value.field == field


def test_a_business_cannot_feed_notices(people):
    with unit_of_work() as s, pytest.raises(Forbidden):
        ev.receive(s, get_user(s, "maker").actor(), _event())


def test_cli_csv_batch_is_one_transaction_and_idempotent(people, tmp_path):
    csv = tmp_path / "events.csv"
    csv.write_text("bin,kind,date,source_ref,reorganisation_form,successor_bins\n"
                   f"{HEIR},liquidation,2025-11-01,GBD-10,,\n"
                   f"{BIN},reorganisation,2025-11-02,GBD-11,division,{HEIR};{BIN}\n",
                   encoding="utf-8")
    out = runner.invoke(app, ["register", "events", str(csv)])
    assert out.exit_code == 0, out.output
    assert "GBD-10: 180840045211 liquidation 2025-11-01: not_in_register" in out.output
    assert "GBD-11" in out.output and "removed" in out.output
    again = runner.invoke(app, ["register", "events", str(csv), "--as", "officer"])
    assert again.output.count("already received, unchanged") == 2
    with unit_of_work() as s:
        assert s.query(LegalEntityEvent).count() == 2
        assert s.scalars(select(LegalEntityEvent.received_by)).all() == ["system", "system"]


def test_a_bad_line_refuses_the_file_with_exit_2(people, tmp_path):
    path = tmp_path / "events.json"
    path.write_text(json.dumps({"events": [_event(), _event(source_ref="X2", kind="sale")]}),
                    encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "kzreg.cli", "producers", "register",
                           "events", str(path)], capture_output=True, text=True,
                          env=os.environ.copy(), timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "error: events.1: kind: kind is one of ['liquidation', 'reorganisation'] "
        "(Law 86-VII, Art 51-6)"]
    with unit_of_work() as s:   # nothing of the file was kept
        assert s.query(LegalEntityEvent).count() == 0
        assert service.entry_by_bin(s, BIN).status == "included"


def test_api_for_the_feed_account(people):
    from kzreg.web import create_app

    with unit_of_work() as s:
        h = {n: {"Authorization": f"Bearer {issue_token(s, n)}"} for n in ("officer", "maker")}
    client = TestClient(create_app(), raise_server_exceptions=False)
    url = "/api/producers/register/legal-entity-events"
    assert client.post(url, headers=h["maker"], json={"events": [_event()]}).status_code == 403
    r = client.post(url, headers=h["officer"], json={"events": [_event(date="2099-01-01")]})
    assert r.status_code == 422 and "events.0: date" in r.text
    r = client.post(url, headers=h["officer"], json={"events": [_event()]})
    assert r.status_code == 200, r.text
    assert r.json()["results"][0] | {"id": 0, "received_at": ""} == {
        "id": 0, "received_at": "", "source_ref": "GBD-1", "bin": BIN, "kind": "liquidation",
        "reorganisation_form": None, "date": "2025-11-03", "successor_bins": [],
        "outcome": "removed", "review": False, "duplicate": False}
    r = client.post(url, headers=h["officer"], json={"events": [_event()]})
    assert r.json()["results"][0]["duplicate"] is True
    assert client.get(url, headers=h["officer"]).json()["events"][0]["source_ref"] == "GBD-1"
    assert client.get(url, headers=h["maker"]).status_code == 403


# --- removal on monitoring results needs the notice first (Art 51-4(2)) ---------------------

def test_monitoring_removal_only_after_a_notice_not_eliminated(people):
    officer = people["officer"]
    with unit_of_work() as s:
        with pytest.raises(LegalRuleError) as err:
            service.exclude(s, officer, BIN, ground="monitoring", at=at("2025-12-01"))
        assert err.value.citation.locator == "Art 51-4(2)" and "no notice" in err.value.message
    with unit_of_work() as s:
        service.record_monitoring(s, officer, BIN, run_on=dt.date(2025, 12, 1), positive=False,
                                  failed=[{"code": "staff", "reason": "no payroll"}],
                                  at=at("2025-12-01"))
        service.record_monitoring(s, officer, BIN, run_on=dt.date(2025, 12, 8), positive=True,
                                  at=at("2025-12-08"))
    with unit_of_work() as s, pytest.raises(LegalRuleError) as err:
        service.exclude(s, officer, BIN, ground="monitoring", at=at("2025-12-10"))
    assert "eliminated" in err.value.message
    with unit_of_work() as s:
        service.record_monitoring(s, officer, BIN, run_on=dt.date(2026, 1, 12), positive=False,
                                  failed=[{"code": "video", "reason": "no remote access"}],
                                  at=at("2026-01-12"))
    with override(producers__monitoring_elimination_deadline="30 calendar days"):
        with unit_of_work() as s, pytest.raises(LegalRuleError) as err:
            service.exclude(s, officer, BIN, ground="monitoring", at=at("2026-02-11"))
        assert "until 2026-02-11" in err.value.message
        with unit_of_work() as s:
            case = service.exclude(s, officer, BIN, ground="monitoring", at=at("2026-02-12"))
            basis = case.data["removal_basis"]["value"]
            assert basis["notice_on"] == "2026-01-12" and basis["eliminate_by"] == "2026-02-11"
            assert basis["failed"] == ["video: no remote access"]


def test_entry_page_shows_the_basis_and_the_notices(people):
    import re

    from kzreg.web import create_app

    client = TestClient(create_app(), raise_server_exceptions=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"username": "officer", "password": PW, "csrf_token": token})
    page = client.get(f"/producers/register/entries/{BIN}").text
    assert 'id="removal-basis" data-allowed="no"' in page and "Art 51-4(2)" in page
    assert "producers.monitoring_elimination_deadline" in page
    with unit_of_work() as s:
        ev.receive(s, people["officer"], _event(kind="reorganisation", source_ref="GBD-9",
                                                reorganisation_form="transformation",
                                                successor_bins=[HEIR]))
    page = client.get(f"/producers/register/entries/{BIN}").text
    assert 'data-outcome="kept"' in page and "GBD-9" in page and HEIR in page

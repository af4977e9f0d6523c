"""Secrecy of the order (Law 236-VI Art 25 sub 3) on the demo data, SQLite and PostgreSQL:
a clearance-1 reader cannot reach a top-secret (level 2) order or line by list, by id, by
search, in an explanation, in a CSV or PDF export, or through an error message; every read
of classified data is audited."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from fastapi.testclient import TestClient

from kzreg.defense import order_demo
from kzreg.defense.models import DefenseOrder, DefenseOrderLine, DefenseSelection
from kzreg.platform import audit
from kzreg.platform.db import unit_of_work
from kzreg.platform.users import create_user, issue_token
from kzreg.web import create_app

PW = "correct horse battery"
API = "/api/defense"
SECRET_WORDS = ("Strategic air defense", "Medium-range air defense", "Counter-battery",
                "Long-range air surveillance", "Irbis")


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def demo(db):
    with unit_of_work() as s:
        assert order_demo.load(s)
        assert order_demo.load(s) is None            # idempotent
        create_user(s, "top", "defense_officer", PW, clearance=2)
        create_user(s, "low", "defense_officer", PW, clearance=1)
        create_user(s, "qorgan", "contractor", PW, bin=order_demo.QORGAN.bin, clearance=1)
        tokens = {n: issue_token(s, n) for n in ("top", "low", "qorgan")}
        ids = {
            "secret_order": s.query(DefenseOrder).filter_by(secrecy_level=2).one().id,
            "approved": s.query(DefenseOrder).filter_by(status="approved").one().id,
            "cbr_line": s.query(DefenseOrderLine).filter(
                DefenseOrderLine.nomenclature == "Counter-battery radar").one().id,
        }
        ids["cbr_selection"] = s.query(DefenseSelection).filter_by(
            line_id=ids["cbr_line"]).one().id
    client = TestClient(create_app(), raise_server_exceptions=False)
    return client, {n: {"Authorization": f"Bearer {t}"} for n, t in tokens.items()}, ids


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()


def leaks(text: str) -> list[str]:
    return [w for w in SECRET_WORDS if w.lower() in text.lower()]


def test_top_secret_reader_sees_everything_and_is_audited(demo) -> None:
    client, h, ids = demo
    listed = client.get(f"{API}/orders", headers=h["top"]).text
    assert "Strategic air defense" in listed and "Counter-battery" in listed
    assert client.get(f"{API}/orders/{ids['secret_order']}", headers=h["top"]).status_code \
        == 200
    with unit_of_work() as s:
        reads = [e for e in audit.entries(s, limit=50) if e.action == "defense.classified_read"]
    assert reads and reads[-1].actor == "top" and reads[-1].payload["level"] == 2


def test_clearance_one_cannot_reach_a_level_two_order(demo) -> None:
    client, h, ids = demo
    low, secret = h["low"], ids["secret_order"]
    # by list and by search
    assert not leaks(client.get(f"{API}/orders", headers=low).text)
    for q in ("Strategic", "Medium-range", "Counter-battery", "radar", "Irbis"):
        assert not leaks(client.get(f"{API}/search?q={q}", headers=low).text), q
        assert not leaks(client.get(f"{API}/orders?q={q}", headers=low).text), q
    assert client.get(f"{API}/orders?q=Counter-battery", headers=low).json()["total"] == 0
    # by id: the same "not found" as for an order that does not exist
    hidden = client.get(f"{API}/orders/{secret}", headers=low)
    missing = client.get(f"{API}/orders/999999", headers=low)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"].replace(str(secret), "N") == \
        missing.json()["detail"].replace("999999", "N")
    for path in (f"orders/{secret}/check", f"orders/{secret}/export.csv",
                 f"orders/{secret}/export.pdf", f"selections/{ids['cbr_selection']}"):
        r = client.get(f"{API}/{path}", headers=low)
        assert r.status_code == 404 and not leaks(r.text), path
    # writing into it is "not found" too, not "forbidden"
    r = client.post(f"{API}/orders/{secret}/lines", headers=low, json={
        "nomenclature": "x", "category": "1", "quantity": 1, "recipient": "x",
        "unit_price": 1})
    assert r.status_code == 404
    r = client.post(f"{API}/lines/{ids['cbr_line']}/selection", headers=low,
                    json={"held_on": "2025-02-01"})
    assert r.status_code == 404 and not leaks(r.text)


def test_level_two_line_is_withheld_inside_a_visible_order(demo) -> None:
    client, h, ids = demo
    low, approved = h["low"], ids["approved"]
    view = client.get(f"{API}/orders/{approved}", headers=low)
    assert view.status_code == 200 and not leaks(view.text)
    lines = view.json()["lines"]
    withheld = [ln for ln in lines if ln["nomenclature"] == "[withheld: classified]"]
    assert len(withheld) == 1 and withheld[0]["unit_price"] == "[withheld: classified]"
    assert view.json()["total"] == "[withheld: classified]"     # a total would leak its cost
    # the content check: no explanation and no finding from the hidden line
    check = client.get(f"{API}/orders/{approved}/check", headers=low).json()
    assert check["explanation"]["value"] == "[withheld: classified]"
    assert not leaks(str(check))
    # exports
    csv = client.get(f"{API}/orders/{approved}/export.csv", headers=low)
    assert csv.status_code == 200 and not leaks(csv.text) and "SECRET" in csv.text
    assert "600000000" not in csv.text                       # the hidden line's price
    pdf = client.get(f"{API}/orders/{approved}/export.pdf?language=en", headers=low)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = pdf_text(pdf.content)
        assert "Armoured" in text and "250000000" in text and "Marking: SECRET" in text
        assert not [w for w in ("Counter", "battery", "600000000") if w in text]
    top_pdf = client.get(f"{API}/orders/{approved}/export.pdf?language=en", headers=h["top"])
    if shutil.which("pdftotext"):
        text = pdf_text(top_pdf.content)
        assert "battery" in text and "600000000" in text and "TOP SECRET" in text
    # the versions (approved order and amendment) and the version in force on a date
    for path in (f"orders/{approved}/versions",
                 f"orders/{approved}/versions/applicable?on=2025-07-01"):
        r = client.get(f"{API}/{path}", headers=low)
        assert r.status_code == 200 and not leaks(r.text) and "600000000" not in r.text
    # the hidden line is "not found" for an amendment and for a contract
    ref = f"L{ids['cbr_line']}"
    for r in (client.post(f"{API}/orders/{approved}/amendments", headers=low, json={
                  "reason": "x", "changes": [{"ref": ref, "quantity": 1}]}),
              client.post(f"{API}/orders/{approved}/lines/{ref}/contract", headers=low)):
        assert r.status_code == 404 and not leaks(r.text)
    assert client.get(f"{API}/orders/{secret_id(client, h)}/versions",
                      headers=low).status_code == 404
    # lists of selections, applications, requirements, research and the register omit
    # level-2 records
    for path in ("selections", "applications", "register", "register?q=irbis",
                 "requirements", "research"):
        r = client.get(f"{API}/{path}", headers=low)
        assert r.status_code == 200 and not leaks(r.text), path


def secret_id(client, h) -> int:
    orders = client.get(f"{API}/orders", headers=h["top"]).json()["orders"]
    return next(o["id"] for o in orders if o["secrecy_level"] == 2)


def test_contractor_sees_only_its_tasks_within_clearance(demo) -> None:
    client, h, ids = demo
    mine = client.get(f"{API}/orders", headers=h["qorgan"]).json()
    assert [o["id"] for o in mine["orders"]] == [ids["approved"]]
    lines = mine["orders"][0]["lines"]
    # its level-0 task only: its own level-2 line is above its user's clearance
    assert [ln["nomenclature"] for ln in lines] == ["Armoured personnel carrier"]
    assert not leaks(str(mine))
    assert client.get(f"{API}/selections/{ids['cbr_selection']}",
                      headers=h["qorgan"]).status_code == 404
    register = client.get(f"{API}/register", headers=h["qorgan"]).json()
    assert [e["bin"] for e in register["entries"]] == [order_demo.QORGAN.bin]
    assert client.get(f"{API}/orders/{ids['approved']}/check",
                      headers=h["qorgan"]).status_code == 403


def test_pages_for_the_clearance_one_reader(demo) -> None:
    client, h, ids = demo
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    client.post("/login", data={"username": "low", "password": PW, "csrf_token": csrf})
    for path in ("/defense/", "/defense/orders", f"/defense/orders/{ids['approved']}",
                 "/defense/applications", "/defense/register", "/defense/selections",
                 "/defense/research", "/defense/requirements", "/defense/route?category=1",
                 "/defense/offshore",
                 "/defense/search?q=radar", "/defense/search?q=Strategic"):
        r = client.get(path)
        assert r.status_code == 200 and not leaks(r.text), path
    assert "/defense/contracts" in client.get("/defense/").text
    r = client.get(f"/defense/orders/{ids['secret_order']}")
    assert r.status_code == 404 and not leaks(r.text)


def test_hidden_register_entry_is_no_oracle_in_selection_or_inclusion(demo) -> None:
    client, h, ids = demo
    irbis, nobody = order_demo.bin_of("irbis"), "990140000000"
    with unit_of_work() as s:
        arv = s.query(DefenseOrderLine).filter_by(
            nomenclature="Armoured recovery vehicle").one().id
    answers = [client.post(f"{API}/lines/{arv}/selection", headers=h["low"], json={
        "held_on": "2025-10-01", "participants": [b], "winner": b}) for b in (irbis, nobody)]
    assert [a.status_code for a in answers] == [409, 409]
    assert answers[0].json()["detail"].replace(irbis, "B") == \
        answers[1].json()["detail"].replace(nobody, "B")
    # a level-0 selection, even run by a top-secret reader, never lists the level-2 entry
    run = client.post(f"{API}/lines/{arv}/selection", headers=h["top"], json={
        "held_on": "2025-10-01", "authorized_organization": order_demo.AO.model_dump()})
    assert run.status_code == 201 and irbis not in run.text
    again = client.post(f"{API}/register", headers=h["low"], json={
        "entity": {"bin": irbis, "name": "x", "production_facilities_in_kz": True},
        "kinds": ["producer"], "categories": ["1"], "included_on": "2025-01-01",
        "decision": "d"})
    assert again.status_code == 409 and "2024" not in again.text and not leaks(again.text)

"""Domestic raw materials as stored records (Law 86-VII Art 60): agreements recorded after
the checks of Art 60(4), (7), (8), periods of fulfilment, resale with termination and the
ban, and export licences decided from the stored record (Art 60(9)); the independent cases
of the digest (three years, price cap 480). API and page roles on SQLite."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from kzreg.law.calendar import ALMATY
from kzreg.law.errors import Conflict, Forbidden, InputError, LegalRuleError, NotFound
from kzreg.law.settings import override
from kzreg.platform.actors import Actor, Role
from kzreg.platform.db import unit_of_work
from kzreg.producers import raw_service

PRODUCER, MAKER, OTHER, SECOND = "010140000017", "150340012340", "180840045211", "990240001234"
OFFICER = Actor("officer", Role.INDUSTRY_OFFICER)
BUSINESS = Actor("maker", Role.MANUFACTURER, bin=MAKER)
STRANGER = Actor("other", Role.MANUFACTURER, bin=OTHER)
PW = "correct horse battery"


def at(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10), ALMATY)


def agreement(number="RM-1", manufacturer=MAKER, **extra):
    return {"number": number, "raw_material": "Copper cathodes", "producer_bin": PRODUCER,
            "producer_name": "Kazakh Copper JSC", "manufacturer_bin": manufacturer,
            "manufacturer_name": "Qazaq Cable LLP", "price": "480",
            "export_prices": ["500", "480", "520"],
            "producer_production_start": dt.date(2019, 5, 1), **extra}


def test_agreements_resale_and_licences(db):
    with unit_of_work() as s:
        young = agreement(producer_production_start=dt.date(2024, 3, 1))
        with pytest.raises(LegalRuleError) as new_production:   # under three years on 1.2.2026
            raw_service.conclude(s, OFFICER, **young, at=at("2026-02-01"))
        assert new_production.value.citation.locator == "Art 60(4)"
        assert new_production.value.field == "producer_production_start"
        with pytest.raises(InputError) as no_date:
            raw_service.conclude(s, OFFICER, **agreement(producer_production_start=None),
                                 at=at("2026-02-01"))
        assert no_date.value.field == "producer_production_start"
        with pytest.raises(LegalRuleError) as dear:               # cap: min(500, 480, 520)
            raw_service.conclude(s, OFFICER, **agreement(price="480.01"), at=at("2026-02-01"))
        assert dear.value.field == "price" and dear.value.citation.locator == "Art 60(7)"
        with pytest.raises(Forbidden):
            raw_service.conclude(s, BUSINESS, **agreement(), at=at("2026-02-01"))
        row = raw_service.conclude(s, OFFICER, **agreement(), at=at("2026-02-01"))
        assert (row.price, row.price_cap, row.status) == ("480", "480", "active")
        assert row.checks["list_loaded"] is False
        with pytest.raises(Conflict):
            raw_service.conclude(s, OFFICER, **agreement(), at=at("2026-02-01"))
        first = row.id

    with unit_of_work() as s:
        refused = raw_service.decide_licence(s, OFFICER, producer_bin=SECOND,
                                             producer_name="No Deals LLP",
                                             raw_material="Copper cathodes",
                                             at=at("2026-03-01"))
        assert not refused.issued and refused.number is None   # no agreements concluded
        raw_service.record_period(s, OFFICER, first, ends_on=dt.date(2026, 3, 31),
                                  fulfilled=False, at=at("2026-04-02"))
        with pytest.raises(InputError):
            raw_service.record_period(s, OFFICER, first, ends_on=dt.date(2026, 6, 30),
                                      fulfilled=True, at=at("2026-04-02"))   # not ended yet
        late = raw_service.decide_licence(s, OFFICER, producer_bin=PRODUCER,
                                          producer_name="Kazakh Copper JSC",
                                          raw_material="copper cathodes", at=at("2026-04-03"))
        assert not late.issued and late.unfulfilled == ["RM-1: period to 2026-03-31"]
        raw_service.record_period(s, OFFICER, first, ends_on=dt.date(2026, 6, 30),
                                  fulfilled=True, at=at("2026-07-01"))
        issued = raw_service.decide_licence(s, OFFICER, producer_bin=PRODUCER,
                                            producer_name="Kazakh Copper JSC",
                                            raw_material="Copper cathodes",
                                            listed_manufacturers=1, at=at("2026-07-02"))
        # every ended period counts (setting producers.export_licence_lookback): still refused
        assert not issued.issued and issued.unfulfilled == ["RM-1: period to 2026-03-31"]
        with override(producers__export_licence_lookback="last_period_only"):
            issued = raw_service.decide_licence(s, OFFICER, producer_bin=PRODUCER,
                                                producer_name="Kazakh Copper JSC",
                                                raw_material="Copper cathodes",
                                                listed_manufacturers=1, at=at("2026-07-02"))
        assert issued.issued and issued.number == f"EL-{issued.id:06d}"

    with unit_of_work() as s:
        assert [a.number for a in raw_service.agreements_for(s, BUSINESS)] == ["RM-1"]
        assert raw_service.agreements_for(s, STRANGER) == []
        with pytest.raises(NotFound):
            raw_service.get_agreement(s, STRANGER, first)
        ended = raw_service.record_resale(s, OFFICER, first, note="sold 40 t to a trader",
                                          at=at("2026-07-10"))
        assert ended.status == "terminated" and ended.terminated_on == dt.date(2026, 7, 10)
        assert [b.bin for b in raw_service.bans(s)] == [MAKER]
        with pytest.raises(LegalRuleError) as banned:
            raw_service.conclude(s, OFFICER, **agreement("RM-2"), at=at("2026-08-01"))
        assert banned.value.citation.locator == "Art 60(8)"
        assert raw_service.conclude(s, OFFICER, **agreement("RM-3", manufacturer=OTHER),
                                    at=at("2026-08-01")).status == "active"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_api_and_page(sqlite_db, monkeypatch):
    from argon2 import PasswordHasher

    from kzreg.platform.users import create_user, issue_token
    from kzreg.web import create_app

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with unit_of_work() as s:
        create_user(s, "officer", "industry_officer", PW)
        create_user(s, "maker", "manufacturer", PW, bin=MAKER)
        create_user(s, "other", "manufacturer", PW, bin=OTHER)
        h = {n: {"Authorization": f"Bearer {issue_token(s, n)}"} for n in
             ("officer", "maker", "other")}
    client = TestClient(create_app(), raise_server_exceptions=False)
    body = {**agreement(), "producer_production_start": "2019-05-01"}
    assert client.post("/api/producers/raw-materials/agreements", json=body,
                       headers=h["maker"]).status_code == 403
    bad = client.post("/api/producers/raw-materials/agreements",
                      json={**body, "price": "999"}, headers=h["officer"])
    assert bad.status_code == 409 and bad.json()["field"] == "price"
    made = client.post("/api/producers/raw-materials/agreements", json=body,
                       headers=h["officer"])
    assert made.status_code == 201, made.text
    url = f"/api/producers/raw-materials/agreements/{made.json()['id']}"
    assert client.get(url, headers=h["maker"]).status_code == 200
    assert client.get(url, headers=h["other"]).status_code == 404
    licence = client.post("/api/producers/raw-materials/licences", headers=h["officer"],
                          json={"producer_bin": PRODUCER, "producer_name": "Kazakh Copper",
                                "raw_material": "Copper cathodes", "listed_manufacturers": 2})
    assert licence.status_code == 201 and licence.json()["issued"] is False  # 1 of 2 concluded

    browser = TestClient(client.app, raise_server_exceptions=False)
    login = browser.get("/login")
    browser.post("/login", data={"username": "officer", "password": PW,
                                 "csrf_token": _csrf(login.text)})
    page = browser.get("/producers/raw-materials/")
    assert page.status_code == 200 and 'data-agreement="RM-1"' in page.text
    r = browser.post(f"/producers/raw-materials/agreements/{made.json()['id']}/resale",
                     data={"csrf_token": _csrf(page.text), "note": "sold to a trader"},
                     follow_redirects=False)
    assert r.status_code == 303, r.text
    page = browser.get("/producers/raw-materials/")
    assert 'data-status="terminated"' in page.text and 'id="bans"' in page.text
    r = browser.post("/producers/raw-materials/agreements", data={
        "csrf_token": _csrf(page.text), **{k: v for k, v in body.items() if k != "export_prices"},
        "number": "RM-9", "export_prices": "500, 480"})
    assert r.status_code == 422 and "Art 60(8)" in r.text          # the manufacturer is barred

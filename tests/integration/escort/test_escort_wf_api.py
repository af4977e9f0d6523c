"""The escort workflow end to end through the HTTP API, on SQLite and PostgreSQL.

A head of the Almaty office decides, Almaty's officer carries out the departure steps, the
operator activates the seals (tracking registry), a signal arrives, Khorgos's officer
receives the vehicle, inspects and completes; the operator deactivates, the seals are
removed and the case closes. Refusals (wrong office, wrong role, §8 items missing, removal
before deactivation) are problem+json and the office/role refusals are in the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kzreg.platform.actors import Actor, Role
from kzreg.platform.db import unit_of_work
from kzreg.platform.users import create_user, issue_token
from kzreg.web import create_app

PW = "escort workflow pw"
ALMATY, KHORGOS, OTHER = "50511", "51730", "50001"
CARRIER_BIN, DECLARANT_BIN = "121140007770", "190640023909"
START = dt.datetime(2026, 3, 2, 4, 0, tzinfo=dt.UTC)          # 10:00 Almaty
ROUTE = {"type": "LineString", "coordinates": [[76.95, 43.25], [78.0, 43.8], [80.25, 44.2]]}
PEOPLE = (("head", "customs_head", {"offices": [ALMATY]}),
          ("almaty", "customs_officer", {"offices": [ALMATY]}),
          ("khorgos", "customs_officer", {"offices": [KHORGOS]}),
          ("stranger", "customs_officer", {"offices": [OTHER]}),
          ("operator", "operator", {}),
          ("carrier", "carrier", {"bin": CARRIER_BIN}),
          ("declarant", "declarant", {"bin": DECLARANT_BIN}),
          ("admin", "admin", {}), ("auditor", "auditor", {}))


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@dataclass
class World:
    client: TestClient
    tokens: dict[str, str]

    def h(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def post(self, who: str, path: str, body=None, status: int = 200):
        r = self.client.post(path, json=body if body is not None else {}, headers=self.h(who))
        assert r.status_code == status, r.text
        return r.json()

    def get(self, who: str, path: str, status: int = 200):
        r = self.client.get(path, headers=self.h(who))
        assert r.status_code == status, r.text
        return r.json()

    def step(self, who: str, escort_id: int, step: str, body=None, status: int = 200):
        return self.post(who, f"/api/escort/escorts/{escort_id}/steps/{step}", body, status)


def actor(username: str) -> Actor:
    from kzreg.platform.users import get_user

    with unit_of_work() as s:
        return get_user(s, username).actor()


def make_world() -> World:
    from kzreg.escort import reference

    with unit_of_work() as s:
        for name, role, scope in PEOPLE:
            create_user(s, name, role, PW, **scope)
        tokens = {name: issue_token(s, name) for name, _, _ in PEOPLE}
    admin, operator = actor("admin"), actor("operator")
    with unit_of_work() as s:
        reference.register_office(s, admin, code=ALMATY, name="Almaty customs post",
                                control_zone="Terminal, Almaty")
        reference.register_office(s, admin, code=KHORGOS, name="Khorgos customs post")
        reference.register_office(s, admin, code=OTHER, name="Another post")
        for n in (1, 2):
            reference.register_seal(s, operator, number=f"NS-{n:04d}",
                                  device_id=f"86000000000{n:04d}", protocol="wialon-ips")
    return World(TestClient(create_app(), raise_server_exceptions=False), tokens)


@pytest.fixture
def world(db) -> World:
    return make_world()


DECISION = {"rms_case": "RMS-2026-0042", "departure_office": ALMATY,
            "destination_office": KHORGOS, "declarant_bin": DECLARANT_BIN,
            "declarant_name": "Shekara Trade LLP", "carrier_bin": CARRIER_BIN,
            "carrier_name": "Kerueen Logistics LLP", "vehicle_registration_number": "123 ABC 02",
            "compartments": 2, "transit_period": "2026-03-12", "route": ROUTE}


def heard(seals: list[str], at: dt.datetime) -> None:
    """The devices report (as the tracking pipeline would record a reception)."""
    from kzreg.tracking.models import TrackingDevice, TrackingSeal

    with unit_of_work() as s:
        for number in seals:
            seal = s.get(TrackingSeal, number)
            s.get(TrackingDevice, seal.device_id).last_seen = at


def to_transit(w: World, **decision) -> int:
    """Decide and carry the escort through the departure steps to in_transit."""
    escort = w.post("head", "/api/escort/escorts", {**DECISION, **decision}, 201)
    eid = escort["id"]
    assert escort["state"] == "decided"
    w.step("almaty", eid, "inform", {"party": "operator"}) if not escort["informed"][
        "operator"] else None
    w.step("almaty", eid, "organise")
    w.step("almaty", eid, "inspect_departure", {"act_number": "A-1", "findings": "sealed OK"})
    w.step("almaty", eid, "register_documents", {"transit_declaration_number": "TD-001",
                                                 "transit_period": "2026-03-12"})
    w.step("almaty", eid, "send_activation_message", {
        "seal_number": ["NS-0001", "NS-0002"], "transit_declaration_number": "TD-001",
        "vehicle_registration_number": "123ABC02", "destination_office_code": KHORGOS,
        "destination_office_name": "Khorgos customs post", "transit_period": "2026-03-12",
        "route": decision.get("route", ROUTE)})
    w.step("almaty", eid, "affix", {"operator_person": "Ерболат Сейітов"})
    w.step("operator", eid, "activate")
    heard(["NS-0001", "NS-0002"], dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5))
    assert w.step("almaty", eid, "verify_signal")["state"] == "in_transit"
    return eid


INTACT = {"act_number": "D-7", "seals": [{"number": "NS-0001", "intact": True},
                                         {"number": "NS-0002", "intact": True}],
          "compartments_intact": True}


def test_escort_end_to_end_through_the_api(world):
    w = world
    eid = to_transit(w)
    from kzreg.tracking.models import TrackingSeal

    with unit_of_work() as s:
        seal = s.get(TrackingSeal, "NS-0001")
        assert seal.status == "active" and seal.escort_ref.startswith("ES-50511-")
        assert seal.route["type"] == "LineString" and seal.departure_office == ALMATY
    # the carrier sees its trip, the stranger does not see it at all
    assert [t["id"] for t in w.get("carrier", "/api/escort/trips")] == [eid]
    assert w.get("stranger", "/api/escort/escorts") == []
    w.get("stranger", f"/api/escort/escorts/{eid}", status=404)
    w.step("khorgos", eid, "arrive")
    w.step("carrier", eid, "submit_documents", {"transit_declaration_number": "TD-001"})
    done = w.step("khorgos", eid, "inspect_destination", INTACT)
    assert done["state"] == "deactivation_requested"
    assert [r["seal_number"] for r in done["deactivation_requests"]] == ["NS-0001", "NS-0002"]
    pdf = w.client.get(f"/api/escort/escorts/{eid}/documents/"
                       f"{done['deactivation_requests'][0]['document_id']}.pdf",
                       headers=w.h("khorgos"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # removal before deactivation is refused (§13-14, setting removal_after_deactivation)
    w.step("operator", eid, "deactivate_seal", {"seal_number": "NS-0001"})
    body = w.step("khorgos", eid, "deactivate_seal", {"seal_number": "NS-0002"}, 403)
    assert body["type"] == "/problems/forbidden"
    w.step("operator", eid, "deactivate_seal", {"seal_number": "NS-0002"})
    with unit_of_work() as s:
        assert s.get(TrackingSeal, "NS-0002").status == "deactivated"
    w.step("khorgos", eid, "remove_seal", {"seal_number": "NS-0001"})
    final = w.step("khorgos", eid, "remove_seal", {"seal_number": "NS-0002"})
    assert final["state"] == "closed"
    assert all(s["deactivated_on_time"] for s in final["seals"])
    assert final["retention"]["deletable_from"] is not None
    kinds = [r["kind"] for r in final["records"]]
    assert kinds[:3] == ["departure_inspection_act", "activation_message",
                         "completion_documents"]
    steps = [h["transition"] for h in final["history"]]
    assert steps[0] == "open" and steps[-1] == "close" and "activate" in steps
    assert final["history"][steps.index("activate")]["role"] == "operator"


def _refusals(case_id: int | None = None) -> list[dict]:
    from kzreg.platform.audit import AuditEntry

    with unit_of_work() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "escort.refused")
                         .order_by(AuditEntry.seq))
        return [{"actor": r.actor, **r.payload} for r in rows]


def test_wrong_office_or_role_is_refused_and_audited(world):
    w = world
    eid = w.post("head", "/api/escort/escorts", DECISION, 201)["id"]
    # the destination office's officer may not do a departure step
    body = w.step("khorgos", eid, "organise", status=403)
    assert "departure office 50511" in body["detail"]
    # a carrier may not organise; an officer of a third office does not see the escort
    w.step("carrier", eid, "organise", status=403)
    w.step("stranger", eid, "organise", status=404)
    # an officer may not decide (only the head of the departure office, §5)
    w.post("almaty", "/api/escort/escorts", DECISION, 403)
    w.step("auditor", eid, "organise", status=403)
    refused = _refusals()
    assert [(r["actor"], r["step"]) for r in refused] == [
        ("khorgos", "organise"), ("carrier", "organise"), ("stranger", "organise"),
        ("almaty", "decide"), ("auditor", "organise")]
    state = w.get("almaty", f"/api/escort/escorts/{eid}")
    assert state["state"] == "decided" and len(state["history"]) == 1


def test_activation_message_missing_items_names_them_and_section_8(world):
    w = world
    eid = w.post("head", "/api/escort/escorts", DECISION, 201)["id"]
    w.step("almaty", eid, "organise")
    w.step("almaty", eid, "inspect_departure", {"act_number": "A-1"})
    w.step("almaty", eid, "register_documents", {"transit_declaration_number": "TD-001"})
    body = w.step("almaty", eid, "send_activation_message", {
        "seal_number": "NS-0001", "transit_declaration_number": "TD-001",
        "vehicle_registration_number": "123ABC02", "destination_office_code": KHORGOS},
        status=409)
    assert body["field"] == "destination_office_name, transit_period, route"
    assert body["basis"]["locator"] == "Rules §8"
    # two compartments need two seals (§8, setting escort.seals_per_compartment_min)
    body = w.step("almaty", eid, "send_activation_message", {
        "seal_number": "NS-0001", "transit_declaration_number": "TD-001",
        "vehicle_registration_number": "123ABC02", "destination_office_code": KHORGOS,
        "destination_office_name": "Khorgos", "transit_period": "2026-03-12",
        "route": "not established"}, status=409)
    assert body["field"] == "seal_number"
    assert w.get("almaty", f"/api/escort/escorts/{eid}")["state"] == "documents_registered"


def test_signal_check_refuses_silent_seals(world):
    w = world
    eid = w.post("head", "/api/escort/escorts", {**DECISION, "compartments": 1}, 201)["id"]
    for step, body in (("organise", {}), ("inspect_departure", {"act_number": "A"}),
                       ("register_documents", {"transit_declaration_number": "TD-9"})):
        w.step("almaty", eid, step, body)
    w.step("almaty", eid, "send_activation_message", {
        "seal_number": ["NS-0002"], "transit_declaration_number": "TD-9",
        "vehicle_registration_number": "123 abc 02", "destination_office_code": KHORGOS,
        "destination_office_name": "Khorgos", "transit_period": "2026-03-12", "route": None})
    w.step("almaty", eid, "affix", {"operator_person": "Operator person"})
    w.step("almaty", eid, "activate", status=403)       # the operator activates (§9)
    w.step("operator", eid, "activate")
    body = w.step("almaty", eid, "verify_signal", status=409)
    assert "NS-0002" in body["detail"] and body["basis"]["locator"] == "Rules §10"


def test_failed_completion_goes_high_risk_then_inspection(world):
    w = world
    eid = to_transit(w)
    w.step("khorgos", eid, "arrive")
    w.step("khorgos", eid, "submit_documents", {"transit_declaration_number": "TD-001"})
    held = w.step("khorgos", eid, "inspect_destination", {
        **INTACT, "illegal_actions": ["change of quantity"], "goods_match_declaration": False})
    assert held["state"] == "high_risk" and held["high_risk"]
    assert any(g.startswith("a)") for g in held["high_risk_grounds"])
    w.step("khorgos", eid, "remove_seal", {"seal_number": "NS-0001"}, 409)
    after = w.step("khorgos", eid, "record_high_risk_inspection",
                   {"report_number": "R-1", "violation_found": True})
    assert after["state"] == "deactivation_requested"


def test_pages_show_escorts_and_refuse_foreign_ones(world):
    w = world
    eid = to_transit(w)
    page = w.client.get("/escort/", headers=w.h("khorgos"))
    assert page.status_code == 200 and "ES-50511-" in page.text
    page = w.client.get(f"/escort/{eid}", headers=w.h("khorgos"))
    assert page.status_code == 200 and f'action="/escort/{eid}/steps/arrive"' in page.text
    page = w.client.get(f"/escort/{eid}", headers=w.h("almaty"))
    assert "/steps/arrive" not in page.text          # not the departure office's step
    trips = w.client.get("/escort/", headers=w.h("carrier"))
    assert trips.status_code == 200 and "ES-50511-" in trips.text
    assert w.client.get(f"/escort/{eid}", headers={**w.h("stranger"),
                                                   "accept": "text/html"}).status_code == 404


def test_decision_bad_input_names_the_field(world):
    w = world
    body = w.post("head", "/api/escort/escorts", {**DECISION, "carrier_bin": "121140007771"},
                  422)
    assert body["field"] == "carrier_bin"
    body = w.post("head", "/api/escort/escorts", {**DECISION, "destination_office": "99999"},
                  404)
    assert body["field"] == "destination_office"
    assert Role.CUSTOMS_HEAD

"""Every escort deadline fires in the worker and records its breach; §18(3) retention.

§5 (24 hours to inform and organise) and §14 (one hour to deactivate) are case timers; §11
(one hour to notify both offices of a non-routine situation) is kept by the notices job;
§18(3) by the retention job (mark deletable, or purge; a legal hold stops both).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from test_escort_wf_api import INTACT, KHORGOS, actor, make_world, to_transit

from kzreg.escort.jobs import purge
from kzreg.escort.models import Escort, SituationNotice
from kzreg.law.settings import override
from kzreg.platform.audit import AuditEntry
from kzreg.platform.db import unit_of_work
from kzreg.platform.notifications import Notice
from kzreg.platform.timers import Breach
from kzreg.platform.worker import run_once
from kzreg.tracking.models import TrackingPosition, TrackingSituation


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def breaches(name: str) -> list[Breach]:
    with unit_of_work() as s:
        return list(s.scalars(select(Breach).where(Breach.deadline == name)))


@pytest.fixture
def world(db):
    return make_world()


def test_section_5_organise_within_24_hours_breach(world, db):
    from test_escort_wf_api import DECISION

    eid = world.post("head", "/api/escort/escorts", DECISION, 201)["id"]
    run_once(now() + dt.timedelta(hours=23, minutes=59), url=db)
    assert breaches("organise") == []
    run_once(now() + dt.timedelta(hours=24, minutes=1), url=db)
    [breach] = breaches("organise")
    assert breach.citation == "order-407:Rules §5"
    detail = world.get("almaty", f"/api/escort/escorts/{eid}")
    assert detail["breaches"][0]["deadline"] == "organise"
    # organising late is still recorded, with the §5 judgement in the event
    late = world.step("almaty", eid, "organise")
    assert late["state"] == "organised"


def situation(seal: str, occurred: dt.datetime, kind: str = "route_deviation") -> int:
    with unit_of_work() as s:
        row = TrackingSituation(seal=seal, type=kind, started_at=occurred,
                                occurred_at=occurred, detected_at=occurred,
                                notify_by=occurred + dt.timedelta(hours=1), evidence={})
        s.add(row)
        s.flush()
        return row.id


def test_section_11_notices_both_offices_late_is_a_breach(world, db):
    w = world
    eid = to_transit(w)
    t0 = now() + dt.timedelta(minutes=1)
    first = situation("NS-0001", t0)
    run_once(t0 + dt.timedelta(minutes=10), url=db)
    with unit_of_work() as s:
        sent = list(s.scalars(select(SituationNotice).where(
            SituationNotice.situation_id == first)))
        assert sorted((n.role, n.office, n.on_time) for n in sent) == [
            ("departure", "50511", True), ("destination", KHORGOS, True)]
        assert s.get(TrackingSituation, first).escort_notified_at is not None
        inbox = {n.user_id for n in s.scalars(select(Notice).where(Notice.kind == "alert"))}
        assert len(inbox) == 3            # almaty officer and head, khorgos officer
    assert breaches("situation_notice") == []
    # the Khorgos officer acknowledges through the API
    [notice] = w.get("khorgos", "/api/escort/notices")
    acked = w.post("khorgos", f"/api/escort/notices/{notice['id']}/acknowledge")
    assert acked["acknowledged_at"]
    # a second situation notified two hours after it occurred: late for both offices
    t1 = t0 + dt.timedelta(minutes=30)
    situation("NS-0002", t1, "signal_loss")
    run_once(t1 + dt.timedelta(hours=2), url=db)
    [breach] = breaches("situation_notice")
    assert breach.citation == "order-407:Rules §11"
    assert breach.due_at == t1 + dt.timedelta(hours=1)
    # the operator's information counts at completion: condition (3) fails, ground c)
    w.step("khorgos", eid, "arrive")
    w.step("khorgos", eid, "submit_documents", {"transit_declaration_number": "TD-001"})
    held = w.step("khorgos", eid, "inspect_destination", INTACT)
    assert held["state"] == "high_risk"
    assert any(g.startswith("c)") for g in held["high_risk_grounds"])


def completed(w) -> int:
    eid = to_transit(w)
    w.step("khorgos", eid, "arrive")
    w.step("khorgos", eid, "submit_documents", {"transit_declaration_number": "TD-001"})
    assert w.step("khorgos", eid, "inspect_destination", INTACT)["state"] == \
        "deactivation_requested"
    return eid


def test_section_14_deactivation_within_one_hour_breach(world, db):
    w = world
    eid = completed(w)
    run_once(now() + dt.timedelta(minutes=59), url=db)
    assert breaches("deactivate") == []
    run_once(now() + dt.timedelta(hours=1, minutes=1), url=db)
    [breach] = breaches("deactivate")
    assert breach.citation == "order-407:Rules §14"
    w.step("operator", eid, "deactivate_seal", {"seal_number": "NS-0001"})
    assert w.get("khorgos", f"/api/escort/escorts/{eid}")["state"] == "deactivation_requested"


def closed(w) -> int:
    eid = completed(w)
    for seal in ("NS-0001", "NS-0002"):
        w.step("operator", eid, "deactivate_seal", {"seal_number": seal})
    for seal in ("NS-0001", "NS-0002"):
        w.step("khorgos", eid, "remove_seal", {"seal_number": seal})
    return eid


def _positions(seal: str) -> int:
    with unit_of_work() as s:
        return s.scalar(select(func.count()).select_from(TrackingPosition)
                        .where(TrackingPosition.seal == seal))


def _add_positions(seal: str, device: str, start: dt.datetime, step: dt.timedelta,
                   n: int = 3) -> None:
    with unit_of_work() as s:
        for i in range(1, n + 1):
            at = start + step * i
            s.add(TrackingPosition(device=device, fix_time=at, seal=seal, server_time=at,
                                   lat=43.3, lon=77.0, speed=50.0, course=90.0, valid=True,
                                   seal_state="closed", battery=None, archive=False))


def test_section_18_retention_hold_then_purge(world, db):
    w = world
    with unit_of_work() as s:
        s.add(TrackingPosition(device="860000000000001", fix_time=now() - dt.timedelta(
            days=1), seal="NS-0001", server_time=now(), lat=43.0, lon=77.0, speed=None,
            course=None, valid=True, seal_state=None, battery=None, archive=False))
    eid = to_transit(w)
    w.step("khorgos", eid, "arrive")
    w.step("khorgos", eid, "submit_documents", {"transit_declaration_number": "TD-001"})
    w.step("khorgos", eid, "inspect_destination", INTACT)
    for seal in ("NS-0001", "NS-0002"):
        w.step("operator", eid, "deactivate_seal", {"seal_number": seal})
        w.step("khorgos", eid, "remove_seal", {"seal_number": seal})
    detail = w.get("khorgos", f"/api/escort/escorts/{eid}")
    assert detail["state"] == "closed"
    seal = detail["seals"][0]              # its track, stored while it was under control
    activated = dt.datetime.fromisoformat(seal["activated_at"])
    span = dt.datetime.fromisoformat(seal["deactivated_at"]) - activated
    _add_positions("NS-0001", "860000000000001", activated, step=span / 4)
    ret = detail["retention"]
    kept = dt.date.fromisoformat(ret["kept_through"])
    assert dt.date.fromisoformat(ret["deletable_from"]) == kept + dt.timedelta(days=1)
    assert kept.year == now().year + 5
    # too early: an administrator cannot purge yet
    w.post("admin", f"/api/escort/escorts/{eid}/purge", status=409)
    # the head sets a hold; the retention job (even set to delete) leaves the escort alone
    with pytest.raises(AssertionError):
        w.post("almaty", f"/api/escort/escorts/{eid}/hold", {"reason": "x"}, 200)
    w.post("head", f"/api/escort/escorts/{eid}/hold", {"reason": "court case 2-77/2031"})
    later = dt.datetime.combine(dt.date.fromisoformat(ret["deletable_from"]),
                                dt.time(12), dt.UTC)
    with override(escort__retention_expiry_action="delete"):
        run_once(later, url=db)
    assert _positions("NS-0001") == 4
    w.client.delete(f"/api/escort/escorts/{eid}/hold", headers=w.h("head"))
    # default: the job only marks the escort deletable; the administrator purges
    run_once(later, url=db)
    with unit_of_work() as s:
        assert s.get(Escort, eid).deletable_marked_at is not None
        assert s.get(Escort, eid).purged_at is None
    with unit_of_work() as s:   # the purge is checked against the date it runs on
        removed = purge(s, actor("admin"), eid, at=later)
    assert removed["positions"] == 3 and removed["personal_fields"] > 0
    assert _positions("NS-0001") == 1             # the earlier trip's point stays
    with unit_of_work() as s:
        escort = s.get(Escort, eid)
        assert escort.purged_at is not None and escort.route is None
        stub = s.scalars(select(AuditEntry).where(AuditEntry.action == "escort.purged")).one()
        assert stub.payload["removed"]["positions"] == 3
        actions = list(s.scalars(select(AuditEntry.action).where(
            AuditEntry.case_id == escort.case_id)))
        assert {"escort.hold_set", "escort.hold_released", "escort.retention_expired",
                "escort.purged"} <= set(actions)
    w.step("khorgos", eid, "arrive", status=409)


def test_retention_job_purges_when_set_to_delete(world, db):
    w = world
    eid = closed(w)
    with unit_of_work() as s:
        deletable = s.get(Escort, eid).deletable_from
    with override(escort__retention_expiry_action="delete"):
        run_once(dt.datetime.combine(deletable, dt.time(12), dt.UTC), url=db)
    with unit_of_work() as s:
        assert s.get(Escort, eid).purged_at is not None

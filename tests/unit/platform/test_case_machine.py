"""The case machinery: declarations checked at import, and who may fire what, when.

Declarations need no database. Transitions run on an in-memory SQLite database built from
the models (fast, no migrations); the integration tests run the same on both engines.
"""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import BaseModel
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from kzreg.law.errors import Conflict, Forbidden, InputError, LegalRuleError, NotFound
from kzreg.platform.actors import SYSTEM, Actor, Role
from kzreg.platform.audit import GENESIS, AuditEntry, AuditHead
from kzreg.platform.cases import (
    Case,
    CaseEvent,
    CaseType,
    CaseTypeError,
    DeadlineSpec,
    State,
    Transition,
    allowed_transitions,
    breaches,
    case_events,
    fire,
    get_case_for,
    get_case_type,
    open_case,
    open_deadlines,
    register_case_type,
    visible_cases,
)
from kzreg.platform.db import Base
from kzreg.platform.models import load_all_models
from kzreg.platform.timers import Timer
from kzreg.platform.worker import handle_timer
from support.sample_case import ACKNOWLEDGE, COMPLETE, DECIDE, SAMPLE

ACME, OTHER = "123456789012", "210987654321"
OFFICER = Actor("aigerim", Role.INDUSTRY_OFFICER, user_id=7)
MAKER = Actor("acme", Role.MANUFACTURER, bin=ACME)
RIVAL = Actor("rival", Role.MANUFACTURER, bin=OTHER)
AUDITOR = Actor("audit", Role.AUDITOR, clearance=9)
# Tuesday 30 April 2024, 15:00 Almaty (UTC+5)
T0 = dt.datetime(2024, 4, 30, 10, 0, tzinfo=dt.UTC)


# --- declarations ----------------------------------------------------------------------

def _type(**changes):
    spec = dict(
        name="t.decl", title="t",
        states=[State("a", deadlines=[DeadlineSpec("d", "5 working days", DECIDE,
                                                   on_expiry="lapse")]),
                State("b", final=True)],
        transitions=[Transition("go", "a", "b", roles={Role.INDUSTRY_OFFICER}),
                     Transition("lapse", "a", "b", roles={Role.SYSTEM})])
    spec.update(changes)
    return CaseType(**spec)


def test_a_sound_declaration_is_accepted():
    ct = _type()
    assert ct.initial == "a"
    assert ct.expiry_transitions() == {"lapse"}
    assert ct.deadline("a", "d").duration == "5 working days"


@pytest.mark.parametrize("changes, message", [
    ({"transitions": [Transition("go", "a", "c", roles={Role.INDUSTRY_OFFICER})]},
     "unknown state 'c'"),
    ({"states": [State("a"), State("b", final=True), State("island", final=True)],
      "transitions": [Transition("go", "a", "b", roles={Role.INDUSTRY_OFFICER})]},
     "unreachable state(s) island"),
    ({"states": [State("a"), State("a"), State("b", final=True)]}, "duplicate state 'a'"),
    ({"states": [State("a"), State("b", final=True)],
      "transitions": [Transition("go", "a", "b", roles={Role.INDUSTRY_OFFICER}),
                      Transition("go", "a", "b", roles={Role.INDUSTRY_OFFICER})]},
     "duplicate transition 'go'"),
    ({"states": [State("a"), State("b", final=True)],
      "transitions": [Transition("go", "a", "b", roles={Role.INDUSTRY_OFFICER}),
                      Transition("back", "b", "a", roles={Role.INDUSTRY_OFFICER})]},
     "leaves final state 'b'"),
    ({"states": [State("a"), State("stuck"), State("b", final=True)],
      "transitions": [Transition("go", "a", "b", roles={Role.INDUSTRY_OFFICER}),
                      Transition("park", "a", "stuck", roles={Role.INDUSTRY_OFFICER})]},
     "state 'stuck' is not final but no transition leaves it"),
    ({"states": [State("a", deadlines=[DeadlineSpec("d", "5 days", DECIDE)]),
                 State("b", final=True)],
      "transitions": [Transition("go", "a", "b", roles={Role.INDUSTRY_OFFICER})]},
     "duration '5 days' does not parse"),
    ({"states": [State("a", deadlines=[DeadlineSpec("d", "5 working days", DECIDE,
                                                    on_expiry="nowhere")]),
                 State("b", final=True)],
      "transitions": [Transition("go", "a", "b", roles={Role.INDUSTRY_OFFICER})]},
     "on_expiry 'nowhere' is not a transition from state 'a'"),
    ({"transitions": [Transition("go", "a", "b", roles={Role.AUDITOR}),
                      Transition("lapse", "a", "b", roles={Role.SYSTEM})]},
     "auditors read, they never act"),
    ({"states": [State("a"), State("b", final=True)],
      "transitions": [Transition("go", "a", "b")]}, "no role may fire it"),
    ({"states": [State("a", final=True, deadlines=[DeadlineSpec("d", "1 hour", DECIDE)])],
      "transitions": []}, "final state 'a' cannot start deadlines"),
    ({"initial": "zzz"}, "initial state 'zzz' is not declared"),
])
def test_a_wrong_declaration_fails_at_import(changes, message):
    with pytest.raises(CaseTypeError) as caught:
        _type(**changes)
    assert message in str(caught.value)


def test_an_expiry_transition_must_accept_an_empty_payload():
    class Needs(BaseModel):
        reason: str

    with pytest.raises(CaseTypeError, match="must accept an empty payload"):
        _type(transitions=[Transition("go", "a", "b", roles={Role.INDUSTRY_OFFICER}),
                           Transition("lapse", "a", "b", roles={Role.SYSTEM}, payload=Needs)])


def test_a_single_role_and_a_role_name_are_understood():
    t = Transition("go", "a", "b", roles=Role.CARRIER)
    assert t.roles == {Role.CARRIER}
    assert Transition("go", ["a"], "b", roles=["carrier"]).roles == {Role.CARRIER}
    with pytest.raises(CaseTypeError):
        Transition("go", "a", "b", roles={"pilot"})


def test_registering_two_types_under_one_name_is_refused():
    assert get_case_type("test.permit") is SAMPLE
    assert register_case_type(SAMPLE) is SAMPLE  # importing the module again is harmless
    with pytest.raises(CaseTypeError, match="registered twice"):
        register_case_type(_type(name="test.permit"))
    with pytest.raises(NotFound):
        get_case_type("test.nothing")


# --- transitions on an in-memory database ---------------------------------------------

@pytest.fixture
def session():
    load_all_models()
    engine = create_engine("sqlite://", poolclass=StaticPool)
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.add(AuditHead(id=1, seq=0, hash=GENESIS))
        s.commit()
        yield s
    engine.dispose()


def _open(session, **kw):
    kw = {"actor": MAKER, "title": "Permit for ACME", "party_bins": [ACME], "at": T0, **kw}
    return open_case(session, "test.permit", **kw)


def _pending(session, case_id):
    return {t.name: t for t in session.scalars(
        select(Timer).where(Timer.case_id == case_id, Timer.status == "pending"))}


def test_opening_starts_the_initial_states_deadlines_and_is_audited(session):
    case = _open(session)
    assert (case.state, case.version, case.party_bins) == ("submitted", 1, [ACME])
    timers = _pending(session, case.id)
    # 10 working days from Tue 30 Apr 2024: 1, 7, 8, 9 May off, Sat 4 May worked -> 17 May,
    # running out at 24:00 Almaty time that day
    assert timers["decide"].due_at == dt.datetime(2024, 5, 17, 19, 0, tzinfo=dt.UTC)
    assert timers["decide"].citation == DECIDE.ref
    assert timers["acknowledge"].due_at == T0 + dt.timedelta(hours=24)  # elapsed time
    entry = session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.case_id, entry.actor) == ("case.opened", case.id, "acme")


def test_a_role_not_named_by_the_transition_is_refused(session):
    case = _open(session)
    with pytest.raises(Forbidden) as caught:
        fire(session, case.id, "take", actor=MAKER, at=T0)
    assert caught.value.field == "transition"
    assert "industry_officer" in str(caught.value)
    with pytest.raises(Forbidden):  # auditors never act, whatever their clearance
        fire(session, case.id, "take", actor=AUDITOR, at=T0)


def test_a_case_outside_the_actors_scope_is_not_found(session):
    case = _open(session)
    with pytest.raises(NotFound) as caught:
        fire(session, case.id, "withdraw", actor=RIVAL, at=T0)
    assert caught.value.field == "case_id"
    with pytest.raises(NotFound):
        get_case_for(session, RIVAL, case.id)
    assert get_case_for(session, MAKER, case.id).id == case.id
    assert session.scalars(visible_cases(session, RIVAL)).all() == []


def test_customs_and_defense_scopes(session):
    senior = Actor("senior", Role.INDUSTRY_OFFICER, clearance=2)
    case = _open(session, actor=senior, office_codes=["55201"], clearance=2)
    fire(session, case.id, "take", actor=senior, at=T0)
    ok_customs = Actor("c1", Role.CUSTOMS_OFFICER, offices=frozenset({"55201"}), clearance=2)
    other_office = Actor("c2", Role.CUSTOMS_OFFICER, offices=frozenset({"55202"}), clearance=2)
    cleared = Actor("d1", Role.DEFENSE_OFFICER, clearance=2)
    not_cleared = Actor("d2", Role.DEFENSE_OFFICER, clearance=1)
    for actor in (ok_customs, cleared):
        fire(session, case.id, "comment", actor=actor, payload={"text": actor.username}, at=T0)
    for actor in (other_office, not_cleared, OFFICER):  # OFFICER has clearance 0
        with pytest.raises(NotFound):
            fire(session, case.id, "comment", actor=actor, at=T0)
        assert session.scalars(visible_cases(session, actor)).all() == []
    assert case.data["comments"] == ["c1", "d1"]


def test_one_may_not_open_a_case_outside_ones_scope(session):
    with pytest.raises(Forbidden) as caught:
        _open(session, actor=RIVAL)
    assert caught.value.field == "party_bins"
    with pytest.raises(Forbidden):
        _open(session, actor=AUDITOR)
    with pytest.raises(InputError) as bad:
        _open(session, party_bins=["12345"])
    assert bad.value.field == "party_bins"


def test_a_guard_refuses_with_its_clause_and_changes_nothing(session):
    case = _open(session)
    fire(session, case.id, "take", actor=OFFICER, at=T0)
    with pytest.raises(LegalRuleError) as caught:
        fire(session, case.id, "grant", actor=OFFICER, at=T0)
    assert caught.value.citation == COMPLETE
    assert "lacks documents" in str(caught.value)
    assert case.state == "review"
    case.data["documents_complete"] = True
    fire(session, case.id, "grant", actor=OFFICER, at=T0)
    event = case_events(session, OFFICER, case.id)[-1]
    assert event.detail["guard"]["value"] is True  # the explanation is on the record
    assert event.basis == COMPLETE.ref


def test_a_transition_from_another_state_conflicts(session):
    case = _open(session)
    with pytest.raises(Conflict) as caught:
        fire(session, case.id, "grant", actor=OFFICER, at=T0)
    assert "'submitted'" in str(caught.value)
    with pytest.raises(InputError):
        fire(session, case.id, "fly", actor=OFFICER, at=T0)


def test_a_final_state_allows_nothing_more(session):
    case = _open(session)
    fire(session, case.id, "withdraw", actor=MAKER, at=T0)
    assert case.closed_at == T0
    assert allowed_transitions(MAKER, case) == []
    with pytest.raises(Conflict):
        fire(session, case.id, "take", actor=OFFICER, at=T0)


def test_the_payload_is_validated_naming_the_field(session):
    case = _open(session)
    with pytest.raises(InputError) as caught:
        fire(session, case.id, "refuse", actor=OFFICER, payload={"reason": "no"}, at=T0)
    assert caught.value.field == "payload.reason"
    fire(session, case.id, "refuse", actor=OFFICER, payload={"reason": "incomplete"}, at=T0)
    assert case_events(session, OFFICER, case.id)[-1].payload == {"reason": "incomplete"}


def test_leaving_a_state_cancels_its_deadlines_and_starts_the_next(session):
    case = _open(session)
    at = T0 + dt.timedelta(hours=2)
    fire(session, case.id, "take", actor=OFFICER, at=at)
    assert set(_pending(session, case.id)) == {"inspect"}
    # 30 calendar days from 30 Apr: 30 May, to 24:00 Almaty
    assert _pending(session, case.id)["inspect"].due_at == dt.datetime(2024, 5, 30, 19,
                                                                       tzinfo=dt.UTC)
    cancelled = session.scalars(select(Timer).where(Timer.status == "cancelled")).all()
    assert {t.name for t in cancelled} == {"decide", "acknowledge"}
    # a self-transition keeps the deadline running
    fire(session, case.id, "comment", actor=MAKER, payload={"text": "hi"}, at=at)
    assert _pending(session, case.id)["inspect"].started_at == at
    assert case.version == 3
    assert [e.seq for e in case_events(session, MAKER, case.id)] == [1, 2, 3]
    assert [t.name for t in open_deadlines(session, MAKER)] == ["inspect"]
    assert open_deadlines(session, RIVAL) == []


def test_a_stale_version_conflicts(session):
    case = _open(session)
    with pytest.raises(Conflict) as caught:
        fire(session, case.id, "take", actor=OFFICER, at=T0, expected_version=0)
    assert caught.value.field == "version"
    fire(session, case.id, "take", actor=OFFICER, at=T0, expected_version=1)


def test_only_the_system_fires_what_only_the_system_may(session):
    case = _open(session)
    with pytest.raises(Forbidden):
        fire(session, case.id, "deemed_refused", actor=OFFICER, at=T0)
    fire(session, case.id, "deemed_refused", actor=SYSTEM, at=T0)
    assert case.state == "refused"


def test_an_expired_deadline_fires_its_transition_or_records_a_breach(session):
    case = _open(session)
    timers = _pending(session, case.id)
    now = dt.datetime(2024, 5, 20, tzinfo=dt.UTC)
    assert handle_timer(session, timers["acknowledge"].id, now) == 1
    assert handle_timer(session, timers["acknowledge"].id, now) == 0  # never twice
    found = breaches(session, OFFICER)
    assert [(b.deadline, b.citation, b.resolved_at) for b in found] == [
        ("acknowledge", ACKNOWLEDGE.ref, None)]
    assert breaches(session, RIVAL) == []
    assert handle_timer(session, timers["decide"].id, now) == 1
    assert case.state == "refused"
    event = case_events(session, OFFICER, case.id)[-1]
    assert (event.transition, event.actor, event.basis) == ("deemed_refused", "system",
                                                             DECIDE.ref)
    assert event.at == timers["decide"].due_at  # it took effect when the term ran out
    assert breaches(session, OFFICER, unresolved_only=True) == []
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
    assert actions == ["case.opened", "deadline.breached", "case.deemed_refused"]
    assert session.scalar(select(func.count()).select_from(CaseEvent)) == 2
    assert session.get(Case, case.id).version == 2


def test_an_act_after_a_term_with_an_automatic_consequence_is_too_late(session):
    """Even before the worker runs: the deemed refusal happened when the term ran out."""
    case = _open(session)
    late = dt.datetime(2024, 5, 17, 19, 0, tzinfo=dt.UTC)  # 24:00 Almaty on 17 May
    with pytest.raises(LegalRuleError) as caught:
        fire(session, case.id, "take", actor=OFFICER, at=late)
    assert caught.value.citation == DECIDE
    assert "2024-05-18 00:00" in str(caught.value)
    fire(session, case.id, "take", actor=OFFICER, at=late - dt.timedelta(microseconds=1))
    assert case.state == "review"  # in time: a breach-only deadline does not block acts

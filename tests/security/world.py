"""A populated world for the security tests: the demo (every room's cases, documents and
notices), a user for every role, tenants of other BINs, a customs officer of another
office, a defense officer of lower clearance, and live, expired and revoked credentials.

Everything is real: users, argon2 hashes, tokens and server-side sessions in a real
database (SQLite, and PostgreSQL for the `postgres` variant), built once per module.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient

PW = "correct horse battery"  # the tests' own accounts; the demo's is kzreg-demo
PG_ADMIN = os.environ.get("KZREG_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
DEMO_ROOMS = ("escort", "tracking", "assembly", "risk", "producers", "defense")
OTHER_OFFICE = "55502"         # a customs office no demo case passes through

# Clearances the world gives (Law 236-VI Art 25 sub 3): officials who read everything are
# cleared for everything, the demo contractor and the other contractor for the top-secret
# things of defense_world.py (so what refuses them is their BIN, not their clearance), and
# `low_clearance_defense` stays at 1, below those things.
CLEARANCE = {"admin": 3, "auditor": 3, "contractor": 2, "other_bin_contractor": 2}

# name -> (base role, what makes it special); the first three are not signed in
PRINCIPALS: dict[str, tuple[str | None, str]] = {
    "anon": (None, "no credentials"),
    "expired": (None, "an expired token / session of an administrator"),
    "revoked": (None, "a revoked token / logged-out session of an administrator"),
    "admin": ("admin", "demo user admin, cleared to 3"),
    "auditor": ("auditor", "demo user auditor, cleared to 3"),
    "industry_officer": ("industry_officer", "demo user industry"),
    "customs_head": ("customs_head", "demo user customs.head, office 50511"),
    "customs_officer": ("customs_officer", "demo user customs.almaty, office 50511"),
    "operator": ("operator", "demo user operator"),
    "inspector": ("inspector", "demo user inspector"),
    "defense_officer": ("defense_officer", "demo user defense, clearance 2"),
    "manufacturer": ("manufacturer", "demo user manufacturer, Steppe Motors' BIN"),
    "carrier": ("carrier", "demo user carrier, Kerueen's BIN"),
    "declarant": ("declarant", "demo user declarant, Shekara's BIN"),
    "contractor": ("contractor", "demo user contractor, Qorgan's BIN, cleared to 2"),
    "other_bin_manufacturer": ("manufacturer", "a manufacturer of a BIN in no case"),
    "other_bin_carrier": ("carrier", "a carrier of a BIN in no case"),
    "other_bin_declarant": ("declarant", "a declarant of a BIN in no case"),
    "other_bin_contractor": ("contractor", "a contractor of a BIN in no case, clearance 2"),
    "other_office_customs": ("customs_officer", f"a customs officer of office {OTHER_OFFICE}"),
    "low_clearance_defense": ("defense_officer", "a defense officer of clearance 1"),
}
SIGNED_OUT = ("anon", "expired", "revoked")
DEMO_USER = {"admin": "admin", "auditor": "auditor", "industry_officer": "industry",
             "customs_head": "customs.head", "customs_officer": "customs.almaty",
             "operator": "operator", "inspector": "inspector", "defense_officer": "defense",
             "manufacturer": "manufacturer", "carrier": "carrier", "declarant": "declarant",
             "contractor": "contractor"}


@dataclass
class Credentials:
    token: str | None = None       # bearer token for the API
    user_id: int | None = None     # whose they are (signed-in principals)
    cookie: str | None = None      # session cookie for pages
    csrf: str | None = None        # that session's CSRF token


@dataclass
class World:
    dialect: str
    url: str
    app: object
    client: TestClient
    creds: dict[str, Credentials] = field(default_factory=dict)
    subjects: dict[str, object] = field(default_factory=dict)


def database(kind: str, tmp) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'kzreg.db'}"
        return
    import psycopg

    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except Exception:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL not reachable at {PG_ADMIN} (CI requires it)")
        pytest.skip("PostgreSQL not reachable")
    name = f"kzreg_sec_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0].split("://", 1)[1]
    try:
        yield f"postgresql+psycopg://{base}/{name}"
    finally:
        from kzreg.platform.db import reset_engines

        reset_engines()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def use_database(patch: pytest.MonkeyPatch, url: str, data_dir) -> None:
    from kzreg.platform.config import reset_config
    from kzreg.platform.db import reset_engines

    patch.setenv("KZREG_DATABASE_URL", url)
    patch.setenv("KZREG_DATA_DIR", str(data_dir))
    reset_config()
    reset_engines()


def build(kind: str, url: str, tmp, patch: pytest.MonkeyPatch) -> World:
    import kzreg.platform.plugins as plugins
    import kzreg.risk.demo
    from kzreg.platform.db import unit_of_work, upgrade
    from kzreg.platform.demo import load_demo
    from kzreg.web import create_app

    use_database(patch, url, tmp / "data")
    patch.setattr(kzreg.risk.demo, "COUNT", 12)  # a register, not a load test
    every = plugins.room_module_names
    patch.setattr(plugins, "room_module_names", lambda part: [
        name for name in every(part) if part != "demo" or name.split(".")[1] in DEMO_ROOMS])
    upgrade(url)
    with unit_of_work() as s:
        load_demo(s)
    with unit_of_work() as s:
        creds = _credentials(s)
    with unit_of_work() as s:
        subjects = _subjects(s)
    app = create_app()
    return World(kind, url, app, TestClient(app, raise_server_exceptions=False),
                 creds, subjects)


def _credentials(s) -> dict[str, Credentials]:
    from kzreg.platform.demo import make_bin
    from kzreg.platform.users import (
        create_user,
        end_web_session,
        get_user,
        issue_token,
        revoke_token,
        start_web_session,
    )

    others = {"other_bin_manufacturer": ("manufacturer", {"bin": make_bin("2001", "61001")}),
              "other_bin_carrier": ("carrier", {"bin": make_bin("2001", "61002")}),
              "other_bin_declarant": ("declarant", {"bin": make_bin("2001", "61003")}),
              "other_bin_contractor": ("contractor", {"bin": make_bin("2001", "61004"),
                                                      "clearance": CLEARANCE[
                                                          "other_bin_contractor"]}),
              "other_office_customs": ("customs_officer", {"offices": [OTHER_OFFICE]}),
              "low_clearance_defense": ("defense_officer", {"clearance": 1})}
    usernames = dict(DEMO_USER)
    for name, clearance in CLEARANCE.items():
        if name in DEMO_USER:
            get_user(s, DEMO_USER[name]).clearance = clearance
    for name, (role, scope) in others.items():
        username = name.replace("_", "-")
        create_user(s, username, role, PW, **scope)
        usernames[name] = username
    creds: dict[str, Credentials] = {"anon": Credentials()}
    for name, username in usernames.items():
        user = get_user(s, username)
        cookie, csrf = start_web_session(s, user.id)
        creds[name] = Credentials(issue_token(s, username), user.id, cookie, csrf)
    admin = get_user(s, "admin")
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    expired_cookie, _ = start_web_session(s, admin.id, at=old)
    creds["expired"] = Credentials(issue_token(s, "admin", at=old), None, expired_cookie)
    revoked = issue_token(s, "admin")
    revoke_token(s, revoked)
    revoked_cookie, _ = start_web_session(s, admin.id)
    end_web_session(s, revoked_cookie)
    creds["revoked"] = Credentials(revoked, None, revoked_cookie)
    return creds


def _subjects(s) -> dict[str, object]:
    """What the routes' path parameters point at: things of the demo's tenants."""
    from sqlalchemy import select

    from kzreg.escort.models import Escort, EscortSeal
    from kzreg.law.calendar import now_utc
    from kzreg.platform.cases import Case
    from kzreg.platform.demo import COMPANIES
    from kzreg.platform.documents import Document
    from kzreg.platform.notifications import Notice
    from kzreg.platform.users import get_user
    from kzreg.risk.models import RiskControl, RiskSubject
    from kzreg.tracking.models import TrackingSituation
    from security.defense_world import defense_subjects

    steppe = next(c.bin for c in COMPANIES if c.key == "steppe-motors")

    def case(case_type: str, state: str | None = None, bin: str | None = None) -> Case:
        rows = s.scalars(select(Case).where(Case.case_type == case_type).order_by(Case.id))
        return next(c for c in rows if (state is None or c.state == state)
                    and (bin is None or bin in c.party_bins))

    agreement = case("assembly.agreement", "active", steppe)
    trip = case("escort.escort", "in_transit")
    escort = s.scalar(select(Escort).where(Escort.case_id == trip.id))
    seal = s.scalar(select(EscortSeal.seal_number).where(EscortSeal.escort_id == escort.id))
    officer = get_user(s, "customs.almaty")
    notice = s.scalar(select(Notice.id).where(Notice.user_id == officer.id).order_by(Notice.id))
    at = now_utc()
    situation = TrackingSituation(seal=seal, type="signal_loss", started_at=at,
                                  occurred_at=at, detected_at=at,
                                  notify_by=at + dt.timedelta(hours=1), evidence={})
    s.add(situation)
    s.flush()
    from kzreg.assembly import service as assembly

    document = assembly.make_document(s, get_user(s, "industry").actor(), agreement.id,
                                      "agreement", "ru", at=at)
    control = s.scalar(select(RiskControl).order_by(RiskControl.id))
    subject = s.get(RiskSubject, control.subject_id)
    from kzreg.risk import service as risk

    control.items = list(range(1, 40))  # violated items that call for rapid response
    s.flush()
    order = risk.issue_orders(s, control.id, get_user(s, "inspector").actor())[0]
    return {
        **defense_subjects(s),
        "assembly_case": agreement.id,
        "assembly_document": document.id,
        "escort": escort.id,
        "escort_document": s.scalar(select(Document.id).where(Document.case_id == trip.id)),
        "escort_notice": notice,
        "seal": seal,
        "situation": situation.id,
        "risk_subject": subject.code,
        "risk_control": control.id,
        "risk_order": order,
        "risk_document": s.scalar(select(Document.id).where(Document.case_id == order)),
        "producers_application": case("producers.register_application", "included",
                                      steppe).id,
        "producers_appeal": case("producers.register_exclusion", "appeal_window").id,
        "producers_bin": steppe,
        **_producers_subjects(s, case, steppe),
    }


def _producers_subjects(s, case, steppe: str) -> dict[str, object]:
    """Incentives, plans, programmes, contracts and raw-material agreements of the demo:
    Steppe's (the demo manufacturer's) incentive cases, Qorgan's (the demo contractor's)
    plan and programme, their off-take contract, another company's raw agreement and
    refused application, Steppe's application to the list of raw materials."""
    from sqlalchemy import select

    from kzreg.platform.demo import COMPANIES
    from kzreg.platform.documents import Document
    from kzreg.platform.users import get_user
    from kzreg.producers import raw_list_workflow as rlw
    from kzreg.producers.models import IndustrialContract, RawSupplyAgreement

    qorgan = next(c.bin for c in COMPANIES if c.key == "qorgan")
    raw_list = rlw.file(s, get_user(s, "manufacturer").actor(), bin=steppe,
                        name="Steppe Motors LLP", raw_material="Copper cathodes",
                        documents=["application"])
    return {
        "producers_refused": case("producers.register_application", "refused").id,
        "producers_raw_list": raw_list.id,
        "producers_incentive": case("producers.incentive_application", "filed", steppe).id,
        "producers_decided": case("producers.incentive_application", "performing", steppe).id,
        "producers_plan": case("producers.procurement_plan", "under_review", qorgan).id,
        "producers_dvdp": case("producers.dvdp", None, qorgan).id,
        "producers_contract": s.scalar(select(IndustrialContract.id).where(
            IndustrialContract.customer_bin == qorgan,
            IndustrialContract.supplier_bin == steppe).order_by(IndustrialContract.id)),
        "producers_raw_agreement": s.scalar(select(RawSupplyAgreement.id).order_by(
            RawSupplyAgreement.id)),
        "producers_document": s.scalar(select(Document.id).where(
            Document.kind.like("producers_%")).order_by(Document.id)),
    }

"""The demo of incentives and large customers loads every state, is idempotent, and each of
its cases renders for an officer."""

from sqlalchemy import select

from kzreg.platform.actors import Actor, Role
from kzreg.platform.cases import Case
from kzreg.platform.db import unit_of_work
from kzreg.platform.demo import COMPANIES
from kzreg.producers import contracts_service, demo, incentives_service
from kzreg.producers.models import ContractYear


def test_demo_cases_every_state_and_idempotent(sqlite_db):
    with unit_of_work() as s:
        assert "incentives and contracts" in demo.load(s)
    with unit_of_work() as s:
        assert demo.load(s) is None
        states = {(c.case_type.split(".")[1], c.state) for c in s.scalars(select(Case))}
        assert {("incentive_application", "filed"), ("incentive_application", "performing"),
                ("incentive_application", "refund_due"), ("procurement_plan", "under_review"),
                ("procurement_plan", "closed"), ("dvdp", "implementing")} <= states
        assert "breach" in set(s.scalars(select(ContractYear.status)))
        officer = Actor("industry", Role.INDUSTRY_OFFICER)
        banned = [c for c in s.scalars(select(Case).where(
            Case.case_type == "producers.incentive_application", Case.state == "filed"))
            if c.data.get("competitiveness_agreement")]
        check = incentives_service.check(s, officer, banned[0].id, {"documents_compliant": True})
        assert check.value.reasons == ("PRIOR_CULPABLE_FAILURE",)
        steppe = next(c for c in COMPANIES if c.key == "steppe-motors")
        assert [r.bin for r in contracts_service.systemic_list(s)] == [steppe.bin]


def test_every_demo_case_page_renders(sqlite_db, monkeypatch):
    import re

    from argon2 import PasswordHasher
    from fastapi.testclient import TestClient

    from kzreg.platform.users import create_user
    from kzreg.web import create_app

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with unit_of_work() as s:
        demo.load(s)
        create_user(s, "officer", "industry_officer", "pw-pw-pw-pw")
        ids = s.scalars(select(Case.id).where(Case.case_type.in_(
            ("producers.incentive_application", "producers.procurement_plan",
             "producers.dvdp")))).all()
    client = TestClient(create_app())
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    client.post("/login", data={"username": "officer", "password": "pw-pw-pw-pw",
                                "csrf_token": token})
    for case_id in ids:
        r = client.get(f"/producers/cases/{case_id}")
        assert r.status_code == 200 and 'id="state"' in r.text, case_id
    for path in ("/producers/incentives/", "/producers/contracts/", "/producers/register/"):
        assert client.get(path).status_code == 200

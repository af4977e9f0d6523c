"""The register's demo loads producers in every state and is idempotent."""

from sqlalchemy import select

from kzreg.platform.cases import Case
from kzreg.platform.db import unit_of_work
from kzreg.producers import demo, service
from kzreg.producers.models import LegalEntityEvent, RegisterEntry


def test_demo_has_every_state_and_is_idempotent(sqlite_db):
    with unit_of_work() as s:
        assert demo.load(s)
    with unit_of_work() as s:
        assert demo.load(s) is None
        statuses = sorted(e.status for e in s.scalars(select(RegisterEntry)))
        assert statuses == ["excluded"] * 2 + ["included"] * 4
        notice = s.scalars(select(LegalEntityEvent)).one()
        assert (notice.kind, notice.outcome) == ("liquidation", "removed")
        states = {c.state for c in s.scalars(select(Case).where(
            Case.case_type.like("producers.register%")))}
        assert {"included", "onsite_inspection", "refused", "appeal_window",
                "reincluded"} <= states
        assert len(service.search(s, "")) == 4

"""The risk demo: thousands of subjects of every type, histories, idempotent."""

from sqlalchemy import func, select

from kzreg.platform.db import unit_of_work
from kzreg.risk import demo, service
from kzreg.risk.models import RiskControl, RiskSubject
from kzreg.risk.subjects import SubjectType


def test_demo_loads_once_with_every_type(sqlite_db):
    with unit_of_work() as s:
        assert "3000 subjects" in demo.load(s)
    with unit_of_work() as s:
        assert demo.load(s) is None
        types = set(s.scalars(select(RiskSubject.type).distinct()))
        assert types == {t.value for t in SubjectType} - {"applicant"}
        assert s.scalar(select(func.count(RiskControl.id))) > 2000
        dist = service.degree_distribution(s)
        assert set(dist["subjective"]) == {"low", "average", "high"}
        assert sum(dist["objective"].values()) == 3000

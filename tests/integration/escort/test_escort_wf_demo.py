"""The escort demo: every state of the workflow, idempotent, the simulator's seals in transit."""

from __future__ import annotations

from sqlalchemy import func, select

from kzreg.escort.demo import STATES
from kzreg.escort.models import Escort, EscortSeal
from kzreg.escort.workflow import CASE_TYPE
from kzreg.platform.cases import Case
from kzreg.platform.db import unit_of_work
from kzreg.platform.demo import load_demo


def _states() -> dict[str, int]:
    with unit_of_work() as s:
        return dict(s.execute(select(Case.state, func.count()).where(
            Case.case_type == CASE_TYPE).group_by(Case.state)).all())


def test_demo_has_every_state_and_loads_once(db):
    with unit_of_work() as s:
        report = load_demo(s)
    assert any(line.startswith("escort:") for line in report.modules)
    states = _states()
    assert set(states) == set(STATES)
    assert states["in_transit"] == 4
    with unit_of_work() as s:
        on_road = s.scalars(select(EscortSeal.seal_number).join(
            Escort, Escort.id == EscortSeal.escort_id).join(Case, Case.id == Escort.case_id)
            .where(Case.state == "in_transit")).all()
        assert sorted(on_road) == ["SIM-001", "SIM-002", "SIM-003", "SIM-004"]
        report = load_demo(s)
    assert not any(line.startswith("escort:") for line in report.modules)
    assert _states() == states

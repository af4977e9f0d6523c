"""Durable deadlines: the timers a case's state starts, and the breaches they record.

A state's `DeadlineSpec`s become `timers` rows when a case enters the state, with the due
instant computed by the one deadline service (`kzreg.law.calendar.deadline`): working or
calendar days are counted in Almaty dates from the local date of the event and run out at
the end of the last local day; hours are elapsed time. Leaving the state cancels its pending
timers. The worker (`kzreg.platform.worker`) fires due ones; a deadline without an automatic
transition that passes is a `breaches` row supervisors can list.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, update
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.types import JSON

from kzreg.law.calendar import deadline
from kzreg.law.explain import Explained
from kzreg.platform.casetypes import DeadlineSpec
from kzreg.platform.db import Base, UtcDateTime

if TYPE_CHECKING:
    from kzreg.platform.cases import Case

PENDING, FIRED, CANCELLED, FAILED = "pending", "fired", "cancelled", "failed"
BREACH = "breach"  # a fired timer's outcome when no transition was fired automatically


class Timer(Base):
    __tablename__ = "timers"
    __table_args__ = (Index("ix_timers_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))          # the DeadlineSpec's name
    state: Mapped[str] = mapped_column(String(100))         # the state that started it
    title: Mapped[str] = mapped_column(String(500), default="")
    duration: Mapped[str] = mapped_column(String(100))      # as declared: "10 working days"
    citation: Mapped[str] = mapped_column(String(200))      # Citation.ref
    on_expiry: Mapped[str | None] = mapped_column(String(100))
    due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())  # first instant that is late
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    fired_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    outcome: Mapped[str | None] = mapped_column(String(100))  # transition fired, or "breach"
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    explanation: Mapped[dict[str, Any] | None] = mapped_column(MutableDict.as_mutable(JSON))

    case: Mapped[Case] = relationship("Case", viewonly=True)


class Breach(Base):
    """A deadline that passed without the act it required (and without an automatic one)."""

    __tablename__ = "breaches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    timer_id: Mapped[int] = mapped_column(ForeignKey("timers.id", ondelete="CASCADE"),
                                          unique=True)
    case_type: Mapped[str] = mapped_column(String(60), index=True)
    state: Mapped[str] = mapped_column(String(100))
    deadline: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(500), default="")
    citation: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
    # when the case left the state (the late act was done, or the case moved on otherwise);
    # the breach itself stays on the record
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    note: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship("Case", viewonly=True)


def due_at(spec: DeadlineSpec, start: dt.datetime) -> Explained[dt.datetime]:
    """When the deadline runs out for an event at `start` (with the calendar's trace)."""
    return deadline(start, spec.duration, roll_to_working_day=None)  # type: ignore[return-value]


def start_timers(session: Session, case: Case, specs: tuple[DeadlineSpec, ...],
                 at: dt.datetime) -> list[Timer]:
    timers = []
    for spec in specs:
        due = due_at(spec, at)
        timers.append(Timer(case_id=case.id, name=spec.name, state=case.state,
                            title=spec.title, duration=spec.duration,
                            citation=spec.citation.ref, on_expiry=spec.on_expiry,
                            due_at=due.value, status=PENDING, started_at=at, attempts=0,
                            explanation=due.to_dict()))
    session.add_all(timers)
    return timers


def cancel_timers(session: Session, case_id: int, at: dt.datetime) -> None:
    """The case left the state: its pending deadlines no longer run."""
    session.execute(update(Timer)
                    .where(Timer.case_id == case_id, Timer.status == PENDING)
                    .values(status=CANCELLED, fired_at=at, outcome="left state")
                    .execution_options(synchronize_session="fetch"))


def resolve_breaches(session: Session, case_id: int, state: str, at: dt.datetime) -> None:
    """The case left the state: its breaches there are no longer running late."""
    session.execute(update(Breach)
                    .where(Breach.case_id == case_id, Breach.state == state,
                           Breach.resolved_at.is_(None))
                    .values(resolved_at=at)
                    .execution_options(synchronize_session="fetch"))


# The relationships above name the Case model: make sure it is mapped whoever imports first.
from kzreg.platform import cases as _cases  # noqa: E402,F401

"""What the dashboard reads from the other platform parts, in one shape.

The cases and notifications modules are written alongside the web shell; these adapters
read them when present and show nothing (rather than failing) while they are absent.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from kzreg.platform.actors import Actor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Task:
    case_id: int | None
    case_title: str
    case_type: str
    task: str
    due_at: dt.datetime | None
    basis: str

    def overdue(self, now: dt.datetime) -> bool:
        return self.due_at is not None and self.due_at <= now


def _basis_text(ref: Any) -> str:
    if not ref:
        return ""
    from kzreg.law.citations import Citation

    try:
        citation = ref if isinstance(ref, Citation) else Citation.parse(str(ref))
        return str(citation)
    except Exception:  # a malformed reference is still worth showing as written
        return str(ref)


def _task(row: Any) -> Task:
    case = getattr(row, "case", None)
    return Task(
        case_id=getattr(row, "case_id", None) or getattr(case, "id", None),
        case_title=str(getattr(case, "title", "") or ""),
        case_type=str(getattr(case, "case_type", "") or ""),
        task=str(getattr(row, "title", "") or getattr(row, "name", "")),
        due_at=getattr(row, "due_at", None),
        basis=_basis_text(getattr(row, "citation", None)),
    )


def open_tasks(session: Session, actor: Actor, limit: int = 20) -> list[Task]:
    """The actor's pending deadlines, soonest first (empty until the cases module lands)."""
    try:
        from kzreg.platform.cases import open_deadlines
    except ImportError:
        return []
    return [_task(row) for row in open_deadlines(session, actor, limit=limit)]


def unread_count(session: Session, actor: Actor) -> int:
    """Unread notices in the actor's inbox (0 until the notifications module lands)."""
    if actor.user_id is None:
        return 0
    try:
        from kzreg.platform.notifications import inbox
    except ImportError:
        return 0
    return len(inbox(session, actor.user_id, unread_only=True))


def recent_notices(session: Session, actor: Actor, limit: int = 50) -> list[Any]:
    if actor.user_id is None:
        return []
    try:
        from kzreg.platform.notifications import inbox
    except ImportError:
        return []
    return list(inbox(session, actor.user_id, limit=limit))

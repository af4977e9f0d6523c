"""The audit log: append-only and tamper-evident.

Every entry (who, role, when, what, which case, on which legal basis) carries the SHA-256
of its own content and of the previous entry's hash, so editing, deleting or reordering
any entry breaks the chain from there on, and `verify` names the first broken entry.
The one-row table `audit_head` holds the last seq and hash: appending updates it first,
which takes the write lock (a row lock on PostgreSQL, the database lock on SQLite), so
concurrent appends queue up instead of forking the chain, and a cut-off tail is noticed.
The migration adds triggers refusing UPDATE/DELETE on `audit_log`; the chain still catches
an administrator who drops them. (It cannot catch someone who rewrites the whole chain
and the head: for that, keep the head hash `kzreg audit verify` prints somewhere else.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Integer, String, Text, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from kzreg.law.citations import Citation
from kzreg.law.errors import InputError
from kzreg.law.explain import jsonable
from kzreg.platform.actors import Actor
from kzreg.platform.db import Base, UtcDateTime

GENESIS = "0" * 64  # the prev_hash of the first entry
HEAD_ID = 1         # the only row of audit_head
BATCH = 2000        # entries read per query while verifying


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)  # 1, 2, 3 … without gaps
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(150))
    role: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(100))
    case_type: Mapped[str | None] = mapped_column(String(60))
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    basis: Mapped[str | None] = mapped_column(String(300))  # Citation.ref
    data: Mapped[str] = mapped_column(Text)                  # canonical JSON text
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.data)


class AuditHead(Base):
    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, exact numbers as text: the same data, the same bytes."""
    return json.dumps(jsonable(value), sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))


def entry_hash(seq: int, at: dt.datetime, actor: str, role: str, action: str,
               case_type: str | None, case_id: int | None, basis: str | None,
               data: str, prev_hash: str) -> str:
    """SHA-256 of the entry's fields as a JSON array (no field can bleed into the next)."""
    when = at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    fields = [seq, when + "Z", actor, role, action, case_type, case_id, basis, data, prev_hash]
    text = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))  # all plain values
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _hash_of(entry: Any) -> str:
    return entry_hash(entry.seq, entry.at, entry.actor, entry.role, entry.action,
                      entry.case_type, entry.case_id, entry.basis, entry.data, entry.prev_hash)


_LIMITS = {"action": 100, "case_type": 60, "basis": 300}


def append(session: Session, *, actor: Actor, action: str, case_id: int | None = None,
           case_type: str | None = None, basis: Citation | str | None = None,
           data: dict | None = None, at: dt.datetime | None = None) -> AuditEntry:
    """Add the next entry in the caller's transaction (the caller commits)."""
    at = at or dt.datetime.now(dt.UTC)
    if at.tzinfo is None:
        raise InputError("the audit time must be timezone-aware", field="at")
    basis_ref = basis.ref if isinstance(basis, Citation) else basis
    for name, value in (("action", action), ("case_type", case_type), ("basis", basis_ref)):
        if value is not None and len(value) > _LIMITS[name]:
            raise InputError(f"longer than {_LIMITS[name]} characters", field=name)
    if not action:
        raise InputError("an audit entry needs an action", field="action")
    # Moving the head first takes the write lock: a concurrent append waits here.
    seq, prev_hash = session.execute(
        update(AuditHead).where(AuditHead.id == HEAD_ID).values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.hash)).one()
    entry = AuditEntry(seq=seq, at=at.astimezone(dt.UTC), actor=actor.username,
                       role=str(actor.role), action=action, case_type=case_type,
                       case_id=case_id, basis=basis_ref, data=canonical_json(data or {}),
                       prev_hash=prev_hash)
    entry.hash = _hash_of(entry)
    session.add(entry)
    session.flush()
    session.execute(update(AuditHead).where(AuditHead.id == HEAD_ID).values(hash=entry.hash))
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int                    # entries found intact before the first bad one
    first_bad_id: int | None = None
    reason: str | None = None
    first_bad_seq: int | None = None
    head_hash: str = GENESIS        # the last good hash (the head when ok)


def check_chain(entries: Iterable[Any], head_seq: int, head_hash: str) -> VerifyResult:
    """Walk entries in seq order; the first one that does not fit the chain is reported.

    Pure: `entries` are any objects with the entry's fields (rows, test doubles).
    """
    checked, prev = 0, GENESIS
    for entry in entries:
        expected = checked + 1
        reason = None
        if entry.seq != expected:
            reason = (f"entry seq {expected} is missing (deleted)" if entry.seq > expected
                      else f"seq {entry.seq} out of order where {expected} was expected")
        elif entry.prev_hash != prev:
            reason = (f"prev_hash does not match the hash of entry seq {expected - 1} "
                      "(an entry was deleted, inserted or reordered)")
        elif _hash_of(entry) != entry.hash:
            reason = "hash mismatch: the entry was edited"
        if reason:
            return VerifyResult(False, checked, entry.id, reason, entry.seq, prev)
        checked, prev = expected, entry.hash
    if checked < head_seq:
        return VerifyResult(False, checked, None,
                            f"the head records {head_seq} entries, the log ends at seq "
                            f"{checked} (entries deleted from the end)", checked + 1, prev)
    if prev != head_hash:
        return VerifyResult(False, checked, None, "the head hash differs from the last "
                            "entry's hash", checked + 1, prev)
    return VerifyResult(True, checked, head_hash=prev)


def _stream(session: Session, up_to: int) -> Iterator[Any]:
    """Entries in seq order, a batch at a time (the log may hold millions)."""
    last = 0
    while True:
        rows = session.execute(
            select(*AuditEntry.__table__.c).where(AuditEntry.seq > last,
                                                  AuditEntry.seq <= up_to)
            .order_by(AuditEntry.seq).limit(BATCH)).all()
        yield from rows
        if len(rows) < BATCH:
            return
        last = rows[-1].seq


def verify(session: Session) -> VerifyResult:
    """Check the whole chain against the head; read-only."""
    head = session.execute(select(AuditHead.seq, AuditHead.hash)
                           .where(AuditHead.id == HEAD_ID)).one_or_none()
    if head is None:
        return VerifyResult(False, 0, None, "the audit head row is missing", 1)
    # Entries appended while we walk lie above head.seq; forged ones above it are caught
    # by comparing the highest seq with the head read again afterwards (never lower).
    result = check_chain(_stream(session, head.seq), head.seq, head.hash)
    if result.ok:
        top = session.execute(select(func.max(AuditEntry.seq))).scalar() or 0
        now = session.execute(select(AuditHead.seq).where(AuditHead.id == HEAD_ID)).scalar()
        if top > now:
            bad = session.execute(select(AuditEntry.id, AuditEntry.seq)
                                  .where(AuditEntry.seq > now).order_by(AuditEntry.seq)
                                  .limit(1)).one()
            return VerifyResult(False, result.checked, bad.id,
                                f"entry beyond the recorded head (seq {now}): "
                                "not appended by kzreg", bad.seq, result.head_hash)
    return result


def entries(session: Session, *, case_id: int | None = None,
            limit: int = 50) -> list[AuditEntry]:
    """The latest `limit` entries (of one case, if given), oldest first."""
    query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if case_id is not None:
        query = query.where(AuditEntry.case_id == case_id)
    return list(reversed(session.scalars(query).all()))

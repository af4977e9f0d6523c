"""Notices to people: an in-app inbox, and e-mail through a transactional outbox.

`notify()` writes, in the caller's transaction, one `notices` row per recipient (their
inbox) and one `outbox` row per e-mail to send. Because both are written with the event
that causes them, a rolled-back event leaves no notice and sends no mail, and a committed
event is never left without its notice.

`deliver_due()` (a worker job) sends due outbox rows over SMTP. Each row is first claimed
in a short committed transaction — `FOR UPDATE SKIP LOCKED` on PostgreSQL, a conditional
UPDATE on SQLite — so two workers never send the same row; the claim is a lease, so a row
claimed by a worker that died is taken up again once the lease runs out. Failures are
retried with exponential backoff up to `max_attempts`; a permanent SMTP refusal (5xx)
fails the row at once. Only a worker that dies between the server's "250 OK" and its own
commit can cause a second send; the Message-ID is stable per row, so mail systems can drop
the duplicate.

Delivery and acknowledgement times are recorded because acts set hours for them (Order
407 §11: the operator informs officials within one hour): `ack_due_at` on a notice, and
`overdue_acknowledgements()` lists those not acknowledged in time.
"""

from __future__ import annotations

import datetime as dt
import os
import smtplib
import socket
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import ForeignKey, Index, Integer, String, Text, and_, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from kzreg.law.citations import Citation
from kzreg.law.errors import InputError, NotFound
from kzreg.platform.db import Base, UtcDateTime, get_engine

KINDS = ("info", "task", "reminder", "warning", "alert", "decision", "deadline", "breach")
PENDING, SENT, FAILED = "pending", "sent", "failed"
STATUSES = (PENDING, SENT, FAILED)


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- tables -------------------------------------------------------------------------------

class Notice(Base):
    """One message in one person's inbox."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    basis: Mapped[str | None] = mapped_column(String(300))       # Citation.ref
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    emailed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    read_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    ack_due_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), index=True)

    @property
    def citation(self) -> Citation | None:
        return Citation.parse(self.basis) if self.basis else None

    @property
    def acknowledged_late(self) -> bool:
        return (self.ack_due_at is not None and self.acknowledged_at is not None
                and self.acknowledged_at > self.ack_due_at)

    def overdue(self, now: dt.datetime) -> bool:
        return (self.ack_due_at is not None and self.acknowledged_at is None
                and now > self.ack_due_at)

    def __repr__(self) -> str:
        return f"Notice({self.id}, user={self.user_id}, {self.subject!r})"


class OutboxMessage(Base):
    """An e-mail waiting to be sent (or sent, or given up on)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int | None] = mapped_column(
        ForeignKey("notices.id", ondelete="SET NULL"), index=True)
    to_address: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    def __repr__(self) -> str:
        return f"OutboxMessage({self.id}, {self.to_address!r}, {self.status})"


# --- delivery policy ----------------------------------------------------------------------

def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"{raw!r} is not a number", field=name) from None
    if value < 0:
        raise InputError(f"{raw!r} may not be negative", field=name)
    return value


@dataclass(frozen=True)
class DeliveryPolicy:
    """How hard the outbox tries. Operational choices, not law (the acts name no channel)."""

    max_attempts: int = 8                       # then the row is `failed`, kept for review
    base_delay: dt.timedelta = dt.timedelta(seconds=30)
    max_delay: dt.timedelta = dt.timedelta(minutes=30)
    lease: dt.timedelta = dt.timedelta(minutes=5)   # a claim outlives any one SMTP session
    batch: int = 50
    timeout: float = 20.0                       # seconds per SMTP connection

    @classmethod
    def from_env(cls) -> DeliveryPolicy:
        """KZREG_SMTP_MAX_ATTEMPTS, KZREG_SMTP_RETRY_SECONDS, KZREG_SMTP_TIMEOUT."""
        default = cls()
        attempts = int(_env_number("KZREG_SMTP_MAX_ATTEMPTS", default.max_attempts))
        if attempts < 1:
            raise InputError("at least one attempt is needed", field="KZREG_SMTP_MAX_ATTEMPTS")
        base = _env_number("KZREG_SMTP_RETRY_SECONDS", default.base_delay.total_seconds())
        return cls(max_attempts=attempts, base_delay=dt.timedelta(seconds=base),
                   timeout=_env_number("KZREG_SMTP_TIMEOUT", default.timeout))

    def backoff(self, attempts: int) -> dt.timedelta:
        """Wait after the `attempts`-th failure: base · 2^(attempts-1), capped."""
        if attempts < 1:
            return dt.timedelta(0)
        delay = self.base_delay * (2 ** min(attempts - 1, 30))
        return min(delay, self.max_delay)


# --- writing notices ----------------------------------------------------------------------

def notify(session: Session, *, recipients: Sequence[int], subject: str, body: str,
           case_id: int | None = None, kind: str = "info", basis: Citation | None = None,
           due_ack_within: dt.timedelta | None = None, ack_due_at: dt.datetime | None = None,
           email: bool = True, at: dt.datetime | None = None) -> list[Notice]:
    """Put a notice in each recipient's inbox and queue an e-mail to each that has an address.

    Runs in the caller's transaction and does not commit. `due_ack_within` (from `at`) or
    `ack_due_at` (absolute, e.g. counted from the event an act names) sets when the
    recipient must acknowledge it.
    """
    from kzreg.platform.users import User

    at = at or now_utc()
    if at.tzinfo is None:
        raise InputError("naive datetime given", field="at")
    subject = (subject or "").strip()
    if not subject:
        raise InputError("a notice needs a subject", field="subject")
    if len(subject) > 300:
        raise InputError("the subject is longer than 300 characters", field="subject")
    if kind not in KINDS:
        raise InputError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}", field="kind")
    if due_ack_within is not None and ack_due_at is not None:
        raise InputError("give due_ack_within or ack_due_at, not both", field="ack_due_at")
    if due_ack_within is not None:
        if due_ack_within <= dt.timedelta(0):
            raise InputError("must be positive", field="due_ack_within")
        ack_due_at = at + due_ack_within
    if ack_due_at is not None and ack_due_at.tzinfo is None:
        raise InputError("naive datetime given", field="ack_due_at")
    # user ids (or User rows); each person once, in the order given
    ids = list(dict.fromkeys(getattr(r, "id", r) for r in recipients))
    if not ids:
        raise InputError("a notice needs at least one recipient", field="recipients")

    users = []
    for user_id in ids:
        user = (session.get(User, user_id)
                if isinstance(user_id, int) and not isinstance(user_id, bool) else None)
        if user is None:
            raise NotFound(f"no user with id {user_id!r}", field="recipients")
        users.append(user)
    notices = [Notice(user_id=user.id, case_id=case_id, kind=kind, subject=subject,
                      body=body or "", basis=basis.ref if basis else None, created_at=at,
                      ack_due_at=ack_due_at) for user in users]
    session.add_all(notices)
    session.flush()  # ids for the outbox rows; still uncommitted
    if email:
        for user, notice in zip(users, notices, strict=True):
            if user.email and user.active:
                session.add(_outbox_row(notice, user.email, at))
        session.flush()
    return notices


def _outbox_row(notice: Notice, address: str, at: dt.datetime) -> OutboxMessage:
    from kzreg.platform.config import get_config

    body = notice.body
    if notice.basis:
        body = f"{body}\n\n[{notice.citation}]" if body else f"[{notice.citation}]"
    domain = get_config().smtp_from.rpartition("@")[2] or "kzreg.localhost"
    return OutboxMessage(notice_id=notice.id, to_address=address, subject=notice.subject,
                         body=body, status=PENDING, attempts=0, created_at=at,
                         next_attempt_at=at,
                         message_id=make_msgid(f"notice{notice.id}", domain=domain))


# --- the inbox ----------------------------------------------------------------------------

def inbox(session: Session, user_id: int, *, unread_only: bool = False,
          limit: int = 100) -> list[Notice]:
    """A person's notices, newest first."""
    query = select(Notice).where(Notice.user_id == user_id)
    if unread_only:
        query = query.where(Notice.read_at.is_(None))
    query = query.order_by(Notice.created_at.desc(), Notice.id.desc()).limit(limit)
    return list(session.scalars(query))


def _own_notice(session: Session, user_id: int, notice_id: int) -> Notice:
    notice = session.get(Notice, notice_id)
    if notice is None or notice.user_id != user_id:  # someone else's notice does not exist
        raise NotFound(f"no notice {notice_id}", field="notice_id")
    return notice


def mark_read(session: Session, user_id: int, notice_id: int,
              at: dt.datetime | None = None) -> Notice:
    """Record when the person first opened the notice (later openings change nothing)."""
    notice = _own_notice(session, user_id, notice_id)
    if notice.read_at is None:
        notice.read_at = at or now_utc()
        session.flush()
    return notice


def acknowledge(session: Session, user_id: int, notice_id: int,
                at: dt.datetime | None = None) -> Notice:
    """Record the person's acknowledgement (once; it also counts as reading it)."""
    notice = _own_notice(session, user_id, notice_id)
    at = at or now_utc()
    if notice.read_at is None:
        notice.read_at = at
    if notice.acknowledged_at is None:
        notice.acknowledged_at = at
    session.flush()
    return notice


def overdue_acknowledgements(session: Session, now: dt.datetime | None = None, *,
                             user_id: int | None = None) -> list[Notice]:
    """Notices whose acknowledgement deadline passed without an acknowledgement."""
    now = now or now_utc()
    query = select(Notice).where(Notice.ack_due_at.is_not(None), Notice.ack_due_at < now,
                                 Notice.acknowledged_at.is_(None))
    if user_id is not None:
        query = query.where(Notice.user_id == user_id)
    return list(session.scalars(query.order_by(Notice.ack_due_at, Notice.id)))


# --- delivery -----------------------------------------------------------------------------

class PermanentFailure(Exception):
    """The server refused for good (5xx): retrying cannot help."""


def _due(now: dt.datetime):
    return and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now))


@dataclass(frozen=True)
class _Mail:
    """What a claimed row needs for sending, read while the claim was made."""

    id: int
    notice_id: int | None
    to_address: str
    subject: str
    body: str
    message_id: str
    created_at: dt.datetime
    attempts: int


def claim_due(session: Session, now: dt.datetime, worker: str,
              policy: DeliveryPolicy) -> list[_Mail]:
    """Claim up to `policy.batch` due rows for `worker`, commit the claim, return them."""
    until = now + policy.lease
    due_ids = (select(OutboxMessage.id).where(_due(now))
               .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
               .limit(policy.batch))
    if session.get_bind().dialect.name == "postgresql":
        # Rows another worker is claiming right now are skipped, not waited for.
        ids = list(session.scalars(due_ids.with_for_update(skip_locked=True)))
        target = OutboxMessage.id.in_(ids)
    else:
        # SQLite: one UPDATE, so the claim is made under the database's write lock and
        # its WHERE re-checks each row; a row another worker claimed updates nothing.
        target = OutboxMessage.id.in_(due_ids.scalar_subquery())
    session.execute(update(OutboxMessage).where(target, _due(now))
                    .values(claimed_by=worker, claimed_until=until)
                    .execution_options(synchronize_session=False))
    rows = session.execute(
        select(OutboxMessage.id, OutboxMessage.notice_id, OutboxMessage.to_address,
               OutboxMessage.subject, OutboxMessage.body, OutboxMessage.message_id,
               OutboxMessage.created_at, OutboxMessage.attempts)
        .where(OutboxMessage.claimed_by == worker).order_by(OutboxMessage.id)).all()
    session.commit()
    return [_Mail(*row) for row in rows]


def build_email(mail: _Mail | OutboxMessage, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.to_address
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(mail.created_at)
    msg["Message-ID"] = mail.message_id
    msg["Auto-Submitted"] = "auto-generated"   # RFC 3834: no auto-replies to a system
    msg.set_content(mail.body)
    return msg


class _Smtp:
    """One SMTP connection per delivery pass, opened on first use, reopened after errors."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.conn: smtplib.SMTP | None = None

    def send(self, msg: EmailMessage) -> None:
        try:
            if self.conn is None:
                self.conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            self.conn.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            self.close()
            codes = [code for code, _ in exc.recipients.values()]
            if codes and all(500 <= c < 600 for c in codes):
                raise PermanentFailure(_describe(exc)) from exc
            raise
        except smtplib.SMTPResponseException as exc:
            self.close()
            if 500 <= exc.smtp_code < 600:
                raise PermanentFailure(_describe(exc)) from exc
            raise
        except (OSError, smtplib.SMTPException):
            self.close()
            raise

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (OSError, smtplib.SMTPException):
                self.conn.close()
            self.conn = None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        text = "recipient refused: " + "; ".join(
            f"{addr} {code} {_text(msg)}" for addr, (code, msg) in exc.recipients.items())
    elif isinstance(exc, smtplib.SMTPResponseException):
        text = f"{exc.smtp_code} {_text(exc.smtp_error)}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return text[:1000]


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _renew(session: Session, mail: _Mail, worker: str, until: dt.datetime) -> bool:
    """Extend our claim on a row just before sending it; False if it is no longer ours
    (a long pass outlived its lease and another worker took the row over)."""
    renewed = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == mail.id, OutboxMessage.claimed_by == worker,
               OutboxMessage.status == PENDING)
        .values(claimed_until=until)
        .execution_options(synchronize_session=False)).rowcount
    session.commit()
    return renewed == 1


def _finish(session: Session, mail: _Mail, worker: str, **values) -> None:
    """Record an attempt's outcome — only while the claim is still ours — and commit."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == mail.id, OutboxMessage.claimed_by == worker)
        .values(claimed_by=None, claimed_until=None, **values)
        .execution_options(synchronize_session=False))
    if values.get("status") == SENT and mail.notice_id is not None:
        session.execute(update(Notice)
                        .where(Notice.id == mail.notice_id, Notice.emailed_at.is_(None))
                        .values(emailed_at=values["sent_at"])
                        .execution_options(synchronize_session=False))
    session.commit()  # each outcome on the record before the next send


def deliver_due(session: Session | None = None, now: dt.datetime | None = None, *,
                policy: DeliveryPolicy | None = None) -> int:
    """Send due e-mails from the outbox; returns how many were sent. A worker job.

    Works in its own short transactions on the given session's engine (or the configured
    database): a claim must be committed before talking to the SMTP server so that another
    worker sees it. Does nothing while no SMTP host is configured (KZREG_SMTP_HOST).
    """
    from kzreg.platform.config import get_config

    config = get_config()
    if not config.smtp_host:
        return 0
    now = now or now_utc()
    if now.tzinfo is None:
        raise InputError("naive datetime given", field="now")
    policy = policy or DeliveryPolicy.from_env()
    bind = session.get_bind() if session is not None else get_engine()
    worker = f"{socket.gethostname()[:24]}-{uuid.uuid4().hex[:12]}"
    started = time.monotonic()

    def clock() -> dt.datetime:  # the pass's `now`, advanced by the time spent sending
        return now + dt.timedelta(seconds=time.monotonic() - started)

    sent = 0
    with Session(bind) as work:
        smtp = _Smtp(config.smtp_host, config.smtp_port, policy.timeout)
        try:
            for mail in claim_due(work, now, worker, policy):
                if not _renew(work, mail, worker, clock() + policy.lease):
                    continue
                attempts = mail.attempts + 1
                try:
                    smtp.send(build_email(mail, config.smtp_from))
                except PermanentFailure as exc:
                    _finish(work, mail, worker, status=FAILED, attempts=attempts,
                            last_error=str(exc)[:1000])
                except (OSError, smtplib.SMTPException) as exc:
                    give_up = attempts >= policy.max_attempts
                    _finish(work, mail, worker, status=FAILED if give_up else PENDING,
                            attempts=attempts, last_error=_describe(exc),
                            next_attempt_at=clock() + policy.backoff(attempts))
                else:
                    _finish(work, mail, worker, status=SENT, attempts=attempts,
                            sent_at=clock(), last_error=None)
                    sent += 1
        finally:
            smtp.close()
            work.rollback()
    return sent


def outbox_messages(session: Session, *, status: str | None = None,
                    notice_ids: Iterable[int] | None = None) -> list[OutboxMessage]:
    """Outbox rows, oldest first (for supervisors and tests)."""
    if status is not None and status not in STATUSES:
        raise InputError(f"unknown status {status!r}", field="status")
    query = select(OutboxMessage)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    if notice_ids is not None:
        query = query.where(OutboxMessage.notice_id.in_(list(notice_ids)))
    return list(session.scalars(query.order_by(OutboxMessage.id)))

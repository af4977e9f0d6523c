"""Sign-in throttling: repeated failed sign-ins lock the account name and the client
address for a while (docs/decisions/security.md).

The counters live in the database (`login_throttle`), so every server process sees the
same counts and a restart forgives nobody. An account is keyed by a hash of the *name
typed*, whether such a user exists or not: unknown names are counted and locked exactly
like real ones, so a lockout tells nothing about which accounts exist, and a password
typed into the name field is never stored. While a key is locked, sign-in is refused
before the password is looked at, so guessing stops there.

Settings (environment, read at each attempt):

    KZREG_LOGIN_MAX_FAILURES              failures per account name in the window (5)
    KZREG_LOGIN_MAX_FAILURES_PER_ADDRESS  failures per client address in the window (30)
    KZREG_LOGIN_WINDOW_MINUTES            the window the failures are counted in (15)
    KZREG_LOGIN_LOCKOUT_MINUTES           how long a lock holds (15)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass

from sqlalchemy import Integer, String, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from kzreg.law.errors import InputError
from kzreg.platform.db import Base, UtcDateTime


class LoginThrottle(Base):
    """Failed sign-ins of one account name or client address in the current window."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)  # account:… | address:…
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


@dataclass(frozen=True)
class Policy:
    max_per_account: int
    max_per_address: int
    window: dt.timedelta
    lockout: dt.timedelta


def _number(name: str, default: int) -> int:
    raw = os.environ.get(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"{raw!r} is not a whole number", field=name) from None
    if value < 1:
        raise InputError("must be at least 1", field=name)
    return value


def policy() -> Policy:
    return Policy(_number("KZREG_LOGIN_MAX_FAILURES", 5),
                  _number("KZREG_LOGIN_MAX_FAILURES_PER_ADDRESS", 30),
                  dt.timedelta(minutes=_number("KZREG_LOGIN_WINDOW_MINUTES", 15)),
                  dt.timedelta(minutes=_number("KZREG_LOGIN_LOCKOUT_MINUTES", 15)))


def account_key(username: str) -> str:
    name = (username or "").strip().lower()
    return "account:" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:40]


def address_key(address: str | None) -> str | None:
    return f"address:{address[:60]}" if address else None


def locked_until(session: Session, keys: list[str], now: dt.datetime) -> dt.datetime | None:
    """The end of the latest lock in force on any of `keys`, or None."""
    ends = session.scalars(select(LoginThrottle.locked_until).where(
        LoginThrottle.key.in_(keys), LoginThrottle.locked_until > now)).all()
    return max(ends, default=None)


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(LoginThrottle)


def record_failure(session: Session, key: str, limit: int, rules: Policy,
                   now: dt.datetime) -> dt.datetime | None:
    """Count one failure on `key` (one atomic upsert, so concurrent processes agree);
    returns the end of the lock when this failure reaches the limit."""
    stale = LoginThrottle.window_started_at <= now - rules.window
    stmt = _insert(session).values(key=key, failures=1, window_started_at=now)
    stmt = stmt.on_conflict_do_update(index_elements=[LoginThrottle.key], set_={
        "failures": case((stale, 1), else_=LoginThrottle.failures + 1),
        "window_started_at": case((stale, now), else_=LoginThrottle.window_started_at),
    }).returning(LoginThrottle.failures)
    failures = session.execute(stmt).scalar_one()
    if failures < limit:
        return None
    until = now + rules.lockout
    row = session.get(LoginThrottle, key, populate_existing=True)
    row.failures, row.window_started_at, row.locked_until = 0, now, until
    session.flush()
    return until


def forgive(session: Session, key: str) -> None:
    """A correct sign-in clears its account's count (never its address's: one valid
    account must not reset the limit an attacker's address has run into)."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))

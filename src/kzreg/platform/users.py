"""People, their roles and scopes, their passwords, API tokens and web sessions.

A `User` row is a person; `user.actor()` is the `Actor` the rest of the system reasons
with. The scope a role needs is checked when the user is created, so no half-scoped
account exists: businesses need a valid BIN (they see only cases naming it), customs
officers at least one customs office code, defense officers a clearance level.

Secrets are never stored in clear: passwords as argon2id hashes (argon2-cffi), API
tokens and web-session ids as SHA-256 hashes. A token is `kzr_<prefix>_<secret>`; the
prefix is stored to find the row, the hash of the whole token proves it. SHA-256 (not
argon2) is right for tokens: they carry 256 random bits, so there is nothing to brute-force,
and every API call verifies one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kzreg.law.errors import InputError, NotFound
from kzreg.law.identifiers import validate_bin
from kzreg.platform import throttle
from kzreg.platform.actors import BUSINESS_ROLES, SYSTEM, Actor, Role
from kzreg.platform.db import Base, UtcDateTime

LANGUAGES = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "ru"
CLEARANCE_LEVELS = range(0, 4)  # 0 none; 1 secret, 2 top secret, 3 of special importance
TOKEN_TTL = dt.timedelta(days=90)          # API tokens expire; a script asks for a new one
SESSION_TTL = dt.timedelta(hours=12)       # a working day; the cookie dies with it
SESSION_IDLE = dt.timedelta(hours=2)       # an unattended workplace logs itself out
TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=1)  # how fresh a token's "last used" is kept

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_OFFICE = re.compile(r"^\d{5}(\d{3})?$")   # customs office code: 5 digits, or 8 (EAEU form)
_TOKEN = re.compile(r"^kzr_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{20,})$")

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def password_min_length() -> int:
    """KZREG_PASSWORD_MIN_LENGTH, default 10: long enough to resist guessing online."""
    raw = os.environ.get("KZREG_PASSWORD_MIN_LENGTH", "10")
    try:
        return max(1, int(raw))
    except ValueError:
        raise InputError(f"{raw!r} is not a number",
                         field="KZREG_PASSWORD_MIN_LENGTH") from None


# --- tables -------------------------------------------------------------------------------

class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32), index=True)
    bin: Mapped[str | None] = mapped_column(String(12), index=True)
    offices: Mapped[list[str]] = mapped_column(JSON, default=list)
    clearance: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str] = mapped_column(String(2), default=DEFAULT_LANGUAGE)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=now_utc)

    def actor(self) -> Actor:
        return Actor(self.username, Role(self.role), bin=self.bin,
                     offices=frozenset(self.offices or ()), clearance=self.clearance,
                     user_id=self.id)

    def __repr__(self) -> str:
        return f"User({self.username!r}, role={self.role!r})"


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=now_utc)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class WebSession(Base):
    """A signed-in browser. Kept server-side so logout and deactivation end it at once."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=now_utc)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=now_utc)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


# --- secrets ------------------------------------------------------------------------------

def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password_strength(password: str, *, min_length: int | None = None) -> None:
    need = password_min_length() if min_length is None else min_length
    if len(password) < need:
        raise InputError(f"a password needs at least {need} characters", field="password")
    if password.strip() != password or not password.strip():
        raise InputError("a password may not start or end with spaces", field="password")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh API token and its lookup prefix."""
    prefix = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789")
                     for _ in range(8))
    return f"kzr_{prefix}_{secrets.token_urlsafe(32)}", prefix


def token_prefix(token: str) -> str | None:
    match = _TOKEN.match(token.strip())
    return match.group(1) if match else None


# --- validation ---------------------------------------------------------------------------

def parse_role(value: str | Role) -> Role:
    try:
        role = Role(str(value).strip().lower())
    except ValueError:
        names = ", ".join(r.value for r in Role if r is not Role.SYSTEM)
        raise InputError(f"unknown role {value!r}; one of: {names}", field="role") from None
    if role is Role.SYSTEM:
        raise InputError("'system' is the worker's role, not a person's", field="role")
    return role


def normalize_bin(value: str, field: str = "bin") -> str:
    """A valid BIN (12 digits with its control digit) or an InputError naming the field."""
    return validate_bin(str(value), field=field)


def normalize_offices(values: Iterable[str]) -> list[str]:
    offices: list[str] = []
    for value in values:
        code = str(value).strip()
        if not _OFFICE.match(code):
            raise InputError(f"{value!r} is not a customs office code (5 or 8 digits)",
                             field="offices")
        if code not in offices:
            offices.append(code)
    return offices


def check_scope(role: Role, *, bin: str | None, offices: list[str], clearance: int) -> None:
    """Each role's scope must be complete: an account that could see too much is refused."""
    if clearance not in CLEARANCE_LEVELS:
        raise InputError(f"clearance must be 0..{CLEARANCE_LEVELS[-1]}", field="clearance")
    if role in BUSINESS_ROLES and not bin:
        raise InputError(f"a {role.value} acts for a company: give its BIN", field="bin")
    if bin and role not in BUSINESS_ROLES:
        raise InputError(f"a {role.value} is not bound to a company BIN", field="bin")
    if role.is_customs and not offices:
        raise InputError(f"a {role.value} works at a customs office: give its code",
                         field="offices")
    if offices and not role.is_customs:
        raise InputError(f"a {role.value} is not bound to customs offices", field="offices")
    if role is Role.DEFENSE_OFFICER and clearance < 1:
        raise InputError("a defense officer needs a clearance level (1..3)", field="clearance")


def check_language(language: str) -> str:
    lang = (language or "").strip().lower()
    if lang not in LANGUAGES:
        raise InputError(f"language must be one of {', '.join(LANGUAGES)}", field="language")
    return lang


# --- users --------------------------------------------------------------------------------

def create_user(session: Session, username: str, role: str | Role, password: str, *,
                bin: str | None = None, offices: Iterable[str] = (), clearance: int = 0,
                email: str | None = None, full_name: str | None = None,
                language: str = DEFAULT_LANGUAGE,
                min_password_length: int | None = None) -> User:
    """Add a person; refuses a duplicate name, a weak password or an incomplete scope."""
    name = (username or "").strip().lower()
    if not _USERNAME.match(name):
        raise InputError("2-64 characters: lower-case letters, digits, '.', '_' or '-'",
                         field="username")
    the_role = parse_role(role)
    the_bin = normalize_bin(bin) if bin else None
    the_offices = normalize_offices(offices)
    check_scope(the_role, bin=the_bin, offices=the_offices, clearance=int(clearance))
    check_password_strength(password, min_length=min_password_length)
    if email is not None and email.strip() and not _EMAIL.match(email.strip()):
        raise InputError(f"{email!r} is not an e-mail address", field="email")
    lang = check_language(language)
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise InputError(f"user {name!r} already exists", field="username")
    user = User(username=name, role=the_role.value, bin=the_bin, offices=the_offices,
                clearance=int(clearance), email=(email or "").strip() or None,
                full_name=(full_name or "").strip() or None, language=lang,
                password_hash=hash_password(password), active=True, created_at=now_utc())
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == (username or "").strip().lower()))


def get_user(session: Session, username: str) -> User:
    user = find_user(session, username)
    if user is None:
        raise NotFound(f"no user {username!r}", field="username")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def users_with_role(session: Session, role: str | Role, *, office: str | None = None,
                    bin: str | None = None) -> list[User]:
    """Active users in `role`, narrowed to a customs office or a company when given."""
    the_role = Role(str(role))
    query = select(User).where(User.role == the_role.value, User.active.is_(True))
    if bin is not None:
        query = query.where(User.bin == bin)
    users = list(session.scalars(query.order_by(User.username)))
    if office is not None:  # JSON lists are filtered here: same code on SQLite and PostgreSQL
        users = [u for u in users if office in (u.offices or ())]
    return users


def set_password(session: Session, username: str, password: str) -> None:
    user = get_user(session, username)
    check_password_strength(password)
    user.password_hash = hash_password(password)
    _end_sessions(session, user.id)


def set_active(session: Session, username: str, active: bool) -> None:
    user = get_user(session, username)
    user.active = active
    if not active:
        _end_sessions(session, user.id)


def set_language(session: Session, user_id: int, language: str) -> None:
    user = session.get(User, user_id)
    if user is not None:
        user.language = check_language(language)


def authenticate(session: Session, username: str, password: str) -> Actor | None:
    """The actor for a correct name and password of an active user; None otherwise."""
    user = find_user(session, username)
    if user is None:
        verify_password(_DUMMY_HASH, password)  # same work either way: no user enumeration
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user.actor()


_DUMMY_HASH = _hasher.hash("kzreg: not a password of anybody")


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: the actor, or none; `locked_until` while throttled."""

    actor: Actor | None
    locked_until: dt.datetime | None = None


def sign_in(session: Session, username: str, password: str, *, address: str | None = None,
            at: dt.datetime | None = None) -> SignIn:
    """`authenticate`, throttled per account name and per client address
    (`kzreg.platform.throttle`). A lock is returned, not raised, so that the caller's
    transaction keeps the counts and the audit entry of the failure that set it."""
    from kzreg.platform import audit

    when = at or now_utc()
    rules = throttle.policy()
    limits = {throttle.account_key(username): rules.max_per_account}
    if address:
        limits[throttle.address_key(address)] = rules.max_per_address
    until = throttle.locked_until(session, list(limits), when)
    if until is not None:
        return SignIn(None, until)
    actor = authenticate(session, username, password) if password else None
    if actor is not None:
        throttle.forgive(session, throttle.account_key(username))
        return SignIn(actor)
    locked = {key.split(":")[0]: end for key, limit in limits.items()
              if (end := throttle.record_failure(session, key, limit, rules, when))}
    if not locked:
        return SignIn(None)
    user = find_user(session, username)
    until = max(locked.values())
    audit.append(session, actor=SYSTEM, action="user.sign_in_locked", at=when, data={
        "account": user.username if user is not None else None,  # never a typed name
        "locked": sorted(locked), "address": address, "until": until.isoformat()})
    return SignIn(None, until)


# --- API tokens ---------------------------------------------------------------------------

def issue_token(session: Session, username: str, *, ttl: dt.timedelta | None = None,
                at: dt.datetime | None = None) -> str:
    """A new bearer token for an active user; only its hash is stored."""
    user = get_user(session, username)
    if not user.active:
        raise InputError(f"user {user.username!r} is deactivated", field="username")
    when = at or now_utc()
    token, prefix = new_token()
    session.add(ApiToken(user_id=user.id, prefix=prefix, token_hash=sha256(token),
                         created_at=when, expires_at=when + (ttl or TOKEN_TTL)))
    session.flush()
    return token


def _token_row(session: Session, token: str) -> ApiToken | None:
    prefix = token_prefix(token or "")
    if prefix is None:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
    if row is None or not hmac.compare_digest(row.token_hash, sha256(token.strip())):
        return None
    return row


def actor_from_token(session: Session, token: str, *,
                     at: dt.datetime | None = None) -> Actor | None:
    """The actor a bearer token stands for, or None if unknown, expired, revoked or the
    user is deactivated."""
    row = _token_row(session, token)
    when = at or now_utc()
    if row is None or row.revoked_at is not None or row.expires_at <= when:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    # "last used" is for people, to the minute: writing it on every request would make
    # concurrent requests with one token queue on the row's lock (found by the load test)
    if row.last_used_at is None or when - row.last_used_at > TOKEN_TOUCH_INTERVAL:
        row.last_used_at = when
    return user.actor()


def revoke_token(session: Session, token: str, *, at: dt.datetime | None = None) -> bool:
    """Revoke a token (given whole); True if it was live."""
    row = _token_row(session, token)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = at or now_utc()
    return True


def revoke_tokens(session: Session, username: str, *, at: dt.datetime | None = None) -> int:
    user = get_user(session, username)
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                  ApiToken.revoked_at.is_(None)))
    count = 0
    for row in rows:
        row.revoked_at = at or now_utc()
        count += 1
    return count


# --- web sessions -------------------------------------------------------------------------

def start_web_session(session: Session, user_id: int, *,
                      at: dt.datetime | None = None) -> tuple[str, str]:
    """Open a browser session: (cookie value, CSRF token). Only the cookie's hash is kept."""
    when = at or now_utc()
    cookie = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.add(WebSession(user_id=user_id, session_hash=sha256(cookie), csrf_token=csrf,
                           created_at=when, expires_at=when + SESSION_TTL, last_seen_at=when))
    session.flush()
    return cookie, csrf


def resume_web_session(session: Session, cookie: str, *,
                       at: dt.datetime | None = None) -> tuple[User, WebSession] | None:
    """The user and session behind a cookie if it is live; refreshes the idle timer."""
    if not cookie:
        return None
    when = at or now_utc()
    row = session.scalar(select(WebSession).where(WebSession.session_hash == sha256(cookie)))
    if (row is None or row.revoked_at is not None or row.expires_at <= when
            or row.last_seen_at + SESSION_IDLE <= when):
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if when - row.last_seen_at > dt.timedelta(minutes=1):  # spare a write per request
        row.last_seen_at = when
    return user, row


def end_web_session(session: Session, cookie: str, *, at: dt.datetime | None = None) -> None:
    row = session.scalar(select(WebSession).where(WebSession.session_hash == sha256(cookie)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = at or now_utc()


def _end_sessions(session: Session, user_id: int) -> None:
    for row in session.scalars(select(WebSession).where(WebSession.user_id == user_id,
                                                        WebSession.revoked_at.is_(None))):
        row.revoked_at = now_utc()

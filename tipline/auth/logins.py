"""Console logins: scrypt password hashes (werkzeug), and failed attempts throttled in the database.

Services flush; the caller commits — including after a *failed* attempt, so the count survives the request.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from tipline.auth.models import LoginThrottle, StaffLogin
from tipline.roster.models import Person

MIN_PASSWORD_LENGTH = 12
MAX_FAILURES_PER_USER = 5  # per window, username and client address; then that pair is locked
# From every address together: far higher, so that someone guessing from elsewhere cannot lock an on-duty
# dispatcher out of the console with five wrong passwords, yet a spread-out guessing attack still stops.
MAX_FAILURES_PER_USER_ANYWHERE = 50
MAX_FAILURES_PER_CLIENT = 20  # per window and client address (an office may share one)
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_TIME = timedelta(minutes=15)
HASH_METHOD = "scrypt"
# Checked against when the username is unknown, so an unknown name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password: timing only", method=HASH_METHOD)


class LoginResult(StrEnum):
    OK = "ok"
    REFUSED = "refused"  # unknown username or wrong password: the page never says which
    THROTTLED = "throttled"


@dataclass(frozen=True)
class Attempt:
    result: LoginResult
    login: StaffLogin | None = None


class PasswordTooShortError(ValueError):
    pass


def normalise_username(username: str) -> str:
    return username.strip().lower()


def _key_hash(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def create_login(session: Session, person: Person, *, username: str, password: str, now: datetime) -> StaffLogin:
    """Give ``person`` a console login, or a new password (which ends their open sessions)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShortError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    login = session.scalar(select(StaffLogin).where(StaffLogin.person_id == person.id))
    password_hash = generate_password_hash(password, method=HASH_METHOD)
    if login is None:
        login = StaffLogin(
            person_id=person.id,
            username=normalise_username(username),
            password_hash=password_hash,
            created_at=now,
            password_changed_at=now,
        )
        session.add(login)
    else:
        login.username = normalise_username(username)
        login.password_hash = password_hash
        login.password_changed_at = now
        login.session_epoch += 1
        login.active = True
    session.flush()
    return login


def _throttle(session: Session, key: str) -> LoginThrottle:
    row = session.scalar(select(LoginThrottle).where(LoginThrottle.key_hash == key).with_for_update())
    if row is None:
        row = LoginThrottle(key_hash=key, failures=0)
        session.add(row)
    return row


def _locked(row: LoginThrottle, now: datetime) -> bool:
    return row.locked_until is not None and row.locked_until > now


def _fail(row: LoginThrottle, now: datetime, limit: int) -> None:
    if row.window_started_at is None or now - row.window_started_at > FAILURE_WINDOW:
        row.window_started_at = now
        row.failures = 0
    row.failures += 1
    if row.failures >= limit:
        row.locked_until = now + LOCK_TIME
        row.failures = 0
        row.window_started_at = now


def authenticate(session: Session, *, username: str, password: str, client: str, now: datetime) -> Attempt:
    """Check a username and password. Too many failures for a username from one client address, for a
    username from everywhere, or from one client address, lock that for a while — even the right password is
    refused until then."""
    name = normalise_username(username)
    rows = [
        _throttle(session, _key_hash("user-client", f"{name}|{client}")),
        _throttle(session, _key_hash("client", client)),
        _throttle(session, _key_hash("user", name)),
    ]
    if any(_locked(row, now) for row in rows):
        session.flush()
        return Attempt(LoginResult.THROTTLED)
    login = session.scalar(select(StaffLogin).where(StaffLogin.username == name, StaffLogin.active))
    person = session.get(Person, login.person_id) if login is not None else None
    valid = check_password_hash(login.password_hash if login is not None else _DUMMY_HASH, password)
    if login is None or person is None or not person.active or not valid:
        _fail(rows[0], now, MAX_FAILURES_PER_USER)
        _fail(rows[1], now, MAX_FAILURES_PER_CLIENT)
        _fail(rows[2], now, MAX_FAILURES_PER_USER_ANYWHERE)
        session.flush()
        return Attempt(LoginResult.REFUSED)
    rows[0].failures = 0
    login.last_login_at = now
    session.flush()
    return Attempt(LoginResult.OK, login)

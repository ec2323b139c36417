"""The console's login session (a signed cookie holding the login id and its epoch) and CSRF tokens.

The session identifies a person for ``requires(permission)`` like a bearer token does. For a request that
changes something (POST, PUT, PATCH, DELETE) the cookie alone is not enough: the request must also carry the
session's CSRF token (form field ``csrf_token`` or header ``X-CSRF-Token``), so no other site can act with it.
"""

from __future__ import annotations

import hmac
import secrets

from flask import request, session

from tipline.auth.current import register_identifier
from tipline.auth.models import StaffLogin
from tipline.request_session import request_session
from tipline.roster.models import Person

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def csrf_token() -> str:
    """This session's CSRF token (made on first use)."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_valid() -> bool:
    expected = session.get("csrf")
    given = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    return isinstance(expected, str) and bool(given) and hmac.compare_digest(expected, given)


def log_in(login: StaffLogin) -> None:
    """Start a fresh session for ``login`` (a new CSRF token too: nothing from before the login survives)."""
    language = session.get("lang")
    session.clear()
    session["login_id"] = login.id
    session["epoch"] = login.session_epoch
    if language:
        session["lang"] = language
    session.permanent = False
    csrf_token()


def log_out() -> None:
    """End this session, and with it every copy of its cookie: the login's epoch moves on."""
    login_id = session.get("login_id")
    if isinstance(login_id, int):
        db = request_session()
        login = db.get(StaffLogin, login_id)
        if login is not None and login.session_epoch == session.get("epoch"):
            login.session_epoch += 1
            db.commit()
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


@register_identifier
def console_login() -> Person | None:
    login_id = session.get("login_id")
    if not isinstance(login_id, int):
        return None
    if request.method not in SAFE_METHODS and not csrf_valid():
        return None
    db = request_session()
    login = db.get(StaffLogin, login_id)
    if login is None or not login.active or login.session_epoch != session.get("epoch"):
        return None
    person = db.get(Person, login.person_id)
    if person is None or not person.active:
        return None
    return person

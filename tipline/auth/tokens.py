"""API tokens: issued once (shown once), stored as a SHA-256, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tipline.auth.models import ApiToken
from tipline.roster.models import Person

PREFIX = "tl_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, person: Person, *, name: str) -> str:
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(person_id=person.id, name=name, token_hash=_digest(token)))
    session.flush()
    return token


def person_for_token(session: Session, token: str, *, now: datetime) -> Person | None:
    if not token.startswith(PREFIX):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None)))
    if row is None:
        return None
    person = session.get(Person, row.person_id)
    if person is None or not person.active:
        return None
    row.last_used_at = now
    return person

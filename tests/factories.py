"""Test data made through the models, as the app stores it."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask

from tipline.roster.models import Person, Role, Shift
from tipline.runtime import runtime

_codes = iter(range(1, 10_000))


def make_person(
    app: Flask,
    *,
    name: str,
    role: Role,
    languages: tuple[str, ...],
    phone: str,
    on_duty_from: datetime | None = None,
    hours: int = 24,
) -> int:
    """A person with a shift covering ``on_duty_from`` for ``hours`` (no shift when it is None)."""
    rt = runtime(app)
    with rt.db.transaction() as session:
        person = Person(
            code=f"T{next(_codes):04d}",
            name=name,
            role=role,
            languages=list(languages),
            phone_enc=rt.cipher.encrypt(phone),
            phone_hash=rt.cipher.lookup_hash(phone),
        )
        session.add(person)
        session.flush()
        if on_duty_from is not None:
            session.add(
                Shift(person_id=person.id, starts_at=on_duty_from, ends_at=on_duty_from + timedelta(hours=hours))
            )
        return person.id


def make_token(app: Flask, person_id: int) -> str:
    from tipline.auth.tokens import issue_token

    with runtime(app).db.transaction() as session:
        person = session.get(Person, person_id)
        assert person is not None
        return issue_token(session, person, name="test")


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}

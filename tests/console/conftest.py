"""Console fixtures: people with console logins, a logged-in test client, and the session's CSRF token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import make_person
from tipline.auth.logins import create_login
from tipline.cases.models import Case
from tipline.cases.services import open_case
from tipline.contacts.events import record_event
from tipline.contacts.models import Channel, Contact
from tipline.roster.models import Person, Role
from tipline.runtime import runtime

PASSWORD = "correct horse battery staple"
CALLER = "+15145559876"


def make_login(app: Flask, role: Role, *, name: str | None = None, password: str = PASSWORD) -> tuple[int, str]:
    person_id = make_person(app, name=name or f"Test {role}", role=role, languages=("fr", "en"), phone="+15145550199")
    rt = runtime(app)
    with rt.db.transaction() as session:
        person = session.get(Person, person_id)
        assert person is not None
        username = f"{role}{person_id}"
        create_login(session, person, username=username, password=password, now=rt.clock.now())
    return person_id, username


def csrf_of(client: FlaskClient) -> str:
    client.get("/console/login")
    with client.session_transaction() as session:
        token = session["csrf"]
    assert isinstance(token, str)
    return token


def log_in(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    token = csrf_of(client)
    return client.post("/console/login", data={"username": username, "password": password, "csrf_token": token})


@pytest.fixture
def login_as(app: Flask) -> Callable[[FlaskClient, Role], int]:
    def login(client: FlaskClient, role: Role) -> int:
        person_id, username = make_login(app, role)
        response = log_in(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return person_id

    return login


@pytest.fixture
def post(client: FlaskClient) -> Callable[..., Any]:
    """POST a console form with the session's CSRF token."""

    def send(path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        with client.session_transaction() as session:
            token = session.get("csrf", "")
        return client.post(path, data={**(data or {}), "csrf_token": token}, **kwargs)

    return send


def make_sms_case(app: Flask, *, body: str = "allo", priority: str = "P3", number: str = CALLER) -> tuple[int, int]:
    """A case with an SMS conversation and one message in it. Returns (case id, contact id)."""
    rt = runtime(app)
    with rt.db.transaction() as session:
        case = open_case(session, language="fr", priority=priority)
        case.created_at = rt.clock.now()  # the model's default is the wall clock; tests run on the manual one
        contact = Contact(
            channel=Channel.SMS,
            caller_number_enc=rt.cipher.encrypt(number),
            caller_hash=rt.cipher.lookup_hash(number),
            case_id=case.id,
            language="fr",
            started_at=rt.clock.now(),
        )
        session.add(contact)
        session.flush()
        record_event(session, "sms.in", contact_id=contact.id, payload=body, cipher=rt.cipher)
        return case.id, contact.id


def events_of(app: Flask, kind: str) -> list[Any]:
    from tipline.contacts.models import Event

    with runtime(app).db.transaction() as session:
        return [
            (e.case_id, e.contact_id, dict(e.data)) for e in session.scalars(select(Event).where(Event.kind == kind))
        ]


def case_row(app: Flask, case_id: int) -> Case:
    with runtime(app).db.transaction() as session:
        case = session.get(Case, case_id)
        assert case is not None
        session.expunge(case)
        return case


def escalate(app: Flask, case_id: int) -> None:
    """Start the case's ÉSUP escalation, as a P1 case or a dispatcher would."""
    from tipline.escalation.services import trigger

    rt = runtime(app)
    with app.app_context(), rt.db.transaction() as session:
        case = session.get(Case, case_id)
        assert case is not None
        trigger(session, case, source="manual")

"""A logged-out session is over for every copy of its cookie; an anonymous contact's number is never shown."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.console.conftest import CALLER, make_sms_case
from tipline.contacts.models import Contact
from tipline.roster.models import Role
from tipline.runtime import runtime


def test_a_cookie_copied_before_logout_no_longer_works(app: Flask, client: FlaskClient, login_as: Any) -> None:
    login_as(client, Role.DISPATCHER)
    assert client.get("/console/queue").status_code == 200
    copied = client.get_cookie("session")
    assert copied is not None
    with client.session_transaction() as session:
        token = session["csrf"]
    client.post("/console/logout", data={"csrf_token": token})
    thief = app.test_client()
    thief.set_cookie("session", copied.value)
    assert thief.get("/console/queue").status_code in (302, 401)


def test_an_anonymous_contacts_number_cannot_be_revealed(app: Flask, login_as: Any) -> None:
    case_id, contact_id = make_sms_case(app)
    with runtime(app).db.transaction() as session:
        contact = session.get(Contact, contact_id)
        assert contact is not None
        contact.anonymous = True
    supervisor = app.test_client()
    login_as(supervisor, Role.SUPERVISOR)
    page = supervisor.get(f"/console/cases/{case_id}").get_data(as_text=True)
    assert CALLER not in page
    with supervisor.session_transaction() as session:
        token = session["csrf"]
    refused = supervisor.post(f"/console/cases/{case_id}/contacts/{contact_id}/reveal", data={"csrf_token": token})
    assert refused.status_code == 404
    assert CALLER not in refused.get_data(as_text=True)

"""Logging in: hashed passwords, throttled failures, CSRF on every form, logout, and the CLI."""

from __future__ import annotations

import html
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.console.conftest import PASSWORD, csrf_of, log_in, make_login
from tipline.auth.logins import MAX_FAILURES_PER_USER
from tipline.auth.models import StaffLogin
from tipline.clock import ManualClock
from tipline.roster.models import Role
from tipline.runtime import runtime


def test_a_dispatcher_logs_in_and_lands_on_the_queue(app: Flask, client: FlaskClient) -> None:
    _person, username = make_login(app, Role.DISPATCHER)
    response = log_in(client, username)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/console/queue")
    page = client.get("/console/queue")
    assert page.status_code == 200
    assert "File d'attente" in html.unescape(page.get_data(as_text=True))  # French by default


def test_passwords_are_stored_as_scrypt_hashes(app: Flask) -> None:
    make_login(app, Role.DISPATCHER)
    with runtime(app).db.transaction() as session:
        login = session.scalars(select(StaffLogin)).one()
        assert login.password_hash.startswith("scrypt:")
        assert PASSWORD not in login.password_hash


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(app: Flask, client: FlaskClient) -> None:
    _person, username = make_login(app, Role.DISPATCHER)
    wrong = log_in(client, username, "not the password at all")
    unknown = log_in(client, "nobody-here", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert "Nom d'utilisateur inconnu ou mot de passe erroné." in html.unescape(wrong.get_data(as_text=True))
    assert client.get("/console/queue").status_code == 302  # still not logged in


def test_failed_logins_are_throttled_in_the_database(app: Flask, client: FlaskClient, clock: ManualClock) -> None:
    _person, username = make_login(app, Role.DISPATCHER)
    for _attempt in range(MAX_FAILURES_PER_USER):
        assert log_in(client, username, "wrong password!!").status_code == 401
    locked = log_in(client, username)  # even the right password, for a while
    assert locked.status_code == 429
    same_address = app.test_client()
    assert log_in(same_address, username).status_code == 429  # the lock is stored in the database
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.44"
    assert log_in(elsewhere, username).status_code == 302, "guessing from one place does not lock her out elsewhere"
    clock.advance(timedelta(minutes=16))
    assert log_in(client, username).status_code == 302


def test_a_form_without_the_csrf_token_is_refused(app: Flask, client: FlaskClient) -> None:
    _person, username = make_login(app, Role.DISPATCHER)
    csrf_of(client)
    refused = client.post("/console/login", data={"username": username, "password": PASSWORD})
    assert refused.status_code == 400
    assert log_in(client, username).status_code == 302
    assert client.post("/console/logout").status_code == 400  # logged in, but no token
    assert client.get("/console/queue").status_code == 200


def test_the_session_cookie_cannot_act_on_the_api_without_the_csrf_token(app: Flask, client: FlaskClient) -> None:
    person_id, username = make_login(app, Role.DISPATCHER)
    log_in(client, username)
    assert client.get("/api/v1/me").status_code == 200  # reading: the login session identifies
    without = client.put(f"/api/v1/people/{person_id}/presence", json={"presence": "busy"})
    assert without.status_code == 401
    token = csrf_of(client)
    with_token = client.put(
        f"/api/v1/people/{person_id}/presence", json={"presence": "busy"}, headers={"X-CSRF-Token": token}
    )
    assert with_token.status_code == 200


def test_logout_ends_the_session(app: Flask, client: FlaskClient) -> None:
    _person, username = make_login(app, Role.DISPATCHER)
    log_in(client, username)
    token = csrf_of(client)
    assert client.post("/console/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/console/queue").status_code == 302


def test_a_new_password_ends_open_sessions(app: Flask, client: FlaskClient) -> None:
    from tipline.auth.logins import create_login
    from tipline.roster.models import Person

    person_id, username = make_login(app, Role.DISPATCHER)
    log_in(client, username)
    rt = runtime(app)
    with rt.db.transaction() as session:
        person = session.get(Person, person_id)
        assert person is not None
        create_login(session, person, username=username, password="a brand new passphrase", now=rt.clock.now())
    assert client.get("/console/queue").status_code == 302


def test_next_never_leads_to_another_site(app: Flask, client: FlaskClient) -> None:
    _person, username = make_login(app, Role.DISPATCHER)
    token = csrf_of(client)
    response = client.post(
        "/console/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token, "next": "//evil.example/"},
    )
    assert response.headers["Location"].endswith("/console/queue")


def test_users_create_reads_the_password_from_stdin(app: Flask) -> None:
    from tests.factories import make_person

    make_person(app, name="Camille", role=Role.DISPATCHER, languages=("fr",), phone="+15145550101")
    with runtime(app).db.transaction() as session:
        from tipline.roster.models import Person

        code = session.scalars(select(Person.code)).one()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", code, "--username", "camille", "--password-stdin"], input="short\n")
    assert result.exit_code != 0
    result = runner.invoke(
        args=["users", "create", code, "--username", "camille", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert log_in(app.test_client(), "camille").status_code == 302


def test_the_demo_roster_has_a_login_per_role(app: Flask) -> None:
    from tipline.seed import DEMO_PASSWORD, seed_demo, seed_demo_logins

    rt = runtime(app)
    with rt.db.transaction() as session:
        seed_demo(session, rt.cipher, now=rt.clock.now())
        added = seed_demo_logins(session, now=rt.clock.now())
        assert seed_demo_logins(session, now=rt.clock.now()) == []  # once
    assert {role for _username, role, _password in added} == {"dispatcher", "esup", "supervisor", "admin"}
    assert log_in(app.test_client(), "camille", DEMO_PASSWORD).headers["Location"].endswith("/console/queue")
    assert log_in(app.test_client(), "nadia", DEMO_PASSWORD).headers["Location"].endswith("/console/esup")


def test_guessing_from_many_addresses_still_locks_the_username(app: Flask) -> None:
    from tipline.auth.logins import MAX_FAILURES_PER_USER, MAX_FAILURES_PER_USER_ANYWHERE

    _person, username = make_login(app, Role.DISPATCHER)
    addresses = MAX_FAILURES_PER_USER_ANYWHERE // MAX_FAILURES_PER_USER
    for number in range(addresses):
        guesser = app.test_client()
        guesser.environ_base["REMOTE_ADDR"] = f"198.51.100.{number + 1}"
        for _attempt in range(MAX_FAILURES_PER_USER):
            log_in(guesser, username, "wrong password!!")
    fresh = app.test_client()
    fresh.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert log_in(fresh, username).status_code == 429

"""Token authentication, permissions by role, the OpenAPI document, on-duty and presence."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import auth, make_person, make_token
from tipline.clock import ManualClock
from tipline.roster.models import Role


@pytest.fixture
def people(app: Flask, clock: ManualClock) -> dict[str, int]:
    start = clock.now() - timedelta(hours=2)
    return {
        "dispatcher": make_person(
            app, name="Marie", role=Role.DISPATCHER, languages=("fr",), phone="+15145550102", on_duty_from=start
        ),
        "esup": make_person(app, name="Nadia", role=Role.ESUP, languages=("fr", "en"), phone="+15145550104"),
        "supervisor": make_person(
            app, name="Sophie", role=Role.SUPERVISOR, languages=("fr", "en"), phone="+15145550106", on_duty_from=start
        ),
    }


def test_the_openapi_document_lists_the_operations(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document is not None and document["openapi"].startswith("3.")
    assert "/roster/on-duty" in document["paths"]
    assert document["paths"]["/people/{person_id}/presence"]["put"]["x-permission"] == "presence.set_own"


def test_no_token_is_401_and_an_unknown_token_too(client: FlaskClient) -> None:
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=auth("tl_not-a-real-token")).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_a_token_identifies_its_person(app: Flask, client: FlaskClient, people: dict[str, int]) -> None:
    token = make_token(app, people["dispatcher"])
    response = client.get("/api/v1/me", headers=auth(token))
    assert response.status_code == 200
    assert response.json is not None and response.json["name"] == "Marie"


def test_on_duty_now_by_role_and_language(app: Flask, client: FlaskClient, people: dict[str, int]) -> None:
    token = make_token(app, people["esup"])
    everyone = client.get("/api/v1/roster/on-duty", headers=auth(token)).json
    assert everyone is not None and {p["name"] for p in everyone["people"]} == {"Marie", "Sophie"}
    dispatchers = client.get("/api/v1/roster/on-duty?role=dispatcher", headers=auth(token)).json
    assert dispatchers is not None and [p["name"] for p in dispatchers["people"]] == ["Marie"]
    assert client.get("/api/v1/roster/on-duty?role=pilot", headers=auth(token)).status_code == 400
    week = client.get("/api/v1/roster/schedule?days=7", headers=auth(token)).json
    assert week is not None and {item["name"] for item in week["intervals"]} == {"Marie", "Sophie"}


def test_presence_is_set_for_oneself_and_by_a_supervisor_for_anyone(
    app: Flask, client: FlaskClient, people: dict[str, int]
) -> None:
    dispatcher = make_token(app, people["dispatcher"])
    supervisor = make_token(app, people["supervisor"])
    own = client.put(
        f"/api/v1/people/{people['dispatcher']}/presence", json={"presence": "busy"}, headers=auth(dispatcher)
    )
    assert own.status_code == 200 and own.json == {"id": people["dispatcher"], "presence": "busy"}
    other = client.put(f"/api/v1/people/{people['esup']}/presence", json={"presence": "away"}, headers=auth(dispatcher))
    assert other.status_code == 403
    by_supervisor = client.put(
        f"/api/v1/people/{people['dispatcher']}/presence", json={"presence": "away"}, headers=auth(supervisor)
    )
    assert by_supervisor.status_code == 200
    bad = client.put(
        f"/api/v1/people/{people['dispatcher']}/presence", json={"presence": "asleep"}, headers=auth(supervisor)
    )
    assert bad.status_code == 400
    not_json = client.put(f"/api/v1/people/{people['dispatcher']}/presence", data="x", headers=auth(supervisor))
    assert not_json.status_code == 400
    missing = client.put("/api/v1/people/9999/presence", json={"presence": "away"}, headers=auth(supervisor))
    assert missing.status_code == 404


def test_the_users_token_command_issues_a_working_token(
    app: Flask, client: FlaskClient, people: dict[str, int]
) -> None:
    from sqlalchemy import select

    from tipline.roster.models import Person
    from tipline.runtime import runtime

    with runtime(app).db.sessions() as session:
        code = session.scalars(select(Person.code).where(Person.id == people["supervisor"])).one()
    result = app.test_cli_runner().invoke(args=["users", "token", code])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert client.get("/api/v1/me", headers=auth(token)).status_code == 200
    unknown = app.test_cli_runner().invoke(args=["users", "token", "NOPE"])
    assert unknown.exit_code != 0


def test_odd_ids_and_values_are_clear_client_errors(app: Flask, client: FlaskClient, people: dict[str, int]) -> None:
    token = make_token(app, people["supervisor"])
    huge = client.put("/api/v1/people/1099511627776/presence", json={"presence": "away"}, headers=auth(token))
    assert huge.status_code == 404
    listed = client.put(
        f"/api/v1/people/{people['dispatcher']}/presence", json={"presence": ["away"]}, headers=auth(token)
    )
    assert listed.status_code == 400

"""Every role against every console page and every API route, from ``app.url_map``: a role holding the
route's permission (``permissions.yaml``) gets through, every other role gets 403, nobody gets 401/login."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from tests.console.conftest import escalate, log_in, make_login, make_sms_case
from tipline.auth.permissions import allowed
from tipline.media.models import MediaItem, MediaKind, MediaState
from tipline.roster.models import Role
from tipline.runtime import runtime

SKIP_METHODS = {"HEAD", "OPTIONS"}


def guarded_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(rule, method, permission) for every console and API route that needs a permission."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/console/", "/api/v1/")):
            continue
        permission = getattr(app.view_functions[rule.endpoint], "permission", None)
        if permission is None:
            continue
        for method in sorted((rule.methods or set()) - SKIP_METHODS):
            found.append((rule.rule, method, permission))
    return found


def stored_recording(app: Flask, case_id: int) -> int:
    rt = runtime(app)
    with app.app_context():
        from tipline.media.tasks import media_store

        key = media_store().put(b"RIFF....WAVEfmt ")
    with rt.db.transaction() as session:
        item = MediaItem(
            kind=MediaKind.RECORDING,
            case_id=case_id,
            twilio_sid="RE" + "1" * 32,
            source_url_enc=rt.cipher.encrypt("https://api.twilio.com/recordings/RE1"),
            content_type="audio/wav",
            storage_key=key,
            state=MediaState.DONE,
        )
        session.add(item)
        session.flush()
        return item.id


def fill(rule: str, values: dict[str, int]) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values.get(match.group(1), 1)), rule)


def call(client: Any, method: str, url: str, token: str) -> Any:
    return client.open(url, method=method, data={"csrf_token": token}, headers={"X-CSRF-Token": token})


def test_the_console_and_api_routes_are_all_guarded(app: Flask) -> None:
    routes = guarded_routes(app)
    console = {rule for rule, _method, _permission in routes if rule.startswith("/console/")}
    for expected in ("/console/queue", "/console/cases/<int:case_id>", "/console/esup", "/console/figures.csv"):
        assert expected in console
    public = {
        rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/console/") and rule.rule not in console
    }
    assert public == {
        "/console/",
        "/console/login",
        "/console/logout",
        "/console/language",
        "/console/static/<path:filename>",
    }


@pytest.mark.parametrize("role", [*Role, None], ids=lambda role: str(role or "anonymous"))
def test_each_role_gets_exactly_what_permissions_yaml_gives_it(app: Flask, role: Role | None) -> None:
    case_id, contact_id = make_sms_case(app, priority="P1")  # P1: escalated, so ÉSUP may see it
    media_id = stored_recording(app, case_id)
    client = app.test_client()
    person_id = 0
    if role is not None:
        person_id, username = make_login(app, role)
        assert log_in(client, username).status_code == 302
    client.get("/console/login")
    with client.session_transaction() as session:
        token = session["csrf"]
    values = {"case_id": case_id, "contact_id": contact_id, "media_id": media_id, "person_id": person_id}
    failures = []
    for rule, method, permission in guarded_routes(app):
        url = fill(rule, values)
        status = call(client, method, url, token).status_code
        if role is None:
            to_login = status == 302 and rule.startswith("/console/") and method == "GET"
            expected_ok = status == 401 or to_login
        elif allowed(role, permission):
            expected_ok = status not in (401, 403)
        else:
            expected_ok = status == 403
        if not expected_ok:
            failures.append(f"{method} {url} ({permission}) -> {status}")
    assert not failures, "\n".join(failures)


def test_esup_sees_only_escalated_cases(app: Flask) -> None:
    ordinary, _contact = make_sms_case(app, priority="P3", number="+15145550177")
    escalated, _other = make_sms_case(app, priority="P1")
    escalate(app, escalated)
    also_p1_not_escalated, _third = make_sms_case(app, priority="P1", number="+15145550178")
    client = app.test_client()
    _person, username = make_login(app, Role.ESUP)
    log_in(client, username)
    assert client.get(f"/console/cases/{ordinary}").status_code == 404
    assert client.get(f"/console/cases/{escalated}").status_code == 200
    page = client.get("/console/esup").get_data(as_text=True)
    assert f"#{escalated}" in page
    assert f"#{ordinary}" not in page
    assert client.get(f"/console/cases/{also_p1_not_escalated}").status_code == 404

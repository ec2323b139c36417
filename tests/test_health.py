from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from tests.support import TEST_REDIS_URL, closed_port_urls, settings_for
from tipline import create_app
from tipline.runtime import runtime


def test_healthz_answers_while_the_process_lives(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_is_ready_with_postgresql_and_redis(tmp_path: Path, database_url: str) -> None:
    app = create_app(settings_for(tmp_path, database_url=database_url, redis_url=TEST_REDIS_URL))
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ready", "checks": {"database": "ok", "redis": "ok"}}
    runtime(app).db.dispose()


def test_readyz_is_503_when_the_database_and_redis_are_down(tmp_path: Path) -> None:
    app = create_app(settings_for(tmp_path, **closed_port_urls()))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json is not None
    assert response.json["checks"]["database"].startswith("unreachable")
    assert response.json["checks"]["redis"].startswith("unreachable")
    assert app.test_client().get("/healthz").status_code == 200
    runtime(app).db.dispose()

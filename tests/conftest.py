"""Shared fixtures: a real PostgreSQL (schema built by ``alembic upgrade head``, tables emptied after each
test), a real Redis database index (flushed), a manual clock, and signed Twilio requests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis

from tests.support import TEST_DB_NAME, TEST_REDIS_URL, pg_url, recreate_database, settings_for, truncate_all
from tipline import create_app
from tipline.clock import ManualClock
from tipline.migrate import upgrade
from tipline.runtime import runtime
from workers.dispatch import RecordingDispatcher


@pytest.fixture(scope="session")
def database_url() -> str:
    recreate_database(TEST_DB_NAME)
    url = pg_url(TEST_DB_NAME)
    upgrade(url)
    return url


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def dispatcher() -> RecordingDispatcher:
    return RecordingDispatcher()


@pytest.fixture
def app_settings(tmp_path: Path, database_url: str) -> dict[str, Any]:
    """Override in a test module to change settings of the ``app`` fixture."""
    return settings_for(tmp_path, database_url=database_url)


@pytest.fixture
def app(app_settings: dict[str, Any], clock: ManualClock, dispatcher: RecordingDispatcher) -> Iterator[Flask]:
    application = create_app({**app_settings, "clock": clock, "dispatcher": dispatcher})
    application.config["TESTING"] = True
    yield application
    truncate_all(application)
    runtime(application).db.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def redis_conn() -> Iterator[Redis]:
    connection = Redis.from_url(TEST_REDIS_URL)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


@pytest.fixture
def sqlite_app(tmp_path: Path, clock: ManualClock, dispatcher: RecordingDispatcher) -> Iterator[Flask]:
    """The embedded default on a fresh SQLite file, schema built by the migrations."""
    database = f"sqlite:///{tmp_path / 'embedded.sqlite3'}"
    upgrade(database)
    application = create_app(
        {**settings_for(tmp_path, database_url=database), "clock": clock, "dispatcher": dispatcher}
    )
    application.config["TESTING"] = True
    yield application
    from tipline.runtime import runtime

    runtime(application).db.dispose()

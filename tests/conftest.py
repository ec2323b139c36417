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

from tests.support import (
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    TEST_DB_NAME,
    TEST_REDIS_URL,
    drop_database,
    pg_url,
    recreate_database,
    settings_for,
    truncate_all,
)
from tipline import create_app
from tipline.clock import ManualClock
from tipline.migrate import upgrade
from tipline.runtime import runtime
from tipline.simulate.fake_twilio_api import FakeTwilioApi
from tipline.simulate.transport import FlaskClientTransport
from workers.dispatch import RecordingDispatcher


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    recreate_database(TEST_DB_NAME)
    url = pg_url(TEST_DB_NAME)
    upgrade(url)
    yield url
    drop_database(TEST_DB_NAME)


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


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilioApi]:
    """A local server answering as Twilio's REST API; its status callbacks go into the ``client`` fixture's app
    once a test sets ``fake_twilio.callback_transport`` (see ``twilio_app``)."""
    with FakeTwilioApi(account_sid=TEST_ACCOUNT_SID, auth_token=TEST_AUTH_TOKEN) as api:
        yield api


@pytest.fixture
def twilio_app(
    tmp_path: Path,
    database_url: str,
    clock: ManualClock,
    dispatcher: RecordingDispatcher,
    fake_twilio: FakeTwilioApi,
) -> Iterator[Flask]:
    """The app wired to the fake Twilio REST API, with callbacks delivered into it."""
    application = create_app(
        {
            **settings_for(tmp_path, database_url=database_url, twilio_api_url=fake_twilio.base_url),
            "clock": clock,
            "dispatcher": dispatcher,
        }
    )
    application.config["TESTING"] = True
    fake_twilio.callback_transport = FlaskClientTransport(application.test_client())
    yield application
    truncate_all(application)
    runtime(application).db.dispose()

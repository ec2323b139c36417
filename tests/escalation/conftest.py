"""Fixtures for escalation tests: the roster on duty, and the app on real rq and Redis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from redis import Redis

from tests.escalation.helpers import make_roster
from tests.support import TEST_REDIS_URL, settings_for, truncate_all
from tipline import create_app
from tipline.clock import ManualClock
from tipline.runtime import runtime
from tipline.simulate.fake_twilio_api import FakeTwilioApi
from tipline.simulate.transport import FlaskClientTransport


@pytest.fixture
def roster(twilio_app: Flask, clock: ManualClock) -> dict[str, int]:
    return make_roster(twilio_app, clock)


@pytest.fixture
def rq_twilio_app(
    tmp_path: Path, database_url: str, redis_conn: Redis, clock: ManualClock, fake_twilio: FakeTwilioApi
) -> Iterator[Flask]:
    """The app with real rq and Redis (jobs go through queues) and the fake Twilio REST API."""
    settings: dict[str, Any] = settings_for(
        tmp_path, database_url=database_url, redis_url=TEST_REDIS_URL, twilio_api_url=fake_twilio.base_url
    )
    app = create_app({**settings, "clock": clock})
    app.config["TESTING"] = True
    fake_twilio.callback_transport = FlaskClientTransport(app.test_client())
    yield app
    truncate_all(app)
    runtime(app).db.dispose()

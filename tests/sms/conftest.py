"""Texting the line as Twilio would: signed webhooks through the SMS simulator, answers read as TwiML."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from tests.support import TEST_AUTH_TOKEN
from tipline.simulate.sms import SmsSimulator
from tipline.simulate.transport import FlaskClientTransport

TEXTER = "+15145559876"
LINE = "+15145550100"

Phone = Callable[..., SmsSimulator]


def phone_for(app: Flask, number: str = TEXTER) -> SmsSimulator:
    return SmsSimulator(FlaskClientTransport(app.test_client()), "http://localhost", TEST_AUTH_TOKEN, number, LINE)


@pytest.fixture
def phone(app: Flask) -> Phone:
    """``phone()`` is the texter's phone; ``phone("+1…")`` another one."""
    return lambda number=TEXTER: phone_for(app, number)


@pytest.fixture
def twilio_phone(twilio_app: Flask) -> Phone:
    return lambda number=TEXTER: phone_for(twilio_app, number)

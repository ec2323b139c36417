"""Helpers the tests share: settings for a test app, and requests signed exactly as Twilio signs them."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import psycopg
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

PG_ADMIN_URL = os.environ.get("TIPLINE_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
# One database per test process, so that several runs on one machine never drop each other's tables.
TEST_DB_NAME = os.environ.get("TIPLINE_TEST_DB", f"tipline_test_{os.getpid()}")
TEST_REDIS_URL = os.environ.get("TIPLINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
TEST_AUTH_TOKEN = "test-auth-token-0123456789abcdef"
TEST_ACCOUNT_SID = "AC" + "1" * 32
TEST_DATA_KEY = "x2hDhO3tmdlOPljvWy6LTk1TH3HnNUb8ZqN5oRDl3nM="  # a fixed Fernet key for tests only
BASE_URL = "http://localhost"


def pg_url(name: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def recreate_database(name: str) -> None:
    drop_database(name)
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def truncate_all(app: Flask) -> None:
    """Empty every table (PostgreSQL): each test starts from the migrated, empty schema."""
    from tipline.models import Base
    from tipline.runtime import runtime

    database = runtime(app).db
    if database.is_sqlite:
        return
    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with database.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def settings_for(tmp_path: Path, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "instance_dir": str(tmp_path / "instance"),
        "secret_key": "s" * 40,
        "data_keys": (TEST_DATA_KEY,),
        "twilio_account_sid": TEST_ACCOUNT_SID,
        "twilio_auth_token": TEST_AUTH_TOKEN,
        "phone_number": "+15145550100",
        "redis_url": "",
        "public_url": "",
    }
    values.update(changes)
    return values


Params = Mapping[str, str] | Sequence[tuple[str, str]]


def sign(url: str, params: Params, token: str = TEST_AUTH_TOKEN) -> str:
    pairs = list(params.items()) if isinstance(params, Mapping) else list(params)
    return str(RequestValidator(token).compute_signature(url, MultiDict(pairs)))


def twilio_post(
    client: FlaskClient,
    path: str,
    params: Params,
    *,
    token: str = TEST_AUTH_TOKEN,
    signed_url: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> TestResponse:
    """POST as Twilio does: a form body and ``X-Twilio-Signature`` over the full URL and parameters."""
    pairs = list(params.items()) if isinstance(params, Mapping) else list(params)
    url = signed_url or BASE_URL + path
    all_headers = {"X-Twilio-Signature": sign(url, pairs, token), **(headers or {})}
    return client.post(path, data=MultiDict(pairs), headers=all_headers)


def call_params(call_sid: str = "CA" + "a" * 32, **extra: str) -> dict[str, str]:
    return {
        "CallSid": call_sid,
        "AccountSid": TEST_ACCOUNT_SID,
        "From": "+15145559876",
        "To": "+15145550100",
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        **extra,
    }


def sms_params(message_sid: str = "SM" + "b" * 32, body: str = "allo", **extra: str) -> dict[str, str]:
    return {
        "MessageSid": message_sid,
        "SmsSid": message_sid,
        "AccountSid": TEST_ACCOUNT_SID,
        "From": "+15145559876",
        "To": "+15145550100",
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "ApiVersion": "2010-04-01",
        **extra,
    }


def closed_port_urls() -> dict[str, str]:
    return {
        "database_url": "postgresql+psycopg://postgres@127.0.0.1:9/unreachable",
        "redis_url": "redis://127.0.0.1:9/0",
    }

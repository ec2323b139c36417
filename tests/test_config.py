from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tipline.config import DEMO_TWILIO_AUTH_TOKEN, ConfigError, Settings

PG = "postgresql+psycopg://postgres@127.0.0.1/tipline"


def test_the_embedded_default_needs_nothing_and_keeps_its_generated_secrets(tmp_path: Path) -> None:
    env = {"TIPLINE_INSTANCE_DIR": str(tmp_path)}
    first = Settings.from_env(env).validated()
    assert first.database_url == f"sqlite:///{tmp_path / 'tipline.sqlite3'}"
    assert not first.is_production
    assert first.redis_url == ""
    assert len(first.secret_key) >= 32
    assert len(first.data_keys) == 1
    Fernet(first.data_keys[0].encode())
    again = Settings.from_env(env).validated()
    assert (again.secret_key, again.data_keys) == (first.secret_key, first.data_keys)
    assert (tmp_path / "secrets.json").stat().st_mode & 0o077 == 0


def test_production_refuses_to_start_and_names_everything_missing() -> None:
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({"DATABASE_URL": PG}).validated()
    message = str(refused.value)
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TIPLINE_SECRET_KEY", "TIPLINE_DATA_KEYS"):
        assert name in message


def test_production_refuses_demo_credentials_and_bad_keys() -> None:
    env = {
        "DATABASE_URL": PG,
        "TWILIO_ACCOUNT_SID": "AC" + "2" * 32,
        "TWILIO_AUTH_TOKEN": DEMO_TWILIO_AUTH_TOKEN,
        "TIPLINE_SECRET_KEY": "k" * 40,
        "TIPLINE_DATA_KEYS": "not-a-fernet-key",
    }
    with pytest.raises(ConfigError) as refused:
        Settings.from_env(env).validated()
    assert "demo value" in str(refused.value)
    assert "not a Fernet key" in str(refused.value)


def test_production_starts_with_real_secrets_and_rotation_keys() -> None:
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    env = {
        "DATABASE_URL": PG,
        "TWILIO_ACCOUNT_SID": "AC" + "2" * 32,
        "TWILIO_AUTH_TOKEN": "a-real-token",
        "TIPLINE_SECRET_KEY": "k" * 40,
        "TIPLINE_DATA_KEYS": f"{new}, {old}",
    }
    settings = Settings.from_env(env).validated()
    assert settings.is_production
    assert settings.data_keys == (new, old)


def test_a_setting_that_does_not_parse_is_named() -> None:
    with pytest.raises(ConfigError, match="PORT"):
        Settings.from_env({"PORT": "five thousand"})


def test_an_unknown_time_zone_is_refused_in_production() -> None:
    env = {
        "DATABASE_URL": PG,
        "TWILIO_ACCOUNT_SID": "AC" + "2" * 32,
        "TWILIO_AUTH_TOKEN": "a-real-token",
        "TIPLINE_SECRET_KEY": "k" * 40,
        "TIPLINE_DATA_KEYS": Fernet.generate_key().decode(),
        "TIPLINE_TIMEZONE": "Mars/Olympus",
    }
    with pytest.raises(ConfigError, match="TIPLINE_TIMEZONE"):
        Settings.from_env(env).validated()

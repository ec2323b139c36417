"""The schema is built only by migrations: upgrade from empty, no drift, one head, downgrade to base."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from tests.support import drop_database, pg_url, recreate_database
from tipline.migrate import alembic_config, downgrade, upgrade
from tipline.models import Base

EXPECTED_TABLES = {
    "staff_logins",
    "queued_calls",
    "login_throttles",
    "escalations",
    "escalation_attempts",
    "callback_requests",
    "call_offers",
    "api_tokens",
    "cases",
    "contacts",
    "events",
    "jobs",
    "media_items",
    "outbound_messages",
    "people",
    "rotations",
    "shifts",
    "webhook_receipts",
}


def drift(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_there_is_a_single_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_postgresql_upgrade_from_empty_has_no_drift_and_downgrades_to_base() -> None:
    name = f"tipline_migrations_{os.getpid()}"
    recreate_database(name)
    url = pg_url(name)
    upgrade(url)
    assert tables(url) >= EXPECTED_TABLES
    assert drift(url) == []
    command.check(alembic_config(url))  # the same check `alembic check` runs; raises on drift
    downgrade(url, "base")
    assert tables(url) == set()
    upgrade(url)
    assert tables(url) >= EXPECTED_TABLES
    drop_database(name)


def test_sqlite_upgrade_from_empty_has_no_drift(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    upgrade(url)
    assert tables(url) >= EXPECTED_TABLES
    assert drift(url) == []
    downgrade(url, "base")
    assert tables(url) == set()

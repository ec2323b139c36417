"""The services one app instance runs with, built once by ``create_app`` and reached through ``runtime()``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

from tipline.clock import Clock
from tipline.config import Settings
from tipline.crypto import DataCipher
from tipline.db import Database

if TYPE_CHECKING:
    from tipline.spool import Spool
    from workers.dispatch import JobDispatcher

EXTENSION_KEY = "tipline"


@dataclass
class Runtime:
    settings: Settings
    db: Database
    cipher: DataCipher
    clock: Clock
    spool: Spool
    dispatcher: JobDispatcher
    extras: dict[str, Any] = field(default_factory=dict)

    def init_app(self, app: Flask) -> None:
        app.extensions[EXTENSION_KEY] = self


def runtime(app: Flask | None = None) -> Runtime:
    target = app if app is not None else current_app
    found: Runtime = target.extensions[EXTENSION_KEY]
    return found

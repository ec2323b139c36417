"""Every table, imported in one place so Alembic and ``create_all`` see the whole schema.

Each domain package keeps its tables in its own ``models.py``; this module imports all of them, so a new
domain's tables are picked up without editing this file."""

import importlib
import pkgutil
from pathlib import Path

import tipline
from tipline.db import Base

for _package in pkgutil.iter_modules(tipline.__path__):
    if _package.ispkg and (Path(tipline.__path__[0]) / _package.name / "models.py").exists():
        importlib.import_module(f"tipline.{_package.name}.models")

__all__ = ["Base"]

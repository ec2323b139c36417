"""Importing this module registers every API module's operations on the blueprint (one module per domain)."""

import importlib
import pkgutil

import tipline.api
from tipline.api.registry import api_bp

for _module in pkgutil.iter_modules(tipline.api.__path__):
    if _module.name not in {"registry", "routes"}:
        importlib.import_module(f"tipline.api.{_module.name}")

__all__ = ["api_bp"]

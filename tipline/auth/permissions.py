"""Permissions as data (``permissions.yaml``): each permission names the roles that hold it."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from tipline.roster.models import Role

PERMISSIONS_FILE = Path(__file__).with_name("permissions.yaml")


@cache
def permissions() -> dict[str, frozenset[str]]:
    raw = yaml.safe_load(PERMISSIONS_FILE.read_text(encoding="utf-8"))
    known = {role.value for role in Role}
    table: dict[str, frozenset[str]] = {}
    for name, roles in raw.items():
        unknown = set(roles) - known
        if unknown:
            raise ValueError(f"{PERMISSIONS_FILE.name}: {name}: unknown role(s) {sorted(unknown)}")
        table[name] = frozenset(roles)
    return table


def allowed(role: str, permission: str) -> bool:
    try:
        return role in permissions()[permission]
    except KeyError:
        raise KeyError(f"unknown permission {permission!r}") from None

"""The person behind the current request, and the decorator that checks a permission.

A request is identified by ``Authorization: Bearer <token>`` (the JSON API); the console adds its login
session through ``register_identifier``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import abort, g, request

from tipline.auth.permissions import allowed
from tipline.auth.tokens import person_for_token
from tipline.request_session import request_session
from tipline.roster.models import Person
from tipline.runtime import runtime

P = ParamSpec("P")
R = TypeVar("R")
Identifier = Callable[[], Person | None]
_IDENTIFIERS: list[Identifier] = []


def register_identifier(identifier: Identifier) -> Identifier:
    """Add a way to recognise a person (the console's login session)."""
    _IDENTIFIERS.append(identifier)
    return identifier


@register_identifier
def bearer_token() -> Person | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    return person_for_token(request_session(), header.removeprefix("Bearer ").strip(), now=runtime().clock.now())


def current_person() -> Person | None:
    if "person" not in g:
        g.person = next((person for identify in _IDENTIFIERS if (person := identify()) is not None), None)
    found: Person | None = g.person
    return found


def requires(permission: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """401 without an identity, 403 without the permission."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            person = current_person()
            if person is None:
                abort(401)
            if not allowed(person.role, permission):
                abort(403)
            return view(*args, **kwargs)

        wrapper.permission = permission  # type: ignore[attr-defined]
        return wrapper

    return decorate


def acting_person() -> Person:
    """The identified person (inside a view guarded by ``requires``); 401 if there is none."""
    person = current_person()
    if person is None:
        abort(401)
    return person

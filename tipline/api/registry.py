"""One decorator declares an API operation: its route, the permission it needs, and its OpenAPI entry."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, abort, request

from tipline.auth.current import requires

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")
Schema = dict[str, Any]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    permission: str | None
    body: Schema | None = None
    returns: Schema = field(default_factory=lambda: {"type": "object"})
    parameters: tuple[str, ...] = ()


OPERATIONS: list[Operation] = []
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def endpoint(
    method: str,
    rule: str,
    *,
    summary: str,
    permission: str | None,
    body: Schema | None = None,
    returns: Schema | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``view`` at ``rule`` for ``method``; ``permission`` None means public."""

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        guarded = requires(permission)(view) if permission else view
        api_bp.add_url_rule(rule, endpoint=view.__name__, view_func=guarded, methods=[method])
        OPERATIONS.append(
            Operation(
                method=method.lower(),
                path=_CONVERTER.sub(r"{\2}", rule),
                summary=summary,
                permission=permission,
                body=body,
                returns=returns or {"type": "object"},
                parameters=tuple(match.group(2) for match in _CONVERTER.finditer(rule)),
            )
        )
        return guarded

    return register


def json_body(required: tuple[str, ...] = ()) -> dict[str, Any]:
    """The request's JSON object, with ``required`` keys present; 400 with a clear message otherwise."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="a JSON object is required")
    missing = [name for name in required if data.get(name) in (None, "")]
    if missing:
        abort(400, description=f"missing: {', '.join(missing)}")
    return data


def openapi_document() -> Schema:
    paths: dict[str, dict[str, Any]] = {}
    for operation in OPERATIONS:
        entry: dict[str, Any] = {
            "summary": operation.summary,
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": operation.returns}}},
                "400": {"description": "Bad request"},
                "401": {"description": "No or unknown token"},
                "403": {"description": "Not allowed for this role"},
                "404": {"description": "Not found"},
            },
        }
        if operation.permission:
            entry["security"] = [{"bearer": []}]
            entry["x-permission"] = operation.permission
        if operation.parameters:
            entry["parameters"] = [
                {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}
                for name in operation.parameters
            ]
        if operation.body:
            entry["requestBody"] = {"required": True, "content": {"application/json": {"schema": operation.body}}}
        paths.setdefault(operation.path, {})[operation.method] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "tipline API", "version": "1", "description": "Ligne confidentielle / confidential line"},
        "servers": [{"url": "/api/v1"}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": paths,
    }

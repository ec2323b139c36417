"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from redis import Redis
from sqlalchemy import text

from tipline.runtime import runtime

health_bp = Blueprint("health", __name__)


@health_bp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@health_bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    rt = runtime()
    checks: dict[str, str] = {}
    try:
        with rt.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"unreachable ({type(error).__name__})"
    if rt.settings.redis_url:
        try:
            Redis.from_url(rt.settings.redis_url, socket_connect_timeout=2, socket_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception as error:
            checks["redis"] = f"unreachable ({type(error).__name__})"
    else:
        checks["redis"] = "not used (jobs run in-process)"
    ready = all(value == "ok" or value.startswith("not used") for value in checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503

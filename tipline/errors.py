"""Errors answer with a clear status and a short message — never a stack trace, never what was posted."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger("tipline.errors")


def _answer(code: int, name: str) -> Response:
    if request.path.startswith("/twilio/"):
        return Response(f"{code} {name}\n", status=code, content_type="text/plain; charset=utf-8")
    response = jsonify(error=name, status=code)
    response.status_code = code
    return response


def handle_http_error(error: HTTPException) -> Response:
    return _answer(error.code or 500, error.name)


def handle_unexpected(error: Exception) -> Response:
    log.error("unhandled %s on %s %s", type(error).__name__, request.method, request.path, exc_info=error)
    return _answer(500, "Internal Server Error")


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)

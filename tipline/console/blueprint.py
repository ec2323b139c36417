"""The console's blueprint and what every page shares: CSRF on every form, HTML errors, a login redirect,
no caching of pages that show case data, and the template helpers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from tipline.auth.console_session import SAFE_METHODS, csrf_token, csrf_valid
from tipline.auth.current import current_person
from tipline.auth.permissions import allowed
from tipline.cases.models import Case
from tipline.request_session import request_session
from tipline.roster.models import Person

from . import labels
from .i18n import LANGUAGES, current_language

console_bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


@console_bp.before_request
def check_csrf() -> None:
    if request.method not in SAFE_METHODS and not csrf_valid():
        abort(400, description="csrf")


@console_bp.after_request
def protect(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "console.static":
        response.headers["Cache-Control"] = "no-store"
    return response


def wants_json() -> bool:
    return request.path.endswith(".json") or request.accept_mimetypes.best == "application/json"


@console_bp.errorhandler(HTTPException)
def console_error(error: HTTPException) -> Any:
    code = error.code or 500
    if code == 401 and request.method in SAFE_METHODS and not wants_json():
        return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
    if wants_json():
        response = jsonify(error=error.name, status=code)
        response.status_code = code
        return response
    return render_template("console/error.html", code=code, csrf=error.description == "csrf"), code


@console_bp.app_context_processor
def helpers() -> dict[str, Any]:
    if not request.path.startswith("/console"):
        return {}
    person = current_person() if request.method in SAFE_METHODS or csrf_valid() else None
    return {
        "csrf_token": csrf_token,
        "me": person,
        "may": (lambda permission: person is not None and allowed(person.role, permission)),
        "language": current_language(),
        "languages": LANGUAGES,
        "labels": labels,
    }


def me() -> Person:
    person = current_person()
    if person is None:
        abort(401)
    return person


def visible_case(case_id: int) -> Case:
    """The case, if the acting person may see it: 404 otherwise (an ÉSUP member sees escalated cases only)."""
    from .casework import may_see_case

    case = request_session().get(Case, case_id)
    if case is None or not may_see_case(request_session(), me(), case):
        abort(404)
    return case

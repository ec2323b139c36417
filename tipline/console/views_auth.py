"""Logging in and out, and choosing the language."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from tipline.auth.console_session import log_in, log_out
from tipline.auth.current import current_person
from tipline.auth.logins import LoginResult, authenticate
from tipline.auth.permissions import allowed
from tipline.request_session import request_session
from tipline.roster.models import Person
from tipline.runtime import runtime

from .blueprint import console_bp
from .i18n import LANGUAGES
from .i18n import gettext as _


def _safe_next(target: str | None) -> str | None:
    """Only a path inside the console: never another site."""
    if target and target.startswith("/console/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def home_for(role: str) -> str:
    if allowed(role, "queue.view"):
        return url_for("console.queue")
    if allowed(role, "escalation.view"):
        return url_for("console.esup")
    return url_for("console.roster")


@console_bp.get("/")
def home() -> Response:
    person = current_person()
    if person is None:
        return redirect(url_for("console.login"))
    return redirect(home_for(person.role))


@console_bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int] | str:
    if request.method == "GET":
        return render_template("console/login.html", next=_safe_next(request.args.get("next")))
    db = request_session()
    attempt = authenticate(
        db,
        username=request.form.get("username", ""),
        password=request.form.get("password", ""),
        client=request.remote_addr or "unknown",
        now=runtime().clock.now(),
    )
    db.commit()  # a failure is counted even though nobody logs in
    if attempt.result == LoginResult.THROTTLED:
        message = _("Too many failed attempts. Wait 15 minutes, or ask a supervisor.")
        return render_template("console/login.html", error=message, next=None), 429
    if attempt.login is None:
        message = _("Unknown username or wrong password.")
        return render_template("console/login.html", error=message, next=None), 401
    log_in(attempt.login)
    person = db.get(Person, attempt.login.person_id)
    target = _safe_next(request.form.get("next")) or home_for(person.role if person else "")
    return redirect(target)


@console_bp.post("/logout")
def logout() -> Response:
    log_out()
    flash(_("You are logged out."), "info")
    return redirect(url_for("console.login"))


@console_bp.post("/language")
def language() -> Response:
    chosen = request.form.get("lang", "")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return redirect(_safe_next(request.form.get("back")) or url_for("console.home"))

"""The roster: who is on duty now and over the next 7 days, presence, import and export."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from tipline.auth.current import requires
from tipline.auth.permissions import allowed
from tipline.request_session import request_session
from tipline.roster.io import Format, RosterFileError, dump_roster, parse_roster
from tipline.roster.models import Person, Presence
from tipline.roster.services import (
    DutyInterval,
    UnknownPersonError,
    duty_schedule,
    export_roster,
    import_roster,
    on_duty,
    set_presence,
)
from tipline.runtime import runtime

from .blueprint import console_bp, me
from .i18n import gettext as _

MAX_ROSTER_BYTES = 1_000_000


@console_bp.get("/roster")
@requires("roster.view")
def roster() -> str:
    rt = runtime()
    db = request_session()
    now = rt.clock.now()
    zone = rt.settings.zone
    days: dict[date, list[DutyInterval]] = defaultdict(list)
    for interval in duty_schedule(db, start=now, end=now + timedelta(days=7)):
        day = interval.starts_at.astimezone(zone).date()
        days[day].append(interval)
    people = list(db.query(Person).filter(Person.active.is_(True)).order_by(Person.name))
    return render_template(
        "console/roster.html",
        on_duty=on_duty(db, at=now),
        days=sorted(days.items()),
        zone=zone,
        people=people,
        presences=[p.value for p in Presence],
    )


@console_bp.post("/roster/presence")
@requires("presence.set_own")
def presence() -> BaseResponse:
    person = me()
    target = request.form.get("person_id", type=int) or person.id
    if target != person.id and not allowed(person.role, "presence.set_any"):
        abort(403)
    chosen = request.form.get("presence", "")
    if chosen not in {p.value for p in Presence}:
        abort(400)
    db = request_session()
    try:
        set_presence(db, target, chosen)
    except UnknownPersonError:
        abort(404)
    db.commit()
    flash(_("Presence updated."), "success")
    return redirect(url_for("console.roster"))


@console_bp.get("/roster/export")
@requires("roster.edit")
def roster_export() -> Response:
    rt = runtime()
    fmt: Format = "csv" if request.args.get("format") == "csv" else "yaml"
    document = export_roster(request_session(), rt.cipher)
    text = dump_roster(document, fmt, zone=rt.settings.zone, zone_name=rt.settings.timezone)
    response = Response(text, mimetype="text/csv" if fmt == "csv" else "application/yaml")
    response.headers["Content-Disposition"] = f'attachment; filename="roster.{fmt}"'
    return response


@console_bp.post("/roster/import")
@requires("roster.edit")
def roster_import() -> BaseResponse:
    rt = runtime()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a roster file (YAML or CSV)."), "error")
        return redirect(url_for("console.roster"))
    raw = upload.read(MAX_ROSTER_BYTES + 1)
    try:
        if len(raw) > MAX_ROSTER_BYTES:
            raise UnicodeDecodeError("utf-8", b"", 0, 1, "too large")
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        flash(_("The file must be UTF-8 text, at most 1 MB."), "error")
        return redirect(url_for("console.roster"))
    fmt: Format = "csv" if upload.filename.lower().endswith(".csv") else "yaml"
    try:
        document = parse_roster(text, fmt, zone=rt.settings.zone, zone_name=rt.settings.timezone)
    except RosterFileError as error:
        flash(_("The file was refused; nothing changed."), "error")
        for problem in error.problems[:20]:
            flash(str(problem), "error")
        return redirect(url_for("console.roster"))
    db = request_session()
    summary = import_roster(db, rt.cipher, document)
    if request.form.get("dry_run"):
        db.rollback()
    else:
        db.commit()
    flash(
        _(
            "%(people)s people: %(created)s created, %(updated)s updated, %(deactivated)s deactivated.",
            people=len(document.people),
            created=len(summary.created),
            updated=len(summary.updated),
            deactivated=len(summary.deactivated),
        )
        + (" " + _("Dry run: nothing was saved.") if request.form.get("dry_run") else ""),
        "success",
    )
    return redirect(url_for("console.roster"))

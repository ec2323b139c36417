"""The ÉSUP page: escalated cases, their acknowledgement, and notes — built for a phone screen."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tipline.auth.current import requires
from tipline.request_session import request_session
from tipline.runtime import runtime

from . import casework, integration
from .blueprint import console_bp, me, visible_case
from .i18n import gettext as _


@console_bp.get("/esup")
@requires("escalation.view")
def esup() -> str:
    db = request_session()
    person = me()
    escalations = integration.open_escalations(db, person)
    by_case = {escalation.case_id: escalation for escalation in escalations}
    cases = casework.escalated_cases(db)
    return render_template(
        "console/esup.html",
        cases=cases,
        escalations=by_case,
        now=runtime().clock.now(),
    )


@console_bp.post("/esup/cases/<int:case_id>/acknowledge")
@requires("escalation.acknowledge")
def acknowledge(case_id: int) -> Response:
    db = request_session()
    visible_case(case_id)
    if integration.acknowledge(db, case_id, me()):
        db.commit()
        flash(_("Escalation acknowledged."), "success")
    else:
        db.rollback()
        flash(_("Nothing to acknowledge for this case."), "info")
    return redirect(url_for("console.esup"))


@console_bp.post("/esup/cases/<int:case_id>/notes")
@requires("escalation.acknowledge")
def esup_note(case_id: int) -> Response:
    db = request_session()
    case = visible_case(case_id)
    try:
        casework.add_note(db, runtime().cipher, case, me(), text=request.form.get("text", ""))
    except casework.CaseActionError as error:
        db.rollback()
        flash(_(str(error)), "error")
        return redirect(url_for("console.esup"))
    db.commit()
    flash(_("Note added."), "success")
    return redirect(url_for("console.esup"))

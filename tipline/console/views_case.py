"""One case: its file (timeline, IVR path, transcripts, SMS thread, recordings, triage reasons, notes) and
what a dispatcher does with it. Every view and every revealed number is written to the audit log."""

from __future__ import annotations

import secrets

from flask import Response, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from tipline.auth.current import requires
from tipline.contacts.events import record_event
from tipline.contacts.models import Contact
from tipline.media.models import MediaItem
from tipline.media.tasks import media_store
from tipline.request_session import request_session
from tipline.runtime import runtime

from . import casework
from .blueprint import console_bp, me, visible_case
from .i18n import gettext as _


def _render(case_id: int, *, revealed: dict[int, str] | None = None, status: int = 200) -> tuple[str, int]:
    db = request_session()
    case = visible_case(case_id)
    file = casework.case_file(db, runtime().cipher, case)
    casework.audit_case_view(db, case, me())
    db.commit()
    return (
        render_template(
            "console/case.html",
            file=file,
            case=case,
            revealed=revealed or {},
            reply_key=secrets.token_urlsafe(16),
            outcomes=casework.OUTCOMES,
        ),
        status,
    )


@console_bp.get("/cases/<int:case_id>")
@requires("case.view")
def case(case_id: int) -> tuple[str, int]:
    return _render(case_id)


@console_bp.post("/cases/<int:case_id>/contacts/<int:contact_id>/reveal")
@requires("case.reveal_number")
def reveal(case_id: int, contact_id: int) -> tuple[str, int]:
    db = request_session()
    case = visible_case(case_id)
    contact = db.get(Contact, contact_id)
    if contact is None or contact.case_id != case.id or contact.anonymous:
        abort(404)  # an anonymous contact's number is not to be shown, even where a copy remains to answer texts
    number = casework.reveal_number(db, runtime().cipher, contact, me())
    return _render(case_id, revealed={contact.id: number or _("no number stored")})


def _act(case_id: int, action: str) -> BaseResponse:
    db = request_session()
    rt = runtime()
    case = visible_case(case_id)
    person = me()
    try:
        if action == "resolve":
            casework.resolve(db, case, person, outcome=request.form.get("outcome", ""), now=rt.clock.now())
            message = _("Case resolved.")
        elif action == "priority":
            casework.reprioritise(
                db, case, person, priority=request.form.get("priority", ""), reason=request.form.get("reason", "")
            )
            message = _("Priority changed.")
        elif action == "note":
            casework.add_note(db, rt.cipher, case, person, text=request.form.get("text", ""))
            message = _("Note added.")
        else:
            file = casework.case_file(db, rt.cipher, case)
            casework.reply(
                db, rt.cipher, file, person, text=request.form.get("text", ""), form_key=request.form.get("key", "")
            )
            message = _("Reply queued for sending.")
    except casework.CaseActionError as error:
        db.rollback()
        flash(_(str(error)), "error")
        return redirect(url_for("console.case", case_id=case_id))
    db.commit()
    flash(message, "success")
    return redirect(url_for("console.case", case_id=case_id))


@console_bp.post("/cases/<int:case_id>/resolve")
@requires("case.work")
def resolve(case_id: int) -> BaseResponse:
    return _act(case_id, "resolve")


@console_bp.post("/cases/<int:case_id>/priority")
@requires("case.work")
def priority(case_id: int) -> BaseResponse:
    return _act(case_id, "priority")


@console_bp.post("/cases/<int:case_id>/notes")
@requires("case.work")
def note(case_id: int) -> BaseResponse:
    return _act(case_id, "note")


@console_bp.post("/cases/<int:case_id>/reply")
@requires("case.work")
def reply(case_id: int) -> BaseResponse:
    return _act(case_id, "reply")


@console_bp.get("/media/<int:media_id>")
@requires("case.view")
def media(media_id: int) -> Response:
    """A recording, decrypted from the line's storage for a person who may see its case (audited)."""
    db = request_session()
    item = db.get(MediaItem, media_id)
    if item is None or item.storage_key is None or item.case_id is None:
        abort(404)
    case = visible_case(item.case_id)
    store = media_store()
    if not store.exists(item.storage_key):
        abort(404)
    content = store.get(item.storage_key)
    record_event(db, "audit.media_play", case_id=case.id, data={"person_id": me().id, "media_id": item.id})
    db.commit()
    response = Response(content, mimetype=item.content_type or "audio/wav")
    response.headers["Content-Disposition"] = "inline"
    return response

"""The queue: open cases and SMS conversations, by priority then age, refreshed by the page every few
seconds from ``queue.json``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import flash, jsonify, redirect, render_template, url_for
from werkzeug.wrappers import Response

from tipline.auth.current import requires
from tipline.ivr.scripts import scripts
from tipline.request_session import request_session
from tipline.runtime import runtime

from . import integration, labels
from .blueprint import console_bp, me
from .casework import QueueItem, claim_conversation, queue_items
from .i18n import gettext as _

POLL_SECONDS = 4


def waited(since: datetime, now: datetime) -> str:
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return _("%(minutes)s min", minutes=minutes)
    return _("%(hours)s h %(minutes)s min", hours=minutes // 60, minutes=minutes % 60)


def item_json(item: QueueItem, now: datetime) -> dict[str, Any]:
    return {
        "key": f"case-{item.case_id}" if item.case_id else f"contact-{item.contact_id}",
        "case_id": item.case_id,
        "contact_id": item.contact_id,
        "kind": item.kind,
        "kind_label": labels.label(labels.KINDS, item.kind),
        "priority": item.priority,
        "priority_label": labels.label(labels.PRIORITIES, item.priority),
        "status": item.status,
        "status_label": labels.label(labels.STATUSES, item.status),
        "language": item.language or "",
        "categories": [labels.category(code) for code in item.categories],
        "assignee": item.assignee_name or "",
        "waiting_since": item.waiting_since.isoformat(),
        "waited": waited(item.waiting_since, now),
        "url": url_for("console.case", case_id=item.case_id) if item.case_id else None,
        "claim_url": (
            url_for("console.claim", case_id=item.case_id)
            if item.case_id
            else url_for("console.claim_conversation_view", contact_id=item.contact_id)
        )
        if item.assignee_id is None
        else None,
    }


@console_bp.get("/queue")
@requires("queue.view")
def queue() -> str:
    now = runtime().clock.now()
    items = [item_json(item, now) for item in queue_items(request_session())]
    return render_template("console/queue.html", items=items, poll_seconds=POLL_SECONDS)


@console_bp.get("/queue.json")
@requires("queue.view")
def queue_json() -> Response:
    now = runtime().clock.now()
    return jsonify(items=[item_json(item, now) for item in queue_items(request_session())], at=now.isoformat())


@console_bp.post("/cases/<int:case_id>/claim")
@requires("case.work")
def claim(case_id: int) -> Response:
    db = request_session()
    if integration.claim(db, case_id, me(), now=runtime().clock.now()):
        db.commit()
        flash(_("The case is yours."), "success")
        return redirect(url_for("console.case", case_id=case_id))
    db.rollback()
    flash(_("Someone else has already claimed this case."), "error")
    return redirect(url_for("console.queue"))


@console_bp.post("/conversations/<int:contact_id>/claim")
@requires("case.work")
def claim_conversation_view(contact_id: int) -> Response:
    db = request_session()
    rt = runtime()
    case = claim_conversation(db, rt.cipher, contact_id, me(), now=rt.clock.now(), triage_rules=scripts().triage)
    if case is None:
        db.rollback()
        flash(_("Someone else has already claimed this case."), "error")
        return redirect(url_for("console.queue"))
    db.commit()
    flash(_("The case is yours."), "success")
    return redirect(url_for("console.case", case_id=case.id))

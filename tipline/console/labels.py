"""Words the console shows for stored codes (kinds, statuses, priorities, outcomes, events), in both languages."""

from __future__ import annotations

from typing import Any

from .i18n import current_language
from .i18n import lazy_gettext as _l

KINDS: dict[str, Any] = {
    "call": _l("Waiting call"),
    "sms": _l("SMS conversation"),
    "callback": _l("Callback"),
    "tip": _l("Tip"),
    "case": _l("Case"),
}
STATUSES: dict[str, Any] = {"new": _l("Waiting"), "claimed": _l("Claimed"), "resolved": _l("Resolved")}
PRIORITIES: dict[str, Any] = {
    "P1": _l("P1 — urgent"),
    "P2": _l("P2 — high"),
    "P3": _l("P3 — normal"),
    "P4": _l("P4 — low"),
}
OUTCOMES: dict[str, Any] = {
    "referred": _l("Referred to a resource"),
    "information_recorded": _l("Information recorded"),
    "no_action": _l("No action needed"),
    "duplicate": _l("Duplicate"),
    "handed_to_police": _l("Handed to an investigator"),
}
PRESENCE: dict[str, Any] = {"available": _l("Available"), "busy": _l("Busy"), "away": _l("Away")}
ROLES: dict[str, Any] = {
    "dispatcher": _l("Dispatcher"),
    "esup": _l("ÉSUP"),
    "supervisor": _l("Supervisor"),
    "admin": _l("Administrator"),
}
CHANNELS: dict[str, Any] = {"voice": _l("Call"), "sms": _l("SMS"), "unknown": _l("Unknown")}
LANGUAGE_NAMES: dict[str, Any] = {"fr": _l("French"), "en": _l("English"), "unknown": _l("Unknown")}
EVENTS: dict[str, Any] = {
    "case.opened": _l("Case opened"),
    "case.contact": _l("Contact joined to the case"),
    "case.tip": _l("Tip left"),
    "case.tip_text": _l("Tip (text)"),
    "case.followup": _l("Follow-up call with code and PIN"),
    "case.followup_added": _l("Information added in a follow-up"),
    "case.followup_text": _l("Follow-up (text)"),
    "case.followup_refused": _l("Wrong PIN"),
    "case.followup_locked": _l("Follow-up locked after wrong PINs"),
    "case.priority": _l("Priority changed"),
    "case.claimed": _l("Claimed"),
    "case.resolved": _l("Resolved"),
    "case.note": _l("Note"),
    "case.reply": _l("SMS reply sent"),
    "sms.in": _l("Text received"),
    "sms.status": _l("Text status"),
    "voice.incoming": _l("Call started"),
    "voice.speech": _l("Caller said"),
    "voice.status": _l("Call status"),
    "voice.handoff": _l("Put through to a dispatcher"),
    "voice.handoff_result": _l("Result of putting through"),
    "routing.unanswered": _l("Nobody answered"),
    "routing.voicemail": _l("Message left"),
    "flow.flag": _l("Choice in the menu"),
    "resources.sms_queued": _l("Resources sent by text"),
}


def label(table: dict[str, Any], code: str | None) -> str:
    if code is None:
        return "—"
    found = table.get(code)
    return str(found) if found is not None else code


def category(code: str) -> str:
    """A triage category's label from the triage rules (which carry both languages)."""
    from tipline.ivr.scripts import scripts

    found = scripts().triage.categories.get(code)
    return found.label(current_language()) if found is not None else code

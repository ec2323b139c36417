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
    "audit.case_view": _l("Case viewed"),
    "audit.media_play": _l("Recording played"),
    "audit.number_reveal": _l("Number revealed"),
    "call.status": _l("Call status (line's call)"),
    "case.callback_placed": _l("Callback placed"),
    "case.number_revealed": _l("Number revealed"),
    "escalation.triggered": _l("ÉSUP escalation started"),
    "escalation.joined": _l("Joined the running escalation"),
    "escalation.step": _l("Escalation step"),
    "escalation.alert_queued": _l("Alert queued"),
    "escalation.alert_delivered": _l("Alert delivered"),
    "escalation.alert_failed": _l("Alert failed"),
    "escalation.alert_held": _l("Alert held back (rate limit)"),
    "escalation.alert_in_doubt": _l("Alert in doubt"),
    "escalation.call_answered": _l("Alert call answered"),
    "escalation.moved_on": _l("Moved on to the next step"),
    "escalation.no_target": _l("Nobody to alert at this step"),
    "escalation.acknowledged": _l("Escalation acknowledged"),
    "escalation.late_acknowledgement": _l("Late acknowledgement"),
    "escalation.exhausted": _l("Escalation unanswered after every step"),
    "escalation.failed": _l("Escalation failed"),
    "routing.enqueued": _l("Waiting for a person"),
    "routing.offered": _l("Offered to a dispatcher"),
    "routing.step": _l("Routing step"),
    "routing.queue_result": _l("Left the waiting line"),
    "routing.left_queue": _l("Chose to leave a message"),
    "routing.abandoned": _l("Hung up while waiting"),
    "routing.bridge_failed": _l("Could not connect"),
    "routing.call_ended": _l("Call ended"),
    "routing.callback_requested": _l("Callback requested"),
    "routing.callback_time": _l("Safe time to call back given"),
    "routing.callback_declined": _l("Callback declined"),
    "routing.handler_away": _l("Dispatcher set away after missed calls"),
    "routing.nobody_on_duty": _l("Nobody on duty"),
    "sms.handoff": _l("Texter asked for a person"),
    "sms.idle": _l("Texter went quiet"),
    "sms.conversation_ended": _l("Text conversation closed"),
    "sms.opt_out": _l("Opted out (STOP)"),
    "sms.opt_in": _l("Opted back in (START)"),
    "sms.reply_suppressed": _l("Reply held back (flood)"),
    "sms.taken_over": _l("A dispatcher took over the conversation"),
    "sms.urgent": _l("Urgent keyword"),
    "webhook.rejected": _l("Unsigned request refused"),
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

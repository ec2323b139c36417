"""The flow's side effects, run against the database for voice and SMS alike. Each returns the data the
engine is fed back with (``result`` and, for a tip, the reference and PIN)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from tipline.cases.models import Case
from tipline.cases.services import FollowupResult, issue_tip_credentials, open_case, verify_followup
from tipline.cases.triage_service import retriage
from tipline.contacts.events import record_event
from tipline.contacts.models import Channel, Contact
from tipline.contacts.optouts import is_opted_out
from tipline.flows import Effect
from tipline.ivr.scripts import scripts
from tipline.media.services import register_recording
from tipline.outbox.models import OutboundKind
from tipline.outbox.services import queue_outbound
from tipline.runtime import runtime


@dataclass
class EffectContext:
    session: Session
    contact: Contact
    caller_number: str  # what Twilio says (may be "anonymous"); stored only where the flow allows it
    params: Mapping[str, str] = field(default_factory=dict)  # the webhook's parameters
    flags: tuple[str, ...] = ()


def reachable_number(raw: str) -> str | None:
    """The caller's number if it is a real, textable E.164 number (not blocked, not a short code)."""
    try:
        parsed = phonenumbers.parse(raw, "CA")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def ensure_case(context: EffectContext, language: str | None) -> Case:
    contact = context.contact
    if contact.case_id is not None:
        case = context.session.get(Case, contact.case_id)
        if case is not None:
            return case
    case = open_case(context.session, language=language or contact.language, now=runtime().clock.now())
    contact.case_id = case.id
    record_event(context.session, "case.contact", case_id=case.id, contact_id=contact.id, data={})
    return case


def triage_contact(context: EffectContext, case: Case, texts: tuple[str, ...] = ()) -> None:
    retriage(context.session, case, scripts().triage, choices=context.flags, texts=texts)


def _store_caller(context: EffectContext) -> None:
    number = reachable_number(context.caller_number)
    if number is None:
        return
    cipher = runtime().cipher
    context.contact.caller_number_enc = cipher.encrypt(number)
    context.contact.caller_hash = cipher.lookup_hash(number)


def _forget_caller(contact: Contact) -> None:
    contact.anonymous = True
    if contact.channel == Channel.VOICE:  # an SMS conversation needs the number to answer at all
        contact.caller_number_enc = None
        contact.caller_hash = None


def _attach(context: EffectContext, case: Case, args: Mapping[str, str], kind: str) -> None:
    rt = runtime()
    recording_url = args.get("recording_url", "")
    if recording_url:
        register_recording(
            context.session,
            rt.cipher,
            context.params,
            url=recording_url,
            contact_id=context.contact.id,
            case_id=case.id,
        )
    text = args.get("text", "")
    if text:
        record_event(
            context.session, kind, case_id=case.id, contact_id=context.contact.id, payload=text, cipher=rt.cipher
        )
        triage_contact(context, case, (text,))


def create_tip(context: EffectContext, args: Mapping[str, str]) -> dict[str, str]:
    case = ensure_case(context, args.get("lang"))
    if args.get("anonymous") == "yes":
        _forget_caller(context.contact)
    else:
        _store_caller(context)
    pin = issue_tip_credentials(case, runtime().cipher)
    record_event(
        context.session,
        "case.tip",
        case_id=case.id,
        contact_id=context.contact.id,
        data={"channel": context.contact.channel, "anonymous": args.get("anonymous") == "yes"},
    )
    _attach(context, case, args, "case.tip_text")
    triage_contact(context, case)
    return {"result": "ok", "reference": case.reference, "pin": pin}


def check_followup(context: EffectContext, args: Mapping[str, str]) -> dict[str, str]:
    rt = runtime()
    result, case = verify_followup(
        context.session, reference=args.get("code", ""), pin=args.get("pin", ""), cipher=rt.cipher, now=rt.clock.now()
    )
    if result is not FollowupResult.OK or case is None:
        return {"result": str(result)}
    context.contact.case_id = case.id
    return {"result": "ok", "followup_token": case.reference}


def append_followup(context: EffectContext, args: Mapping[str, str]) -> dict[str, str]:
    case = context.session.scalar(select(Case).where(Case.reference == args.get("token", "")))
    if case is None:
        return {"result": "error"}
    record_event(context.session, "case.followup_added", case_id=case.id, contact_id=context.contact.id, data={})
    _attach(context, case, args, "case.followup_text")
    return {"result": "ok"}


def send_resources_sms(context: EffectContext, args: Mapping[str, str]) -> dict[str, str]:
    """Only reached after the caller was warned that a text may be seen by others, and agreed."""
    rt = runtime()
    number = reachable_number(context.caller_number)
    if number is None or is_opted_out(context.session, rt.cipher, number):
        return {"result": "unavailable"}
    queue_outbound(
        context.session,
        rt.cipher,
        kind=OutboundKind.SMS,
        purpose="resources",
        to=number,
        body=args.get("sms_body", ""),
        idempotency_key=f"resources:{context.contact.id}:{context.contact.step_seq}",
        contact_id=context.contact.id,
        case_id=context.contact.case_id,
    )
    record_event(context.session, "resources.sms_queued", contact_id=context.contact.id, data={})
    return {"result": "ok"}


def mark_flag(context: EffectContext, args: Mapping[str, str]) -> dict[str, str]:
    record_event(context.session, "flow.flag", contact_id=context.contact.id, data={"flag": args.get("flag", "")})
    return {"result": "ok"}


EFFECTS: dict[str, Callable[[EffectContext, Mapping[str, str]], dict[str, str]]] = {
    "create_tip": create_tip,
    "verify_followup": check_followup,
    "append_followup": append_followup,
    "send_resources_sms": send_resources_sms,
    "mark_flag": mark_flag,
}


def run_effect(context: EffectContext, effect: Effect) -> dict[str, str]:
    handler = EFFECTS.get(effect.name)
    if handler is None:
        return {"result": "error"}
    with context.session.begin_nested():
        return handler(context, effect.args)

"""What the console reads and does on cases: the queue, one case's file, and the actions on it. Plain typed
functions over the session; they flush, the view commits. Nothing here logs personal data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tipline.cases.models import PRIORITIES, Case, CaseChange, CaseStatus
from tipline.cases.services import open_case
from tipline.cases.triage_service import case_reasons, retriage, set_priority
from tipline.contacts.events import record_event
from tipline.contacts.models import Channel, Contact, ContactStatus, Event
from tipline.contacts.optouts import is_opted_out
from tipline.crypto import DataCipher
from tipline.escalation.services import escalated_case_ids, is_escalated
from tipline.media.models import MediaItem, MediaState
from tipline.outbox.models import OutboundKind, OutboundMessage
from tipline.roster.models import Person
from tipline.sms.services import ReplyRefusedError, send_reply

from . import integration
from .i18n import N_

# Events whose encrypted payload is what a person said or wrote: shown only to roles that may view the case.
PAYLOAD_KINDS = frozenset({"sms.in", "voice.speech", "case.tip_text", "case.followup_text", "case.note"})
CALLBACK_KINDS = ("routing.unanswered", "routing.voicemail")
OUTCOMES = ("referred", "information_recorded", "no_action", "duplicate", "handed_to_police")


class QueueKind:
    CALL = "call"  # a caller is on the line now
    SMS = "sms"  # an SMS conversation
    CALLBACK = "callback"  # nobody answered: call back, or listen to the message
    TIP = "tip"  # a tip left with a reference code
    CASE = "case"


@dataclass(frozen=True)
class QueueItem:
    case_id: int | None  # None: an SMS conversation no case was opened for yet
    contact_id: int | None
    kind: str
    priority: str
    status: str
    language: str | None
    categories: tuple[str, ...]
    assignee_id: int | None
    assignee_name: str | None
    waiting_since: datetime


def may_see_case(session: Session, person: Person, case: Case) -> bool:
    """ÉSUP members see escalated cases only; every other role that may view cases sees all of them."""
    if person.role == "esup":
        return is_escalated(session, case.id)
    return True


def _kinds(session: Session, case_ids: list[int]) -> dict[int, str]:
    contacts: dict[int, list[Contact]] = defaultdict(list)
    for contact in session.scalars(select(Contact).where(Contact.case_id.in_(case_ids))):
        if contact.case_id is not None:
            contacts[contact.case_id].append(contact)
    callbacks = set(
        session.scalars(
            select(Event.case_id).where(
                Event.case_id.in_(case_ids), or_(Event.kind.in_(CALLBACK_KINDS), Event.kind.like("callback.%"))
            )
        )
    )
    tips = set(session.scalars(select(Event.case_id).where(Event.case_id.in_(case_ids), Event.kind == "case.tip")))
    kinds: dict[int, str] = {}
    for case_id in case_ids:
        mine = contacts[case_id]
        if any(c.channel == Channel.VOICE and c.status == ContactStatus.ACTIVE for c in mine):
            kinds[case_id] = QueueKind.CALL
        elif any(c.channel == Channel.SMS for c in mine):
            kinds[case_id] = QueueKind.SMS
        elif case_id in callbacks:
            kinds[case_id] = QueueKind.CALLBACK
        elif case_id in tips:
            kinds[case_id] = QueueKind.TIP
        else:
            kinds[case_id] = QueueKind.CASE
    return kinds


def queue_items(session: Session, *, limit: int = 200) -> list[QueueItem]:
    """Open cases and SMS conversations without a case, by priority, then the longest waiting first."""
    cases = list(
        session.scalars(
            select(Case).where(Case.status != CaseStatus.RESOLVED).order_by(Case.created_at, Case.id).limit(limit)
        )
    )
    kinds = _kinds(session, [case.id for case in cases])
    names = {p.id: p.name for p in session.scalars(select(Person).where(Person.id.in_({c.assignee_id for c in cases})))}
    items = [
        QueueItem(
            case_id=case.id,
            contact_id=None,
            kind=kinds[case.id],
            priority=case.priority,
            status=case.status,
            language=case.language,
            categories=tuple(case.categories),
            assignee_id=case.assignee_id,
            assignee_name=names.get(case.assignee_id) if case.assignee_id else None,
            waiting_since=case.created_at,
        )
        for case in cases
    ]
    # INTEGRATION: once the SMS flow opens a case for every conversation, this finds nothing.
    loose = session.scalars(
        select(Contact)
        .where(Contact.channel == Channel.SMS, Contact.case_id.is_(None), Contact.status == ContactStatus.ACTIVE)
        .order_by(Contact.started_at)
        .limit(limit)
    )
    items.extend(
        QueueItem(
            case_id=None,
            contact_id=contact.id,
            kind=QueueKind.SMS,
            priority="P3",
            status=CaseStatus.NEW,
            language=contact.language,
            categories=(),
            assignee_id=None,
            assignee_name=None,
            waiting_since=contact.started_at,
        )
        for contact in loose
    )
    return sorted(items, key=lambda item: (PRIORITIES.index(item.priority), item.waiting_since))


def escalated_cases(session: Session) -> list[Case]:
    query = select(Case).where(Case.id.in_(escalated_case_ids()), Case.status != CaseStatus.RESOLVED)
    return list(session.scalars(query.order_by(Case.created_at)))


# One case's file -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    data: dict[str, Any]
    text: str | None = None


@dataclass(frozen=True)
class ThreadMessage:
    at: datetime
    inbound: bool
    text: str
    state: str | None = None


@dataclass
class CaseFile:
    case: Case
    contacts: list[Contact]
    timeline: list[TimelineEntry]
    thread: list[ThreadMessage]
    recordings: list[MediaItem]
    changes: list[CaseChange]
    notes: list[TimelineEntry]
    ivr_path: list[str]
    people: dict[int, str] = field(default_factory=dict)
    sms_contact: Contact | None = None
    opted_out: bool = False
    reasons: list[dict[str, Any]] = field(default_factory=list)  # triage reasons with their matched words


def case_file(session: Session, cipher: DataCipher, case: Case) -> CaseFile:
    contacts = list(session.scalars(select(Contact).where(Contact.case_id == case.id).order_by(Contact.started_at)))
    contact_ids = [contact.id for contact in contacts]
    events = list(
        session.scalars(
            select(Event)
            .where(or_(Event.case_id == case.id, Event.contact_id.in_(contact_ids)), ~Event.kind.like("audit.%"))
            .order_by(Event.at, Event.id)
        )
    )
    timeline = [
        TimelineEntry(
            at=event.at,
            kind=event.kind,
            data=event.data,
            text=cipher.decrypt_optional(event.payload_enc) if event.kind in PAYLOAD_KINDS else None,
        )
        for event in events
    ]
    outbound = session.scalars(
        select(OutboundMessage).where(
            OutboundMessage.kind == OutboundKind.SMS,
            or_(OutboundMessage.case_id == case.id, OutboundMessage.contact_id.in_(contact_ids)),
        )
    )
    thread = [ThreadMessage(e.at, True, e.text or "") for e in timeline if e.kind == "sms.in"]
    thread += [
        ThreadMessage(m.created_at, False, cipher.decrypt_optional(m.body_enc) or "", m.state)
        for m in outbound
        if m.body_enc is not None
    ]
    thread.sort(key=lambda message: message.at)
    recordings = list(
        session.scalars(
            select(MediaItem)
            .where(
                or_(MediaItem.case_id == case.id, MediaItem.contact_id.in_(contact_ids)),
                MediaItem.state.in_((MediaState.STORED, MediaState.DONE)),
            )
            .order_by(MediaItem.created_at)
        )
    )
    changes = list(session.scalars(select(CaseChange).where(CaseChange.case_id == case.id).order_by(CaseChange.at)))
    ivr_path = [
        str(e.data.get("flag")) if e.kind == "flow.flag" else e.kind
        for e in timeline
        if e.kind.startswith(("voice.", "flow.", "routing."))
    ]
    people_ids = {int(e.data["person_id"]) for e in timeline if isinstance(e.data.get("person_id"), int)}
    if case.assignee_id:
        people_ids.add(case.assignee_id)
    people = {p.id: p.name for p in session.scalars(select(Person).where(Person.id.in_(people_ids)))}
    sms_contact = next((c for c in reversed(contacts) if c.channel == Channel.SMS and c.caller_number_enc), None)
    opted_out = False
    if sms_contact is not None and sms_contact.caller_number_enc is not None:
        opted_out = is_opted_out(session, cipher, cipher.decrypt_text(sms_contact.caller_number_enc))
    return CaseFile(
        case=case,
        contacts=contacts,
        timeline=timeline,
        thread=thread,
        recordings=recordings,
        changes=changes,
        notes=[e for e in timeline if e.kind == "case.note"],
        ivr_path=ivr_path,
        people=people,
        sms_contact=sms_contact,
        opted_out=opted_out,
        reasons=case_reasons(case, cipher),
    )


# Audit ---------------------------------------------------------------------------------------------------------


def audit_case_view(session: Session, case: Case, person: Person) -> None:
    record_event(session, "audit.case_view", case_id=case.id, data={"person_id": person.id})


def reveal_number(session: Session, cipher: DataCipher, contact: Contact, person: Person) -> str | None:
    """The caller's number, for a role allowed to see it; the reveal is audited (who, which contact)."""
    record_event(
        session,
        "audit.number_reveal",
        case_id=contact.case_id,
        contact_id=contact.id,
        data={"person_id": person.id},
    )
    return cipher.decrypt_optional(contact.caller_number_enc)


# Actions -------------------------------------------------------------------------------------------------------


class CaseActionError(ValueError):
    """An action the case's state does not allow; the message is an English msgid the view translates."""


def claim_conversation(
    session: Session, cipher: DataCipher, contact_id: int, person: Person, *, now: datetime, triage_rules: Any
) -> Case | None:
    """Take an SMS conversation no case was opened for yet: open its case (triaged on what was written), then
    claim it. INTEGRATION: the SMS flow will open cases itself; this stays for conversations it left alone."""
    contact = session.get(Contact, contact_id, with_for_update=True)
    if contact is None or contact.channel != Channel.SMS:
        return None
    if contact.case_id is None:
        case = open_case(session, language=contact.language, now=now)
        contact.case_id = case.id
        record_event(session, "case.contact", case_id=case.id, contact_id=contact.id, data={})
        written = session.scalars(
            select(Event.payload_enc).where(Event.contact_id == contact.id, Event.kind == "sms.in").order_by(Event.id)
        )
        texts = [cipher.decrypt_text(payload) for payload in written if payload is not None]
        retriage(session, case, triage_rules, texts=texts)
    case_id = contact.case_id
    return session.get(Case, case_id) if integration.claim(session, case_id, person, now=now) else None


def resolve(session: Session, case: Case, person: Person, *, outcome: str, now: datetime) -> None:
    if outcome not in OUTCOMES:
        raise CaseActionError(N_("Choose an outcome."))
    if case.status == CaseStatus.RESOLVED:
        return
    actor = f"person:{person.id}"
    session.add(
        CaseChange(case_id=case.id, at=now, actor=actor, field="status", old_value=case.status, new_value="resolved")
    )
    case.status = CaseStatus.RESOLVED
    case.outcome = outcome
    record_event(session, "case.resolved", case_id=case.id, data={"person_id": person.id, "outcome": outcome})
    session.flush()


def reprioritise(session: Session, case: Case, person: Person, *, priority: str, reason: str) -> None:
    if priority not in PRIORITIES:
        raise CaseActionError(N_("Choose a priority."))
    if not reason.strip():
        raise CaseActionError(N_("A reason is required to change a priority."))
    set_priority(session, case, priority, actor=f"person:{person.id}", reason=reason.strip()[:500])


def add_note(session: Session, cipher: DataCipher, case: Case, person: Person, *, text: str) -> None:
    if not text.strip():
        raise CaseActionError(N_("The note is empty."))
    record_event(
        session, "case.note", case_id=case.id, data={"person_id": person.id}, payload=text.strip(), cipher=cipher
    )


def reply(
    session: Session, cipher: DataCipher, file: CaseFile, person: Person, *, text: str, form_key: str
) -> OutboundMessage:
    """Queue an SMS reply to the case's texter (once per form: a double submit sends one message)."""
    body = text.strip()
    if not body:
        raise CaseActionError(N_("The reply is empty."))
    if len(body) > 1000:
        raise CaseActionError(N_("The reply is too long (1000 characters at most)."))
    if file.sms_contact is None or file.sms_contact.caller_number_enc is None:
        raise CaseActionError(N_("This case has no SMS conversation to reply to."))
    if file.opted_out:
        raise CaseActionError(N_("This number has opted out of texts (STOP): nothing can be sent."))
    try:  # the same path as the API: opt-out check, one message per request, the dispatcher takes over
        return send_reply(
            session, cipher, file.case, body=body, person_id=person.id, request_key=f"console:{form_key[:64]}"
        )
    except ReplyRefusedError as refused:
        if refused.code == "opted_out":
            raise CaseActionError(N_("This number has opted out of texts (STOP): nothing can be sent.")) from refused
        raise CaseActionError(N_("This case has no SMS conversation to reply to.")) from refused

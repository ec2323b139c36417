"""The dispatchers' queue: open cases by priority, then those nobody could answer, then age; claiming a case
(atomic: two dispatchers never get the same one), notes, resolving, and the case's detail. Services flush;
the caller commits. No caller number ever appears here (revealing one is its own audited service)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, defer

from tipline.cases.models import Case, CaseChange, CaseStatus
from tipline.cases.triage_service import case_reasons
from tipline.contacts.events import record_event
from tipline.contacts.models import Channel, Contact, ContactStatus, Event
from tipline.crypto import DataCipher
from tipline.db import among
from tipline.roster.models import Person, Role
from tipline.routing.models import OPEN_CALLBACK_STATES, CallbackRequest, QueuedCall, QueueState

OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.CLAIMED)
OUTCOMES = (
    "support_given",
    "referred",
    "information_recorded",
    "sent_to_investigators",
    "emergency_services",
    "unreachable",
    "duplicate",
    "no_action_needed",
)
LIVE_CALL_STATES = (QueueState.WAITING, QueueState.OFFERED, QueueState.BRIDGED)
READABLE_PAYLOADS = frozenset({"case.note", "case.tip_text", "case.followup_text"})
DEFAULT_LIMIT = 200


class ClaimResult(StrEnum):
    CLAIMED = "claimed"
    ALREADY_YOURS = "already_yours"
    TAKEN = "taken"  # someone else has it, or it is resolved
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class QueueEntry:
    case: Case
    kinds: tuple[str, ...]
    waiting_call: dict[str, Any] | None
    callback: dict[str, Any] | None

    def to_dict(self, now: datetime) -> dict[str, Any]:
        case = self.case
        return {
            "id": case.id,
            "reference": case.reference,
            "priority": case.priority,
            "status": case.status,
            "categories": list(case.categories),
            "language": case.language,
            "region": case.region,
            "assignee_id": case.assignee_id,
            "created_at": case.created_at.isoformat(),
            "age_seconds": max(0, int((now - case.created_at).total_seconds())),
            "missed": case.missed_at is not None,
            "missed_at": case.missed_at.isoformat() if case.missed_at else None,
            "kinds": list(self.kinds),
            "waiting_call": self.waiting_call,
            "callback": self.callback,
        }


def open_cases(session: Session, *, limit: int = DEFAULT_LIMIT) -> list[Case]:
    """Priority first; within a priority, the callers nobody answered first; then the oldest."""
    return list(
        session.scalars(
            select(Case)
            .options(defer(Case.triage_reasons))  # the detail shows them; the listing needs not load them
            .where(Case.status.in_(OPEN_STATUSES))
            .order_by(Case.priority, Case.missed_at.is_(None), Case.created_at, Case.id)
            .limit(limit)
        )
    )


def list_queue(session: Session, *, now: datetime, limit: int = DEFAULT_LIMIT) -> list[QueueEntry]:
    return describe_cases(session, open_cases(session, limit=limit), now=now)


def describe_cases(session: Session, cases: list[Case], *, now: datetime) -> list[QueueEntry]:
    """What each case holds — calls, a caller waiting now, an open callback, SMS, a tip, a message — in a few
    queries for the whole page."""
    ids = [case.id for case in cases]
    if not ids:
        return []
    kinds: dict[int, set[str]] = defaultdict(set)
    contacts = (
        select(Contact.case_id, Contact.channel, Contact.status).where(among(session, Contact.case_id, ids)).distinct()
    )
    for case_id, channel, status in session.execute(contacts):
        if case_id is None:
            continue
        if channel == Channel.SMS:
            kinds[case_id].add("sms_active" if status == ContactStatus.ACTIVE else "sms")
        else:
            kinds[case_id].add("call")
    waiting: dict[int, dict[str, Any]] = {}
    for call in session.scalars(
        select(QueuedCall).where(among(session, QueuedCall.case_id, ids), QueuedCall.state.in_(LIVE_CALL_STATES))
    ):
        kinds[call.case_id].add("waiting_call")
        waiting[call.case_id] = {
            "state": call.state,
            "language": call.language,
            "waiting_seconds": max(0, int((now - call.enqueued_at).total_seconds())),
        }
    callbacks: dict[int, dict[str, Any]] = {}
    for callback in session.scalars(
        select(CallbackRequest)
        .where(among(session, CallbackRequest.case_id, ids), CallbackRequest.state.in_(OPEN_CALLBACK_STATES))
        .order_by(CallbackRequest.id)
    ):
        kinds[callback.case_id].add("callback")
        callbacks[callback.case_id] = {
            "id": callback.id,
            "state": callback.state,
            "safe_time": callback.safe_time,
            "requested_at": callback.requested_at.isoformat(),
        }
    for case_id in session.scalars(
        select(Event.case_id).where(among(session, Event.case_id, ids), Event.kind == "routing.voicemail").distinct()
    ):
        if case_id is not None:
            kinds[case_id].add("voicemail")
    for case in cases:
        if case.pin_hash is not None:
            kinds[case.id].add("tip")
    return [
        QueueEntry(case, tuple(sorted(kinds[case.id])), waiting.get(case.id), callbacks.get(case.id)) for case in cases
    ]


def claim_case(session: Session, case_id: int, person: Person, *, now: datetime) -> ClaimResult:
    """One conditional UPDATE: whoever's update finds the case still new wins; the others see it taken."""
    claimed = session.execute(
        update(Case)
        .where(Case.id == case_id, Case.status == CaseStatus.NEW, Case.assignee_id.is_(None))
        .values(status=CaseStatus.CLAIMED, assignee_id=person.id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount == 1:  # type: ignore[attr-defined]
        actor = f"person:{person.id}"
        session.add_all(
            [
                CaseChange(case_id=case_id, at=now, actor=actor, field="status", old_value="new", new_value="claimed"),
                CaseChange(case_id=case_id, at=now, actor=actor, field="assignee", new_value=str(person.id)),
            ]
        )
        record_event(session, "case.claimed", case_id=case_id, data={"person_id": person.id})
        return ClaimResult.CLAIMED
    case = session.get(Case, case_id, populate_existing=True)
    if case is None:
        return ClaimResult.NOT_FOUND
    if case.assignee_id == person.id and case.status == CaseStatus.CLAIMED:
        return ClaimResult.ALREADY_YOURS
    return ClaimResult.TAKEN


def claim(session: Session, case_id: int, person: Person, *, now: datetime) -> bool:
    """``claim_case`` as the console's hook expects it: whether ``person`` holds the case now."""
    return claim_case(session, case_id, person, now=now) in (ClaimResult.CLAIMED, ClaimResult.ALREADY_YOURS)


def add_note(session: Session, cipher: DataCipher, case: Case, person: Person, text: str) -> Event:
    """A dispatcher's note: the text is stored encrypted in the case's timeline."""
    return record_event(
        session, "case.note", case_id=case.id, data={"person_id": person.id}, payload=text, cipher=cipher
    )


def resolve_case(session: Session, case: Case, person: Person, outcome: str, *, now: datetime) -> None:
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of: {', '.join(OUTCOMES)}")
    session.add(
        CaseChange(
            case_id=case.id,
            at=now,
            actor=f"person:{person.id}",
            field="status",
            old_value=case.status,
            new_value=CaseStatus.RESOLVED,
            reason=outcome,
        )
    )
    case.status = CaseStatus.RESOLVED
    case.outcome = outcome
    case.missed_at = None
    case.updated_at = now
    record_event(session, "case.resolved", case_id=case.id, data={"person_id": person.id, "outcome": outcome})


def may_view_case(session: Session, person: Person, case: Case) -> bool:
    """ÉSUP members see only cases that were escalated to them; everyone else with ``case.view`` sees all."""
    from tipline.escalation.services import is_escalated

    return person.role != Role.ESUP or is_escalated(session, case.id)


def case_detail(session: Session, cipher: DataCipher, case: Case, *, now: datetime) -> dict[str, Any]:
    entry = describe_cases(session, [case], now=now)[0]
    changes = session.scalars(
        select(CaseChange).where(CaseChange.case_id == case.id).order_by(CaseChange.at, CaseChange.id)
    )
    events = session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.at, Event.id))
    return {
        **entry.to_dict(now),
        "outcome": case.outcome,
        "triage_reasons": {**case.triage_reasons, "reasons": case_reasons(case, cipher)},
        "changes": [
            {
                "at": change.at.isoformat(),
                "actor": change.actor,
                "field": change.field,
                "old": change.old_value,
                "new": change.new_value,
                "reason": change.reason,
            }
            for change in changes
        ],
        "timeline": [
            {
                "at": event.at.isoformat(),
                "kind": event.kind,
                "data": event.data,
                **(
                    {"text": cipher.decrypt_text(event.payload_enc)}
                    if event.payload_enc is not None and event.kind in READABLE_PAYLOADS
                    else {}
                ),
            }
            for event in events
        ],
    }


def reveal_caller_number(session: Session, cipher: DataCipher, case: Case, person: Person) -> str | None:
    """The caller's number, for a role allowed to see it; every reveal is written to the case's timeline."""
    from tipline.routing.callbacks import caller_number

    found = caller_number(session, cipher, case.id)
    record_event(
        session, "case.number_revealed", case_id=case.id, data={"person_id": person.id, "found": found is not None}
    )
    return found[0] if found else None

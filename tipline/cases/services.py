"""Opening cases, tips with a reference code and PIN, and follow-ups. Services flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tipline.cases.models import Case, CaseStatus
from tipline.cases.references import hash_pin, is_well_formed, new_pin, new_reference, pin_matches
from tipline.contacts.events import record_event
from tipline.crypto import DataCipher
from tipline.db import utcnow

FOLLOWUP_FAILURES_BEFORE_LOCK = 5
FOLLOWUP_LOCK = timedelta(hours=1)


class FollowupResult(StrEnum):
    OK = "ok"
    BAD_CODE = "bad_code"
    BAD_PIN = "bad_pin"
    LOCKED = "locked"


@dataclass(frozen=True)
class NewTip:
    case: Case
    reference: str
    pin: str


def open_case(
    session: Session,
    *,
    language: str | None,
    priority: str = "P3",
    categories: list[str] | None = None,
    now: datetime | None = None,
) -> Case:
    """A new case with a unique reference code (retried on the rare collision), dated ``now`` (the line's
    clock, passed by callers that have it; the wall clock otherwise)."""
    now = now or utcnow()
    for _attempt in range(10):
        case = Case(
            reference=new_reference(),
            language=language,
            priority=priority,
            categories=categories or [],
            created_at=now,
            updated_at=now,
        )
        try:
            with session.begin_nested():
                session.add(case)
        except IntegrityError:
            continue
        record_event(session, "case.opened", case_id=case.id, data={"priority": priority})
        return case
    raise RuntimeError("could not find a free reference code")


def issue_tip_credentials(case: Case, cipher: DataCipher) -> str:
    """Give ``case`` a fresh PIN (returned once, stored only hashed)."""
    pin = new_pin()
    case.pin_hash = hash_pin(pin, cipher)
    return pin


def verify_followup(
    session: Session, *, reference: str, pin: str, cipher: DataCipher, now: datetime
) -> tuple[FollowupResult, Case | None]:
    """Check a reference code and PIN. Repeated wrong PINs lock the code for a while, whoever tries."""
    if not is_well_formed(reference):
        return FollowupResult.BAD_CODE, None
    case = session.scalar(select(Case).where(Case.reference == reference).with_for_update())
    if case is None or case.pin_hash is None:
        return FollowupResult.BAD_CODE, None
    if case.followup_locked_until is not None and case.followup_locked_until > now:
        return FollowupResult.LOCKED, None
    if not pin_matches(pin, case.pin_hash, cipher):
        case.followup_failures += 1
        record_event(session, "case.followup_refused", case_id=case.id, data={"failures": case.followup_failures})
        if case.followup_failures >= FOLLOWUP_FAILURES_BEFORE_LOCK:
            case.followup_failures = 0
            case.followup_locked_until = now + FOLLOWUP_LOCK
            record_event(session, "case.followup_locked", case_id=case.id, data={})
            return FollowupResult.LOCKED, None
        return FollowupResult.BAD_PIN, None
    case.followup_failures = 0
    if case.status == CaseStatus.RESOLVED:
        case.status = CaseStatus.NEW  # new information reopens the case for the dispatchers
    record_event(session, "case.followup", case_id=case.id, data={})
    return FollowupResult.OK, case

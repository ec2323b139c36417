"""Escalating a crisis case: trigger, move from step to step, react to delivery outcomes, acknowledge.

Services flush; the caller (a webhook, a job, the watchdog, an API view) commits. Every function that moves
an escalation takes its row lock first, so a timer, the watchdog and a status callback racing each other move
it once. Every alert is an outbox row keyed ``esc:<id>:step:<n>:<person>:<channel>``: however often a step is
started, each person gets one alert per channel per step.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tipline.cases.models import Case
from tipline.cases.triage_service import on_p1
from tipline.contacts.events import record_event
from tipline.escalation import messages
from tipline.escalation.models import (
    FAILED_STATES,
    OPEN_STATES,
    AttemptState,
    Escalation,
    EscalationAttempt,
    EscalationState,
)
from tipline.escalation.policy import Plan, policy
from tipline.outbox.models import OutboundKind, OutboundMessage, OutboundState
from tipline.outbox.services import on_outcome, queue_outbound
from tipline.roster.models import Person, Role
from tipline.roster.services import on_duty
from tipline.runtime import runtime

log = logging.getLogger("tipline.escalation")
ALERT_PURPOSE = "alert"
VOICE_ALERT_PATH = "/twilio/alerts/voice"
RING_SECONDS = 30
ACK_ROLES = frozenset({Role.ESUP.value, Role.SUPERVISOR.value})
CODE_REUSE_AFTER = timedelta(days=1)


class AckOutcome(StrEnum):
    ACKNOWLEDGED = "acknowledged"
    ALREADY = "already"  # someone (maybe the same person) acknowledged it before


@dataclass(frozen=True)
class AckResult:
    outcome: AckOutcome
    escalation: Escalation
    by: Person | None


def _now() -> datetime:
    return runtime().clock.now()


def _event(session: Session, escalation: Escalation, kind: str, **data: object) -> None:
    """One line of the case's timeline; ``at`` is the line's clock (tests move it)."""
    now = _now()
    event = record_event(
        session,
        f"escalation.{kind}",
        case_id=escalation.case_id,
        data={"escalation_id": escalation.id, "at": now.isoformat(), **data},
    )
    event.at = now


def _locked(session: Session, escalation_id: int) -> Escalation | None:
    return session.get(Escalation, escalation_id, with_for_update=True, populate_existing=True)


def open_escalation(session: Session, case_id: int) -> Escalation | None:
    return session.scalar(select(Escalation).where(Escalation.active_case_id == case_id))


def _new_code(session: Session, now: datetime) -> str:
    taken = set(
        session.scalars(
            select(Escalation.code).where(
                (Escalation.active_case_id.is_not(None)) | (Escalation.triggered_at > now - CODE_REUSE_AFTER)
            )
        )
    )
    code = ""
    for _attempt in range(50):
        code = str(secrets.choice("123456789")) + "".join(secrets.choice("0123456789") for _ in range(3))
        if code not in taken:
            break
    return code


# Trigger -----------------------------------------------------------------------------------------------------


def trigger(session: Session, case: Case, *, source: str, actor_id: int | None = None) -> tuple[Escalation, bool]:
    """Start escalating ``case``, or join the escalation already running. Returns (escalation, started).

    Only the escalation row and the job that starts it are written here: the caller's transaction (an IVR
    step, a text) stays short, and the first step's alerts are queued by a job a moment after commit."""
    from tipline.escalation.tasks import advance_escalation

    running = open_escalation(session, case.id)
    if running is not None:
        _event(session, running, "joined", source=source, by=actor_id)
        return running, False
    now = _now()
    escalation = Escalation(
        case_id=case.id,
        active_case_id=case.id,
        code=_new_code(session, now),
        source=source,
        triggered_by_id=actor_id,
        plan=policy().plan.to_dict(),
        step=-1,
        next_step_at=now,
        triggered_at=now,
    )
    try:
        with session.begin_nested():
            session.add(escalation)
    except IntegrityError:  # another transaction started one for this case first: join it
        running = open_escalation(session, case.id)
        if running is None:
            raise
        _event(session, running, "joined", source=source, by=actor_id)
        return running, False
    _event(session, escalation, "triggered", source=source, by=actor_id, priority=case.priority)
    advance_escalation.enqueue(
        session, escalation_id=escalation.id, to_step=0, run_at=now, key=f"esc:{escalation.id}:advance:0"
    )
    return escalation, True


@on_p1
def escalate_new_p1(session: Session, case: Case) -> None:
    """A case became P1 (IVR, text, triage or a dispatcher): the on-call ÉSUP member is alerted."""
    trigger(session, case, source="p1")


# Steps -------------------------------------------------------------------------------------------------------


def _by_language(people: Sequence[Person], language: str | None) -> list[Person]:
    """Those who speak the caller's language first; otherwise the roster's order (by name)."""
    return sorted(people, key=lambda person: language is not None and language not in person.languages)


def resolve_targets(session: Session, targets: Sequence[str], case: Case, at: datetime) -> list[Person]:
    esup = _by_language(on_duty(session, at=at, role=Role.ESUP), case.language)
    supervisors = _by_language(on_duty(session, at=at, role=Role.SUPERVISOR), case.language)
    chosen: list[Person] = []
    for target in targets:
        if target == "esup_on_call":
            chosen += esup[:1]
        elif target == "esup_next":
            chosen += esup[1:2]
        elif target == "supervisor_on_duty":
            chosen += supervisors[:1]
    unique: list[Person] = []
    for person in chosen:
        if person not in unique:
            unique.append(person)
    return unique


def _over_rate_limit(session: Session, person_id: int, now: datetime) -> bool:
    rules = policy()
    recent = session.scalar(
        select(func.count(EscalationAttempt.id)).where(
            EscalationAttempt.person_id == person_id,
            EscalationAttempt.state != AttemptState.LIMITED,
            EscalationAttempt.created_at > now - rules.rate_limit_window,
        )
    )
    return (recent or 0) >= rules.rate_limit_max


def _alerted_before(session: Session, escalation_id: int) -> bool:
    """Whether an alert of this escalation already went out (or is on its way)."""
    found = session.scalar(
        select(EscalationAttempt.id)
        .where(
            EscalationAttempt.escalation_id == escalation_id,
            EscalationAttempt.state.not_in([AttemptState.LIMITED, AttemptState.FAILED]),
        )
        .limit(1)
    )
    return found is not None


def _alert(
    session: Session, escalation: Escalation, case: Case, person: Person, step: int, channel_index: int
) -> EscalationAttempt:
    """Queue one alert (an outbox row sent by a job), unless this step already alerted this person so."""
    channel = Plan.from_dict(escalation.plan).step(step).channels[channel_index]
    existing = session.scalar(
        select(EscalationAttempt).where(
            EscalationAttempt.escalation_id == escalation.id,
            EscalationAttempt.step == step,
            EscalationAttempt.person_id == person.id,
            EscalationAttempt.channel == channel,
        )
    )
    if existing is not None:
        return existing
    now = _now()
    # Never held back: the case's first alert that actually leaves, whatever step it comes at.
    first_alert = not _alerted_before(session, escalation.id)
    limited = not first_alert and _over_rate_limit(session, person.id, now)
    attempt = EscalationAttempt(
        escalation_id=escalation.id,
        step=step,
        person_id=person.id,
        channel=channel,
        channel_index=channel_index,
        created_at=now,
    )
    session.add(attempt)
    if person.phone_enc is None or limited:
        attempt.state = AttemptState.LIMITED if person.phone_enc is not None else AttemptState.FAILED
        attempt.settled_at = now
        session.flush()
        reason = "rate_limited" if person.phone_enc is not None else "no_phone"
        _event(session, escalation, "alert_held", step=step, person_id=person.id, channel=channel, reason=reason)
        return attempt
    rt = runtime()
    rules = policy()
    key = f"esc:{escalation.id}:step:{step}:{person.id}:{channel}"
    to = rt.cipher.decrypt_text(person.phone_enc)
    if channel == "sms":
        message = queue_outbound(
            session,
            rt.cipher,
            kind=OutboundKind.SMS,
            purpose=ALERT_PURPOSE,
            to=to,
            body=messages.sms_alert(rules, escalation, case, person),
            idempotency_key=key,
            case_id=case.id,
            person_id=person.id,
        )
    else:
        message = queue_outbound(
            session,
            rt.cipher,
            kind=OutboundKind.CALL,
            purpose=ALERT_PURPOSE,
            to=to,
            idempotency_key=key,
            case_id=case.id,
            person_id=person.id,
            options={"path": VOICE_ALERT_PATH, "ring_seconds": RING_SECONDS},
        )
    attempt.outbound_id = message.id
    session.flush()
    _event(session, escalation, "alert_queued", step=step, person_id=person.id, channel=channel, outbox_id=message.id)
    return attempt


def move_to_step(session: Session, escalation: Escalation, number: int, *, reason: str) -> None:
    """Start step ``number`` of a locked, active escalation (steps nobody can be alerted in are passed at once);
    past the last step, the escalation is exhausted. Schedules the timer of the following step."""
    from tipline.escalation.tasks import advance_escalation

    plan = Plan.from_dict(escalation.plan)
    case = session.get(Case, escalation.case_id)
    if case is None:
        return
    now = _now()
    found_nobody = 0
    while True:
        if number >= plan.total:
            escalation.state = EscalationState.EXHAUSTED
            escalation.next_step_at = now
            _event(session, escalation, "exhausted", steps=plan.total)
            return
        step = plan.step(number)
        escalation.step = number
        escalation.next_step_at = now + step.delay
        _event(
            session,
            escalation,
            "step",
            step=number,
            name=step.name,
            round=number // len(plan.steps),
            reason=reason,
            due=escalation.next_step_at.isoformat(),
        )
        attempts = [
            _alert(session, escalation, case, person, number, 0)
            for person in resolve_targets(session, step.targets, case, now)
        ]
        if not attempts:
            _event(session, escalation, "no_target", step=number, targets=list(step.targets))
            found_nobody += 1
            if found_nobody >= len(plan.steps):
                # A whole round found nobody to alert: rather than burn through the repeats at once, wait
                # this step's delay and look again (someone may come on duty, a roster may be fixed).
                log.error("escalation %s: nobody on duty to alert; retrying after the step's delay", escalation.id)
                break
        if any(attempt.state not in FAILED_STATES for attempt in attempts):
            break
        reason = "no_target" if not attempts else "delivery_failed"
        number += 1
    advance_escalation.enqueue(
        session,
        escalation_id=escalation.id,
        to_step=number + 1,
        run_at=escalation.next_step_at,
        key=f"esc:{escalation.id}:advance:{number + 1}",
    )


def advance(session: Session, escalation_id: int, to_step: int, *, reason: str) -> bool:
    """Move to ``to_step`` if the escalation is still active and still at the step before. Returns whether
    it moved (a timer, the watchdog and a failure callback may all ask; one of them does it)."""
    escalation = _locked(session, escalation_id)
    if escalation is None or escalation.state != EscalationState.ACTIVE or escalation.step != to_step - 1:
        return False
    move_to_step(session, escalation, to_step, reason=reason)
    return True


# Delivery outcomes -------------------------------------------------------------------------------------------


def _step_failed(session: Session, escalation_id: int, step: int) -> bool:
    """Every person of the step failed on their last channel (a newer channel's attempt exists otherwise)."""
    attempts = session.scalars(
        select(EscalationAttempt)
        .where(EscalationAttempt.escalation_id == escalation_id, EscalationAttempt.step == step)
        .order_by(EscalationAttempt.channel_index)
    ).all()
    latest: dict[int, EscalationAttempt] = {}
    for attempt in attempts:
        latest[attempt.person_id] = attempt
    return bool(latest) and all(attempt.state in FAILED_STATES for attempt in latest.values())


def after_failure(session: Session, attempt: EscalationAttempt) -> None:
    """A failed alert moves on at once: the person's next channel, else (everyone failed) the next step."""
    escalation = _locked(session, attempt.escalation_id)
    if escalation is None or escalation.state != EscalationState.ACTIVE or attempt.step != escalation.step:
        return
    channels = Plan.from_dict(escalation.plan).step(attempt.step).channels
    if attempt.channel_index + 1 < len(channels):
        person = session.get(Person, attempt.person_id)
        case = session.get(Case, escalation.case_id)
        if person is not None and case is not None:
            _event(
                session,
                escalation,
                "moved_on",
                step=attempt.step,
                person_id=person.id,
                to_channel=channels[attempt.channel_index + 1],
                reason="delivery_failed",
            )
            following = _alert(session, escalation, case, person, attempt.step, attempt.channel_index + 1)
            if following.state not in FAILED_STATES:
                return
    if _step_failed(session, escalation.id, escalation.step):
        _event(session, escalation, "moved_on", step=escalation.step, to_step=escalation.step + 1, reason="failed")
        move_to_step(session, escalation, escalation.step + 1, reason="delivery_failed")


@on_outcome(ALERT_PURPOSE)
def alert_outcome(session: Session, message: OutboundMessage) -> None:
    """An alert was delivered (or its call answered), or it failed: record it; a failure moves on."""
    attempt = session.scalar(select(EscalationAttempt).where(EscalationAttempt.outbound_id == message.id))
    if attempt is None:
        return
    escalation = session.get(Escalation, attempt.escalation_id)
    if escalation is None:
        return
    settled = attempt.state in (AttemptState.DELIVERED, AttemptState.FAILED, AttemptState.CANCELLED)
    if settled:
        return
    was_in_doubt = attempt.state == AttemptState.IN_DOUBT
    attempt.settled_at = _now()
    common = {"step": attempt.step, "person_id": attempt.person_id, "channel": attempt.channel, "outbox_id": message.id}
    if message.state == OutboundState.DELIVERED:
        attempt.state = AttemptState.DELIVERED
        _event(session, escalation, "alert_delivered", **common)
        return
    attempt.state = AttemptState.FAILED
    attempt.error_code = message.error_code
    _event(session, escalation, "alert_failed", **common, error_code=message.error_code)
    if not was_in_doubt:  # an in-doubt alert already moved on when it was found stuck
        after_failure(session, attempt)


def mark_in_doubt(session: Session, attempt: EscalationAttempt) -> None:
    """A send interrupted after it started (the worker died): never sent again; the next channel is tried."""
    escalation = session.get(Escalation, attempt.escalation_id)
    if escalation is None:
        return
    attempt.state = AttemptState.IN_DOUBT
    _event(
        session,
        escalation,
        "alert_in_doubt",
        step=attempt.step,
        person_id=attempt.person_id,
        channel=attempt.channel,
        outbox_id=attempt.outbound_id,
    )
    after_failure(session, attempt)


# Acknowledgement ---------------------------------------------------------------------------------------------


def find_by_code(session: Session, code: str) -> Escalation | None:
    """The open escalation with this code, else the one most recently acknowledged (a late reply)."""
    now = _now()
    candidates = session.scalars(
        select(Escalation)
        .where(Escalation.code == code, Escalation.triggered_at > now - CODE_REUSE_AFTER)
        .order_by(Escalation.triggered_at.desc())
    ).all()
    return next((e for e in candidates if e.state in OPEN_STATES), candidates[0] if candidates else None)


def acknowledge(session: Session, escalation_id: int, person: Person, *, via: str) -> AckResult | None:
    """``person`` takes the case: the chain stops, alerts not yet sent are cancelled. A late acknowledgement
    learns who was first. None when there is no such escalation."""
    escalation = _locked(session, escalation_id)
    if escalation is None:
        return None
    now = _now()
    if escalation.state == EscalationState.ACKNOWLEDGED:
        first = session.get(Person, escalation.acknowledged_by_id) if escalation.acknowledged_by_id else None
        _event(session, escalation, "late_acknowledgement", person_id=person.id, via=via)
        return AckResult(AckOutcome.ALREADY, escalation, first)
    escalation.state = EscalationState.ACKNOWLEDGED
    escalation.acknowledged_by_id = person.id
    escalation.acknowledged_at = now
    escalation.acknowledged_via = via
    escalation.active_case_id = None
    escalation.closed_at = now
    cancelled = _cancel_unsent(session, escalation.id, now)
    _event(session, escalation, "acknowledged", person_id=person.id, via=via, cancelled=cancelled)
    session.flush()
    return AckResult(AckOutcome.ACKNOWLEDGED, escalation, person)


def _cancel_unsent(session: Session, escalation_id: int, now: datetime) -> int:
    waiting = session.scalars(
        select(EscalationAttempt).where(
            EscalationAttempt.escalation_id == escalation_id,
            EscalationAttempt.state == AttemptState.QUEUED,
            EscalationAttempt.outbound_id.is_not(None),
        )
    ).all()
    ids = [attempt.outbound_id for attempt in waiting]
    if not ids:
        return 0
    session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id.in_(ids), OutboundMessage.state == OutboundState.PENDING)
        .values(state=OutboundState.CANCELLED)
        .execution_options(synchronize_session=False)
    )
    cancelled = set(
        session.scalars(
            select(OutboundMessage.id).where(
                OutboundMessage.id.in_(ids), OutboundMessage.state == OutboundState.CANCELLED
            )
        )
    )
    for attempt in waiting:
        if attempt.outbound_id in cancelled:
            attempt.state = AttemptState.CANCELLED
            attempt.settled_at = now
    return len(cancelled)


def may_acknowledge(person: Person) -> bool:
    return person.active and person.role in ACK_ROLES


def escalated_case_ids() -> Select[Any]:
    """Ids of the cases that were ever escalated: what ÉSUP members may see."""
    return select(Escalation.case_id).distinct()


def is_escalated(session: Session, case_id: int) -> bool:
    return session.scalar(select(Escalation.id).where(Escalation.case_id == case_id).limit(1)) is not None

"""Where the console meets the services of the queue and of the escalation: claiming a case, which cases are
escalated (what ÉSUP members may see), and acknowledging an escalation from the console."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tipline.cases.queue import claim
from tipline.escalation import services as escalations
from tipline.escalation.models import OPEN_STATES, Escalation
from tipline.roster.models import Person

__all__ = ["OpenEscalation", "acknowledge", "claim", "open_escalations"]


@dataclass(frozen=True)
class OpenEscalation:
    """One escalation waiting for (or given) an ÉSUP acknowledgement, as the console shows it."""

    escalation_id: int
    case_id: int
    started_at: datetime
    acknowledged: bool
    step: str = ""


def open_escalations(session: Session, person: Person) -> list[OpenEscalation]:
    """The latest escalation of each escalated case, acknowledged or not (oldest first)."""
    latest: dict[int, Escalation] = {}
    for row in session.scalars(select(Escalation).order_by(Escalation.triggered_at, Escalation.id)):
        latest[row.case_id] = row
    return [
        OpenEscalation(
            escalation_id=row.id,
            case_id=row.case_id,
            started_at=row.triggered_at,
            acknowledged=row.state not in OPEN_STATES,
            step=str(row.step + 1) if row.step >= 0 else "",
        )
        for row in latest.values()
    ]


def acknowledge(session: Session, case_id: int, person: Person) -> bool:
    """Acknowledge the case's open escalation from the console; whether there was one to acknowledge."""
    escalation = escalations.open_escalation(session, case_id)
    if escalation is None:
        return False
    result = escalations.acknowledge(session, escalation.id, person, via="console")
    return result is not None and result.outcome == escalations.AckOutcome.ACKNOWLEDGED

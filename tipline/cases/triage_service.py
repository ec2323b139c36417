"""Triage on cases: each new answer or text is assessed; the priority only rises (a human may lower it, with
a reason); every change is audited with the reasons that produced it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.orm import Session

from tipline.cases.models import PRIORITIES, Case, CaseChange
from tipline.contacts.events import record_event
from tipline.triage import TriageRules, assess

P1Listener = Callable[[Session, Case], None]
_P1_LISTENERS: list[P1Listener] = []


def on_p1(listener: P1Listener) -> P1Listener:
    """Register what must happen when a case becomes P1 (the ÉSUP escalation)."""
    _P1_LISTENERS.append(listener)
    return listener


def _rank(priority: str) -> int:
    return PRIORITIES.index(priority)


def _merge_reasons(existing: dict[str, Any], new: list[dict[str, Any]]) -> dict[str, Any]:
    reasons: list[dict[str, Any]] = list(existing.get("reasons", []))
    seen = {(reason.get("rule_id"), tuple(reason.get("matched", ()))) for reason in reasons}
    for reason in new:
        key = (reason.get("rule_id"), tuple(reason.get("matched", ())))
        if key not in seen:
            reasons.append(reason)
            seen.add(key)
    return {**existing, "reasons": reasons}


def retriage(
    session: Session,
    case: Case,
    rules: TriageRules,
    *,
    choices: Iterable[str] = (),
    texts: Iterable[str] = (),
    actor: str = "triage",
) -> None:
    """Assess new input for ``case`` and raise its priority and categories where the result says so."""
    result = assess(choices=list(choices), texts=list(texts), rules=rules)
    found = result.to_dict()
    case.triage_reasons = _merge_reasons(
        {**case.triage_reasons, "rules_version": found.get("rules_version")}, list(found.get("reasons", []))
    )
    categories = sorted(set(case.categories) | set(result.categories))
    if categories != sorted(case.categories):
        session.add(
            CaseChange(
                case_id=case.id,
                actor=actor,
                field="categories",
                old_value=",".join(sorted(case.categories)),
                new_value=",".join(categories),
                details={"reasons": found.get("reasons", [])},
            )
        )
        case.categories = categories
    if _rank(result.priority) < _rank(case.priority):
        set_priority(session, case, result.priority, actor=actor, reason="triage", details=found)


def set_priority(
    session: Session, case: Case, priority: str, *, actor: str, reason: str, details: dict[str, Any] | None = None
) -> None:
    """Change the priority (a person lowering it must give a reason), audited; a new P1 starts escalation."""
    if priority not in PRIORITIES:
        raise ValueError(f"unknown priority {priority!r}")
    if priority == case.priority:
        return
    if not reason.strip():
        raise ValueError("a reason is required to change a priority")
    session.add(
        CaseChange(
            case_id=case.id,
            actor=actor,
            field="priority",
            old_value=case.priority,
            new_value=priority,
            reason=reason,
            details=details or {},
        )
    )
    record_event(session, "case.priority", case_id=case.id, data={"from": case.priority, "to": priority})
    case.priority = priority
    session.flush()
    if priority == "P1":
        for listener in _P1_LISTENERS:
            listener(session, case)

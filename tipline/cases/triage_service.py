"""Triage on cases: each new answer or text is assessed; the priority only rises (a human may lower it, with
a reason); every change is audited with the reasons that produced it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.orm import Session

from tipline.cases.models import PRIORITIES, Case, CaseChange
from tipline.contacts.events import record_event
from tipline.crypto import DataCipher
from tipline.runtime import runtime
from tipline.triage import TriageRules, assess

P1Listener = Callable[[Session, Case], None]
_P1_LISTENERS: list[P1Listener] = []


def on_p1(listener: P1Listener) -> P1Listener:
    """Register what must happen when a case becomes P1 (the ÉSUP escalation)."""
    _P1_LISTENERS.append(listener)
    return listener


def _rank(priority: str) -> int:
    return PRIORITIES.index(priority)


def case_reasons(case: Case, cipher: DataCipher) -> list[dict[str, Any]]:
    """The case's triage reasons with the words each rule matched (decrypted), for the people who may see it."""
    matched: list[list[str]] = (
        json.loads(cipher.decrypt_text(case.triage_matched_enc)) if case.triage_matched_enc else []
    )
    reasons = [dict(reason) for reason in case.triage_reasons.get("reasons", [])]
    for index, reason in enumerate(reasons):
        reason["matched"] = matched[index] if index < len(matched) else []
    return reasons


def _without_words(reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{name: value for name, value in reason.items() if name != "matched"} for reason in reasons]


def _store_reasons(case: Case, cipher: DataCipher, reasons: list[dict[str, Any]], rules_version: Any) -> None:
    case.triage_reasons = {"rules_version": rules_version, "reasons": _without_words(reasons)}
    words = [list(reason.get("matched", [])) for reason in reasons]
    case.triage_matched_enc = cipher.encrypt(json.dumps(words, ensure_ascii=False))


def _merge_reasons(existing: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    reasons = list(existing)
    seen = {(reason.get("rule_id"), tuple(reason.get("matched", ()))) for reason in reasons}
    for reason in new:
        key = (reason.get("rule_id"), tuple(reason.get("matched", ())))
        if key not in seen:
            reasons.append(reason)
            seen.add(key)
    return reasons


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
    cipher = runtime().cipher
    new_reasons = list(found.get("reasons", []))
    _store_reasons(case, cipher, _merge_reasons(case_reasons(case, cipher), new_reasons), found.get("rules_version"))
    categories = sorted(set(case.categories) | set(result.categories))
    if categories != sorted(case.categories):
        session.add(
            CaseChange(
                case_id=case.id,
                actor=actor,
                field="categories",
                old_value=",".join(sorted(case.categories)),
                new_value=",".join(categories),
                details={"reasons": _without_words(new_reasons)},
            )
        )
        case.categories = categories
    if _rank(result.priority) < _rank(case.priority):
        details = {"rules_version": found.get("rules_version"), "reasons": _without_words(new_reasons)}
        set_priority(session, case, result.priority, actor=actor, reason="triage", details=details)


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

"""Acknowledging an alert by text: "4821 OK" from a registered ÉSUP or supervisor phone.

Registered with ``@on_staff_sms``: the inbound SMS webhook calls ``staff_reply`` for texts from staff phones,
and the answer returned here is the reply. Texts that do not look like an acknowledgement are not ours."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy.orm import Session

from tipline.cases.models import Case
from tipline.escalation import messages
from tipline.escalation.policy import policy
from tipline.escalation.services import AckOutcome, acknowledge, find_by_code, may_acknowledge
from tipline.roster.models import Person
from tipline.webhooks.staff_sms import on_staff_sms

ACK_WORDS = r"(?:ok|okay|oui|yes|ack|accepte|accept|recu|pris)"
ACK_REPLY = re.compile(rf"^(?:{ACK_WORDS}\W*)?(\d{{4}})(?:\W*{ACK_WORDS})?\W*$")
LOOKS_LIKE_ACK = re.compile(rf"^\W*{ACK_WORDS}\W*$|\b\d{{4}}\b")


def _plain(body: str) -> str:
    text = unicodedata.normalize("NFKD", body.strip().lower())
    return "".join(char for char in text if not unicodedata.combining(char))


def parse_reply(body: str) -> tuple[bool, str | None]:
    """(is this meant as an acknowledgement, the code if one was given)."""
    text = _plain(body)
    found = ACK_REPLY.match(text)
    if found:
        return True, found.group(1)
    return bool(LOOKS_LIKE_ACK.search(text)), None


@on_staff_sms
def sms_acknowledgement(session: Session, person: Person, body: str) -> str | None:
    meant, code = parse_reply(body)
    if not meant:
        return None
    rules = policy()
    lang = messages.reader_language(person)
    if not may_acknowledge(person):
        return rules.text("not_allowed", lang)
    escalation = find_by_code(session, code) if code else None
    if escalation is None:
        return rules.text("unknown_code", lang)
    result = acknowledge(session, escalation.id, person, via="sms")
    case = session.get(Case, escalation.case_id)
    if result is None or case is None:
        return rules.text("unknown_code", lang)
    name = result.by.name if result.by is not None else "?"
    return messages.acknowledged_text(
        rules, name, result.escalation, case, person, already=result.outcome == AckOutcome.ALREADY
    )

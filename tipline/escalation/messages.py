"""The words of an alert, in the recipient's language: the minimum an ÉSUP member needs to act — the case
reference, priority, categories, the caller's language, where the console is, and the code to acknowledge.
Never the caller's number or words."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tipline.cases.models import Case
from tipline.escalation.models import Escalation
from tipline.escalation.policy import LANGS, Policy
from tipline.ivr.scripts import scripts
from tipline.roster.models import Person
from tipline.runtime import runtime


def reader_language(person: Person | None) -> str:
    """The language a staff member reads first: their first language, French by default."""
    if person is not None and person.languages and person.languages[0] in LANGS:
        return person.languages[0]
    return "fr"


def console_url() -> str:
    return runtime().settings.callback_base_url + "/console/"


def category_labels(case: Case, lang: str) -> str:
    triage = scripts().triage
    labels = [triage.label(c, lang) if c in triage.categories else c for c in case.categories]
    return ", ".join(labels) or ("aucune" if lang == "fr" else "none")


def spoken_reference(reference: str) -> str:
    """Digits read one by one."""
    return " ".join(reference)


def local_time(moment: datetime) -> str:
    zone: ZoneInfo = runtime().settings.zone
    return moment.astimezone(zone).strftime("%H:%M")


def alert_values(policy: Policy, escalation: Escalation, case: Case, lang: str) -> dict[str, str]:
    return {
        "priority": case.priority,
        "reference": case.reference,
        "categories": category_labels(case, lang),
        "caller_language": policy.language_name(case.language, lang),
        "console_url": console_url(),
        "code": escalation.code,
    }


def sms_alert(policy: Policy, escalation: Escalation, case: Case, person: Person) -> str:
    lang = reader_language(person)
    return policy.text("sms_alert", lang, **alert_values(policy, escalation, case, lang))


def voice_alert(policy: Policy, escalation: Escalation, case: Case, person: Person | None) -> str:
    lang = reader_language(person)
    values = alert_values(policy, escalation, case, lang)
    values["reference"] = spoken_reference(case.reference)
    return policy.text("voice_alert", lang, **values)


def acknowledged_text(
    policy: Policy, name: str, escalation: Escalation, case: Case, reader: Person | None, *, already: bool
) -> str:
    lang = reader_language(reader)
    when = local_time(escalation.acknowledged_at) if escalation.acknowledged_at else ""
    if already:
        return policy.text("already_acknowledged", lang, code=escalation.code, name=name, time=when)
    return policy.text(
        "ack_confirmed",
        lang,
        code=escalation.code,
        name=name,
        time=when,
        reference=case.reference,
        console_url=console_url(),
    )

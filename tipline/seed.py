"""Demo data for the embedded default: a roster that covers the clock with French- and English-speaking
dispatchers, ÉSUP members and a supervisor, on fictional 514-555-01xx numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tipline.crypto import DataCipher
from tipline.roster.models import Person, Role, Shift


@dataclass(frozen=True)
class DemoPerson:
    name: str
    role: Role
    languages: tuple[str, ...]
    phone: str


DEMO_ROSTER = (
    DemoPerson("Camille Tremblay", Role.DISPATCHER, ("fr", "en"), "+15145550101"),
    DemoPerson("Marie-Ève Gagnon", Role.DISPATCHER, ("fr",), "+15145550102"),
    DemoPerson("Jordan Smith", Role.DISPATCHER, ("en",), "+15145550103"),
    DemoPerson("Nadia Bouchard", Role.ESUP, ("fr", "en"), "+15145550104"),
    DemoPerson("Alex Roy", Role.ESUP, ("fr",), "+15145550105"),
    DemoPerson("Sophie Lavoie", Role.SUPERVISOR, ("fr", "en"), "+15145550106"),
)


def seed_demo(session: Session, cipher: DataCipher, *, now: datetime) -> list[DemoPerson]:
    """Add the demo roster when nobody is on it yet. Returns what was added (nothing if not empty)."""
    if session.scalar(select(func.count()).select_from(Person)):
        return []
    for demo in DEMO_ROSTER:
        person = Person(
            name=demo.name,
            role=demo.role,
            languages=list(demo.languages),
            phone_enc=cipher.encrypt(demo.phone),
            phone_hash=cipher.lookup_hash(demo.phone),
        )
        session.add(person)
        session.flush()
        session.add(Shift(person_id=person.id, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=365)))
    return list(DEMO_ROSTER)

"""Demo data for the embedded default: a roster whose rotations cover the clock, on fictional 514-555-01xx
numbers. Days 08:00–20:00, nights 20:00–08:00, local time:

* dispatchers — days: Camille (fr, en); nights: Marie-Ève (fr) and Jordan (en): French and English always on;
* ÉSUP — days: Nadia; nights: Alex;
* supervisors — days: Sophie; nights: Olivier;
* an admin (no rotation), for the console.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tipline.crypto import DataCipher
from tipline.roster.models import Person, Role, Rotation
from tipline.roster.schedule import WEEKDAYS

DAY = (time(8, 0), time(20, 0))
NIGHT = (time(20, 0), time(8, 0))


@dataclass(frozen=True)
class DemoPerson:
    name: str
    role: Role
    languages: tuple[str, ...]
    phone: str
    code: str = ""
    email: str = ""
    hours: tuple[time, time] | None = None  # daily rotation, local time; None: no rotation

    @property
    def shift(self) -> str:
        """The rotation as text (``08:00–20:00``), empty without one."""
        if self.hours is None:
            return ""
        return f"{self.hours[0]:%H:%M}–{self.hours[1]:%H:%M}"


DEMO_ROSTER = (
    DemoPerson("Camille Tremblay", Role.DISPATCHER, ("fr", "en"), "+15145550101", "D-101", "camille@example.org", DAY),
    DemoPerson("Marie-Ève Gagnon", Role.DISPATCHER, ("fr",), "+15145550102", "D-102", "marie-eve@example.org", NIGHT),
    DemoPerson("Jordan Smith", Role.DISPATCHER, ("en",), "+15145550103", "D-103", "jordan@example.org", NIGHT),
    DemoPerson("Nadia Bouchard", Role.ESUP, ("fr", "en"), "+15145550104", "E-201", "nadia@example.org", DAY),
    DemoPerson("Alex Roy", Role.ESUP, ("fr", "en"), "+15145550105", "E-202", "alex@example.org", NIGHT),
    DemoPerson("Sophie Lavoie", Role.SUPERVISOR, ("fr", "en"), "+15145550106", "S-301", "sophie@example.org", DAY),
    DemoPerson("Olivier Côté", Role.SUPERVISOR, ("fr", "en"), "+15145550107", "S-302", "olivier@example.org", NIGHT),
    DemoPerson("Louise Bergeron", Role.ADMIN, ("fr", "en"), "+15145550108", "A-401", "louise@example.org"),
)


def seed_demo(session: Session, cipher: DataCipher, *, now: datetime) -> list[DemoPerson]:
    """Add the demo roster when nobody is on it yet. Returns what was added (nothing if not empty).

    Rotations run every day with no start date, so whatever ``now`` is, the clock is covered.
    """
    if session.scalar(select(func.count()).select_from(Person)):
        return []
    for demo in DEMO_ROSTER:
        person = Person(
            code=demo.code,
            name=demo.name,
            role=demo.role,
            languages=list(demo.languages),
            phone_enc=cipher.encrypt(demo.phone),
            phone_hash=cipher.lookup_hash(demo.phone),
            email=demo.email,
            created_at=now,
        )
        session.add(person)
        session.flush()
        if demo.hours is not None:
            start, end = demo.hours
            session.add(Rotation(person_id=person.id, weekdays=list(WEEKDAYS), starts_local=start, ends_local=end))
    session.flush()
    return list(DEMO_ROSTER)


# Console logins for the demo roster (never in production: ``tipline run`` calls this only outside it).
DEMO_PASSWORD = "demo-tipline-2026"  # noqa: S105 - printed at start, for the demo only
DEMO_LOGINS = (("D-101", "camille"), ("E-201", "nadia"), ("S-301", "sophie"), ("A-401", "louise"))


def seed_demo_logins(session: Session, *, now: datetime) -> list[tuple[str, str, str]]:
    """Give one demo person per role a console login (``DEMO_PASSWORD``), when they have none yet.
    Returns (username, role, password) for each login added."""
    from tipline.auth.logins import create_login
    from tipline.auth.models import StaffLogin

    added: list[tuple[str, str, str]] = []
    for code, username in DEMO_LOGINS:
        person = session.scalar(select(Person).where(Person.code == code))
        if person is None or session.scalar(select(StaffLogin).where(StaffLogin.person_id == person.id)):
            continue
        create_login(session, person, username=username, password=DEMO_PASSWORD, now=now)
        added.append((username, person.role, DEMO_PASSWORD))
    return added

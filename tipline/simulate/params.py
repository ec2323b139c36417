"""The small facts every simulated Twilio request shares: SIDs, dates, numbers, SMS segments."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

try:
    from tipline.config import DEMO_TWILIO_ACCOUNT_SID as DEMO_TWILIO_ACCOUNT_SID
    from tipline.config import DEMO_TWILIO_AUTH_TOKEN as DEMO_TWILIO_AUTH_TOKEN
except ImportError:  # pragma: no cover - the simulator also runs without the application
    DEMO_TWILIO_ACCOUNT_SID = "AC00000000000000000000000000000000"
    DEMO_TWILIO_AUTH_TOKEN = "demo-auth-token-not-secret"  # noqa: S105 - public demo value

API_VERSION = "2010-04-01"
TWILIO_API_URL = "https://api.twilio.com"

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def new_sid(prefix: str) -> str:
    """A Twilio-shaped SID: two letters and 32 lowercase hex digits (``CA…``, ``SM…``, ``RE…``)."""
    return prefix + secrets.token_hex(16)


def rfc2822(moment: datetime | None = None) -> str:
    """Dates as Twilio's 2010 API writes them: ``Sat, 28 Nov 2026 08:00:00 +0000``."""
    return format_datetime((moment or datetime.now(UTC)).astimezone(UTC))


def is_e164(number: str) -> bool:
    return bool(_E164.match(number))


@dataclass(frozen=True)
class Place:
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = ""


# What Twilio's number lookup fills in for the few places the demo data uses.
_AREA_CODES = {
    "514": Place("MONTREAL", "QC", "", "CA"),
    "438": Place("MONTREAL", "QC", "", "CA"),
    "450": Place("LAVAL", "QC", "", "CA"),
    "418": Place("QUEBEC", "QC", "", "CA"),
    "613": Place("OTTAWA", "ON", "", "CA"),
    "416": Place("TORONTO", "ON", "", "CA"),
}


def place_of(number: str) -> Place:
    """Twilio's ``FromCity``/``FromState``/``FromZip``/``FromCountry`` guess for a number."""
    if number.startswith("+1") and len(number) == 12:
        return _AREA_CODES.get(number[2:5], Place(country="US"))
    if number.startswith("+33"):
        return Place(country="FR")
    return Place()


def number_params(prefix: str, number: str) -> list[tuple[str, str]]:
    place = place_of(number)
    return [
        (f"{prefix}City", place.city),
        (f"{prefix}State", place.state),
        (f"{prefix}Zip", place.zip),
        (f"{prefix}Country", place.country),
    ]


# GSM 03.38: the basic set costs one septet, the extension table two; anything else forces UCS-2.
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")


def count_segments(body: str) -> int:
    """How many SMS segments Twilio bills for ``body`` (GSM-7: 160/153 septets; UCS-2: 70/67 units)."""
    if not body:
        return 1
    if all(char in _GSM_BASIC or char in _GSM_EXTENDED for char in body):
        septets = sum(2 if char in _GSM_EXTENDED else 1 for char in body)
        return 1 if septets <= 160 else -(-septets // 153)
    units = len(body.encode("utf-16-le")) // 2
    return 1 if units <= 70 else -(-units // 67)

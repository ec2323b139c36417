"""Prompt templates: `{name}` and `{name|filter}` filled from the flow's variables.

Filters: `digits` reads a number one digit at a time ("4821" → "4, 8, 2, 1": the commas make the voice pause);
`phone` reads a phone number group by group ("1-833-900-1010" → "1. 8, 3, 3. 9, 0, 0. 1, 0, 1, 0").
In text messages both filters leave the value as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping

_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)(?:\|([A-Za-z_]+))?\}")
_STRAY_BRACE = re.compile(r"[{}]")

# GSM 03.38 basic character set (a text in it costs 160 characters a segment; otherwise 70, in UCS-2).
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")


def fields(template: str) -> Iterator[tuple[str, str | None]]:
    """Every (variable, filter) a template uses."""
    for match in _FIELD.finditer(template):
        yield match.group(1), match.group(2)


def has_stray_braces(template: str) -> bool:
    return bool(_STRAY_BRACE.search(_FIELD.sub("", template)))


def speak_digits(value: str) -> str:
    return ", ".join(c for c in value if c.isdigit())


def speak_phone(value: str) -> str:
    groups = [g for g in re.split(r"[^0-9]+", value) if g]
    return ". ".join(speak_digits(g) for g in groups)


_VOICE_FILTERS: Mapping[str, Callable[[str], str]] = {"digits": speak_digits, "phone": speak_phone}


def render(template: str, lookup: Callable[[str], str | None], *, spoken: bool) -> str:
    """Fill a template. Unknown variables render as "" (the validator rejects them before a script loads)."""

    def fill(match: re.Match[str]) -> str:
        value = lookup(match.group(1)) or ""
        name = match.group(2)
        if name and spoken:
            return _VOICE_FILTERS[name](value)
        return value

    return _FIELD.sub(fill, template)


def sms_segments(text: str) -> int:
    """How many SMS segments `text` costs (GSM-7 when it can, UCS-2 otherwise)."""
    if all(c in _GSM7_BASIC or c in _GSM7_EXTENDED for c in text):
        units = sum(2 if c in _GSM7_EXTENDED else 1 for c in text)
        return 1 if units <= 160 else -(-units // 153)
    units = sum(2 if ord(c) > 0xFFFF else 1 for c in text)
    return 1 if units <= 70 else -(-units // 67)

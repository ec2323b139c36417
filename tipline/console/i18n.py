"""Console languages: French by default, English one click away (Flask-Babel).

The catalogs are ``tipline/translations/{fr,en}/LC_MESSAGES/messages.po`` (msgids in English; the French
catalog translates every one, the English one states every one). They are compiled at start-up into the
instance folder when the ``.mo`` is missing or older than its ``.po`` — a fresh clone needs no build step.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, session
from flask_babel import Babel  # type: ignore[import-untyped]
from flask_babel import gettext as _gettext
from flask_babel import lazy_gettext as _lazy_gettext

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
CATALOGS = Path(__file__).resolve().parent.parent / "translations"


def gettext(message: str, **variables: Any) -> str:
    return str(_gettext(message, **variables))


def lazy_gettext(message: str, **variables: Any) -> Any:
    return _lazy_gettext(message, **variables)


_ = gettext


def N_(message: str) -> str:  # noqa: N802 - the usual name of a gettext marker
    """Mark a message for the catalogs; it is translated where it is shown."""
    return message


def current_language() -> str:
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def compile_catalogs(source: Path, target: Path) -> None:
    """Compile each ``.po`` under ``source`` into ``target`` when its ``.mo`` is missing or stale."""
    for po_file in sorted(source.glob("*/LC_MESSAGES/*.po")):
        mo_file = target / po_file.relative_to(source).with_suffix(".mo")
        if mo_file.exists() and mo_file.stat().st_mtime >= po_file.stat().st_mtime:
            continue
        mo_file.parent.mkdir(parents=True, exist_ok=True)
        with po_file.open("rb") as handle:
            catalog = read_po(handle, locale=po_file.parts[-3])
        temporary = mo_file.with_suffix(f".{os.getpid()}.tmp")
        with temporary.open("wb") as handle:
            write_mo(handle, catalog)
        temporary.replace(mo_file)  # atomic: several workers may start at once


def init_app(app: Flask, instance_path: Path, timezone: str) -> None:
    compiled = instance_path / "translations"
    compile_catalogs(CATALOGS, compiled)
    Babel(
        app,
        default_locale=DEFAULT_LANGUAGE,
        default_translation_directories=str(compiled),
        default_timezone=timezone,
        locale_selector=current_language,
    )

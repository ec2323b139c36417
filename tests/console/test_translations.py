"""Every console string exists in French and in English: a string in one language only fails here."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from tipline.console.i18n import CATALOGS

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "N_": None}
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]


def source_messages() -> set[str]:
    found: set[str] = set()
    for folder in ("tipline/console", "tipline/figures"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, METHODS, keywords=KEYWORDS, options_map={"**/templates/**.html": {}}
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def catalog(language: str) -> dict[str, str]:
    with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        messages = read_po(handle)
    return {m.id: m.string for m in messages if m.id and not m.fuzzy and isinstance(m.id, str)}


def test_every_string_is_translated_in_both_languages() -> None:
    used = source_messages()
    assert len(used) > 100
    for language in ("fr", "en"):
        known = catalog(language)
        missing = sorted(used - {msgid for msgid, text in known.items() if text})
        assert not missing, f"{language}: no translation for {missing}"
        unused = sorted(set(known) - used)
        assert not unused, f"{language}: strings no page uses any more: {unused}"


def test_french_by_default_and_english_one_click_away(app: Flask, client: FlaskClient) -> None:
    page = client.get("/console/login").get_data(as_text=True)
    assert '<html lang="fr">' in page and "Se connecter" in page
    with client.session_transaction() as session:
        token = session["csrf"]
    client.post("/console/language", data={"lang": "en", "csrf_token": token, "back": "/console/login"})
    page = client.get("/console/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "Log in" in page and "Français" in page

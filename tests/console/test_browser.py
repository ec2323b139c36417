"""The console in a real browser (Debian's Chromium driven by Playwright) against a real local server:
a dispatcher sees a texted case appear without reloading, claims it, replies, switches language; an ÉSUP
member acknowledges from a phone-sized screen. Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from werkzeug.serving import make_server

from tests.console.conftest import PASSWORD, escalate, make_login, make_sms_case
from tests.support import sign, sms_params
from tipline.roster.models import Role

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]


@pytest.fixture
def server(app: Flask) -> Iterator[str]:
    served = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=served.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{served.server_port}"
    served.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"), full_page=True)


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/console/login")
    page.get_by_label("Nom d'utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def text_the_line(base: str, body: str) -> None:
    params = sms_params(message_sid="SM" + "c" * 32, body=body)
    url = f"{base}/twilio/sms"
    response = requests.post(url, data=params, headers={"X-Twilio-Signature": sign(url, params)}, timeout=10)
    assert response.status_code == 200


def test_a_dispatcher_sees_a_text_arrive_claims_it_and_replies(app: Flask, server: str, browser: Any) -> None:
    _person, username = make_login(app, Role.DISPATCHER, name="Camille Tremblay")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, server, username)
    page.wait_for_url(f"{server}/console/queue")
    assert page.locator("#queue tbody tr[data-key]").count() == 0
    shot(page, "1-queue-empty")

    text_the_line(server, "jai 15 ans il me laisse pas partir")
    row = page.locator("#queue tbody tr[data-key]").first
    row.wait_for(timeout=20_000)  # the page polls; nobody reloads it
    assert "Conversation texto" in row.inner_text()
    assert "P1" in row.inner_text()
    shot(page, "2-queue-new-text")

    row.get_by_role("button", name="Prendre en charge").click()
    page.wait_for_url(f"{server}/console/cases/*")
    assert "Le dossier est à vous." in page.inner_text("main")
    assert "jai 15 ans il me laisse pas partir" in page.inner_text("#thread")

    page.get_by_label("Répondre par texto").fill("Bonjour, nous sommes là pour vous. Êtes-vous en sécurité?")
    page.get_by_role("button", name="Envoyer la réponse").click()
    page.wait_for_load_state()
    assert "Réponse mise en file d'envoi." in page.inner_text("main")
    assert "Êtes-vous en sécurité?" in page.inner_text("#thread")
    shot(page, "3-case-replied")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_label("Reply by text").is_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, "4-case-english")


def test_an_esup_member_acknowledges_from_a_phone(app: Flask, server: str, browser: Any) -> None:
    case_id, _contact = make_sms_case(app, priority="P1")
    escalate(app, case_id)
    _person, username = make_login(app, Role.ESUP, name="Nadia Bouchard")
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    log_in(page, server, username)
    page.wait_for_url(f"{server}/console/esup")
    assert f"#{case_id}" in page.inner_text("main")
    shot(page, "5-esup-phone")
    page.get_by_role("button", name="Prendre en charge l'alerte").first.click()
    page.wait_for_load_state()
    assert "Escalade prise en charge." in page.inner_text("main")
    shot(page, "6-esup-acknowledged")

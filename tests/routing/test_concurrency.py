"""Races on PostgreSQL: dispatchers claiming the same case, callers arriving together, routing jobs running
together. Real threads, real row locks."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.factories import auth
from tests.routing.conftest import Line, QueueCaller
from tipline.routing.models import CallOffer, OfferOutcome
from tipline.runtime import runtime
from workers.jobs import run_due_jobs


def test_concurrent_claims_have_exactly_one_winner(line: Line) -> None:
    from tipline.cases.services import open_case

    with runtime(line.app).db.transaction() as session:
        case_id = open_case(session, language="fr").id
    people = [line.handler(f"D{n}", ("fr",), f"+1514555{n:04d}") for n in range(8)]
    tokens = [line.token(person) for person in people]
    start = threading.Barrier(len(tokens))

    def claim(token: str) -> int:
        client = line.app.test_client()
        start.wait()
        return client.post(f"/api/v1/cases/{case_id}/claim", headers=auth(token)).status_code

    with ThreadPoolExecutor(len(tokens)) as pool:
        codes = list(pool.map(claim, tokens))
    assert sorted(codes) == [200] + [409] * 7


def test_callers_arriving_together_each_get_one_handler_and_no_handler_gets_two(line: Line) -> None:
    handlers = [line.handler(f"H{n}", ("fr",), f"+1514555{n + 200:04d}") for n in range(3)]
    callers = 6
    everyone_waiting = threading.Barrier(callers + 1)
    release = threading.Event()

    def hold(_turn: int) -> str:
        everyone_waiting.wait(timeout=30)
        release.wait(timeout=30)
        return "hangup"

    def call(n: int) -> None:
        line.caller(f"+1514555{n + 900:04d}").run(QueueCaller(["1", "0"], hold))

    with ThreadPoolExecutor(callers) as pool:
        running = [pool.submit(call, n) for n in range(callers)]
        everyone_waiting.wait(timeout=30)
        with ThreadPoolExecutor(3) as routers:  # routing jobs racing each other
            list(routers.map(lambda _n: run_due_jobs(line.app), range(3)))
        offers = line.offers()
        release.set()
        for future in running:
            future.result()
    assert len(line.queued()) == callers
    pending = [offer for offer in offers if offer.outcome == OfferOutcome.PENDING]
    assert sorted(offer.person_id for offer in pending) == sorted(handlers)
    assert len({offer.queued_call_id for offer in pending}) == 3


def test_the_database_refuses_two_pending_offers_to_one_handler(line: Line) -> None:
    marie = line.handler("Marie", ("fr",), "+15145550102")
    with runtime(line.app).db.sessions() as session:
        from tipline.cases.services import open_case
        from tipline.contacts.models import Contact
        from tipline.routing.models import QueuedCall

        case = open_case(session, language="fr")
        calls = []
        for n in range(2):
            contact = Contact(channel="voice", twilio_sid=f"CA{n:032d}")
            session.add(contact)
            session.flush()
            call = QueuedCall(contact_id=contact.id, case_id=case.id, call_sid=contact.twilio_sid or "", queue_name="q")
            session.add(call)
            session.flush()
            calls.append(call)
        session.add(CallOffer(queued_call_id=calls[0].id, person_id=marie))
        session.flush()
        session.add(CallOffer(queued_call_id=calls[1].id, person_id=marie))
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()
    with runtime(line.app).db.sessions() as session:
        assert session.scalars(select(CallOffer)).all() == []

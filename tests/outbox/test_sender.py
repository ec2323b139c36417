"""Outbound messages go through the real twilio client to a local server that answers as Twilio's REST API:
one row, one send, status callbacks (signed, late, out of order) settle the row."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tipline.outbox.models import OutboundKind, OutboundMessage, OutboundState
from tipline.outbox.services import _LISTENERS, on_outcome, queue_outbound
from tipline.runtime import runtime
from tipline.simulate.fake_twilio_api import FakeTwilioApi
from workers.jobs import run_due_jobs

TEXTER = "+15145559876"
SEEN: list[tuple[int, str]] = []


@pytest.fixture(autouse=True)
def outcome_listener() -> Iterator[None]:
    @on_outcome("test")
    def remember(session: Session, message: OutboundMessage) -> None:
        SEEN.append((message.id, message.state))

    SEEN.clear()
    yield
    _LISTENERS.pop("test", None)


def queue_sms(app: Flask, key: str = "reply:1", body: str = "Bonjour, ici la ligne.") -> int:
    rt = runtime(app)
    with app.app_context(), rt.db.transaction() as session:
        message = queue_outbound(
            session,
            rt.cipher,
            kind=OutboundKind.SMS,
            purpose="test",
            to=TEXTER,
            body=body,
            idempotency_key=key,
        )
        return message.id


def row(app: Flask, outbox_id: int) -> OutboundMessage:
    with runtime(app).db.sessions() as session:
        found = session.get(OutboundMessage, outbox_id)
        assert found is not None
        return found


def test_an_sms_reaches_twilio_once_and_its_delivery_comes_back(twilio_app: Flask, fake_twilio: FakeTwilioApi) -> None:
    outbox_id = queue_sms(twilio_app)
    assert run_due_jobs(twilio_app) == 1
    sent = fake_twilio.requests_to("Messages", "POST")
    assert len(sent) == 1
    assert sent[0].param("To") == TEXTER
    assert sent[0].param("From") == "+15145550100"
    assert sent[0].param("Body") == "Bonjour, ici la ligne."
    assert sent[0].param("StatusCallback") == f"http://127.0.0.1:5000/twilio/sms/status?outbox={outbox_id}"
    message = row(twilio_app, outbox_id)
    assert message.state == OutboundState.SENT
    assert message.twilio_sid is not None
    assert b"5559876" not in message.to_enc

    response = fake_twilio.deliver_status(message.twilio_sid, "delivered")
    assert response.status == 204
    assert row(twilio_app, outbox_id).state == OutboundState.DELIVERED
    assert [(outbox_id, OutboundState.DELIVERED)] == SEEN
    fake_twilio.deliver_status(message.twilio_sid, "sent")  # late and out of order
    assert row(twilio_app, outbox_id).state == OutboundState.DELIVERED


def test_an_undelivered_sms_is_failed_not_sent(twilio_app: Flask, fake_twilio: FakeTwilioApi) -> None:
    fake_twilio.set_message_outcome(TEXTER, "undelivered", 30003)
    outbox_id = queue_sms(twilio_app)
    run_due_jobs(twilio_app)
    fake_twilio.deliver_pending()
    message = row(twilio_app, outbox_id)
    assert (message.state, message.error_code) == (OutboundState.FAILED, "30003")
    assert [(outbox_id, OutboundState.FAILED)] == SEEN


def test_a_number_that_opted_out_is_refused_and_recorded(twilio_app: Flask, fake_twilio: FakeTwilioApi) -> None:
    fake_twilio.opt_out(TEXTER)
    outbox_id = queue_sms(twilio_app)
    run_due_jobs(twilio_app)
    message = row(twilio_app, outbox_id)
    assert (message.state, message.error_code) == (OutboundState.FAILED, "21610")
    assert [(outbox_id, OutboundState.FAILED)] == SEEN


def test_the_same_key_is_one_message_and_one_send(twilio_app: Flask, fake_twilio: FakeTwilioApi) -> None:
    first = queue_sms(twilio_app, key="alert:7:step1")
    second = queue_sms(twilio_app, key="alert:7:step1")
    assert first == second
    run_due_jobs(twilio_app)
    assert len(fake_twilio.requests_to("Messages", "POST")) == 1


def test_a_send_interrupted_after_it_started_is_never_repeated(twilio_app: Flask, fake_twilio: FakeTwilioApi) -> None:
    outbox_id = queue_sms(twilio_app)
    with runtime(twilio_app).db.transaction() as session:
        message = session.get(OutboundMessage, outbox_id)
        assert message is not None
        message.state = OutboundState.SENDING  # a worker took it, then died before saving Twilio's answer
    run_due_jobs(twilio_app)
    assert fake_twilio.requests_to("Messages", "POST") == []
    assert row(twilio_app, outbox_id).state == OutboundState.SENDING


def test_twilio_unreachable_keeps_the_message_for_a_retry(
    tmp_path: object, database_url: str, clock: object, dispatcher: object
) -> None:
    from datetime import timedelta

    from tests.support import settings_for, truncate_all
    from tipline import create_app

    app = create_app(
        {
            **settings_for(tmp_path, database_url=database_url, twilio_api_url="http://127.0.0.1:9"),  # type: ignore[arg-type]
            "clock": clock,
            "dispatcher": dispatcher,
        }
    )
    outbox_id = queue_sms(app)
    run_due_jobs(app)
    assert row(app, outbox_id).state == OutboundState.PENDING
    with runtime(app).db.sessions() as session:
        from tipline.jobs.models import JobRecord, JobState

        job = session.scalars(select(JobRecord)).one()
        assert (job.state, job.attempts, job.last_error) == (JobState.PENDING, 1, "ConnectionError")
    clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    truncate_all(app)
    runtime(app).db.dispose()


def test_a_text_queued_before_the_texter_said_stop_is_never_sent(twilio_app: Flask, fake_twilio: FakeTwilioApi) -> None:
    from tipline.contacts.optouts import set_opt_out

    rt = runtime(twilio_app)
    with twilio_app.app_context(), rt.db.transaction() as session:
        reply = queue_outbound(
            session, rt.cipher, kind=OutboundKind.SMS, purpose="reply", to=TEXTER, body="Bonjour", idempotency_key="r:1"
        )
        reply_id = reply.id
    with rt.db.transaction() as session:
        set_opt_out(session, rt.cipher, TEXTER, opted_out=True, source="keyword", now=rt.clock.now())
    run_due_jobs(twilio_app)
    assert fake_twilio.requests_to("Messages", "POST") == []
    assert row(twilio_app, reply_id).state == OutboundState.CANCELLED


def test_an_anonymous_contacts_number_is_forgotten_once_the_message_is_settled(
    twilio_app: Flask, fake_twilio: FakeTwilioApi
) -> None:
    from tipline.contacts.models import Channel, Contact
    from workers.periodic import run_periodic

    rt = runtime(twilio_app)
    with twilio_app.app_context(), rt.db.transaction() as session:
        contact = Contact(channel=Channel.SMS, anonymous=True)
        session.add(contact)
        session.flush()
        message = queue_outbound(
            session,
            rt.cipher,
            kind=OutboundKind.SMS,
            purpose="sms_flow",
            to=TEXTER,
            body="Votre numéro de suivi",
            idempotency_key="anon:1",
            contact_id=contact.id,
        )
        outbox_id = message.id
    run_due_jobs(twilio_app)
    run_periodic(twilio_app)
    assert row(twilio_app, outbox_id).to_hash != "", "not settled yet: the number may still be needed"
    fake_twilio.deliver_pending()
    run_periodic(twilio_app)
    settled = row(twilio_app, outbox_id)
    assert settled.state == OutboundState.DELIVERED
    assert settled.to_hash == "" and rt.cipher.decrypt_text(settled.to_enc) == ""

"""What a real phone network sends: retries, empty and long texts, emoji, photos alone, floods, short codes."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from tests.support import sms_params, twilio_post
from tipline.cases.models import Case
from tipline.clock import ManualClock
from tipline.contacts.models import Contact, Event
from tipline.media.models import MediaItem, MediaKind, MediaState
from tipline.outbox.models import OutboundMessage
from tipline.runtime import runtime
from tipline.simulate.fake_twilio_api import FakeTwilioApi
from tipline.sms.limits import MAX_REPLIES_PER_WINDOW
from workers.jobs import run_due_jobs

from .conftest import Phone


def count(app: Flask, model: type, *where: object) -> int:
    with runtime(app).db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def inbound_bodies(app: Flask) -> list[str]:
    rt = runtime(app)
    with rt.db.sessions() as session:
        found = session.scalars(select(Event).where(Event.kind == "sms.in").order_by(Event.id))
        return [rt.cipher.decrypt_text(e.payload_enc) if e.payload_enc else "" for e in found]


def test_a_retried_message_sid_is_handled_once(app: Flask, phone: Phone) -> None:
    texter = phone()
    first = texter.send("allo", sid="SM" + "1" * 32)
    again = texter.send("allo", sid="SM" + "1" * 32)
    assert first == again and first
    assert inbound_bodies(app) == ["allo"]


def test_an_empty_text_is_stored_and_answers_no_question(app: Flask, phone: Phone) -> None:
    texter = phone()
    assert texter.send("")[0].startswith("Bonjour")  # a first text, even empty, gets the welcome
    assert texter.send("   ") == []  # mid-conversation it is kept, and the question stands
    assert texter.send("2")[0].startswith("Voulez-vous rester anonyme")
    assert inbound_bodies(app) == ["", "   ", "2"]


def test_a_text_of_1600_characters_with_emoji_and_accents(app: Flask, phone: Phone) -> None:
    body = ("Ça fait longtemps qu'il me suit 😢 près de l'hôtel, rue Ste-Catherine. " * 40)[:1600]
    assert len(body) == 1600
    (reply,) = phone().send(body)
    assert reply.startswith("Bonjour")
    assert inbound_bodies(app) == [body]
    assert count(app, Case) == 1  # content: a case to triage
    with runtime(app).db.sessions() as session:
        event = session.scalars(select(Event).where(Event.kind == "sms.reply")).one()
        assert event.data["segments"] >= 1 and event.data["messages"] == 1


def test_unknown_words_are_asked_again_then_reach_a_person(app: Flask, phone: Phone) -> None:
    texter = phone()
    texter.send("allo")
    texter.send("2")
    (sorry, _question) = texter.send("zxqw")
    assert "pas compris" in sorry
    assert "personne de notre équipe" in texter.send("blorp")[0]


def test_mms_items_are_registered_then_fetched_and_deleted_at_twilio(
    twilio_app: Flask, twilio_phone: Phone, fake_twilio: FakeTwilioApi
) -> None:
    sid = "MM" + "e" * 32
    first = fake_twilio.add_media(sid, "image/jpeg")
    second = fake_twilio.add_media(sid, "image/png")
    (reply,) = twilio_phone().send("voici la photo", [first, second], ["image/jpeg", "image/png"], sid=sid)
    assert reply.startswith("Bonjour")
    with runtime(twilio_app).db.sessions() as session:
        items = session.scalars(select(MediaItem).order_by(MediaItem.id)).all()
        case = session.scalars(select(Case)).one()
        assert [item.twilio_sid for item in items] == [first.rsplit("/", 1)[-1], second.rsplit("/", 1)[-1]]
        assert all(item.kind == MediaKind.MMS and item.case_id == case.id for item in items)
    run_due_jobs(twilio_app)
    with runtime(twilio_app).db.sessions() as session:
        assert [item.state for item in session.scalars(select(MediaItem))] == [MediaState.DONE] * 2
    assert len(fake_twilio.requests_to("Media", "DELETE")) == 2


def test_a_photo_alone_mid_conversation_is_kept_without_a_reply(
    twilio_app: Flask, twilio_phone: Phone, fake_twilio: FakeTwilioApi
) -> None:
    texter = twilio_phone()
    texter.send("allo")
    sid = "MM" + "f" * 32
    assert texter.send("", [fake_twilio.add_media(sid)], sid=sid) == []
    assert count(twilio_app, MediaItem) == 1 and count(twilio_app, Case) == 1


def test_a_flood_is_stored_in_full_with_few_replies(app: Flask, phone: Phone, clock: ManualClock) -> None:
    texter = phone()
    answered = 0
    for index in range(25):
        clock.advance(timedelta(seconds=1))
        answered += bool(texter.send("AIDE" if index % 2 else "HELP"))
    assert answered == MAX_REPLIES_PER_WINDOW
    assert len(inbound_bodies(app)) == 25
    assert count(app, Event, Event.kind == "sms.reply_suppressed") == 25 - MAX_REPLIES_PER_WINDOW
    assert texter.send("URGENT"), "the crisis path is always answered"
    clock.advance(timedelta(minutes=1))
    assert texter.send("AIDE")


def test_the_reply_limit_is_per_number(app: Flask, phone: Phone, clock: ManualClock) -> None:
    flooding = phone()
    answered = [bool(flooding.send("AIDE")) for _ in range(MAX_REPLIES_PER_WINDOW + 2)]
    assert answered[-1] is False
    assert phone("+15145550177").send("AIDE")


def test_short_codes_and_alphanumeric_senders_are_stored_never_answered(app: Flask) -> None:
    client = app.test_client()
    for number, sid in (("24273", "SM" + "2" * 32), ("ACMEBANK", "SM" + "3" * 32), ("", "SM" + "4" * 32)):
        answer = twilio_post(client, "/twilio/sms", sms_params(sid, "Votre code est 1234", From=number))
        assert answer.status_code == 200 and b"<Message" not in answer.data
    assert count(app, Event, Event.kind == "sms.in") == 3
    assert count(app, Contact) == 0 and count(app, OutboundMessage) == 0


def test_out_of_order_texts_are_each_kept_and_taken_as_they_come(app: Flask, phone: Phone) -> None:
    texter = phone()
    texter.send("1", sid="SM" + "6" * 32)  # sent second, arrived first: the welcome comes back
    texter.send("allo", sid="SM" + "5" * 32)
    assert inbound_bodies(app) == ["1", "allo"]
    assert count(app, Contact) == 1

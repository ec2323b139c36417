"""Journeys 1 and 4 through the live queue, request by request as Twilio makes them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.factories import auth
from tests.routing.conftest import Line, QueueCaller, queue_results
from tipline.cases.models import Case
from tipline.contacts.models import Contact, Event
from tipline.media.models import MediaItem
from tipline.roster.models import Person, Presence
from tipline.routing.models import CallbackRequest, OfferOutcome, QueueState
from tipline.runtime import runtime
from tipline.simulate.events import Dialled

MARIE = "+15145550102"
LUC = "+15145550104"
JORDAN = "+15145550103"
FRENCH_CALLER = "+15145559876"
ENGLISH_CALLER = "+15145559877"


def case_of(line: Line, caller_sid: str) -> Case:
    with runtime(line.app).db.sessions() as session:
        contact = session.scalars(select(Contact).where(Contact.twilio_sid == caller_sid)).one()
        case = session.get(Case, contact.case_id)
        assert case is not None
        return case


def test_a_french_p1_caller_is_offered_to_a_french_speaker_before_an_earlier_english_p3_caller(line: Line) -> None:
    marie = line.handler("Marie", ("fr", "en"), MARIE, presence=Presence.BUSY)
    english, french = line.caller(ENGLISH_CALLER), line.caller(FRENCH_CALLER)
    handler_sides = []

    def french_on_hold(turn: int) -> str:
        assert turn == 0
        assert not line.twilio.calls, "nobody is offered a call while the only handler is busy"
        answer = line.app.test_client().put(
            f"/api/v1/people/{marie}/presence", json={"presence": "available"}, headers=auth(line.token(marie))
        )
        assert answer.status_code == 200
        line.run_jobs()  # becoming available woke routing
        [offer_call] = line.calls_to(MARIE)
        handler_sides.append(line.answer(offer_call["sid"], ["1", "dial:completed:120"]))
        line.deliver()
        return "queue:bridged:120"

    def english_on_hold(turn: int) -> str:
        if turn == 0:
            line.clock.advance(timedelta(seconds=10))
            french.run(QueueCaller(["1", "1"], french_on_hold))  # arrives 10 s later, in danger
            return "queue:wait:15"
        line.run_jobs()  # Marie's call ended: she is free for the next caller
        calls = line.calls_to(MARIE)
        assert len(calls) == 2
        handler_sides.append(line.answer(calls[1]["sid"], ["1", "dial:completed:60"]))
        line.deliver()
        return "queue:bridged:60"

    english.run(QueueCaller(["2", "0"], english_on_hold))

    english_case, french_case = case_of(line, english.call_sid), case_of(line, french.call_sid)
    assert (english_case.priority, french_case.priority) == ("P3", "P1")
    offers = line.offers()
    queued = {call.id: call for call in line.queued()}
    assert [queued[offer.queued_call_id].case_id for offer in offers] == [french_case.id, english_case.id]
    assert all(offer.outcome == OfferOutcome.ACCEPTED and offer.person_id == marie for offer in offers)
    assert [call.state for call in queued.values()] == [QueueState.COMPLETED, QueueState.COMPLETED]
    assert queue_results(french) == ["bridged"] and queue_results(english) == ["bridged"]

    whisper = " ".join(handler_sides[0].heard("fr-CA"))
    assert "Priorité 1" in whisper and "en français" in whisper and "Danger immédiat" in whisper
    assert FRENCH_CALLER.removeprefix("+1") not in whisper.replace(" ", "")
    dialled = [event for event in handler_sides[0].transcript if isinstance(event, Dialled)]
    assert [(event.noun, event.targets) for event in dialled] == [
        ("queue", (queued[offers[0].queued_call_id].queue_name,))
    ]
    assert all(call["from"] == "+15145550100" for call in line.twilio.calls), "the line's own number calls"


def test_no_answer_moves_on_to_the_next_handler(line: Line) -> None:
    first = line.handler("Marie", ("fr",), MARIE)
    second = line.handler("Luc", ("fr",), LUC)
    line.twilio.set_call_outcome(MARIE, "no-answer")
    caller = line.caller(FRENCH_CALLER)

    def on_hold(turn: int) -> str:
        line.run_jobs()
        assert len(line.calls_to(MARIE)) == 1 and not line.calls_to(LUC)
        line.deliver()  # Marie's phone: initiated, ringing, no-answer
        line.run_jobs()
        [luc_call] = line.calls_to(LUC)
        line.answer(luc_call["sid"], ["1", "dial:completed:90"])
        return "queue:bridged:90"

    caller.run(QueueCaller(["1", "0"], on_hold))
    assert [(offer.person_id, offer.outcome) for offer in line.offers()] == [
        (first, OfferOutcome.MISSED),
        (second, OfferOutcome.ACCEPTED),
    ]
    assert queue_results(caller) == ["bridged"]


def test_a_declined_call_goes_to_the_next_handler(line: Line) -> None:
    line.handler("Marie", ("fr",), MARIE)
    luc = line.handler("Luc", ("fr",), LUC)
    caller = line.caller(FRENCH_CALLER)

    def on_hold(turn: int) -> str:
        line.run_jobs()
        marie_side = line.answer(line.calls_to(MARIE)[0]["sid"], ["2"])
        assert any("autre personne" in text for text in marie_side.heard())
        line.run_jobs()
        line.answer(line.calls_to(LUC)[0]["sid"], ["1", "dial:completed:30"])
        return "queue:bridged:30"

    caller.run(QueueCaller(["1", "0"], on_hold))
    assert [offer.outcome for offer in line.offers()] == [OfferOutcome.DECLINED, OfferOutcome.ACCEPTED]
    assert line.offers()[1].person_id == luc


def test_with_nobody_on_duty_the_caller_leaves_a_message_asks_for_a_callback_and_tops_the_queue(line: Line) -> None:
    dispatcher = line.handler("Off", ("fr",), MARIE, on_duty=False)
    with runtime(line.app).db.transaction() as session:  # an older P1 that someone already answered
        from tipline.cases.services import open_case

        older = open_case(session, language="fr", priority="P1").id
    caller = line.caller(FRENCH_CALLER)
    caller.run(QueueCaller(["1", "1", "record:25:#", "1", "2"]))

    assert queue_results(caller) == [], "nobody on duty: no queue at all"
    heard = " ".join(caller.heard("fr-CA"))
    assert "Personne n'est libre" in heard and "vous rappellera" in heard
    case = case_of(line, caller.call_sid)
    assert case.priority == "P1" and case.missed_at is not None
    with runtime(line.app).db.sessions() as session:
        assert session.scalars(select(MediaItem).where(MediaItem.case_id == case.id)).one()
        callback = session.scalars(select(CallbackRequest)).one()
        assert (callback.case_id, callback.source, callback.safe_time) == (case.id, "caller", "day")
        contact = session.scalars(select(Contact).where(Contact.twilio_sid == caller.call_sid)).one()
        assert contact.caller_number_enc is not None, "kept (encrypted) because the caller agreed"
        assert FRENCH_CALLER.encode() not in contact.caller_number_enc

    listing = line.app.test_client().get("/api/v1/queue", headers=auth(line.token(dispatcher))).get_json()
    assert [entry["id"] for entry in listing["cases"]][:2] == [case.id, older]
    top = listing["cases"][0]
    assert top["missed"] and {"callback", "voicemail", "call"} <= set(top["kinds"])
    assert top["callback"]["safe_time"] == "day"
    assert FRENCH_CALLER not in str(listing)


def test_nobody_free_within_the_maximum_wait_offers_a_message(line: Line) -> None:
    line.handler("Marie", ("fr",), MARIE, presence=Presence.BUSY)
    line.policy(max_wait_seconds=120)
    caller = line.caller(FRENCH_CALLER)

    def on_hold(turn: int) -> str:
        assert turn < 5, "the caller must not wait forever"
        line.clock.advance(timedelta(seconds=45))
        line.run_jobs()
        return "queue:wait:45"

    caller.run(QueueCaller(["1", "0", "record:10:#", "2"], on_hold))
    assert queue_results(caller) == ["leave"]
    [queued] = line.queued()
    assert (queued.state, queued.leave_reason) == (QueueState.LEFT, "timeout")
    assert any("Votre message" in text or "Merci" in text for text in caller.heard())
    assert case_of(line, caller.call_sid).missed_at is not None
    assert not line.twilio.calls


def test_a_caller_on_hold_may_press_1_to_leave_a_message_instead(line: Line) -> None:
    line.handler("Marie", ("fr",), MARIE, presence=Presence.BUSY)
    caller = line.caller(FRENCH_CALLER)
    caller.run(QueueCaller(["1", "0", "record:10:#", "2"], lambda _turn: "queue:wait:10", hold_keys=["1"]))
    assert queue_results(caller) == ["leave"]
    [queued] = line.queued()
    assert queued.leave_reason == "message"
    heard = caller.heard("fr-CA")
    assert any("appuyez sur 1" in text and "message" in text for text in heard), "the option is announced"
    assert not any("Personne n'est libre" in text for text in heard[-4:]), "no 'nobody free' when they chose"


def test_after_the_language_wait_a_french_caller_is_offered_to_anyone_free(line: Line) -> None:
    jordan = line.handler("Jordan", ("en",), JORDAN)
    line.policy(language_wait_seconds=60)
    caller = line.caller(FRENCH_CALLER)

    def on_hold(turn: int) -> str:
        line.run_jobs()
        if turn == 0:
            assert not line.twilio.calls, "first, only French speakers"
            line.clock.advance(timedelta(seconds=61))
            return "queue:wait:61"
        [call] = line.calls_to(JORDAN)
        side = line.answer(call["sid"], ["1", "dial:completed:30"])
        assert any("in French" in text for text in side.heard("en-US")), "an English speaker hears it in English"
        return "queue:bridged:30"

    caller.run(QueueCaller(["1", "0"], on_hold))
    [offer] = line.offers()
    assert (offer.person_id, offer.outcome) == (jordan, OfferOutcome.ACCEPTED)


def test_a_handler_who_misses_calls_in_a_row_is_set_away(line: Line) -> None:
    marie = line.handler("Marie", ("fr",), MARIE)
    line.policy(misses_before_away=2, reoffer_after_seconds=5)
    line.twilio.set_call_outcome(MARIE, "no-answer")
    caller = line.caller(FRENCH_CALLER)

    def on_hold(turn: int) -> str:
        line.run_jobs()
        line.deliver()
        line.run_jobs()
        line.clock.advance(timedelta(seconds=16))  # the periodic check comes back
        return "queue:wait:16" if turn < 3 else "hangup"

    caller.run(QueueCaller(["1", "0"], on_hold))
    assert [offer.outcome for offer in line.offers()] == [OfferOutcome.MISSED, OfferOutcome.MISSED]
    with runtime(line.app).db.sessions() as session:
        person = session.get(Person, marie)
        assert person is not None and person.presence == Presence.AWAY
        assert session.scalars(select(Event).where(Event.kind == "routing.handler_away")).one()
    assert queue_results(caller) == ["leave"], "with the only handler away, the caller is offered a message"


def test_a_caller_who_hangs_up_on_hold_leaves_the_case_at_the_top(line: Line) -> None:
    line.handler("Marie", ("fr",), MARIE, presence=Presence.BUSY)
    caller = line.caller(FRENCH_CALLER)
    caller.run(QueueCaller(["1", "0"], lambda _turn: "hangup"))
    [queued] = line.queued()
    assert queued.state == QueueState.ABANDONED
    assert case_of(line, caller.call_sid).missed_at is not None


def test_an_offer_answered_after_the_caller_hung_up_tells_the_handler(line: Line) -> None:
    line.handler("Marie", ("fr",), MARIE)
    caller = line.caller(FRENCH_CALLER)

    def on_hold(turn: int) -> str:
        line.run_jobs()
        return "hangup"

    caller.run(QueueCaller(["1", "0"], on_hold))
    [call] = line.calls_to(MARIE)
    side = line.answer(call["sid"], ["1"])
    assert any("n'est plus en attente" in text for text in side.heard())
    assert [offer.outcome for offer in line.offers()] == [OfferOutcome.CANCELLED]

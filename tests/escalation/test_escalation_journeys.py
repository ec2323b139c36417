"""Crisis escalation end to end: a P1 case alerts the on-call ÉSUP member through the real twilio client and a
local server answering as Twilio; signed status callbacks move it on; acknowledgements by text, voice and API
stop it; the case timeline shows every step. Time moves with the manual clock, never with sleeps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.escalation.helpers import (
    BRIAN,
    CALLER,
    DENIS,
    ELISE,
    SOPHIE,
    attempts,
    calls_to,
    case_reference,
    kinds,
    p1_case,
    sms_to,
    the_escalation,
    the_policy,
    timeline,
)
from tests.factories import auth, make_token
from tests.support import sms_params, twilio_post
from tipline.cases.services import open_case
from tipline.clock import ManualClock
from tipline.escalation.models import AttemptState, Escalation, EscalationState
from tipline.jobs.models import JobRecord
from tipline.outbox.models import OutboundMessage, OutboundState
from tipline.runtime import runtime
from tipline.simulate.fake_twilio_api import FakeTwilioApi
from tipline.simulate.transport import FlaskClientTransport
from tipline.webhooks.staff_sms import staff_reply
from workers.jobs import execute, run_due_jobs


def text_from(app: Flask, number: str, body: str) -> str | None:
    """What the inbound SMS webhook does with a text from a staff phone (``staff_reply``), committed."""
    rt = runtime(app)
    with app.app_context(), rt.db.transaction() as session:
        return staff_reply(session, rt.cipher, number, body)


def test_p1_case_alerts_the_on_call_esup_by_sms_and_a_text_reply_acknowledges(
    twilio_app: Flask, fake_twilio: FakeTwilioApi, roster: dict[str, int], clock: ManualClock
) -> None:
    case_id = p1_case(twilio_app, categories=("immediate_danger", "minor_involved"))
    run_due_jobs(twilio_app)

    [alert] = sms_to(fake_twilio, ELISE)
    body = alert.param("Body") or ""
    escalation = the_escalation(twilio_app, case_id)
    assert case_reference(twilio_app, case_id) in body
    assert "P1" in body and "Danger immédiat" in body and "Personne mineure impliquée" in body
    assert "français" in body, "the caller's language, in the recipient's language"
    assert "http://127.0.0.1:5000/console/" in body
    assert f"{escalation.code} OK" in body
    assert CALLER not in body
    assert sms_to(fake_twilio, BRIAN) == [] and sms_to(fake_twilio, SOPHIE) == []

    fake_twilio.deliver_pending()
    reply = text_from(twilio_app, ELISE, f"{escalation.code} ok")
    assert reply is not None and "acceptée par Élise" in reply

    done = the_escalation(twilio_app, case_id)
    assert (done.state, done.acknowledged_by_id, done.acknowledged_via) == (
        EscalationState.ACKNOWLEDGED,
        roster["elise"],
        "sms",
    )
    assert done.acknowledged_at == clock.now()
    clock.advance(timedelta(hours=1))
    run_due_jobs(twilio_app)
    assert len(fake_twilio.requests_to("Messages.json", "POST")) == 1, "acknowledged: nobody else is alerted"
    assert fake_twilio.requests_to("Calls.json", "POST") == []
    assert kinds(twilio_app, case_id) == [
        "escalation.triggered",
        "escalation.step",
        "escalation.alert_queued",
        "escalation.alert_delivered",
        "escalation.acknowledged",
    ]
    acknowledged = timeline(twilio_app, case_id)[-1]
    assert acknowledged.data["person_id"] == roster["elise"] and acknowledged.data["via"] == "sms"
    sent = [e for e in timeline(twilio_app, case_id) if e.kind == "outbound.sms.sent"]
    assert len(sent) == 1


def test_undelivered_sms_calls_at_once_and_pressing_1_acknowledges(
    twilio_app: Flask, fake_twilio: FakeTwilioApi, roster: dict[str, int]
) -> None:
    fake_twilio.set_message_outcome(ELISE, "undelivered", 30003)
    case_id = p1_case(twilio_app)
    run_due_jobs(twilio_app)
    fake_twilio.deliver_pending()  # the SMS comes back undelivered: no waiting for the step's delay
    run_due_jobs(twilio_app)

    [call] = calls_to(fake_twilio, ELISE)
    assert call.param(
        "Url",
    ) is not None and "/twilio/alerts/voice?outbox=" in (call.param("Url") or "")
    call_sid = next(c["sid"] for c in fake_twilio.calls if c["to"] == ELISE)
    fake_twilio.deliver_pending()  # initiated, ringing, answered
    simulator = fake_twilio.call_simulator(call_sid, FlaskClientTransport(twilio_app.test_client()))
    simulator.run(["1"])
    heard = " ".join(simulator.heard("fr-CA"))
    assert "Alerte de l'ÉSUP, priorité P1" in heard and "faites le 1" in heard
    assert " ".join(case_reference(twilio_app, case_id)) in heard, "the reference read digit by digit"
    assert "acceptée par Élise" in heard
    assert simulator.heard("en-US") == []

    escalation = the_escalation(twilio_app, case_id)
    assert (escalation.state, escalation.acknowledged_via) == (EscalationState.ACKNOWLEDGED, "voice")
    events = kinds(twilio_app, case_id)
    assert (
        events.index("escalation.alert_failed")
        < events.index("escalation.moved_on")
        < events.index("escalation.acknowledged")
    )
    failed = next(e for e in timeline(twilio_app, case_id) if e.kind == "escalation.alert_failed")
    assert failed.data["error_code"] == "30003"


def test_phone_off_then_no_answer_alerts_next_esup_and_supervisor_at_once(
    twilio_app: Flask, fake_twilio: FakeTwilioApi, roster: dict[str, int], clock: ManualClock
) -> None:
    """Journey 5: SMS undelivered, the call unanswered: the next step starts without waiting."""
    fake_twilio.set_message_outcome(ELISE, "undelivered", 30006)
    fake_twilio.set_call_outcome(ELISE, "no-answer")
    case_id = p1_case(twilio_app)
    started = clock.now()
    for _round in range(3):
        run_due_jobs(twilio_app)
        fake_twilio.deliver_pending()
    assert clock.now() == started
    assert len(calls_to(fake_twilio, ELISE)) == 1
    [to_brian] = sms_to(fake_twilio, BRIAN)
    [to_sophie] = sms_to(fake_twilio, SOPHIE)
    assert "ÉSUP ALERT P1" in (to_brian.param("Body") or ""), "Brian reads English"
    assert "French" in (to_brian.param("Body") or ""), "the caller's language, in the reader's language"
    assert "ALERTE ÉSUP P1" in (to_sophie.param("Body") or ""), "Sophie reads French"
    assert "français" in (to_sophie.param("Body") or "")
    escalation = the_escalation(twilio_app, case_id)
    assert escalation.step == 1
    steps = [e for e in timeline(twilio_app, case_id) if e.kind == "escalation.step"]
    assert [(e.data["step"], e.data["reason"]) for e in steps] == [(0, "start"), (1, "delivery_failed")]

    reply = text_from(twilio_app, BRIAN, f"OK {escalation.code}")
    assert reply is not None and "acknowledged by Brian" in reply
    late = text_from(twilio_app, SOPHIE, f"{escalation.code} OK")
    assert late is not None and "déjà acceptée par Brian" in late
    assert "escalation.late_acknowledgement" in kinds(twilio_app, case_id)


def test_without_acknowledgement_the_next_step_starts_on_time_and_the_chain_repeats(
    twilio_app: Flask, fake_twilio: FakeTwilioApi, roster: dict[str, int], clock: ManualClock
) -> None:
    plan = the_policy(twilio_app).plan
    case_id = p1_case(twilio_app)
    run_due_jobs(twilio_app)
    fake_twilio.deliver_pending()
    first_delay = plan.steps[0].delay

    clock.advance(first_delay - timedelta(seconds=1))
    run_due_jobs(twilio_app)
    assert sms_to(fake_twilio, BRIAN) == [], "not before the step's delay"
    clock.advance(timedelta(seconds=1))
    run_due_jobs(twilio_app)
    assert len(sms_to(fake_twilio, BRIAN)) == 1 and len(sms_to(fake_twilio, SOPHIE)) == 1
    assert len(sms_to(fake_twilio, ELISE)) == 1

    for number in range(2, plan.total + 1):
        clock.advance(plan.step(number - 1).delay)
        run_due_jobs(twilio_app)
        fake_twilio.deliver_pending()
    rounds = plan.repeat + 1
    assert len(sms_to(fake_twilio, ELISE)) == rounds
    assert len(sms_to(fake_twilio, BRIAN)) == rounds and len(sms_to(fake_twilio, SOPHIE)) == rounds
    escalation = the_escalation(twilio_app, case_id)
    assert escalation.state == EscalationState.EXHAUSTED
    assert kinds(twilio_app, case_id).count("escalation.step") == plan.total
    assert kinds(twilio_app, case_id)[-1] == "escalation.exhausted"
    clock.advance(timedelta(hours=2))
    run_due_jobs(twilio_app)
    assert len(sms_to(fake_twilio, ELISE)) == rounds, "exhausted: no more alerts"

    token = make_token(twilio_app, roster["sophie"])
    listed = twilio_app.test_client().get("/api/v1/escalations", headers=auth(token)).get_json()
    assert [e["id"] for e in listed["escalations"]] == [escalation.id], "exhausted is still open"
    response = twilio_app.test_client().post(f"/api/v1/escalations/{escalation.id}/acknowledge", headers=auth(token))
    assert response.status_code == 200 and response.get_json()["acknowledged_by"]["name"] == "Sophie"


def test_duplicate_triggers_join_one_escalation(
    twilio_app: Flask, fake_twilio: FakeTwilioApi, roster: dict[str, int]
) -> None:
    case_id = p1_case(twilio_app)
    token = make_token(twilio_app, roster["denis"])
    client = twilio_app.test_client()
    first = client.post(f"/api/v1/cases/{case_id}/escalate", headers=auth(token))
    second = client.post(f"/api/v1/cases/{case_id}/escalate", headers=auth(token))
    assert first.status_code == second.status_code == 200
    assert first.get_json()["id"] == second.get_json()["id"] == the_escalation(twilio_app, case_id).id
    run_due_jobs(twilio_app)
    assert len(sms_to(fake_twilio, ELISE)) == 1
    assert kinds(twilio_app, case_id).count("escalation.joined") == 2


def test_the_database_refuses_a_second_open_escalation_for_a_case(twilio_app: Flask, roster: dict[str, int]) -> None:
    case_id = p1_case(twilio_app)
    existing = the_escalation(twilio_app, case_id)
    with pytest.raises(IntegrityError), runtime(twilio_app).db.transaction() as session:
        session.add(
            Escalation(
                case_id=case_id,
                active_case_id=case_id,
                code="1234",
                source="manual",
                next_step_at=existing.next_step_at,
                triggered_at=existing.triggered_at,
            )
        )


def test_a_dispatcher_escalates_by_hand_and_an_esup_acknowledges_from_the_api(
    twilio_app: Flask, fake_twilio: FakeTwilioApi, roster: dict[str, int]
) -> None:
    with twilio_app.app_context(), runtime(twilio_app).db.transaction() as session:
        case_id = open_case(session, language="fr").id  # P3: no automatic escalation
    client = twilio_app.test_client()
    denis, elise = make_token(twilio_app, roster["denis"]), make_token(twilio_app, roster["elise"])
    assert client.post(f"/api/v1/cases/{case_id}/escalate", headers=auth(elise)).status_code == 403
    started = client.post(f"/api/v1/cases/{case_id}/escalate", headers=auth(denis))
    assert started.status_code == 201
    escalation_id = started.get_json()["id"]
    assert client.get("/api/v1/escalations", headers=auth(denis)).status_code == 403

    listed = client.get("/api/v1/escalations", headers=auth(elise)).get_json()["escalations"]
    assert [e["id"] for e in listed] == [escalation_id]
    run_due_jobs(twilio_app)
    acknowledged = client.post(f"/api/v1/escalations/{escalation_id}/acknowledge", headers=auth(elise))
    assert acknowledged.status_code == 200
    assert acknowledged.get_json()["state"] == "acknowledged"
    assert client.get("/api/v1/escalations", headers=auth(elise)).get_json()["escalations"] == []
    brian = make_token(twilio_app, roster["brian"])
    late = client.post(f"/api/v1/escalations/{escalation_id}/acknowledge", headers=auth(brian))
    assert late.status_code == 409 and "Élise" in late.get_json()["error"]
    triggered = next(e for e in timeline(twilio_app, case_id) if e.kind == "escalation.triggered")
    assert (triggered.data["source"], triggered.data["by"]) == ("manual", roster["denis"])


def test_acknowledging_cancels_alerts_not_yet_sent(
    twilio_app: Flask, fake_twilio: FakeTwilioApi, roster: dict[str, int]
) -> None:
    case_id = p1_case(twilio_app)
    with runtime(twilio_app).db.sessions() as session:
        advance_job = session.scalars(select(JobRecord.id).where(JobRecord.key.like("esc:%"))).one()
    assert execute(advance_job, twilio_app)  # the step is started; its SMS is still in the outbox
    escalation = the_escalation(twilio_app, case_id)
    token = make_token(twilio_app, roster["elise"])
    response = twilio_app.test_client().post(f"/api/v1/escalations/{escalation.id}/acknowledge", headers=auth(token))
    assert response.status_code == 200
    run_due_jobs(twilio_app)
    assert fake_twilio.requests_to("Messages.json", "POST") == []
    [attempt] = attempts(twilio_app, escalation.id)
    assert attempt.state == AttemptState.CANCELLED
    with runtime(twilio_app).db.sessions() as session:
        outbox = session.get(OutboundMessage, attempt.outbound_id)
        assert outbox is not None and outbox.state == OutboundState.CANCELLED


def test_unknown_code_gets_help_and_only_esup_and_supervisors_may_acknowledge(
    twilio_app: Flask, fake_twilio: FakeTwilioApi, roster: dict[str, int]
) -> None:
    case_id = p1_case(twilio_app)
    run_due_jobs(twilio_app)
    code = the_escalation(twilio_app, case_id).code
    wrong = "1000" if code != "1000" else "1001"
    help_fr = text_from(twilio_app, ELISE, f"{wrong} OK")
    assert help_fr is not None and "Code d'alerte inconnu" in help_fr and "4821 OK" in help_fr
    help_en = text_from(twilio_app, BRIAN, "ok")
    assert help_en is not None and "Unknown alert code" in help_en
    refused = text_from(twilio_app, DENIS, f"{code} OK")
    assert refused is not None and "Seuls les membres de l'ÉSUP" in refused
    assert text_from(twilio_app, CALLER, f"{code} OK") is None, "not staff: a texter's conversation, not an ack"
    assert text_from(twilio_app, ELISE, "je rappelle la personne") is None, "not an acknowledgement: not ours"
    assert the_escalation(twilio_app, case_id).state == EscalationState.ACTIVE


def test_a_text_to_the_line_from_the_esup_phone_acknowledges_through_the_sms_webhook(
    twilio_app: Flask, fake_twilio: FakeTwilioApi, roster: dict[str, int]
) -> None:
    case_id = p1_case(twilio_app)
    run_due_jobs(twilio_app)
    code = the_escalation(twilio_app, case_id).code
    response = twilio_post(
        twilio_app.test_client(), "/twilio/sms", sms_params(body=f"{code} OK", From=ELISE, MessageSid="SM" + "e" * 32)
    )
    assert response.status_code == 200
    assert "acceptée par Élise" in response.get_data(as_text=True)
    assert the_escalation(twilio_app, case_id).state == EscalationState.ACKNOWLEDGED

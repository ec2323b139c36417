"""Nothing lost: real rq and Redis, Redis flushed mid-escalation, a worker killed mid-send, late and
out-of-order status callbacks, and the per-recipient rate limit that never holds back a first alert."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select

from tests.escalation.helpers import (
    BRIAN,
    ELISE,
    SOPHIE,
    attempts,
    calls_to,
    make_roster,
    p1_case,
    sms_to,
    the_escalation,
    the_policy,
    timeline,
)
from tipline.clock import ManualClock
from tipline.escalation.models import AttemptState, EscalationState
from tipline.jobs.models import JobRecord, JobState
from tipline.outbox.models import OutboundMessage, OutboundState
from tipline.runtime import runtime
from tipline.simulate.fake_twilio_api import FakeTwilioApi
from workers.dispatch import RqDispatcher, queue_name
from workers.jobs import execute, run_due_jobs
from workers.periodic import run_periodic


def work(app: Flask, redis_conn: Redis) -> None:
    """An rq worker in burst mode on every queue: runs what Redis holds, then stops."""
    prefix = runtime(app).settings.job_queue_prefix
    queues = [Queue(queue_name(prefix, name), connection=redis_conn) for name in ("alerts", "default")]
    with app.app_context():
        SimpleWorker(queues, connection=redis_conn).work(burst=True)


def test_redis_flushed_mid_escalation_the_watchdog_resumes_with_one_alert_per_step(
    rq_twilio_app: Flask, redis_conn: Redis, fake_twilio: FakeTwilioApi, clock: ManualClock
) -> None:
    app = rq_twilio_app
    assert isinstance(runtime(app).dispatcher, RqDispatcher)
    make_roster(app, clock)
    case_id = p1_case(app)
    work(app, redis_conn)
    assert len(sms_to(fake_twilio, ELISE)) == 1, "the first alert went through rq"
    fake_twilio.deliver_pending()

    redis_conn.flushdb()  # the step timer's wake-up is gone
    clock.advance(the_policy(app).plan.steps[0].delay + timedelta(minutes=1))
    work(app, redis_conn)
    assert sms_to(fake_twilio, BRIAN) == [], "nothing in Redis any more"
    run_periodic(app)  # the sweeper re-dispatches the timer; the watchdog moves the escalation on
    work(app, redis_conn)
    run_periodic(app)
    work(app, redis_conn)

    assert len(sms_to(fake_twilio, ELISE)) == 1
    assert len(sms_to(fake_twilio, BRIAN)) == 1 and len(sms_to(fake_twilio, SOPHIE)) == 1
    escalation = the_escalation(app, case_id)
    assert escalation.step == 1
    steps = [e.data for e in timeline(app, case_id) if e.kind == "escalation.step"]
    assert [(s["step"], s["reason"]) for s in steps] == [(0, "start"), (1, "resumed")]
    with runtime(app).db.sessions() as session:
        timer = session.scalars(select(JobRecord).where(JobRecord.key == f"esc:{escalation.id}:advance:1")).one()
        assert timer.state == JobState.DONE, "the timer ran too, and did nothing"


def test_a_worker_killed_mid_send_never_sends_the_same_sms_twice(
    twilio_app: Flask, fake_twilio: FakeTwilioApi, roster: dict[str, int], clock: ManualClock
) -> None:
    case_id = p1_case(twilio_app)
    with runtime(twilio_app).db.sessions() as session:
        advance_job = session.scalars(select(JobRecord.id).where(JobRecord.key.like("esc:%"))).one()
    assert execute(advance_job, twilio_app)
    escalation = the_escalation(twilio_app, case_id)
    [attempt] = attempts(twilio_app, escalation.id)
    with runtime(twilio_app).db.transaction() as session:  # a worker took the send, then died mid-request
        outbox = session.get(OutboundMessage, attempt.outbound_id)
        assert outbox is not None
        outbox.state = OutboundState.SENDING
        send_job = session.scalars(select(JobRecord).where(JobRecord.key == f"send:{outbox.id}")).one()
        send_job.state = JobState.RUNNING
        send_job.attempts = 1
        send_job.locked_until = clock.now() + timedelta(minutes=5)

    policy = the_policy(twilio_app)
    clock.advance(policy.in_doubt_after + timedelta(seconds=1))
    run_periodic(twilio_app)  # the watchdog: in doubt, so the next channel (a call), never the same SMS again
    run_due_jobs(twilio_app)
    assert len(calls_to(fake_twilio, ELISE)) == 1
    clock.advance(timedelta(minutes=10))
    run_periodic(twilio_app)  # the dead worker's lease expired: the send job runs again and sends nothing
    run_due_jobs(twilio_app)
    assert sms_to(fake_twilio, ELISE) == []
    states = {a.channel: a.state for a in attempts(twilio_app, escalation.id) if a.person_id == roster["elise"]}
    assert states["sms"] == AttemptState.IN_DOUBT
    assert "escalation.alert_in_doubt" in [e.kind for e in timeline(twilio_app, case_id)]


def test_late_and_out_of_order_callbacks_never_move_an_alert_back(
    twilio_app: Flask, fake_twilio: FakeTwilioApi, roster: dict[str, int]
) -> None:
    fake_twilio.set_message_outcome(ELISE, "undelivered", 30003)
    case_id = p1_case(twilio_app)
    run_due_jobs(twilio_app)
    sid = next(m["sid"] for m in fake_twilio.messages if m["to"] == ELISE)
    fake_twilio.deliver_pending()
    run_due_jobs(twilio_app)
    fake_twilio.deliver_status(sid, "sent")  # late
    fake_twilio.deliver_status(sid, "delivered")  # contradicts a final state: ignored
    escalation = the_escalation(twilio_app, case_id)
    sms_attempt = next(a for a in attempts(twilio_app, escalation.id) if a.channel == "sms")
    assert sms_attempt.state == AttemptState.FAILED
    assert len(calls_to(fake_twilio, ELISE)) == 1, "one call, however many callbacks"
    assert [e.kind for e in timeline(twilio_app, case_id)].count("escalation.alert_failed") == 1


def test_a_refused_number_moves_on_at_once(
    twilio_app: Flask, fake_twilio: FakeTwilioApi, roster: dict[str, int]
) -> None:
    fake_twilio.opt_out(ELISE)  # 21610: Twilio refuses the SMS outright
    case_id = p1_case(twilio_app)
    run_due_jobs(twilio_app)
    assert len(calls_to(fake_twilio, ELISE)) == 1
    escalation = the_escalation(twilio_app, case_id)
    sms_attempt = next(a for a in attempts(twilio_app, escalation.id) if a.channel == "sms")
    assert (sms_attempt.state, sms_attempt.error_code) == (AttemptState.FAILED, "21610")


def test_the_rate_limit_never_holds_back_a_first_alert_but_protects_a_phone(
    twilio_app: Flask, fake_twilio: FakeTwilioApi, roster: dict[str, int], clock: ManualClock
) -> None:
    policy = the_policy(twilio_app)
    cases = [p1_case(twilio_app) for _ in range(policy.rate_limit_max + 1)]
    run_due_jobs(twilio_app)
    assert len(sms_to(fake_twilio, ELISE)) == len(cases), "every P1 case's first alert goes"
    clock.advance(policy.plan.steps[0].delay)
    run_due_jobs(twilio_app)
    assert len(sms_to(fake_twilio, BRIAN)) == policy.rate_limit_max
    held = [e for case_id in cases for e in timeline(twilio_app, case_id) if e.kind == "escalation.alert_held"]
    assert {e.data["reason"] for e in held} == {"rate_limited"}
    assert all(the_escalation(twilio_app, c).state == EscalationState.ACTIVE for c in cases)
    assert all(the_escalation(twilio_app, c).step == 1 for c in cases), "held back: the step waits, never skips"


def test_with_only_a_supervisor_on_duty_every_p1_case_still_alerts_her_once(
    twilio_app: Flask, fake_twilio: FakeTwilioApi, clock: ManualClock
) -> None:
    """Step 0 finds no ÉSUP member: the first alert that can go (the supervisor's) is never held back."""
    from tests.factories import make_person
    from tipline.roster.models import Role

    make_person(
        twilio_app,
        name="Sophie",
        role=Role.SUPERVISOR,
        languages=("fr",),
        phone=SOPHIE,
        on_duty_from=clock.now() - timedelta(hours=1),
    )
    policy = the_policy(twilio_app)
    cases = [p1_case(twilio_app) for _ in range(policy.rate_limit_max + 2)]
    run_due_jobs(twilio_app)
    assert len(sms_to(fake_twilio, SOPHIE)) == len(cases), "each P1 case reached the one person on duty, at once"


def test_with_nobody_on_duty_the_chain_waits_and_alerts_whoever_comes_on_duty(
    twilio_app: Flask, fake_twilio: FakeTwilioApi, clock: ManualClock
) -> None:
    from tests.factories import make_person
    from tipline.roster.models import Role

    case_id = p1_case(twilio_app)
    run_due_jobs(twilio_app)
    assert the_escalation(twilio_app, case_id).state == EscalationState.ACTIVE, "not exhausted in an instant"
    make_person(twilio_app, name="Élise", role=Role.ESUP, languages=("fr",), phone=ELISE, on_duty_from=clock.now())
    policy = the_policy(twilio_app)
    clock.advance(max(step.delay for step in policy.plan.steps))
    run_due_jobs(twilio_app)
    assert len(sms_to(fake_twilio, ELISE)) == 1

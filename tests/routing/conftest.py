"""The live queue driven as Twilio drives it: callers through the IVR into ``<Enqueue>``, the line's calls to
handlers through the fake REST API, and each handler's side played from the TwiML the line gave Twilio."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.factories import make_person, make_token
from tests.support import TEST_AUTH_TOKEN
from tipline.clock import ManualClock
from tipline.roster.models import Person, Presence, Role
from tipline.routing.models import CallOffer, QueuedCall
from tipline.routing.policy import routing_policy
from tipline.runtime import runtime
from tipline.simulate.call import CallSimulator
from tipline.simulate.caller import Prompt
from tipline.simulate.events import Queued, Utterance
from tipline.simulate.fake_twilio_api import FakeTwilioApi
from tipline.simulate.transport import FlaskClientTransport
from workers.jobs import run_due_jobs

LINE = "+15145550100"


@dataclass
class QueueCaller:
    """A caller: ``answers`` for the IVR and for what follows the queue (a message, the callback questions);
    ``on_queue(turn)`` for each turn of the hold loop; ``hold_keys`` for the keys pressed while on hold."""

    answers: list[str | None]
    on_queue: Callable[[int], str] = lambda _turn: "hangup"
    hold_keys: list[str | None] = field(default_factory=list)
    in_queue: bool = False
    turns: Any = field(default_factory=itertools.count)

    def hears(self, utterance: Utterance) -> bool:
        if utterance.kind == "hold" and utterance.text.startswith("waiting in queue"):
            self.in_queue = True
        return False

    def respond(self, prompt: Prompt) -> str | None:
        if prompt.kind == "queue":
            return self.on_queue(next(self.turns))
        if self.in_queue and prompt.kind == "gather":
            return self.hold_keys.pop(0) if self.hold_keys else None
        if prompt.kind == "record":
            self.in_queue = False
        if not self.answers:
            return "hangup"
        return self.answers.pop(0)


class Line:
    """The app, the fake Twilio REST API and the clock, with the few moves the tests make."""

    def __init__(self, app: Flask, twilio: FakeTwilioApi, clock: ManualClock) -> None:
        self.app, self.twilio, self.clock = app, twilio, clock
        self._callers = itertools.count(1)

    def policy(self, **changes: int) -> None:
        with self.app.app_context():
            runtime(self.app).extras["routing_policy"] = replace(routing_policy(), **changes)

    def handler(
        self,
        name: str,
        languages: tuple[str, ...],
        phone: str,
        *,
        presence: Presence = Presence.AVAILABLE,
        role: Role = Role.DISPATCHER,
        on_duty: bool = True,
    ) -> int:
        start = self.clock.now() - timedelta(hours=1) if on_duty else None
        person_id = make_person(self.app, name=name, role=role, languages=languages, phone=phone, on_duty_from=start)
        if presence != Presence.AVAILABLE:
            with runtime(self.app).db.transaction() as session:
                person = session.get(Person, person_id)
                assert person is not None
                person.presence = presence
        return person_id

    def token(self, person_id: int) -> str:
        return make_token(self.app, person_id)

    def caller(self, number: str) -> CallSimulator:
        return CallSimulator(
            FlaskClientTransport(self.app.test_client()),
            "http://localhost",
            TEST_AUTH_TOKEN,
            number,
            LINE,
            call_sid=f"CA{next(self._callers):032x}",
            recordings=self.twilio,
            fallback_url="/twilio/voice/fallback",
        )

    def run_jobs(self) -> int:
        return run_due_jobs(self.app)

    def calls_to(self, phone: str) -> list[dict[str, Any]]:
        return [call for call in self.twilio.calls if call["to"] == phone]

    def answer(self, call_sid: str, script: list[str | None]) -> CallSimulator:
        """The handler picks up the line's call and does ``script`` (keys, then the bridge)."""
        simulator = self.twilio.call_simulator(call_sid, FlaskClientTransport(self.app.test_client()))
        simulator.run(script)
        return simulator

    def deliver(self, sid: str | None = None) -> None:
        self.twilio.deliver_pending(sid)

    def offers(self) -> list[CallOffer]:
        with runtime(self.app).db.sessions() as session:
            return list(session.scalars(select(CallOffer).order_by(CallOffer.id)))

    def queued(self) -> list[QueuedCall]:
        with runtime(self.app).db.sessions() as session:
            return list(session.scalars(select(QueuedCall).order_by(QueuedCall.id)))


@pytest.fixture
def line(twilio_app: Flask, fake_twilio: FakeTwilioApi, clock: ManualClock) -> Line:
    return Line(twilio_app, fake_twilio, clock)


def queue_results(simulator: CallSimulator) -> list[str]:
    return [event.result for event in simulator.transcript if isinstance(event, Queued)]

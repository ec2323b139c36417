"""A caller for the IVR tests who, once put in the queue for a human, lets the line route (runs its jobs) and
then hangs up: what the tests check is who the line rang."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from tipline.simulate.caller import Prompt
from tipline.simulate.events import Utterance
from workers.jobs import run_due_jobs


class WaitsForAHuman:
    def __init__(self, app: Flask, answers: list[str | None]) -> None:
        self.app = app
        self.answers = list(answers)
        self.queued = False

    def hears(self, utterance: Utterance) -> bool:
        if utterance.kind == "hold" and utterance.text.startswith("waiting in queue"):
            self.queued = True  # <Enqueue>: from now on, prompts come from the hold (wait URL) loop
        return False

    def respond(self, prompt: Prompt) -> str | None:
        if self.queued or prompt.kind == "queue":
            self.queued = True
            run_due_jobs(self.app)  # the routing decision, as a worker would make it
            return "hangup"
        if not self.answers:
            raise AssertionError(f"the caller has no answer left for a {prompt.kind} prompt")
        return self.answers.pop(0)


@pytest.fixture
def waits_for_a_human() -> Callable[[Flask, list[str | None]], WaitsForAHuman]:
    return WaitsForAHuman

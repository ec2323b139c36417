"""The flow engine: bilingual voice and SMS scripts (data in `ivr_scripts/`) run by a pure `step` function.

    script = load_script(Path("ivr_scripts/voice.yaml"))
    state = FlowState.start(script, vars={"org_name": "…"})
    state, actions = step(script, state, FlowInput(event="start"))

Nothing here touches Flask, the database or Twilio: the adapter renders the actions and runs the effects.
"""

from tipline.flows.actions import Action, Ask, Effect, HandOff, Hangup, Play, Record, Reply, Say, Spoken
from tipline.flows.catalog import EFFECTS, FLAGS, LANGS
from tipline.flows.engine import step
from tipline.flows.errors import Problem, ScriptError
from tipline.flows.model import Script
from tipline.flows.render import sms_segments, speak_digits, speak_phone
from tipline.flows.scripts import check_scripts, load_script
from tipline.flows.state import FlowInput, FlowState

__all__ = [
    "EFFECTS",
    "FLAGS",
    "LANGS",
    "Action",
    "Ask",
    "Effect",
    "FlowInput",
    "FlowState",
    "HandOff",
    "Hangup",
    "Play",
    "Problem",
    "Record",
    "Reply",
    "Say",
    "Script",
    "ScriptError",
    "Spoken",
    "check_scripts",
    "load_script",
    "sms_segments",
    "speak_digits",
    "speak_phone",
    "step",
]

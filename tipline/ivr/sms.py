"""A text conversation through the SMS script: each inbound text is stored first (encrypted), then keywords
(STOP, AIDE, URGENT…), then one step of the engine with the effects it asks for, triage on the case, the media
registered, and the replies to answer with — none to a number that opted out, and only so many a minute.

After a hand-off the engine is no longer asked: the texter writes to the case, and dispatchers reply through
the API (``tipline/sms/services.py``). A text after an SMS goodbye starts the flow again (the engine does it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from tipline.cases.models import Case, CaseStatus
from tipline.cases.triage_service import retriage
from tipline.contacts.events import record_event, safe_params
from tipline.contacts.models import Contact, Event
from tipline.contacts.optouts import is_opted_out, set_opt_out
from tipline.flows import Effect, FlowInput, FlowState, HandOff, Reply, Script, step
from tipline.flows.catalog import DEFAULT_LANG
from tipline.flows.model import CollectNode, GoodbyeNode, HandoffNode
from tipline.flows.speech import words
from tipline.ivr.effects import EffectContext, ensure_case, reachable_number, run_effect, triage_contact
from tipline.ivr.scripts import scripts
from tipline.ivr.state import load_state, save_state
from tipline.media.models import MediaKind
from tipline.media.services import register_media
from tipline.runtime import runtime
from tipline.sms.conversations import end_conversation, link_events_to_case, open_conversation
from tipline.sms.keywords import Keyword, match_keyword
from tipline.sms.language import detect_language
from tipline.sms.limits import may_reply, record_replies
from tipline.sms.tasks import schedule_idle
from tipline.triage import assess
from tipline.webhooks.staff_sms import staff_reply

MAX_EFFECTS_PER_STEP = 5
MAX_MEDIA = 10  # Twilio sends at most ten media items with one message
# A texter silent this long while writing a tip has finished it: the tip is saved and its reference sent.
COLLECT_IDLE = timedelta(minutes=10)
# The hand-off node URGENT leads to (the script's person-to-person conversation).
URGENT_NODE = "talk"
# A first message "carries content" (and opens a case) when triage finds something in it, or it has media, or
# at least this many words; "allo" or "1" does not.
CONTENT_MIN_WORDS = 3
TWILIO_OPT_OUT_TYPES = {"STOP": "stop", "START": "start", "HELP": "help"}
UNLIMITED = frozenset({"stop", "start", "urgent"})  # answers never held back by the reply limit


@dataclass(frozen=True)
class MediaRef:
    url: str
    content_type: str | None

    @property
    def sid(self) -> str:
        """The media SID: the last segment of Twilio's media URL."""
        return self.url.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class InboundSms:
    sender: str
    body: str
    params: Mapping[str, str]
    media: tuple[MediaRef, ...] = ()
    # What Twilio's own opt-out handling did with this message (Advanced Opt-Out's OptOutType): it answered.
    twilio_keyword: str | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> InboundSms:
        media = tuple(
            MediaRef(url, params.get(f"MediaContentType{index}") or None)
            for index in range(MAX_MEDIA)
            if (url := (params.get(f"MediaUrl{index}") or "").strip())
        )
        opt_out_type = (params.get("OptOutType") or "").strip().upper()
        return cls(
            sender=(params.get("From") or "").strip(),
            body=params.get("Body") or "",
            params=params,
            media=media,
            twilio_keyword=TWILIO_OPT_OUT_TYPES.get(opt_out_type),
        )


def receive_sms(session: Session, inbound: InboundSms) -> list[str]:
    """Store and handle one inbound text. Returns the replies to answer with ([] means an empty <Response/>)."""
    rt = runtime()
    now = rt.clock.now()
    event = record_event(session, "sms.in", data=safe_params(inbound.params), payload=inbound.body, cipher=rt.cipher)
    event.at = now
    staff = staff_reply(session, rt.cipher, inbound.sender, inbound.body) if inbound.sender else None
    if staff is not None:  # an ÉSUP member answering an alert, say: not a texter's conversation
        event.data = {**event.data, "staff": True}
        return [] if is_opted_out(session, rt.cipher, inbound.sender) else [staff]
    number = reachable_number(inbound.sender)
    if number is None:  # a short code, an alphanumeric sender, no sender: stored, never answered
        event.data = {**event.data, "sender": "not_textable"}
        _register_media(session, inbound, contact_id=None, case_id=None)
        return []
    contact, _created = open_conversation(session, rt.cipher, number, now=now)
    event.contact_id = contact.id
    return _Turn(session, contact, number, inbound, event, now).run()


class _Turn:
    """One inbound text of one conversation."""

    def __init__(
        self, session: Session, contact: Contact, number: str, inbound: InboundSms, event: Event, now: datetime
    ) -> None:
        self.session = session
        self.contact = contact
        self.number = number
        self.inbound = inbound
        self.body = inbound.body.strip()
        self.event = event
        self.now = now
        self.cipher = runtime().cipher
        self.script: Script = scripts().sms

    def run(self) -> list[str]:
        case_before = self.contact.case_id
        replies, reason = self._handle()
        _register_media(self.session, self.inbound, contact_id=self.contact.id, case_id=self.contact.case_id)
        if self.contact.case_id != case_before:
            link_events_to_case(self.session, self.contact)
        self.event.case_id = self.contact.case_id
        if not replies:
            return []
        if reason != "stop" and is_opted_out(self.session, self.cipher, self.number):
            return []  # the STOP confirmation is the one text an opted-out number gets
        if reason not in UNLIMITED and not may_reply(self.session, self.cipher, self.number, now=self.now):
            record_event(
                self.session,
                "sms.reply_suppressed",
                contact_id=self.contact.id,
                case_id=self.contact.case_id,
                data={"messages": len(replies), "reason": "rate_limit"},
            ).at = self.now
            return []
        record_replies(
            self.session,
            self.cipher,
            replies,
            contact_id=self.contact.id,
            case_id=self.contact.case_id,
            now=self.now,
            reason=reason,
        )
        return replies

    def _handle(self) -> tuple[list[str], str]:
        keyword = self._keyword()
        opted_out = is_opted_out(self.session, self.cipher, self.number)
        if keyword is not None and keyword.name == "stop":
            return self._stop(keyword, opted_out), "stop"
        if keyword is not None and keyword.name == "start":
            return self._start(keyword, opted_out), "start"
        if keyword is not None and keyword.name == "urgent":
            return self._urgent(keyword), "urgent"
        if opted_out:  # stored and triaged; nothing goes back until START
            self._triage(self._flags())
            return [], "opted_out"
        if keyword is not None and keyword.name == "help":
            answered = self.inbound.twilio_keyword == "help"
            return ([] if answered else [self._text("help_text", keyword)]), "help"
        return self._converse()

    def _keyword(self) -> Keyword | None:
        """Ours, or Twilio's when its own opt-out handling acted on the message (its word wins: both agree)."""
        ours = match_keyword(self.script, self.body)
        theirs = self.inbound.twilio_keyword
        if theirs is None:
            return ours
        return Keyword(theirs, ours.lang if ours is not None and ours.name == theirs else None)

    # --- keywords ------------------------------------------------------------------------------------------

    def _stop(self, keyword: Keyword, opted_out: bool) -> list[str]:
        """Opt out, and confirm once (not when Twilio's own opt-out handling already answered)."""
        if opted_out:
            return []
        source = "twilio" if self.inbound.twilio_keyword == "stop" else "keyword"
        set_opt_out(self.session, self.cipher, self.number, opted_out=True, source=source, now=self.now)
        record_event(
            self.session,
            "sms.opt_out",
            contact_id=self.contact.id,
            case_id=self.contact.case_id,
            data={"source": source},
        )
        return [] if source == "twilio" else [self._text("stop_text", keyword)]

    def _start(self, keyword: Keyword, opted_out: bool) -> list[str]:
        source = "twilio" if self.inbound.twilio_keyword == "start" else "keyword"
        if opted_out:
            set_opt_out(self.session, self.cipher, self.number, opted_out=False, source=source, now=self.now)
            record_event(
                self.session,
                "sms.opt_in",
                contact_id=self.contact.id,
                case_id=self.contact.case_id,
                data={"source": source},
            )
        return [] if source == "twilio" else [self._text("start_text", keyword)]

    def _urgent(self, keyword: Keyword) -> list[str]:
        """The crisis path at once: a P1 case (which starts the ÉSUP escalation) and a person to write to."""
        lang = self._lang(keyword)
        case = ensure_case(self._context(("danger", "talk")), lang)
        retriage(self.session, case, scripts().triage, choices=["danger", "talk"], texts=[self.body])
        state = load_state(self.contact, self.cipher) or initial_state(lang)
        state = replace(state, node=handoff_node(self.script), retries=0, pending=None, lang=state.lang or lang)
        save_state(self.contact, state.with_flags("danger", "talk"), self.cipher)
        self.contact.step_seq += 1
        self.contact.language = state.lang
        record_event(self.session, "sms.urgent", contact_id=self.contact.id, case_id=case.id, data={"lang": lang})
        return [self._text("urgent_text", keyword)]

    def _text(self, name: str, keyword: Keyword | None) -> str:
        return self.script.defaults.vars[name][self._lang(keyword)]

    def _lang(self, keyword: Keyword | None) -> str:
        """HELP answers in the keyword's language (AIDE: French); the others in the conversation's, if known."""
        state = load_state(self.contact, self.cipher)
        conversation = (state.lang if state else None) or self.contact.language
        said = keyword.lang if keyword is not None else None
        if keyword is not None and keyword.name == "help":
            return said or conversation or DEFAULT_LANG
        return conversation or said or DEFAULT_LANG

    # --- the flow ------------------------------------------------------------------------------------------

    def _converse(self) -> tuple[list[str], str]:
        state = load_state(self.contact, self.cipher)
        if state is None:
            state, event = initial_state(detect_language(self.body)), FlowInput(event="start", text=self.body or None)
        elif isinstance(self.script.nodes.get(state.node), HandoffNode):
            if self._case_is_open():  # the texter writes to the case; a dispatcher answers
                self._triage(state.flags)
                return [], "relayed"
            state, event = initial_state(state.lang), FlowInput(event="start", text=self.body or None)
        elif not self.body:  # a photo alone, or an empty text, answers no question: kept, no step
            self._triage(state.flags)
            return [], "no_text"
        else:
            event = FlowInput(event="input", text=self.body)
        state, replies = run_step(
            self.session, self.contact, state, event, caller=self.number, params=self.inbound.params
        )
        self._triage(state.flags)
        return replies, "flow"

    def _case_is_open(self) -> bool:
        if self.contact.case_id is None:
            return False
        case = self.session.get(Case, self.contact.case_id)
        return case is not None and case.status != CaseStatus.RESOLVED

    def _flags(self) -> tuple[str, ...]:
        state = load_state(self.contact, self.cipher)
        return state.flags if state else ()

    def _triage(self, flags: tuple[str, ...]) -> None:
        """Every text goes to triage once the conversation has a case; the first text with content opens one."""
        case = self.session.get(Case, self.contact.case_id) if self.contact.case_id is not None else None
        if case is None and self._carries_content():
            case = ensure_case(self._context(flags), self.contact.language or detect_language(self.body))
        if case is None:
            return
        retriage(self.session, case, scripts().triage, choices=flags, texts=[self.body] if self.body else [])

    def _carries_content(self) -> bool:
        if self.inbound.media:
            return True
        if not self.body:
            return False
        if len([w for w in words(self.body) if not w.isdigit()]) >= CONTENT_MIN_WORDS:
            return True
        return bool(assess(choices=[], texts=[self.body], rules=scripts().triage).categories)

    def _context(self, flags: tuple[str, ...]) -> EffectContext:
        return EffectContext(self.session, self.contact, self.number, self.inbound.params, flags)


def initial_state(lang: str | None) -> FlowState:
    state = FlowState.start(scripts().sms)
    return replace(state, lang=lang) if lang else state


def handoff_node(script: Script) -> str:
    """Where URGENT and a dispatcher taking over put the conversation: the script's ``talk`` hand-off."""
    if isinstance(script.nodes.get(URGENT_NODE), HandoffNode):
        return URGENT_NODE
    return next(node_id for node_id, node in script.nodes.items() if isinstance(node, HandoffNode))


def run_step(
    session: Session,
    contact: Contact,
    state: FlowState,
    event: FlowInput,
    *,
    caller: str,
    params: Mapping[str, str],
) -> tuple[FlowState, list[str]]:
    """One step of the SMS script and the effects it asks for; the state saved; the replies it produced."""
    script = scripts().sms
    state, first = step(script, state, event)
    actions = list(first)
    for _effect in range(MAX_EFFECTS_PER_STEP):
        effect = actions[-1] if actions else None
        if not isinstance(effect, Effect):
            break
        actions.pop()
        data = run_effect(EffectContext(session, contact, caller, params, state.flags), effect)
        state, more = step(script, state, FlowInput(event="effect_result", data=data))
        actions.extend(more)
    if state.lang:
        contact.language = state.lang
    contact.step_seq += 1
    save_state(contact, state, runtime().cipher)

    handoff = next((action for action in actions if isinstance(action, HandOff)), None)
    if handoff is not None:
        context = EffectContext(session, contact, caller, params, handoff.flags)
        case = ensure_case(context, handoff.lang)
        triage_contact(context, case)
        record_event(
            session, "sms.handoff", contact_id=contact.id, case_id=case.id, data={"flags": list(handoff.flags)}
        )
    node = script.nodes.get(state.node)
    if isinstance(node, CollectNode):
        schedule_idle(session, contact, after=COLLECT_IDLE)
    elif isinstance(node, GoodbyeNode) and contact.anonymous:
        end_conversation(contact, now=runtime().clock.now())  # the number was kept only to answer
    return state, [action.text for action in actions if isinstance(action, Reply)]


def take_over(session: Session, contact: Contact) -> None:
    """A dispatcher answers: the texter's next messages go to the case, not to the script."""
    rt = runtime()
    script = scripts().sms
    state = load_state(contact, rt.cipher) or initial_state(contact.language)
    if isinstance(script.nodes.get(state.node), HandoffNode):
        return
    state = replace(state, node=handoff_node(script), retries=0, pending=None).with_flags("talk")
    save_state(contact, state, rt.cipher)
    contact.step_seq += 1  # a pending idle step is stale now
    record_event(session, "sms.taken_over", contact_id=contact.id, case_id=contact.case_id)


def _register_media(session: Session, inbound: InboundSms, *, contact_id: int | None, case_id: int | None) -> None:
    """Every MMS item: a worker brings it into encrypted storage, then deletes it at Twilio."""
    cipher = runtime().cipher
    for item in inbound.media:
        register_media(
            session,
            cipher,
            kind=MediaKind.MMS,
            twilio_sid=item.sid,
            source_url=item.url,
            contact_id=contact_id,
            case_id=case_id,
            content_type=item.content_type,
        )

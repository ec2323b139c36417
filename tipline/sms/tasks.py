"""Delayed work of a conversation: a tip that stopped arriving is saved (its reference sent by text), and a
quiet conversation is closed. Both jobs are keyed per conversation and step, and safe to run twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from tipline.contacts.events import record_event
from tipline.contacts.models import Contact, ContactStatus
from tipline.contacts.optouts import is_opted_out
from tipline.flows import FlowInput
from tipline.flows.model import CollectNode
from tipline.ivr.effects import reachable_number
from tipline.ivr.scripts import scripts
from tipline.ivr.state import load_state
from tipline.outbox.models import OutboundKind
from tipline.outbox.services import queue_outbound
from tipline.runtime import runtime
from tipline.sms.conversations import CONVERSATION_IDLE_EXPIRY, end_conversation
from workers.jobs import job

FLOW_PURPOSE = "sms_flow"  # a script's reply sent by REST (no webhook to answer): the end of an idle tip


def schedule_idle(session: Session, contact: Contact, *, after: timedelta) -> None:
    """Ask for the ``idle`` event if nothing else arrives before ``after``."""
    finish_idle_collect.enqueue(
        session,
        key=f"sms-idle:{contact.id}:{contact.step_seq}",
        run_at=runtime().clock.now() + after,
        contact_id=contact.id,
        seq=contact.step_seq,
    )


def schedule_expiry(session: Session, contact: Contact) -> None:
    due = contact.last_activity_at + CONVERSATION_IDLE_EXPIRY
    expire_conversation.enqueue(
        session, key=f"sms-expire:{contact.id}:{int(due.timestamp())}", run_at=due, contact_id=contact.id
    )


@job("default")
def finish_idle_collect(session: Session, *, contact_id: int, seq: int) -> None:
    """The texter stopped writing during a tip: the engine gets ``idle`` and its replies go out by REST."""
    from tipline.ivr.sms import run_step

    rt = runtime()
    contact = session.get(Contact, contact_id, with_for_update=True)
    if contact is None or contact.step_seq != seq or contact.status != ContactStatus.ACTIVE:
        return  # the texter wrote again (that step scheduled its own), or the conversation is over
    state = load_state(contact, rt.cipher)
    if state is None or not isinstance(scripts().sms.nodes.get(state.node), CollectNode):
        return
    number = rt.cipher.decrypt_text(contact.caller_number_enc) if contact.caller_number_enc else ""
    record_event(session, "sms.idle", contact_id=contact.id, case_id=contact.case_id)
    _state, replies = run_step(session, contact, state, FlowInput(event="idle"), caller=number, params={})
    send_flow_replies(session, contact, number, replies, key=f"sms-idle:{contact.id}:{seq}")


def send_flow_replies(session: Session, contact: Contact, number: str, replies: list[str], *, key: str) -> None:
    rt = runtime()
    textable = reachable_number(number) if number else None
    if not replies or textable is None or is_opted_out(session, rt.cipher, textable):
        return
    queue_outbound(
        session,
        rt.cipher,
        kind=OutboundKind.SMS,
        purpose=FLOW_PURPOSE,
        to=textable,
        body="\n\n".join(replies),
        idempotency_key=key,
        contact_id=contact.id,
        case_id=contact.case_id,
    )


@job("default")
def expire_conversation(session: Session, *, contact_id: int) -> None:
    """Close a conversation that went quiet, or look again when it is next due."""
    now = runtime().clock.now()
    contact = session.get(Contact, contact_id, with_for_update=True)
    if contact is None or contact.status != ContactStatus.ACTIVE:
        return
    if now - contact.last_activity_at >= CONVERSATION_IDLE_EXPIRY:
        end_conversation(contact, now=now)
        record_event(session, "sms.conversation_ended", contact_id=contact.id, case_id=contact.case_id)
        return
    schedule_expiry(session, contact)

"""A contact's flow state, kept encrypted on the contact (it may hold a reference code or a tip's text)."""

from __future__ import annotations

from tipline.contacts.models import Contact
from tipline.crypto import DataCipher
from tipline.flows import FlowState


def load_state(contact: Contact, cipher: DataCipher) -> FlowState | None:
    if contact.flow_state_enc is None:
        return None
    return FlowState.from_json(cipher.decrypt_text(contact.flow_state_enc))


def save_state(contact: Contact, state: FlowState, cipher: DataCipher) -> None:
    contact.flow_state_enc = cipher.encrypt(state.to_json())

"""Contacts: one call or one SMS conversation, and the append-only log of what happened in it."""

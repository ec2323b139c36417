"""Routing: who a caller who asks for a human reaches, and what happens when nobody answers."""

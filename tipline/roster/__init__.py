"""The roster: people (dispatchers, ÉSUP, supervisors, admins), their languages, phones and shifts."""

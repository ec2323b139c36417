"""Crisis escalation to the on-call ÉSUP team: policy as data, SMS and voice alerts, acknowledgement."""

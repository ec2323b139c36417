"""The outbox: every outbound SMS or call is first a row here, then sent by a job."""

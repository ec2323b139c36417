"""Twilio's webhooks: one blueprint under ``/twilio``, every request signature-checked in one place."""

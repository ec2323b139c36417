"""Importing this module registers every Twilio route on the blueprint."""

from tipline.webhooks import fallback, sms, voice
from tipline.webhooks.blueprint import twilio_bp

__all__ = ["fallback", "sms", "twilio_bp", "voice"]

"""Importing this module registers every Twilio route module of this package on the blueprint."""

import importlib
import pkgutil

import tipline.webhooks
from tipline.webhooks.blueprint import twilio_bp

_NOT_ROUTES = {
    "blueprint",
    "routes",
    "models",
    "security",
    "idempotency",
    "safety",
    "fallback_twiml",
    "staff_sms",
    "retention",
}
for _module in pkgutil.iter_modules(tipline.webhooks.__path__):
    if _module.name not in _NOT_ROUTES:
        importlib.import_module(f"tipline.webhooks.{_module.name}")

__all__ = ["twilio_bp"]

"""Logging for the processes tipline starts. Log lines carry ids and types, never numbers, bodies or
transcripts; the libraries that could print request parameters are kept at WARNING."""

from __future__ import annotations

import logging

QUIET_LIBRARIES = ("twilio.http_client", "urllib3")


def configure_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)

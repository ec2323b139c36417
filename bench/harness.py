"""What the webhook benches share: the app on a scratch PostgreSQL database behind a real werkzeug threaded
server on 127.0.0.1, a bare route returning static TwiML beside it, and one keep-alive client that signs its
requests exactly as Twilio does."""

from __future__ import annotations

import http.client
import logging
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

from flask import Response
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support import TEST_AUTH_TOKEN, drop_database, pg_url, recreate_database, settings_for, sign
from tipline import create_app
from tipline.migrate import upgrade
from tipline.runtime import runtime
from workers.dispatch import RecordingDispatcher

BARE_PATH = "/bench/bare"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def print_rows(rows: list[tuple[str, list[float]]], width: int = 34) -> None:
    print(f"{'route':<{width}}{'median':>10}{'p99':>10}")
    for name, values in rows:
        print(f"{name:<{width}}{statistics.median(values):>10.2f}{percentile(values, 0.99):>10.2f}")


class SignedClient:
    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.connection = http.client.HTTPConnection("127.0.0.1", port)

    def post(self, path: str, params: dict[str, str]) -> float:
        """POST ``params`` signed as Twilio signs them; the milliseconds until the whole answer was read."""
        body = urlencode(params)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": sign(self.base + path, params, TEST_AUTH_TOKEN),
        }
        started = time.perf_counter()
        self.connection.request("POST", path, body=body, headers=headers)
        response = self.connection.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}")
        return elapsed


@contextmanager
def served_line(database: str, static_twiml: str) -> Iterator[SignedClient]:
    """The app (jobs recorded, not run, as a separate worker would take them) and the bare route."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log lines in the figures
    recreate_database(database)
    upgrade(pg_url(database))
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {**settings_for(Path(tmp), database_url=pg_url(database)), "dispatcher": RecordingDispatcher()}
        )
        app.add_url_rule(BARE_PATH, "bare", lambda: Response(static_twiml, content_type="text/xml"), methods=["POST"])
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield SignedClient(server.server_port)
        finally:
            server.shutdown()
            runtime(app).db.dispose()
    drop_database(database)

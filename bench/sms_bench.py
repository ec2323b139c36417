"""Inbound SMS handling latency beside a bare Flask route returning static TwiML: same app, same server, same run.

    .venv/bin/python bench/sms_bench.py [--texters 100]

A real HTTP server (werkzeug, threaded) serves the app on 127.0.0.1 against a scratch PostgreSQL database;
one keep-alive client posts signed requests exactly as Twilio does. Each texter holds a short conversation
(journey 3's first text: a P1 case opened and triaged; then the tip menu; a tip over two texts; FIN, which
saves it with a reference and PIN), and every inbound text is timed beside one request to the bare route.
Jobs are recorded, not run (as they would be by a separate worker).
"""

from __future__ import annotations

import argparse
import http.client
import logging
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from flask import Response
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support import (
    TEST_AUTH_TOKEN,
    drop_database,
    pg_url,
    recreate_database,
    settings_for,
    sign,
    sms_params,
)
from tipline import create_app
from tipline.migrate import upgrade
from tipline.runtime import runtime
from workers.dispatch import RecordingDispatcher

STATIC_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Bonjour.</Message></Response>'
CONVERSATION = (
    ("first text (case, P1)", "jai 15 ans il me laisse pas partir"),
    ("menu answer", "2"),
    ("menu answer", "1"),
    ("tip text", "Un salon de massage près de l'école, rue Principale, des jeunes entrent le soir."),
    ("tip text", "Une voiture grise 😟 attend devant."),
    ("FIN (tip saved)", "FIN"),
)
WARM_UP = 10


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log lines in the figures
    parser = argparse.ArgumentParser()
    parser.add_argument("--texters", type=int, default=100)
    args = parser.parse_args()

    database = "tipline_bench_sms"
    recreate_database(database)
    upgrade(pg_url(database))
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {**settings_for(Path(tmp), database_url=pg_url(database)), "dispatcher": RecordingDispatcher()}
        )
        app.add_url_rule(
            "/bench/bare", "bare", lambda: Response(STATIC_TWIML, content_type="text/xml"), methods=["POST"]
        )
        server = make_server("127.0.0.1", 0, app, threaded=True)
        port = server.server_port
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{port}"
        connection = http.client.HTTPConnection("127.0.0.1", port)

        def post(path: str, params: dict[str, str]) -> float:
            body = urlencode(params)
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": sign(base + path, params, TEST_AUTH_TOKEN),
            }
            started = time.perf_counter()
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                raise SystemExit(f"{path} answered {response.status}")
            return elapsed

        bare: list[float] = []
        inbound: list[float] = []
        by_step: dict[str, list[float]] = {}
        for texter in range(args.texters + WARM_UP):
            number = f"+1514555{2000 + texter:04d}"
            for index, (step, text) in enumerate(CONVERSATION):
                sid = f"SM{texter:016x}{index:016x}"
                times = (
                    post("/bench/bare", sms_params(sid, text, From=number)),
                    post("/twilio/sms", sms_params(sid, text, From=number)),
                )
                if texter >= WARM_UP:
                    bare.append(times[0])
                    inbound.append(times[1])
                    by_step.setdefault(step, []).append(times[1])
        server.shutdown()
        runtime(app).db.dispose()
    drop_database(database)

    print(
        f"Inbound SMS latency over {args.texters} conversations, {len(inbound)} texts (ms): PostgreSQL, "
        "werkzeug threaded server on 127.0.0.1, keep-alive client, signed requests"
    )
    print(f"{'route':<34}{'median':>10}{'p99':>10}")
    rows = [("bare static TwiML", bare), ("/twilio/sms (all texts)", inbound)]
    rows += [(f"  {step}", values) for step, values in by_step.items()]
    for name, values in rows:
        print(f"{name:<34}{statistics.median(values):>10.2f}{percentile(values, 0.99):>10.2f}")
    print(f"ratio to bare (median): {statistics.median(inbound) / statistics.median(bare):.2f}x")


if __name__ == "__main__":
    main()

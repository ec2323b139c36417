"""IVR step latency beside a bare Flask route returning static TwiML: same app, same server, same run.

    .venv/bin/python bench/ivr_bench.py [--calls 300]

A real HTTP server (werkzeug, threaded) serves the app on 127.0.0.1 against a scratch PostgreSQL database;
one keep-alive client posts signed requests exactly as Twilio does. Three timings per call, interleaved:
the bare route, the call's first webhook (/twilio/voice: greeting) and one menu step (/twilio/voice/step).
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
    call_params,
    drop_database,
    pg_url,
    recreate_database,
    settings_for,
    sign,
)
from tipline import create_app
from tipline.migrate import upgrade
from tipline.runtime import runtime
from workers.dispatch import RecordingDispatcher

STATIC_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Say language="fr-CA">Bonjour.</Say></Response>'


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log lines in the figures
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()

    database = "tipline_bench_ivr"
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
        greeting: list[float] = []
        menu_step: list[float] = []
        for number in range(args.calls + 20):
            sid = f"CA{number:032x}"
            times = (
                post("/bench/bare", call_params(sid)),
                post("/twilio/voice", call_params(sid)),
                post("/twilio/voice/step?seq=1", call_params(sid, Digits="1")),
            )
            if number >= 20:  # warm-up excluded
                bare.append(times[0])
                greeting.append(times[1])
                menu_step.append(times[2])
        server.shutdown()
        runtime(app).db.dispose()
    drop_database(database)

    print(f"IVR latency over {args.calls} calls (ms), PostgreSQL, werkzeug threaded server, keep-alive client")
    print(f"{'route':<28}{'median':>10}{'p99':>10}")
    for name, values in (
        ("bare static TwiML", bare),
        ("/twilio/voice (greeting)", greeting),
        ("/twilio/voice/step", menu_step),
    ):
        print(f"{name:<28}{statistics.median(values):>10.2f}{percentile(values, 0.99):>10.2f}")
    print(
        f"ratio to bare (median): greeting {statistics.median(greeting) / statistics.median(bare):.2f}x, "
        f"step {statistics.median(menu_step) / statistics.median(bare):.2f}x"
    )


if __name__ == "__main__":
    main()

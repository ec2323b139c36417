"""IVR step latency beside a bare Flask route returning static TwiML: same app, same server, same run.

    .venv/bin/python bench/ivr_bench.py [--calls 300]

Three timings per call, interleaved: the bare route, the call's first webhook (/twilio/voice: greeting) and
one menu step (/twilio/voice/step), against PostgreSQL (see harness.py for the server and the client).
"""

from __future__ import annotations

import argparse
import statistics

from harness import BARE_PATH, print_rows, served_line

from tests.support import call_params

STATIC_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Say language="fr-CA">Bonjour.</Say></Response>'
WARM_UP = 20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    bare: list[float] = []
    greeting: list[float] = []
    menu_step: list[float] = []
    with served_line("tipline_bench_ivr", STATIC_TWIML) as client:
        for number in range(args.calls + WARM_UP):
            sid = f"CA{number:032x}"
            times = (
                client.post(BARE_PATH, call_params(sid)),
                client.post("/twilio/voice", call_params(sid)),
                client.post("/twilio/voice/step?seq=1", call_params(sid, Digits="1")),
            )
            if number >= WARM_UP:
                bare.append(times[0])
                greeting.append(times[1])
                menu_step.append(times[2])
    print(f"IVR latency over {args.calls} calls (ms), PostgreSQL, werkzeug threaded server, keep-alive client")
    print_rows([("bare static TwiML", bare), ("/twilio/voice (greeting)", greeting), ("/twilio/voice/step", menu_step)])
    print(
        f"ratio to bare (median): greeting {statistics.median(greeting) / statistics.median(bare):.2f}x, "
        f"step {statistics.median(menu_step) / statistics.median(bare):.2f}x"
    )


if __name__ == "__main__":
    main()

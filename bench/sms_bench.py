"""Inbound SMS handling latency beside a bare Flask route returning static TwiML: same app, same server, same run.

    .venv/bin/python bench/sms_bench.py [--texters 100]

See harness.py for the server and the signed keep-alive client. Each texter holds a short conversation
(journey 3's first text: a P1 case opened and triaged; then the tip menu; a tip over two texts; FIN, which
saves it with a reference and PIN), and every inbound text is timed beside one request to the bare route.
Jobs are recorded, not run (as they would be by a separate worker).
"""

from __future__ import annotations

import argparse
import statistics

from harness import BARE_PATH, print_rows, served_line

from tests.support import sms_params

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texters", type=int, default=100)
    args = parser.parse_args()
    with served_line("tipline_bench_sms", STATIC_TWIML) as client:
        bare: list[float] = []
        inbound: list[float] = []
        by_step: dict[str, list[float]] = {}
        for texter in range(args.texters + WARM_UP):
            number = f"+1514555{2000 + texter:04d}"
            for index, (step, text) in enumerate(CONVERSATION):
                sid = f"SM{texter:016x}{index:016x}"
                times = (
                    client.post(BARE_PATH, sms_params(sid, text, From=number)),
                    client.post("/twilio/sms", sms_params(sid, text, From=number)),
                )
                if texter >= WARM_UP:
                    bare.append(times[0])
                    inbound.append(times[1])
                    by_step.setdefault(step, []).append(times[1])

    print(
        f"Inbound SMS latency over {args.texters} conversations, {len(inbound)} texts (ms): PostgreSQL, "
        "werkzeug threaded server on 127.0.0.1, keep-alive client, signed requests"
    )
    rows = [("bare static TwiML", bare), ("/twilio/sms (all texts)", inbound)]
    print_rows(rows + [(f"  {step}", values) for step, values in by_step.items()])
    print(f"ratio to bare (median): {statistics.median(inbound) / statistics.median(bare):.2f}x")


if __name__ == "__main__":
    main()

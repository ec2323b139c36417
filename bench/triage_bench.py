"""Triage benchmark: accuracy on the labelled set and time per message.

Run: .venv/bin/python bench/triage_bench.py [--repeat N] [--misses]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tipline.triage import load_rules  # noqa: E402
from tipline.triage.evaluation import assess_message, evaluate, load_labelled  # noqa: E402

RULES = ROOT / "ivr_scripts" / "triage.yaml"
LABELLED = ROOT / "tests" / "data" / "triage_labelled.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30, help="passes over the labelled set for timing")
    parser.add_argument("--misses", action="store_true", help="print misclassified messages (local use only)")
    args = parser.parse_args()

    started = time.perf_counter()
    rules = load_rules(RULES)
    load_ms = (time.perf_counter() - started) * 1000
    messages = load_labelled(LABELLED)
    evaluation = evaluate(messages, rules)
    splits = sorted({m.split for m in messages})

    print(f"rules {RULES.relative_to(ROOT)} (version {rules.version}), loaded and compiled in {load_ms:.1f} ms")
    print(f"labelled set {LABELLED.relative_to(ROOT)}: {evaluation.total} messages")
    print()
    print("\n".join(evaluation.matrix_lines()))
    print()
    for priority in ("P1", "P2", "P3", "P4"):
        recall, precision = evaluation.recall(priority), evaluation.precision(priority)
        print(f"{priority}: recall {recall:.3f}  precision {precision:.3f}")
    print(f"overall accuracy {evaluation.accuracy:.3f}")
    for split in splits:
        part = evaluate([m for m in messages if m.split == split], rules)
        print(
            f"  split {split!r} ({part.total} messages): P1 recall {part.recall('P1'):.3f}, "
            f"P1 precision {part.precision('P1'):.3f}, accuracy {part.accuracy:.3f}"
        )

    timings: list[float] = []
    for _ in range(args.repeat):
        for message in messages:
            start = time.perf_counter()
            assess_message(message, rules)
            timings.append(time.perf_counter() - start)
    timings.sort()
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print()
    print(
        f"time per message over {len(timings)} assessments ({args.repeat} passes): "
        f"median {statistics.median(timings) * 1e6:.0f} µs, p99 {p99 * 1e6:.0f} µs, max {timings[-1] * 1e6:.0f} µs"
    )

    if args.misses:
        print()
        for message, result in evaluation.misses:
            why = "; ".join(f"{r.rule_id}={list(r.matched)}" for r in result.reasons)
            label = f"[{message.split}] [{message.priority}->{result.priority}]"
            print(f"{label} {message.text!r} {list(message.choices)} :: {why}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Assistant.ask against a bare query encode, in one process, per list:
`.venv/bin/python benchmarks/answer_latency.py [--set dev-seed --set tuning-kmy-scjg-2024 …]`.

The encode is the model alone (no cache); the asks are new questions (the encoder cache
cleared first). Uses the tuning sets' questions and index folders (eval/sets.json). Run it alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import paths
from assistant.evaluation.score import load_questions
from assistant.evaluation.sets import load_sets, open_assistant
from assistant.service import make_embedder
from benchmarks.run import timed


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--set", action="append", default=[])
    args = p.parse_args()
    names = args.set or ["dev-seed", "tuning-kmy-scjg-2024", "tuning-kmy-wenlv-2024"]
    embedder = make_embedder()
    print(f"{'set':<24}{'items':>7}{'encode p50':>12}{'ask p50':>10}{'ask p95':>10}{'ratio':>8}")
    for s in load_sets(paths.ROOT / "eval" / "sets.json", names=names):
        if not s.available:
            continue
        assistant = open_assistant(s, embedder)
        questions = [q["question"] for q in load_questions(s.questions)]
        assistant.ask("热身", [])
        encode = timed(lambda q: embedder._encode([q], "query"), questions)
        embedder._query.cache_clear()
        ask = timed(lambda q, a=assistant: a.ask(q, []), questions)
        e50, a50 = statistics.median(encode), statistics.median(ask)
        a95 = sorted(ask)[max(0, round(0.95 * len(ask)) - 1)]
        print(f"{s.name:<24}{len(assistant.catalogue.items):>7}{e50:>12.1f}{a50:>10.1f}{a95:>10.1f}{a50 / e50:>8.2f}")


if __name__ == "__main__":
    main()

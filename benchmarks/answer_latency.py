"""Assistant.ask against a bare query encode, in one process, per list:
`.venv/bin/python benchmarks/answer_latency.py [--set dev-seed --set tuning-kmy-scjg-2024 …]`.

The encode is the model alone (no cache); the asks are new questions (the encoder cache
cleared first), asked on their own; the follow-ups are the sets' questions with earlier turns, asked
after their conversation (replayed first, not timed). Uses the tuning sets' questions and index
folders (eval/sets.json). Run it alone.
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
from assistant.evaluation.score import load_questions, replay
from assistant.evaluation.sets import load_sets, open_assistant
from assistant.service import make_embedder
from benchmarks.run import timed


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--set", action="append", default=[])
    args = p.parse_args()
    names = args.set or ["dev-seed", "tuning-kmy-scjg-2024", "tuning-kmy-wenlv-2024"]
    embedder = make_embedder()
    print(f"{'set':<24}{'items':>7}{'encode p50':>12}{'ask p50':>10}{'ask p95':>10}{'ratio':>8}"
          f"{'follow-ups':>11}{'p50':>8}")
    for s in load_sets(paths.ROOT / "eval" / "sets.json", names=names):
        if not s.available:
            continue
        assistant = open_assistant(s, embedder)
        loaded = load_questions(s.questions)
        questions = [q["question"] for q in loaded]
        assistant.ask("热身", [])
        encode = timed(lambda q: embedder._encode([q], "query"), questions)
        embedder._query.cache_clear()
        ask = timed(lambda q, a=assistant: a.ask(q, []), questions)
        conversations = [(q["question"], replay(assistant.ask, q)) for q in loaded if q.get("turns")]
        embedder._query.cache_clear()
        follow = timed(lambda c, a=assistant: a.ask(c[0], c[1]), conversations) if conversations else []
        e50, a50 = statistics.median(encode), statistics.median(ask)
        a95 = sorted(ask)[max(0, round(0.95 * len(ask)) - 1)]
        f50 = f"{statistics.median(follow):>8.1f}" if follow else f"{'—':>8}"
        print(f"{s.name:<24}{len(assistant.catalogue.items):>7}{e50:>12.1f}{a50:>10.1f}{a95:>10.1f}{a50 / e50:>8.2f}"
              f"{len(conversations):>11}{f50}")


if __name__ == "__main__":
    main()

"""Query latency of search and Assistant.ask on the seed list, next to the bare encoder.

    .venv/bin/python benchmarks/latency.py [--repeat N]

Prints one table: the machine, library versions, and p50/p95 in milliseconds
for (1) the model's bare query encode, (2) Retriever.search, (3) Assistant.ask,
with the ratio of each to the encoder. Run it alone: other load skews it.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import paths
from assistant.evaluate import load_questions
from assistant.index.store import versions
from assistant.service import load_assistant


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)]


def timed(fn, inputs: list[str], repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        for text in inputs:
            start = time.perf_counter()
            fn(text)
            out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    assistant = load_assistant(progress=False)
    embedder = assistant.retriever.embedder
    questions = [q["question"] for q in load_questions(paths.ROOT / "eval" / "questions.jsonl")]
    assistant.ask(questions[0], [])  # load the model once, outside the timings
    rows = []
    if embedder is not None:
        rows.append(("query encode (bare model)", timed(lambda q: embedder.encode([q], "query"),
                                                        questions, args.repeat)))
    rows.append(("Retriever.search (k=5)", timed(lambda q: assistant.retriever.search(q, 5),
                                                 questions, args.repeat)))
    rows.append(("Assistant.ask", timed(lambda q: assistant.ask(q, []), questions, args.repeat)))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.platform()}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()))
    print(f"questions: {len(questions)} × {args.repeat} repeats; chunks: {len(assistant.retriever.index.chunks)}")
    base = percentiles(rows[0][1])[0]
    print(f"{'what':<28}{'p50 ms':>9}{'p95 ms':>9}{'× encode p50':>14}")
    for name, samples in rows:
        p50, p95 = percentiles(samples)
        print(f"{name:<28}{p50:>9.1f}{p95:>9.1f}{p50 / base:>14.2f}")


if __name__ == "__main__":
    main()

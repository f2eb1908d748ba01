"""One city's lists in one index: build from scratch, after adding one list, and ask latency
against the seed alone, in one process.

    .venv/bin/python benchmarks/city.py [--shared ../shared] [--out docs/city.json] [--keep-cache]

The city: the 21 department workbooks of raw/karamay as published, the seed and the 阿拉尔 list.
Step 1 builds all but one workbook (自然资源局) from scratch with a fresh vector cache; step 2
adds it (only its new texts are embedded); then the seed alone and the city are each asked the
213 dev questions and the routing tuning questions (encoder cache cleared before each pass; the
first pass of each warms caches and is not counted). Prints one JSON row per step.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _now_mb() -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        return next(int(line.split()[1]) // 1024 for line in f if line.startswith("VmRSS:"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--out", help="also write the rows as JSON")
    ap.add_argument("--keep-cache", action="store_true",
                    help="use the usual vector cache (texts embedded before are reused: not 'from scratch')")
    args = ap.parse_args()
    shared = Path(args.shared) / "external-lists"
    seed = ROOT / "corpus" / "lists" / "tianshui-cac-power-list.txt"
    karamay = sorted((shared / "raw" / "karamay").iterdir())
    added = shared / "raw" / "karamay" / "kmy-ziran-2024.xls"
    city = [seed, shared / "lists" / "alar-cac-2021.txt", *karamay]
    work = Path(tempfile.mkdtemp(prefix="city-"))
    if not args.keep_cache:
        os.environ["ASSISTANT_VECTOR_CACHE"] = str(work / "vectors.sqlite3")  # nothing embedded before

    from assistant import paths
    from assistant.answering.dialogue import Assistant
    from assistant.corpus.catalogue import Catalogue
    from assistant.evaluation.score import load_questions
    from assistant.index.retriever import Retriever
    from assistant.service import make_embedder
    from assistant.statutes.library import Library
    from benchmarks.list_builds import build_step, write_rows

    embedder = make_embedder(None)
    embedder.encode(["预热"], "query")  # the model load is not a build's cost
    rows = []

    def build(name: str, files: list[Path], root: Path) -> tuple:
        row, lists, built = build_step(name, files, root, embedder)
        rows.append(row)
        return lists, built

    root = work / "index"
    build("city less one workbook, from scratch", [f for f in city if f != added], root)
    city_lists, city_index = build("one workbook added (自然资源局)", city, root)
    seed_lists, seed_index = build("seed alone", [seed], work / "seed-index")

    library = Library.load(paths.laws_dir())
    dev = [q["question"] for q in load_questions(ROOT / "eval" / "questions.jsonl")]
    routing_file = ROOT / "eval" / "tuning" / "kmy-city-routing.jsonl"
    routed = [q["question"] for q in load_questions(routing_file)] if routing_file.is_file() else []

    def p50(assistant: Assistant, questions: list[str]) -> float:
        for q in questions:  # warm: jieba, caches of the lists' words
            assistant.ask(q, [])
        query = getattr(embedder, "_query", None)
        if query is not None:
            query.cache_clear()  # new questions: each pays its encode
        times = []
        for q in questions:
            start = time.perf_counter()
            assistant.ask(q, [])
            times.append((time.perf_counter() - start) * 1000)
        return round(statistics.median(times), 2)

    before = _now_mb()
    on_seed = Assistant(Catalogue.of(seed_lists), Retriever(seed_index, embedder), library=library)
    on_city = Assistant(Catalogue.of(city_lists), Retriever(city_index, embedder), library=library)
    serving = _now_mb()
    seed_p50 = p50(on_seed, dev)
    city_p50 = p50(on_city, dev)
    row = {"step": "ask p50 (ms), 213 dev questions", "seed": seed_p50, "city": city_p50,
           "ratio": round(city_p50 / seed_p50, 2),
           "city_routing_questions": p50(on_city, routed) if routed else None,
           "rss_before_assistants_mb": before, "rss_serving_both_mb": serving}
    rows.append(row)
    print(json.dumps(row, ensure_ascii=False), flush=True)
    write_rows(rows, args.out)


if __name__ == "__main__":
    main()

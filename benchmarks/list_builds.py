"""Index builds over real published lists: from scratch, after adding a list, after reordering.

    .venv/bin/python benchmarks/list_builds.py [--shared ../shared] [--out docs/list-builds.json]

Uses a fresh vector cache and fresh index folders in a temporary directory, the real model, and
the lists as published (the Karamay workbooks read directly). Prints one row per step: items,
chunks, distinct texts, texts embedded and reused, wall time and peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--out", help="also write the rows as JSON")
    args = ap.parse_args()
    shared = Path(args.shared) / "external-lists"
    seed = ROOT / "corpus" / "lists" / "tianshui-cac-power-list.txt"
    four = [seed, shared / "raw" / "kmy-scjg-2024.xls", shared / "raw" / "kmy-wenlv-2024.xlsx",
            shared / "lists" / "alar-cac-2021.txt"]
    added = shared / "raw" / "karamay" / "kmy-ziran-2024.xls"
    work = Path(tempfile.mkdtemp(prefix="list-builds-"))
    os.environ["ASSISTANT_VECTOR_CACHE"] = str(work / "vectors.sqlite3")  # nothing embedded before

    from assistant.service import make_embedder

    embedder = make_embedder(None)
    embedder.encode(["预热"], "query")  # the model load is not a build's cost
    steps = [("seed + 3 external lists, from scratch", four),
             ("one list added (自然资源局, 169 items)", [*four, added]),
             ("the same five lists named in reverse order", [added, *reversed(four)])]
    rows = []
    root = work / "index"
    for name, files in steps:
        rows.append(build_step(name, files, root, embedder)[0])
    write_rows(rows, args.out)


def build_step(name: str, files: list[Path], root: Path, embedder: object) -> tuple[dict, list, object]:
    """Parse ``files`` and open (build if needed) their index under ``root``; print and return the
    step's row, with the lists and the index."""
    from assistant.corpus.parse import load
    from assistant.index import store

    start = time.perf_counter()
    lists = load(files)
    parsed = time.perf_counter() - start
    built, status = store.open_index(root, lists, embedder, progress=False)
    took = time.perf_counter() - start
    m = built.manifest
    dense = m.get("dense") or {}
    fresh = status != "loaded"
    row = {"step": name, "status": status, "lists": len(lists), "items": m["items"], "chunks": m["chunks"],
           "distinct_texts": dense.get("distinct_vectors"),
           "embedded": dense.get("embedded") if fresh else 0,
           "reused": dense.get("reused") if fresh else dense.get("distinct_vectors"),
           "parse_s": round(parsed, 1), "total_s": round(took, 1),
           "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row, lists, built


def write_rows(rows: list[dict], out: str | None) -> None:
    if out:
        Path(out).write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

if __name__ == "__main__":
    main()

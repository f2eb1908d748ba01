"""All speed figures in one run: `.venv/bin/python benchmarks/run.py [--scale 1000,10000,100000]
[--vectors 100000,1000000]`.

Prints one table with the machine and versions: query latency of Assistant.ask next to the bare
query encode, build throughput next to bare encode throughput, cold start, the LangChain peer's
latency, and synthetic lists at scale with exact and approximate FAISS indexes. Run it alone.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


import numpy as np

from assistant import paths
from assistant.answering.dialogue import Assistant
from assistant.corpus.catalogue import Catalogue
from assistant.corpus.parse import load
from assistant.evaluation.score import load_questions
from assistant.index import store
from assistant.index.dense import DenseIndex
from assistant.index.retriever import Retriever
from assistant.service import load_assistant, make_embedder
from assistant.statutes.library import Library
from benchmarks.synthetic import write_list

ROOT = paths.ROOT

ROWS: list[tuple[str, str, str]] = []


def row(what: str, value: str, note: str = "") -> None:
    ROWS.append((what, value, note))
    print(f"  {what}: {value} {note}", file=sys.stderr, flush=True)


def pct(samples: list[float]) -> tuple[float, float]:
    s = sorted(samples)
    return statistics.median(s), s[max(0, round(0.95 * len(s)) - 1)]


def timed(fn, inputs: list[str]) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for x in inputs:
        t = time.perf_counter()
        fn(x)
        out.append((time.perf_counter() - t) * 1000)
    return out


def latency(questions: list[str]) -> float:
    assistant = load_assistant(progress=False)
    emb = assistant.retriever.embedder
    assistant.ask("热身", [])
    enc = timed(lambda q: emb._encode([q], "query"), questions)  # the bare model, no cache
    emb._query.cache_clear()
    ask = timed(lambda q: assistant.ask(q, []), questions)
    repeat = timed(lambda q: assistant.ask(q, []), questions)  # same questions again: encoder cache
    e50, e95 = pct(enc)
    a50, a95 = pct(ask)
    r50, r95 = pct(repeat)
    row("query encode, bare model (p50/p95 ms)", f"{e50:.1f} / {e95:.1f}")
    row("Assistant.ask, new questions (p50/p95 ms)", f"{a50:.1f} / {a95:.1f}", f"= {a50 / e50:.2f} × encode p50")
    row("Assistant.ask, repeated questions (p50/p95 ms)", f"{r50:.1f} / {r95:.1f}", "(encoder cache)")
    return a50


def build_throughput() -> None:
    lists = load([paths.lists_dir()])
    emb = make_embedder()
    emb.load()
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        built = store.build(Path(tmp), lists, emb, progress=False)
        took = time.perf_counter() - t
    texts = [c.text for c in built.chunks]
    t = time.perf_counter()
    emb._encode(texts, "passage")
    bare = time.perf_counter() - t
    row("index build, seed (chunks/s)", f"{len(texts) / took:.1f}", f"{took:.1f} s for {len(texts)} chunks")
    row("bare passage encode (chunks/s)", f"{len(texts) / bare:.1f}", f"{bare:.1f} s")


def cold_start() -> None:
    code = ("import time; t=time.perf_counter(); from assistant import load_assistant; "
            "a=load_assistant(progress=False); a.ask('不让用户实名注册会被怎么罚？', []); "
            "print(time.perf_counter()-t)")
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    total = time.perf_counter() - t
    row("cold start to first answer, index built (s)", f"{total:.1f}", f"(in-process {float(out.stdout):.1f} s)")


def peer_latency(questions: list[str]) -> None:
    from assistant.peer import PeerRetriever

    assistant = load_assistant(progress=False)
    peer = PeerRetriever(assistant.retriever.index, assistant.retriever.embedder)
    assistant.retriever.embedder._query.cache_clear()
    p50, p95 = pct(timed(lambda q: peer.search(q, 5), questions))
    row("peer (LangChain ensemble) search (p50/p95 ms)", f"{p50:.1f} / {p95:.1f}")


def scale(n_items: int, questions: list[str], seed_p50: float) -> None:
    (seed,) = load([paths.lists_dir()])
    emb = make_embedder()
    with tempfile.TemporaryDirectory() as tmp:
        path = write_list(seed, n_items, Path(tmp) / "lists")
        t = time.perf_counter()
        lists = load([path])
        parsed = time.perf_counter() - t
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t = time.perf_counter()
        built = store.build(Path(tmp) / "index", lists, emb, progress=False)
        took = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        size = sum(f.stat().st_size for f in built.folder.rglob("*") if f.is_file())
        t = time.perf_counter()
        built = store.load(Path(tmp) / "index", lists, emb)
        loaded = time.perf_counter() - t
    n = len(built.chunks)
    row(f"{n_items} items: parse / build / load", f"{parsed:.1f} / {took:.1f} / {loaded:.1f} s",
        f"{n} chunks, index {size / 1e6:.0f} MB, peak RSS {peak / 1024:.0f} MB (+{(peak - before) / 1024:.0f})")
    exact = built.dense
    assert exact is not None
    vectors = exact.index.reconstruct_n(0, exact.distinct)  # type: ignore[attr-defined]
    t = time.perf_counter()
    approx = DenseIndex.build(vectors, exact.owner, approximate=True)
    row(f"{n_items} items: HNSW build", f"{time.perf_counter() - t:.1f} s")
    row(f"{n_items} items: HNSW recall@10 vs exact", f"{_recall(exact, approx, emb.encode(questions, 'query')):.3f}",
        f"{exact.distinct} distinct vectors")
    catalogue, library = Catalogue.of(lists), Library.load(paths.laws_dir())
    for label, dense in (("exact", exact), ("HNSW", approx)):
        built.dense = dense
        assistant = Assistant(catalogue, Retriever(built, emb), library=library)
        assistant.ask(questions[0], [])
        emb._query.cache_clear()
        p50, p95 = pct(timed(lambda q: assistant.ask(q, []), questions))  # noqa: B023
        row(f"{n_items} items: Assistant.ask, {label} (p50/p95 ms)", f"{p50:.1f} / {p95:.1f}",
            f"= {p50 / seed_p50:.2f} × seed ask p50")


def _recall(exact: DenseIndex, approx: DenseIndex, queries: np.ndarray, k: int = 10) -> float:
    """Share of the exact top ``k`` distinct vectors that the approximate index also returns."""
    k = min(k, exact.distinct)
    hit = 0
    for v in queries:
        truth = set(exact.search_vectors(v, k)[0].tolist())
        hit += len(truth & set(approx.search_vectors(v, k)[0].tolist()))
    return hit / (k * len(queries))


def dense_scale(n_vectors: int, questions: list[str]) -> None:
    """FAISS alone at sizes synthetic lists never reach (their texts repeat, so their distinct
    vectors stay near 1,400): vectors made by mixing two real chunk vectors plus noise."""
    assistant = load_assistant(progress=False)
    real = assistant.retriever.index.dense.index.reconstruct_n(0, assistant.retriever.index.dense.distinct)  # type: ignore[union-attr]
    rng = np.random.default_rng(7)
    vectors = np.empty((n_vectors, real.shape[1]), np.float32)
    for lo in range(0, n_vectors, 100_000):
        m = min(100_000, n_vectors - lo)
        a, b = rng.integers(len(real), size=(2, m))
        w = rng.random((m, 1), dtype=np.float32)
        v = w * real[a] + (1 - w) * real[b] + rng.normal(0, 0.02, (m, real.shape[1])).astype(np.float32)
        vectors[lo:lo + m] = v / np.linalg.norm(v, axis=1, keepdims=True)
    owner = np.arange(n_vectors)
    queries = assistant.retriever.embedder.encode(questions, "query")  # type: ignore[union-attr]
    built = {}
    for label, approximate in (("exact", False), ("HNSW", True)):
        t = time.perf_counter()
        built[label] = DenseIndex.build(vectors, owner, approximate=approximate)
        took = time.perf_counter() - t
        size = len(faiss_bytes(built[label]))
        p50, p95 = pct(timed(lambda v: built[label].search_vectors(v, 200), list(queries)))  # noqa: B023
        row(f"{n_vectors} vectors: {label} build / search top 200", f"{took:.1f} s / {p50:.1f} ms",
            f"p95 {p95:.1f} ms, index {size / 1e6:.0f} MB")
    row(f"{n_vectors} vectors: HNSW recall@10 vs exact", f"{_recall(built['exact'], built['HNSW'], queries):.3f}")


def faiss_bytes(dense: DenseIndex) -> bytes:
    import faiss

    return bytes(faiss.serialize_index(dense.index))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="1000,10000")
    parser.add_argument("--vectors", default="100000,1000000", help="FAISS-alone sizes; empty to skip")
    parser.add_argument("--skip-peer", action="store_true")
    args = parser.parse_args()
    questions = [q["question"] for q in load_questions(ROOT / "eval" / "questions.jsonl")]
    seed_p50 = latency(questions)
    build_throughput()
    cold_start()
    if not args.skip_peer:
        peer_latency(questions)
    for n in (int(x) for x in args.scale.split(",") if x):
        scale(n, questions, seed_p50)  # the same questions as the seed figure
    for n in (int(x) for x in args.vectors.split(",") if x):
        dense_scale(n, questions[:60])
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in store.versions().items()))
    print(f"| {'measure':<48} | {'value':>16} | note |")
    print(f"|{'-' * 50}|{'-' * 18}|------|")
    for what, value, note in ROWS:
        print(f"| {what:<48} | {value:>16} | {note} |")


if __name__ == "__main__":
    main()

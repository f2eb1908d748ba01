"""The embedding backends side by side, in one run: encode, ask, passages, cold starts.

    .venv/bin/python benchmarks/backends.py [--before REV] [--runs 3] [--out FILE.json]

- query encode p50/p95 (bare model, no cache) for torch, ONNX fp32 and ONNX int8, on the dev questions;
- ``Assistant.ask`` p50 on the seed with the ONNX backend (new questions), and its ratio to the encode;
- passages per second on 512 real passages (市场监管 workbook), and each backend's cosine to torch;
- cold start, process start to first answer with the index built: the CLI ``ask`` and the app (to
  ``/ask`` answering), for this version (ONNX, and torch) and for ``--before`` (a commit checked out
  in a temporary worktree and run with the same interpreter).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
QUESTION = "不让用户实名注册会被怎么罚？"


def p(xs: list[float], q: float) -> float:
    return float(np.percentile(np.array(xs) * 1000, q))


def encoders(questions: list[str], passages: list[str]) -> dict:
    from assistant import paths
    from assistant.index.embed import SentenceTransformerEmbedder
    from assistant.index.onnx_embed import OnnxEmbedder

    path = paths.resolve_model()
    out: dict = {}
    ref = None
    for name, emb in (("torch", SentenceTransformerEmbedder(path, threads=2)),
                      ("onnx-fp32", OnnxEmbedder(path, threads=2)),
                      ("onnx-int8", OnnxEmbedder(path, precision="int8", threads=2))):
        emb._encode(["预热"], "query")
        times = []
        for q in questions:
            start = time.perf_counter()
            emb._encode([q], "query")
            times.append(time.perf_counter() - start)
        start = time.perf_counter()
        vectors = emb._encode(passages, "passage")
        took = time.perf_counter() - start
        if ref is None:
            ref = vectors
        cos = np.sum(ref * vectors, axis=1)
        out[name] = {"query_p50_ms": round(p(times, 50), 1), "query_p95_ms": round(p(times, 95), 1),
                     "passages_per_s": round(len(passages) / took, 1),
                     "cosine_to_torch_min": round(float(cos.min()), 4),
                     "cosine_to_torch_mean": round(float(cos.mean()), 5)}
        print(name, out[name], flush=True)
    return out


def passage_lengths(texts: list[str]) -> dict:
    """Token lengths of every passage the lists give, and what capping them would cost and save:
    time to encode the 1,000 longest at each cap, and their cosine to the uncapped vectors."""
    from assistant import paths
    from assistant.index.onnx_embed import OnnxEmbedder

    path = paths.resolve_model()
    full = OnnxEmbedder(path, threads=2)
    tokenizer = full.load()[1]
    lengths = np.array([len(e.ids) for e in tokenizer.encode_batch(["passage: " + t for t in texts])])
    longest = [texts[i] for i in np.argsort(-lengths)[:1000]]
    out: dict = {"passages": len(texts), "tokens_p50": int(np.percentile(lengths, 50)),
                 "tokens_p99": int(np.percentile(lengths, 99)), "tokens_max": int(lengths.max())}
    ref = None
    for cap in (512, 256, 128):
        emb = OnnxEmbedder(path, threads=2, max_tokens=cap)
        emb._encode(["预热"], "passage")
        start = time.perf_counter()
        vectors = emb._encode(longest, "passage")
        took = time.perf_counter() - start
        ref = vectors if ref is None else ref
        out[f"cap_{cap}"] = {"over_cap": round(float((lengths > cap).mean()), 4),
                             "longest_1000_s": round(took, 2),
                             "cosine_min": round(float(np.sum(ref * vectors, axis=1).min()), 4)}
    print("passage lengths", out, flush=True)
    return out


def ask_latency(questions: list[str], index_root: Path) -> dict:
    from assistant.service import load_assistant, make_embedder

    embedder = make_embedder(backend="onnx")
    assistant = load_assistant(index_root=index_root, embedder=embedder, progress=False)
    assistant.ask("预热", [])
    times, enc = [], []
    for q in questions:
        start = time.perf_counter()
        embedder._encode([q], "query")
        enc.append(time.perf_counter() - start)
    for q in questions:  # the embedder's cache holds none of these yet: _encode above bypasses it
        start = time.perf_counter()
        assistant.ask(q, [])
        times.append(time.perf_counter() - start)
    row = {"ask_p50_ms": round(p(times, 50), 1), "ask_p95_ms": round(p(times, 95), 1),
           "encode_p50_ms": round(p(enc, 50), 1)}
    row["ask_over_encode"] = round(row["ask_p50_ms"] / row["encode_p50_ms"], 2)
    print("ask", row, flush=True)
    return row


def cli_cold(cwd: Path, env: dict, runs: int) -> float:
    cmd = [sys.executable, "-m", "assistant", "ask", QUESTION]
    subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=True, timeout=1800)  # builds the index
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=True, timeout=600)
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 2)


def app_cold(cwd: Path, env: dict, runs: int) -> float:
    from gradio_client import Client

    times = []
    for _ in range(runs):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=cwd, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                if proc.poll() is not None:
                    raise RuntimeError("the app exited")
                try:
                    client = Client(f"http://127.0.0.1:{port}/", verbose=False)
                    answer = client.predict(QUESTION, None, api_name="/ask")
                    if answer:
                        break
                except Exception:  # not listening yet
                    time.sleep(0.2)
            times.append(time.perf_counter() - start)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return round(statistics.median(times), 2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--before", help="a commit to measure cold starts against (e.g. the last one before ONNX)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out")
    args = ap.parse_args()
    from assistant.corpus.parse import load

    questions = [json.loads(line)["question"] for line in (ROOT / "eval" / "questions.jsonl").open(encoding="utf-8")]
    shared = ROOT.parent / "shared" / "external-lists" / "raw" / "kmy-scjg-2024.xls"
    (scjg,) = load([shared])
    passages = list(dict.fromkeys(c.span.of(scjg.source.text) for i in scjg.items
                                  for f in i.fields.values() for c in f.clauses))[:512]
    work = Path(tempfile.mkdtemp(prefix="backends-"))
    from assistant.index import chunk as chunking
    from assistant.index.store import _chunks

    lists = load([ROOT / "corpus" / "lists", shared, shared.with_name("kmy-wenlv-2024.xlsx")])
    chunks, names = _chunks(lists)
    texts = [chunking.embedding_text(c, names[c.item_key]) for c in chunks]
    report = {"encoders": encoders(questions, passages), "passage_lengths": passage_lengths(texts),
              "ask": ask_latency(questions, work / "ask-index")}
    cold: dict = {}
    base = {**os.environ, "ASSISTANT_DATA": str(work / "data")}
    variants = [("onnx", ROOT, {**base, "ASSISTANT_BACKEND": "onnx", "ASSISTANT_INDEX": str(work / "i-onnx")}),
                ("torch", ROOT, {**base, "ASSISTANT_BACKEND": "torch", "ASSISTANT_INDEX": str(work / "i-torch")})]
    if args.before:
        tree = work / "before"
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), args.before], cwd=ROOT, check=True,
                       capture_output=True)
        variants.append((f"before ({args.before})", tree, {**base, "ASSISTANT_INDEX": str(work / "i-before")}))
    try:
        for name, cwd, env in variants:
            cold[name] = {"cli_ask_s": cli_cold(cwd, env, args.runs), "app_ask_s": app_cold(cwd, env, args.runs)}
            print("cold start", name, cold[name], flush=True)
    finally:
        if args.before:
            subprocess.run(["git", "worktree", "remove", "--force", str(work / "before")], cwd=ROOT,
                           capture_output=True)
    report["cold_start"] = cold
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

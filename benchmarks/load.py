"""Concurrent users against the running app: `.venv/bin/python benchmarks/load.py [--seconds 20]`.

Starts the app on a free local port, then for 1, 4 and 16 concurrent gradio_client users asks a
mix of dev questions through `/ask` for a bounded time. Prints errors (must be zero), p50/p95
latency, throughput, and whether every answer equals the single-user answer to the same question.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import paths
from assistant.evaluation.score import load_questions


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = log.open("w")
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=paths.ROOT, env=env,
                            stdout=out, stderr=subprocess.STDOUT)
    deadline = time.time() + 600
    while "Running on local URL" not in log.read_text():
        if proc.poll() is not None or time.time() > deadline:
            raise RuntimeError("app did not start:\n" + log.read_text())
        time.sleep(1)
    return proc


class Round:
    """One load level: ``n`` users asking in turn until ``stop``."""

    def __init__(self, url: str, questions: list[str], reference: dict, n: int, stop: float) -> None:
        self.url, self.questions, self.reference, self.n, self.stop = url, questions, reference, n, stop
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.mismatches: list[str] = []
        self.lock = threading.Lock()

    def user(self, k: int) -> None:
        from gradio_client import Client

        client = Client(self.url, verbose=False)
        i = k
        while time.time() < self.stop:
            q = self.questions[i % len(self.questions)]
            i += self.n
            t = time.perf_counter()
            try:
                got = client.predict(q, None, api_name="/ask")
            except Exception as e:  # every failure counts, whatever its type
                with self.lock:
                    self.errors.append(f"{type(e).__name__}: {e}")
                continue
            took = (time.perf_counter() - t) * 1000
            want = self.reference[q]
            with self.lock:
                self.latencies.append(took)
                if got["answer"] != want["answer"] or got["quotes"] != want["quotes"]:
                    self.mismatches.append(q)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--users", default="1,4,16")
    args = parser.parse_args()
    from gradio_client import Client

    questions = [q["question"] for q in load_questions(paths.ROOT / "eval" / "questions.jsonl") if not q["turns"]]
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    proc = start_app(port, Path("/tmp") / f"qzqd-load-{port}.log")
    try:
        reference = {}
        single = Client(url, verbose=False)
        for q in questions:
            reference[q] = single.predict(q, None, api_name="/ask")
        print("| users | requests | errors | mismatches | p50 ms | p95 ms | req/s |")
        print("|---|---|---|---|---|---|---|")
        for n in (int(x) for x in args.users.split(",")):
            r = Round(url, questions, reference, n, time.time() + args.seconds)
            threads = [threading.Thread(target=r.user, args=(k,)) for k in range(n)]
            begin = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - begin
            s = sorted(r.latencies)
            p50 = statistics.median(s) if s else float("nan")
            p95 = s[max(0, round(0.95 * len(s)) - 1)] if s else float("nan")
            print(f"| {n} | {len(s)} | {len(r.errors)} | {len(r.mismatches)} | {p50:.0f} | {p95:.0f} | "
                  f"{len(s) / wall:.1f} |", flush=True)
            for e in r.errors[:3]:
                print(f"  error: {e}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()

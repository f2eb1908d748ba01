"""Submit to rendered answer in a real browser: the app started on a free local port, Chromium asks
questions one at a time and times Enter → the new answer's bubble holding text.

    .venv/bin/python benchmarks/browser_latency.py [--questions 30] [--viewport desktop|phone]

Uses the dev questions in order (single-turn only), a fresh conversation, the seed list and the real
model; the first question (model warm-up in the server) is not counted. Run it alone.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VIEWPORTS = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--questions", type=int, default=30)
    ap.add_argument("--viewport", choices=sorted(VIEWPORTS), default="desktop")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from assistant.evaluation.score import load_questions

    questions = [q["question"] for q in load_questions(ROOT / "eval" / "questions.jsonl")
                 if not q.get("turns")][: args.questions + 1]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    work = Path(tempfile.mkdtemp(prefix="browser-latency-"))
    log = work / "app.log"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ASSISTANT_DATA": str(work)}
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 300
        while "Running on local URL" not in log.read_text():
            if proc.poll() is not None or time.time() > deadline:
                raise SystemExit("app did not start:\n" + log.read_text())
            time.sleep(0.5)
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        times = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport=VIEWPORTS[args.viewport])
            page.goto(f"http://127.0.0.1:{port}/")
            box = page.locator("#question textarea")
            bots = page.locator("#chat [data-testid='bot']")
            for n, q in enumerate(questions):
                box.fill(q)
                start = time.perf_counter()
                box.press("Enter")
                page.wait_for_function(
                    "n => { const b = document.querySelectorAll(\"#chat [data-testid='bot']\");"
                    " return b.length > n && b[n].innerText.trim().length > 0; }", arg=n, timeout=60_000)
                if n:
                    times.append((time.perf_counter() - start) * 1000)
            assert bots.count() == len(questions)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    times.sort()
    print(f"{args.viewport}: {len(times)} questions, submit → rendered answer p50 {statistics.median(times):.0f} ms, "
          f"p95 {times[max(0, round(0.95 * len(times)) - 1)]:.0f} ms, max {times[-1]:.0f} ms")


if __name__ == "__main__":
    main()

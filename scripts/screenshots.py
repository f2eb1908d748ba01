"""Screenshots of the app for docs/screenshots/: chat, evidence, item timeline, evaluation; desktop and phone.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Starts the app on a free local port (its own temporary index and data folders), drives Debian's
Chromium with Playwright, and stops the app. Needs a CJK font (Debian: fonts-noto-cjk), as CI installs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="screenshots-"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "ASSISTANT_INDEX": str(work / "index"), "ASSISTANT_DATA": str(work / "data")}
    log = (work / "app.log").open("w")
    app = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env, stdout=log,
                           stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 600
        while "Running on local URL" not in (work / "app.log").read_text():
            if app.poll() is not None or time.time() > deadline:
                raise SystemExit((work / "app.log").read_text())
            time.sleep(1)
        shoot(f"http://127.0.0.1:{port}/", out)
    finally:
        app.terminate()
        app.wait(timeout=30)


def shoot(url: str, out: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        for size, viewport in SIZES.items():
            page = browser.new_page(viewport=viewport, locale="zh-CN")
            page.goto(url)
            box = page.locator("#question textarea")
            box.fill("不让用户实名注册会被怎么罚？")
            page.locator("#send").click()
            expect(page.locator("#chat mark").first).to_contain_text("罚款", timeout=60_000)
            page.wait_for_timeout(500)
            page.screenshot(path=str(out / f"chat-{size}.png"))
            toggle = page.locator("#evidence-panel .ev-toggle-label")
            if toggle.is_visible():  # a phone folds the evidence to one line: open it
                toggle.click()
            page.locator("#evidence-panel").scroll_into_view_if_needed()
            page.locator("#evidence-panel").screenshot(path=str(out / f"evidence-{size}.png"))
            page.get_by_role("tab", name="事项与程序").click()
            page.locator("#items-table").get_by_text("对未提供实名制身份的处罚").click()
            expect(page.locator("#item-page ol.timeline")).to_be_visible(timeout=20_000)
            page.wait_for_timeout(800)
            page.locator("#item-page ol.timeline").screenshot(path=str(out / f"timeline-{size}.png"))
            page.get_by_role("tab", name="评测").click()
            page.locator("#run-eval").click()
            expect(page.locator("#eval-verdict")).to_contain_text("题", timeout=180_000)
            page.wait_for_timeout(1000)
            page.screenshot(path=str(out / f"evaluation-{size}.png"), full_page=True)
            page.close()
        browser.close()
    print("written:", ", ".join(sorted(f.name for f in out.glob("*.png"))))


if __name__ == "__main__":
    main()

"""The app as users reach it: started on a free local port, asked through gradio_client and a browser."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant import paths
from assistant.present.render import to_json

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, real_model_path):
    port = _free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ASSISTANT_INDEX": str(tmp_path_factory.mktemp("app-index")),
           "ASSISTANT_DATA": str(tmp_path_factory.mktemp("app-data"))}
    log = tmp_path_factory.mktemp("app-log") / "app.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=paths.ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + 300
        while "Running on local URL" not in log.read_text():
            assert proc.poll() is None, log.read_text()
            assert time.time() < deadline, "app did not start:\n" + log.read_text()
            time.sleep(1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_api_ask_returns_the_cli_json(app_url: str, real_assistant) -> None:
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    got = client.predict("不让用户实名注册会被怎么罚？", None, api_name="/ask")
    want = to_json(real_assistant.ask("不让用户实名注册会被怎么罚？", []))
    assert got["ranked_items"] == want["ranked_items"] and got["quotes"] == want["quotes"]
    assert got["answer"] == want["answer"]
    history = [{"role": "user", "content": "不让用户实名注册会被怎么罚？"},
               {"role": "assistant", "content": got["answer"]}]
    follow = client.predict("那对直接负责的主管人员呢？", history, api_name="/ask")
    assert follow["interpretation"].startswith("第72项") and "主管人员" in follow["quotes"][0]["text"]
    json.dumps(follow, ensure_ascii=False)


def test_binds_loopback_only(app_url: str) -> None:
    """The kernel's own table of listening sockets: the app's port listens on 127.0.0.1 only."""
    port = int(app_url.rstrip("/").rsplit(":", 1)[1])
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port:
                    listening.append(address)
    assert listening == ["0100007F"], listening  # 127.0.0.1, little-endian; no 0.0.0.0, no ::


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("REQUIRE_BROWSER"),
                    reason="Debian chromium not installed (CI installs it and sets REQUIRE_BROWSER)")
def test_browser_chat_quote_citation_and_inert_html(app_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert CHROMIUM, "chromium is required here"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(app_url)
        box = page.locator("#question textarea")
        start = time.perf_counter()
        box.fill("不让用户实名注册会被怎么罚？")
        box.press("Enter")
        mark = page.locator("#chat mark").first
        expect(mark).to_contain_text("处五万元以上五十万元以下罚款", timeout=60_000)
        rendered_ms = (time.perf_counter() - start) * 1000
        shot = paths.ROOT / "docs" / "screenshot.png"
        shot.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(tmp_path / "chat.png"), full_page=False)
        if os.environ.get("UPDATE_SCREENSHOT"):
            shutil.copy(tmp_path / "chat.png", shot)
        page.locator("#chat a[href='#ev-primary']").first.click()
        expect(page.locator("#evidence-panel #ev-primary")).to_contain_text("处五万元以上五十万元以下罚款")
        expect(page.locator("#evidence-panel")).to_contain_text("网络管理科")
        box.fill("<img src=x onerror=alert(1)>")
        box.press("Enter")
        expect(page.locator("#chat")).to_contain_text("<img src=x onerror=alert(1)>", timeout=60_000)
        assert page.locator("#chat img[src='x']").count() == 0
        page.wait_for_timeout(500)
        assert dialogs == []
        browser.close()
    print(f"browser: question to rendered answer {rendered_ms:.0f} ms")

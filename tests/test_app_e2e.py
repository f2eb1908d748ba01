"""The app as users reach it: started on a free local port, asked through gradio_client and a browser."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import paths
from assistant.present.render import to_json

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
APP_DATA: dict[str, Path] = {}
needs_browser = pytest.mark.skipif(CHROMIUM is None and not os.environ.get("REQUIRE_BROWSER"),
                                   reason="Debian chromium not installed (CI installs it and sets REQUIRE_BROWSER)")
VIEWPORTS = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(tmp_path_factory: pytest.TempPathFactory, data: Path, *args: str) -> Iterator[str]:
    """The app started on a free local port with its own index and data folders (``args`` added to
    its command line); yields its URL, and stops it."""
    port = _free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ASSISTANT_INDEX": str(tmp_path_factory.mktemp("app-index")),
           "ASSISTANT_DATA": str(data)}
    log = tmp_path_factory.mktemp("app-log") / "app.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port), *args], cwd=paths.ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 300
        while "Running on local URL" not in log.read_text():
            assert proc.poll() is None, log.read_text()
            assert time.time() < deadline, "app did not start:\n" + log.read_text()
            time.sleep(1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, real_model_path):
    APP_DATA["data"] = tmp_path_factory.mktemp("app-data")
    yield from serve(tmp_path_factory, APP_DATA["data"])


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
        page.screenshot(path=str(tmp_path / "chat.png"), full_page=False)  # docs/: scripts/screenshots.py
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


def _send(page, question: str) -> None:  # type: ignore[no-untyped-def]
    """Type a question into the box and press 发送."""
    page.locator("#question textarea").fill(question)
    page.locator("#send").click()


def _browser(p):  # type: ignore[no-untyped-def]
    assert CHROMIUM, "chromium is required here"
    return p.chromium.launch(executable_path=CHROMIUM, args=[
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"])


@needs_browser
@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_browser_send_quick_questions_clear_and_rate(app_url: str, viewport: str) -> None:
    """The send button asks; five quick questions each get their answer and no empty bubble; 清空
    forgets the conversation (a follow-up is not answered about the cleared item); 👍 on one answer
    and 👎 on another write one feedback row each, and changing a rating updates its row."""
    import sqlite3

    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = _browser(p)
        page = browser.new_page(viewport=VIEWPORTS[viewport])
        page.goto(app_url)
        box = page.locator("#question textarea")
        _send(page, "不让用户实名注册会被怎么罚？")
        expect(page.locator("#chat mark").first).to_contain_text("处五万元以上五十万元以下罚款", timeout=60_000)
        quick = ["立案以后要做什么", "数据存到国外了怎么处理", "网络安全法第六十一条", "听证要在几天内提出",
                 "木马程序怎么罚"]
        for q in quick:  # as fast as the box empties: no waiting for answers
            box.fill(q)
            box.press("Enter")
            expect(box).to_have_value("")
        bots = page.locator("#chat [data-testid='bot']")
        expect(bots).to_have_count(1 + len(quick), timeout=60_000)
        users = page.locator("#chat [data-testid='user']")
        expect(users).to_have_count(1 + len(quick))
        texts = [users.nth(i).inner_text() for i in range(users.count())]
        assert all(t.strip() for t in texts) and [t.strip() for t in texts[1:]] == quick
        for i in range(bots.count()):
            assert bots.nth(i).inner_text().strip(), f"empty answer bubble {i}"
        # Rate the first answer 👍, the second 👎, then change the first to 👎.
        page.locator("#chat button[aria-label='赞']").nth(0).click()
        expect(page.locator("#rated")).to_contain_text("第 1 个回答", timeout=20_000)
        page.locator("#chat button[aria-label='踩']").nth(1).click()
        expect(page.locator("#rated")).to_contain_text("第 2 个回答", timeout=20_000)
        page.locator("#chat button[aria-label='踩']").nth(0).click()
        expect(page.locator("#rated")).to_contain_text("第 1 个回答", timeout=20_000)
        page.wait_for_timeout(500)
        db = sqlite3.connect(APP_DATA["data"] / "feedback.sqlite3")
        rows = db.execute("SELECT conversation, turn, rating, question FROM feedback "
                          "WHERE question IN (?, ?) ORDER BY turn",
                          ("不让用户实名注册会被怎么罚？", quick[0])).fetchall()
        mine = [r for r in rows if r[0] == rows[-1][0]]
        assert [(r[1], r[2]) for r in mine] == [(0, "down"), (1, "down")], rows
        # 清空 resets everything: the chat, the evidence, and what a follow-up refers to.
        page.locator("#clear").click()
        expect(page.locator("#chat [data-testid='user']")).to_have_count(0, timeout=20_000)
        expect(page.locator("#evidence-panel")).not_to_contain_text("网络管理科")
        _send(page, "那对直接负责的主管人员呢？")
        expect(page.locator("#chat [data-testid='bot']")).to_have_count(1, timeout=60_000)
        assert "第72项" not in page.locator("#chat [data-testid='bot']").first.inner_text()
        browser.close()


@needs_browser
def test_a_long_answer_is_shown_from_its_start(app_url: str) -> None:
    """The chat scrolls to its bottom on a new answer; a long answer is then brought back to its
    start, so 理解为 (what the question was read as) is in view, not the answer's last lines."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = _browser(p)
        page = browser.new_page(viewport=VIEWPORTS["desktop"])
        page.goto(app_url)
        _send(page, "不让用户实名注册会被怎么罚？")
        bots = page.locator("#chat [data-testid='bot']")
        expect(bots).to_have_count(1, timeout=60_000)
        _send(page, "网络安全法第六十四条")
        expect(bots).to_have_count(2, timeout=60_000)
        page.wait_for_timeout(1500)
        where = page.evaluate("""() => {
            const bots = document.querySelectorAll("#chat [data-testid='bot']");
            const last = bots[bots.length - 1];
            let box = last.parentElement;
            while (box && !(box.scrollHeight > box.clientHeight
                   && /(auto|scroll)/.test(getComputedStyle(box).overflowY))) box = box.parentElement;
            const b = box.getBoundingClientRect(), m = last.getBoundingClientRect();
            return {tall: m.height > b.height, top: m.top - b.top, height: b.height};
        }""")
        assert where["tall"], where  # the case the scrolling is for
        assert 30 <= where["top"] <= 60, where  # below the chat's own label, which covers its first line
        assert "理解为" in bots.nth(1).inner_text()
        browser.close()


@needs_browser
def test_on_a_phone_the_evidence_is_folded_right_under_the_answer(app_url: str) -> None:
    """390 px: the evidence sits between the conversation and the question box, folded to one line
    that opens it; the question box stays in the first screen."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = _browser(p)
        page = browser.new_page(viewport=VIEWPORTS["phone"])
        page.goto(app_url)
        _send(page, "不让用户实名注册会被怎么罚？")
        expect(page.locator("#chat mark").first).to_contain_text("罚款", timeout=60_000)
        chat, panel, question = (page.locator(s).bounding_box() for s in ("#chat", "#evidence-panel", "#question"))
        assert chat and panel and question
        assert 0 <= panel["y"] - (chat["y"] + chat["height"]) < 40 and panel["y"] < question["y"]
        assert question["y"] + question["height"] < VIEWPORTS["phone"]["height"] + 200
        body = page.locator("#evidence-panel .ev-body")
        expect(body).to_be_hidden()
        page.locator("#evidence-panel .ev-toggle-label").click()
        expect(body).to_be_visible()
        expect(body).to_contain_text("网络管理科")
        browser.close()


@needs_browser
def test_gradio_labels_are_chinese_for_an_english_browser(app_url: str) -> None:
    """Gradio's own words (its footer) come in Chinese although the browser asks for English."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = _browser(p)
        context = browser.new_context(locale="en-US", viewport=VIEWPORTS["desktop"])
        page = context.new_page()
        page.goto(app_url)
        assert page.evaluate("navigator.language") == "zh-CN"
        expect(page.locator("footer")).to_contain_text("通过 API 使用", timeout=20_000)
        assert "Use via API" not in page.locator("footer").inner_text()
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        browser.close()


@needs_browser
@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_browser_items_tab_filters_rows_and_timeline(app_url: str, viewport: str) -> None:
    """事项与程序: a filter narrows the table, a row click opens the item, whose procedure is a
    timeline with its deadlines; 重置筛选 brings every item back; the evidence keeps retrieval
    details folded."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = _browser(p)
        page = browser.new_page(viewport=VIEWPORTS[viewport])
        page.goto(app_url)
        page.get_by_role("tab", name="事项与程序").click()
        table = page.locator("#items-table")
        expect(table).to_contain_text("对未提供实名制身份的处罚", timeout=20_000)
        page.locator("#items-table").get_by_text("对未提供实名制身份的处罚").click()
        item = page.locator("#item-page")
        expect(item).to_contain_text("第72项", timeout=20_000)
        expect(item.locator("ol.timeline li.step")).to_have_count(7)
        for deadline in ("三日内", "七日内"):
            expect(item.locator("strong.figure", has_text=deadline).first).to_be_visible()
        # 问这一步 asks about that step in the chat, about this item.
        item.locator("li.step", has_text="听证").locator(".ask-step").first.click()
        user = page.locator("#chat [data-testid='user']").last
        expect(user).to_contain_text("对未提供实名制身份的处罚", timeout=20_000)
        expect(user).to_contain_text("听证”这一步")
        expect(page.locator("#chat [data-testid='bot']").last).to_contain_text("第72项", timeout=60_000)
        page.get_by_role("tab", name="问答").click()
        _send(page, "不让用户实名注册会被怎么罚？")
        expect(page.locator("#chat mark").first).to_contain_text("罚款", timeout=60_000)
        details = page.locator("#evidence-panel details.retrieval")
        expect(details).to_have_count(1)
        assert details.get_attribute("open") is None  # scores and offsets are folded away
        browser.close()


@needs_browser
@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_browser_evaluation_tab_runs_an_uploaded_set(app_url: str, tmp_path: Path, viewport: str) -> None:
    """An evaluator uploads a set, sees the verdict and the Chinese metric names, and gets the
    results as files (per-question JSONL, report.md, report.json, chart)."""
    from playwright.sync_api import expect, sync_playwright

    rows = [{"id": "a", "question": "不让用户实名注册会被怎么罚？", "gold_items": ["72"], "gold_field": "实施依据",
             "must_quote": "处五万元以上五十万元以下罚款", "kind": "fine_amount", "turns": None},
            {"id": "b", "question": "立案以后要做什么", "gold_items": ["999"], "gold_field": "责任事项",
             "must_quote": "不存在的原文", "kind": "procedure", "turns": None}]
    f = tmp_path / "mini-set.jsonl"
    f.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    with sync_playwright() as p:
        browser = _browser(p)
        page = browser.new_page(viewport=VIEWPORTS[viewport], accept_downloads=True)
        page.goto(app_url)
        page.get_by_role("tab", name="评测").click()
        page.locator("input[type='file']").first.set_input_files(str(f))
        page.wait_for_timeout(1000)
        page.locator("#run-eval").click()
        expect(page.locator("#eval-verdict")).to_contain_text("1 / 2 题未通过", timeout=60_000)
        expect(page.get_by_text("首位命中率（recall@1）").first).to_be_visible()
        downloads = page.locator("#eval-downloads")
        for name in ("results.jsonl", "report.md", "report.json", "chart.png"):
            expect(downloads).to_contain_text(name)
        with page.expect_download() as got:
            downloads.locator("a[download='report.md']").first.click()
        report = Path(got.value.path()).read_text(encoding="utf-8")
        assert "recall@1" in report and "立案以后要做什么" in report  # the downloaded report names the failure
        # 命中测试: one question through retrieval, its ranked items and best chunks.
        page.get_by_text("命中测试：一个问题的检索结果").click()
        page.locator("#hit-question textarea").fill("不让用户实名注册会被怎么罚")
        page.locator("#hit-run").click()
        expect(page.locator("#hit-table")).to_contain_text("对未提供实名制身份的处罚", timeout=30_000)
        expect(page.locator("#hit-note")).to_contain_text("前 10 个事项")
        browser.close()


@needs_browser
@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_browser_conversation_survives_a_reload(app_url: str, viewport: str) -> None:
    """A reload brings the conversation back (kept in the browser), and a follow-up still refers to
    it; 清空 then a reload shows an empty chat."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = _browser(p)
        page = browser.new_context(viewport=VIEWPORTS[viewport]).new_page()
        page.goto(app_url)
        _send(page, "不让用户实名注册会被怎么罚？")
        expect(page.locator("#chat mark").first).to_contain_text("罚款", timeout=60_000)
        page.wait_for_timeout(500)
        page.reload()
        bots = page.locator("#chat [data-testid='bot']")
        expect(bots).to_have_count(1, timeout=60_000)
        expect(bots.first).to_contain_text("第72项")
        _send(page, "那对直接负责的主管人员呢？")
        expect(bots).to_have_count(2, timeout=60_000)
        expect(bots.nth(1)).to_contain_text("第72项")
        page.locator("#clear").click()
        expect(bots).to_have_count(0, timeout=20_000)
        page.wait_for_timeout(500)
        page.reload()
        page.wait_for_timeout(2000)
        expect(page.locator("#chat [data-testid='user']")).to_have_count(0)
        browser.close()


def test_api_takes_hostile_input_without_an_error(app_url: str) -> None:
    """Through the app's /ask: a history that is a number or a dict, a list filter that is not a
    list, a megabyte question: each an answer or a clear refusal, never an error. (Lone surrogates
    cannot leave the client as UTF-8; tests/test_fuzz.py sends them to Assistant.ask, which /ask calls.)"""
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    cases = (("不实名注册怎么罚", 5, None), ("不实名注册怎么罚", {"role": "user"}, None), ("立案", None, 7),
             ("立案", None, ["nope"]), ("网" * 1_000_000, [{"role": "user", "content": 3}], None))
    for question, history, lists in cases:
        got = client.predict(question, history, lists, api_name="/ask")
        assert isinstance(got, dict) and ("refused" in got or "error" in got), got

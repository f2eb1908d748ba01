"""What the app shows, without starting it: escaped HTML, highlights, tables, feedback, export."""

from pathlib import Path

import pytest

from assistant import views
from assistant.feedback import FeedbackStore
from assistant.present.export import conversation_markdown


def test_answer_html_marks_the_quote_inside_its_clause(hashing_assistant) -> None:
    cat = hashing_assistant.catalogue
    a = hashing_assistant.ask("网络运营者未要求用户提供真实身份信息罚多少", [])
    out = views.answer_html(a, cat)
    assert "<mark>" in out and "理解为" in out and "href='#ev-primary'" in out
    marked = out.split("<mark>")[1].split("</mark>")[0]
    assert marked == views.esc(a.quotes[0].text)
    panel = views.evidence_html(a, cat)
    assert 'id="ev-primary"' in panel and "网络管理科" in panel and "为什么是这一项" in panel
    # Retrieval scores, the file path and offsets are folded under 检索详情, after the evidence.
    assert panel.index("<details class='retrieval'>") > panel.index('id="ev-primary"')
    assert "corpus/lists" in panel.split("<details class='retrieval'>")[1]


def test_question_html_is_inert(hashing_assistant) -> None:
    cat = hashing_assistant.catalogue
    a = hashing_assistant.ask("<img src=x onerror=alert(1)>", [])
    for out in (views.answer_html(a, cat), views.evidence_html(a, cat)):
        assert "<img" not in out and "onerror=alert(1)>" not in out.replace("&gt;", "")


def test_item_page_lists_steps_with_figures(hashing_assistant) -> None:
    cat = hashing_assistant.catalogue
    item = next(i for i in cat.items.values() if i.seq == "72")
    page = views.item_html(item, cat)
    assert page.count("<li class='step") == 7 and "<ol class='steps timeline'>" in page
    for figure in ("三日内", "七日内", "十个工作日", "不得少于两人", "三个工作日"):
        assert f"<strong class='figure'>{figure}" in page, figure
    assert "<strong class='step-head'>立案责任</strong>" in page


def test_item_page_marks_steps_and_defects_lint_finds(hashing_assistant, seed) -> None:
    from assistant.review.lint import lint

    cat = hashing_assistant.catalogue
    found = [f for f in lint([seed]) if f.item == "81"]
    item = next(i for i in cat.items.values() if i.seq == "81")
    page = views.item_html(item, cat, findings=found)
    # 81 writes 《约谈笔录》 where the list's other items write 《执法约谈笔录》: that step is marked.
    assert "<li class='step odd'>" in page and "与清单中多数事项的写法不同" in page
    plain = views.item_html(item, cat)
    assert "step odd" not in plain


def test_item_filters(hashing_assistant) -> None:
    cat = hashing_assistant.catalogue
    assert [r[0] for r in views.item_rows(cat, {"权力事项类型": "其他行政权力"})] == ["83"]
    assert [r[0] for r in views.item_rows(cat, {"承办机构": "网络科科长"})] == ["82"]
    assert len(views.item_rows(cat, {"法律": "中华人民共和国网络安全法"})) == 9
    assert len(views.item_rows(cat, {})) == 14
    assert "互联网新闻信息服务管理规定" in views.filter_choices(cat)["法律"]
    assert views.filter_names(cat)[0] != views.OFFICE and views.item_headers(cat)[0] == "序号"  # one office


def test_several_offices_get_an_office_filter_and_column(tmp_path: Path, seed) -> None:
    from assistant.corpus.catalogue import Catalogue
    from assistant.corpus.parse import load

    (tmp_path / "tianshui.txt").write_text(seed.source.text, encoding="utf-8")
    other = seed.source.text.replace(seed.title, "兰州市互联网信息办公室2024年权责清单", 1)
    (tmp_path / "lanzhou.txt").write_text(other, encoding="utf-8")
    cat = Catalogue.of(load([tmp_path]))
    assert views.filter_names(cat)[0] == views.OFFICE and views.item_headers(cat)[0] == views.OFFICE
    offices = views.filter_choices(cat)[views.OFFICE]
    assert offices == sorted(["兰州市互联网信息办公室", cat.list_name("tianshui")])
    rows = views.item_rows(cat, {views.OFFICE: "兰州市互联网信息办公室"})
    assert len(rows) == 14 and {r[0] for r in rows} == {"兰州市互联网信息办公室"}
    assert len(rows[0]) == len(views.item_headers(cat)) and len(views.item_rows(cat, {})) == 28


def test_feedback_is_stored(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    store.add(rating="down", reason="引用错误", comment="出处不对", question="q", answer="a",
              citations=[{"item": "72"}])
    (row,) = store.all()
    assert row["rating"] == "down" and row["reason"] == "引用错误" and "72" in row["citations"]
    with pytest.raises(ValueError, match="不准确"):
        store.add(rating="up", reason="别的", question="q", answer="a", citations=[])


def test_export_has_citations(hashing_assistant) -> None:
    a = hashing_assistant.ask("境外存储网络数据罚多少", [])
    md = conversation_markdown([("境外存储网络数据罚多少", a)])
    assert "第76项 · 实施依据" in md and "corpus/lists/tianshui-cac-power-list.txt" in md
    assert md.rstrip().endswith("不构成法律意见。")


def test_demo_builds(hashing_assistant, tmp_path: Path) -> None:
    import app

    demo = app.build_demo(hashing_assistant, FeedbackStore(tmp_path / "fb.sqlite3"))
    api = demo.get_api_info()
    assert "/ask" in api["named_endpoints"]
    assert len(api["named_endpoints"]) == 1  # UI events are private


def test_a_late_call_with_nothing_asked_changes_nothing(hashing_assistant, tmp_path: Path) -> None:
    """The page's load asks the restored questions, which may be none; queued behind questions sent
    since, its snapshot is stale by the time it runs: it must leave the chat and the turns alone."""
    import app

    demo = app.build_demo(hashing_assistant, FeedbackStore(tmp_path / "fb.sqlite3"))
    respond = next(f.fn for f in demo.fns.values() if getattr(f.fn, "__name__", "") == "respond")
    asked = respond([], '["不让用户实名注册会被怎么罚？"]', [], "c1")
    assert len(asked[0]) == 2 and len(asked[2]) == 1  # one question, one answer
    late = respond([], "[]", [], "c1")
    assert len(late) == len(asked) and all(out == {"__type__": "update"} for out in late)


def test_one_feedback_row_per_answer(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    for rating, reason in (("up", None), ("down", "引用错误"), ("down", None)):
        store.add(rating=rating, reason=reason, question="q" * 10_000, answer="a", citations=[],
                  conversation="c1", turn=0)
    store.add(rating="up", question="q2", answer="a2", citations=[], conversation="c1", turn=1)
    store.add(rating="up", question="q", answer="a", citations=[], conversation="c2", turn=0)
    rows = store.all()
    assert [(r["conversation"], r["turn"], r["rating"], r["reason"]) for r in rows] == [
        ("c1", 0, "down", None), ("c1", 1, "up", None), ("c2", 0, "up", None)]
    assert len(rows[0]["question"]) == 2000  # capped: a huge question does not grow the store
    store.remove("c1", 0)
    assert [(r["conversation"], r["turn"]) for r in store.all()] == [("c1", 1), ("c2", 0)]


def test_old_feedback_files_gain_the_answer_columns(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE feedback (id INTEGER PRIMARY KEY, at TEXT NOT NULL, rating TEXT NOT NULL, "
                   "reason TEXT, comment TEXT, question TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL)")
        db.execute("INSERT INTO feedback (at, rating, question, answer, citations) VALUES ('t', 'up', 'q', 'a', '[]')")
    store = FeedbackStore(path)
    store.add(rating="down", question="q", answer="a", citations=[], conversation="c", turn=3)
    assert [(r["rating"], r["turn"]) for r in store.all()] == [("up", None), ("down", 3)]


def test_login_checks_and_slows_guessing(monkeypatch: pytest.MonkeyPatch) -> None:
    import app

    waits: list[float] = []
    monkeypatch.setattr(app.time, "sleep", waits.append)
    login = app.Login("admin:s3cret")
    assert not login("admin", "wrong") and not login("admin", "wrong2") and not login("x", "s3cret")
    assert waits == [0.5, 1.0, 1.5]
    assert login("admin", "s3cret") and waits[-1] == 0.0
    for bad in ("admin", ":pw", "admin:"):
        with pytest.raises(ValueError, match="user:password"):
            app.Login(bad)


def test_feedback_store_keeps_the_newest_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant import feedback

    monkeypatch.setattr(feedback, "MAX_ROWS", 5)
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    for n in range(12):
        store.add(rating="up", question=f"q{n}", answer="a", citations=[], conversation="c", turn=n)
    assert [r["question"] for r in store.all()] == [f"q{n}" for n in range(7, 12)]


def test_each_step_of_the_timeline_can_be_asked_about_in_the_chat(hashing_assistant) -> None:
    cat = hashing_assistant.catalogue
    item = cat.items["72"] if "72" in cat.items else next(i for i in cat.items.values() if i.seq == "72")
    page = views.item_html(item, cat)
    steps = page.count("<li class='step")
    assert steps == 7 and page.count("class='ask-step'") == page.count("class='step-head'") >= 6
    asked = views.step_question(cat, item, "3. 组织开展约谈、听证的责任")
    assert asked == "「对未提供实名制身份的处罚」的“组织开展约谈、听证”这一步要做什么？"
    assert f"data-question='{views.esc(asked)}'" in page
    assert views.step_question(cat, item, "") == ""
    a = hashing_assistant.ask(asked, [])
    assert not a.refused and a.hits[0].seq == "72" and a.field == "责任事项"


def test_the_items_table_shows_codes_where_the_list_has_them_and_cells_on_one_line(hashing_assistant,
                                                                                 tmp_path: Path) -> None:
    from openpyxl import Workbook

    from assistant.corpus.catalogue import Catalogue
    from assistant.corpus.parse import load

    seed = hashing_assistant.catalogue
    assert views.item_headers(seed)[-1] == "地方权力编码"
    row = next(r for r in views.item_rows(seed, {}) if r[0] == "83")
    assert row[-1] == "11620500MB0305146K3621046014000"  # to copy into a question
    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "事项名称", "权力类型", "实施依据", "承办科室", "办事层级"])
    sheet.append([1, "甲事项", "行政\n处罚", "《甲法》第一条", "执法科", "市级"])
    sheet.append([None, None, "行政处罚", "《甲法》第二条", None, None])
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("B2:B3")
    sheet.append([2, "乙事项", "行政处罚", "《乙法》第一条", "执法科", "地州\n市级"])
    f = tmp_path / "mouju-2024.xlsx"
    book.save(f)
    cat = Catalogue.of(load([f]))
    assert "地方权力编码" not in views.item_headers(cat)  # no item has one: no empty column
    assert views.filter_choices(cat)["权力事项类型"] == ["行政处罚"]  # 行政\n处罚 and a repeat, said once
    assert [r[0] for r in views.item_rows(cat, {"权力事项类型": "行政处罚"})] == ["1", "2"]
    assert views.filter_choices(cat)["办事层级"] == ["地州市级", "市级"]

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


def test_question_html_is_inert(hashing_assistant) -> None:
    cat = hashing_assistant.catalogue
    a = hashing_assistant.ask("<img src=x onerror=alert(1)>", [])
    for out in (views.answer_html(a, cat), views.evidence_html(a, cat)):
        assert "<img" not in out and "onerror=alert(1)>" not in out.replace("&gt;", "")


def test_item_page_lists_steps_with_figures(hashing_assistant) -> None:
    cat = hashing_assistant.catalogue
    item = next(i for i in cat.items.values() if i.seq == "72")
    page = views.item_html(item, cat)
    assert page.count("<li>") == 7
    for figure in ("三日内", "七日内", "十个工作日", "不得少于两人", "三个工作日"):
        assert f"<strong class='figure'>{figure}" in page, figure


def test_item_filters(hashing_assistant) -> None:
    cat = hashing_assistant.catalogue
    assert [r[0] for r in views.item_rows(cat, {"权力事项类型": "其他行政权力"})] == ["83"]
    assert [r[0] for r in views.item_rows(cat, {"承办机构": "网络科科长"})] == ["82"]
    assert len(views.item_rows(cat, {"法律": "中华人民共和国网络安全法"})) == 9
    assert len(views.item_rows(cat, {})) == 14
    assert "互联网新闻信息服务管理规定" in views.filter_choices(cat)["法律"]


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

"""Statutes: parsing with spans, cross-references, versions from the amending decision, list vs law."""

import re

import pytest

from assistant import paths
from assistant.corpus.numerals import to_int
from assistant.review.lint import lint
from assistant.statutes.library import Library
from assistant.statutes.parse import load_statutes
from assistant.types import ParsedList

LAWS = paths.ROOT / "corpus" / "laws"
CSL = "中华人民共和国网络安全法"


@pytest.fixture(scope="module")
def library() -> Library:
    return Library.load(LAWS, today="2026-11-28")


def test_statutes_parse_with_exact_spans() -> None:
    statutes = {s.path.name: s for s in load_statutes(LAWS)}
    old, new = statutes["网络安全法_2016.md"], statutes["网络安全法_2025修正.md"]
    assert (len(old.articles), len(new.articles)) == (79, 81)
    assert old.effective == "2017-06-01" and new.effective == "2026-01-01"
    for s in statutes.values():
        for n, a in s.articles.items():
            assert s.text[a.heading.start:a.heading.end].startswith("第") and a.heading.of(s.text).endswith("条")
            assert to_int(a.heading.of(s.text)[1:-1]) == n
            for p in a.paragraphs:
                assert a.span.start <= p.span.start and p.span.end <= a.span.end
    art = old.articles[60]
    assert [len(p.items) for p in art.paragraphs] == [3] and art.chapter == "第六章 法律责任"
    assert statutes["网络安全法_2025修改决定.md"].amends == (CSL,)


def test_every_cited_article_and_its_references_resolve(seed: ParsedList, library: Library) -> None:
    resolved = 0
    for item in seed.items:
        for ref in item.refs:
            statute = library.cited(ref.law, next(r.version_note for r in item.refs if r.role == "cited"))
            if statute is None:
                assert ref.law == "互联网新闻信息服务管理规定"  # no official text offline
                continue
            matches = [a for n, a in statute.articles.items() if n == ref.article]
            assert len(matches) == 1, (item.seq, ref.article)
            assert statute.title == ref.law and statute.dates[0] in ("2016-11-07", "2000-09-25")
            resolved += 1
            if ref.role == "cited":
                for x in library.xrefs(statute, ref.article):
                    assert x.target is not None, (item.seq, ref.article, x.article)
                    target = statute.articles[x.article]
                    assert target.span.start <= x.target.start and x.target.end <= target.span.end
                    resolved += 1
    assert resolved >= 50


def _decision_target(decision_text: str, old: int) -> int:
    """Read the new number for an old article straight from the decision's sentences."""
    label = "第" + re.escape(to_chinese(old)) + "条"
    m = re.search(label + r"改为第([一二三四五六七八九十百]+)条", decision_text)
    if m:
        return to_int(m.group(1))
    m = re.search(r"将([^。，]*" + label + r"[^。，]*)合并，作为第([一二三四五六七八九十百]+)条", decision_text)
    assert m, old
    return to_int(m.group(2))


def to_chinese(n: int) -> str:
    from assistant.corpus.numerals import to_chinese as tc

    return tc(n)


def test_answers_name_the_2025_article_from_the_decision(seed: ParsedList, hashing_assistant) -> None:
    decision = (LAWS / "网络安全法_2025修改决定.md").read_text(encoding="utf-8")
    checked = 0
    for item in seed.items:
        cited = [r for r in item.refs if r.role == "cited" and r.law == CSL]
        if not cited:
            continue
        answer = hashing_assistant.ask(f"网络安全法第{cited[0].article}条", [])
        assert answer.hits[0].seq == item.seq
        target = _decision_target(decision, cited[0].article)
        notes = " ".join(answer.statute_notes)
        assert "2025年10月28日修改" in notes and "2026年1月1日起施行" in notes
        assert f"第{to_chinese(target)}条" in notes, (item.seq, notes)
        current = [q for q in answer.quotes if q.role == "statute_current"]
        assert any(q.article == f"第{to_chinese(target)}条" for q in current)
        for q in answer.quotes:
            text = (paths.ROOT / q.source).read_text(encoding="utf-8")
            assert text[q.start:q.end] == q.text
        checked += 1
    assert checked == 9


def test_an_article_asked_by_its_old_number_warns_that_the_number_is_another_article_today(
        hashing_assistant) -> None:
    from assistant.present.render import in_force_notes

    answer = hashing_assistant.ask("网络安全法第六十四条", [])
    assert answer.primary is not None and answer.primary.article == "第六十四条"
    warned = [n for n in in_force_notes(answer) if n.endswith("不是清单所引的那一条。")]
    # The 2025 text's 第六十四条 is the old 第六十一条 (实名制), not the 个人信息 article the list cites.
    assert warned == ["现行《中华人民共和国网络安全法（2025年修正）》的第六十四条对应原第六十一条，"
                      "不是清单所引的那一条。"]
    # A number that still names the same article, or that no article took, needs no warning.
    from assistant.answering.statute_notes import _same_number
    from assistant.statutes.versions import Move

    kept = {64: Move(64, (64,), "amended"), 61: Move(61, (64,), "amended")}
    assert _same_number(64, kept, "某法（2025年修正）") == []
    assert _same_number(64, {64: Move(64, (71,), "merged")}, "某法（2025年修正）") == []


def test_lint_lists_each_quotation_difference_with_both_texts(seed: ParsedList, library: Library) -> None:
    found = [f for f in lint([seed], library) if f.kind == "differs_from_law"]
    got = {(f.item, f.excerpt, f.expected) for f in found}
    assert got == {("71", "二第", "条"), ("73", "，可", "并"), ("77", "下", "上")}
    assert all("清单原文" in f.message and "此处为" in f.message for f in found)
    missing = [f for f in lint([seed], library) if f.kind == "no_official_text"]
    assert [f.excerpt for f in missing] == ["互联网新闻信息服务管理规定"]


def test_answer_quoting_a_differing_sentence_shows_both(hashing_assistant) -> None:
    a = hashing_assistant.ask("法律、行政法规禁止发布的信息未停止传输，对直接负责的主管人员罚多少", [])
    assert a.quotes[0].item == "77" and "一万元以下十万元以下" in a.quotes[0].text
    note = next(n for n in a.statute_notes if n.startswith("清单此处与法律原文不同"))
    assert "清单作「下」" in note and "原文作「上」" in note


def test_regulation_without_official_text_says_so(hashing_assistant) -> None:
    a = hashing_assistant.ask("未经许可开展互联网新闻信息服务罚多少", [])
    assert a.quotes[0].item == "79"
    assert any("官方全文不在本地语料中" in n for n in a.statute_notes)
    assert not [q for q in a.quotes if q.role.startswith("statute")]


def test_alignments_are_kept_between_runs_and_recomputed_when_unreadable(tmp_path, monkeypatch) -> None:
    from assistant.statutes import versions

    kept = tmp_path / "idx" / "statute-moves.json"
    first = Library.load(LAWS, today="2026-11-28", moves_file=kept)
    old, new = first.cited(CSL, "2016年11月7日"), first.current(CSL)
    assert old is not None and new is not None and old is not new
    aligned = first.moves(old, new)
    assert kept.is_file() and len(aligned) >= 70
    # The next run reads them back instead of aligning again.
    monkeypatch.setattr(versions, "moves", lambda *a: pytest.fail("aligned again"))
    assert Library.load(LAWS, today="2026-11-28", moves_file=kept).moves(old, new) == aligned
    monkeypatch.undo()
    kept.write_text("{not json", encoding="utf-8")
    assert Library.load(LAWS, today="2026-11-28", moves_file=kept).moves(old, new) == aligned
    assert kept.read_text(encoding="utf-8").startswith("{\"")  # written anew
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")  # where the folder should be: nothing can be written
    assert Library.load(LAWS, today="2026-11-28", moves_file=blocked / "m.json").moves(old, new) == aligned

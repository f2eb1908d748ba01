"""Legal references in 实施依据: titles, articles, 款 and 项, quirks kept."""

from assistant.corpus.numerals import to_chinese, to_int
from assistant.types import ParsedList


def _refs(seed: ParsedList, seq: str) -> list:
    return list(next(i for i in seed.items if i.seq == seq).refs)


def test_numerals() -> None:
    assert [to_int(s) for s in ("十", "十一", "二十二", "一百零八", "六十", "61", "一百万")] == [
        10, 11, 22, 108, 60, 61, 1_000_000]
    assert [to_chinese(n) for n in (10, 11, 22, 108, 161)] == [
        "十", "十一", "二十二", "一百零八", "一百六十一"]
    for n in range(1, 300):
        assert to_int(to_chinese(n)) == n


def test_cited_article_without_space(seed: ParsedList) -> None:
    cited = [r for r in _refs(seed, "70") if r.role == "cited"]
    assert [(r.law, r.article) for r in cited] == [("中华人民共和国网络安全法", 59)]
    text = seed.source.text
    assert cited[0].span.of(text) == "第五十九条"
    assert text[cited[0].span.end] == "网"
    assert cited[0].law_span is not None and cited[0].law_span.of(text) == "中华人民共和国网络安全法"
    assert "2016年11月7日" in cited[0].version_note


def test_cited_article_with_space(seed: ParsedList) -> None:
    cited = [r for r in _refs(seed, "73") if r.role == "cited"]
    assert [r.article for r in cited] == [62]
    assert seed.source.text[cited[0].span.end] == " "


def test_missing_tiao_is_a_quirk_but_still_article_22_paragraph_1(seed: ParsedList) -> None:
    refs = _refs(seed, "71")
    quirky = [r for r in refs if r.quirk]
    assert len(quirky) == 1
    r = quirky[0]
    assert (r.article, r.paragraph, r.role) == (22, 1, "cross")
    assert r.span.of(seed.source.text) == "第二十二第一款"
    # 、第二款 that follows is paragraph 2 of the same article.
    assert (refs[2].article, refs[2].paragraph) == (22, 2)
    assert (refs[3].article, refs[3].paragraph) == (48, 1)


def test_range_and_two_articles_of_one_law(seed: ParsedList) -> None:
    r74 = _refs(seed, "74")
    assert any(r.article == 41 and r.range_to == 43 for r in r74)
    r82 = [(r.role, r.article) for r in _refs(seed, "82")]
    assert r82 == [("cited", 15), ("cited", 20), ("cross", 15)]
    r83 = [(r.law, r.article) for r in _refs(seed, "83") if r.role == "cited"]
    assert r83 == [("互联网新闻信息服务管理规定", 4), ("互联网新闻信息服务管理规定", 19)]


def test_every_cited_item_has_a_law(seed: ParsedList) -> None:
    for item in seed.items:
        cited = [r for r in item.refs if r.role == "cited"]
        assert cited, item.seq
        assert all(r.law for r in item.refs)

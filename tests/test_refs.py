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


def test_a_title_on_its_own_line_names_the_law_of_the_articles_after_it() -> None:
    """The layout of most workbooks: 【法规】《…》（version） on one line, 第N条：… on the next ones."""
    from assistant.corpus.refs import find
    from assistant.types import Span

    text = ("【法规】《城镇燃气管理条例》（2010年10月19日国务院令第583号发布）\n"
            "    第五十一条：违反本条例规定，侵占、毁损燃气设施的，处5万元以下罚款。\n"
            "    第五十二条：另一条。\n"
            "【规章】《房地产估价机构管理办法》（2005年建设部令第142号）\n"
            "    第五十一条：应当回避未回避的，给予警告。")
    refs = find(text, (Span(0, len(text)),))
    assert [(r.law, r.article, r.role) for r in refs] == [
        ("城镇燃气管理条例", 51, "cited"), ("城镇燃气管理条例", 52, "cited"),
        ("房地产估价机构管理办法", 51, "cited")]
    # The title in a part of its own (a line break between <p> parts) carries over to the next part.
    title_end = text.index("\n")
    split = find(text, (Span(0, title_end), Span(title_end + 1, text.index("\n", title_end + 1))))
    assert [(r.law, r.article, r.role) for r in split] == [("城镇燃气管理条例", 51, "cited")]


def test_the_law_a_question_names_is_read_from_its_words_not_from_one_list() -> None:
    from assistant.answering.intent import articles, names_law

    [gas] = articles("《城镇燃气管理条例》第五十一条规定了哪些违法行为？")
    assert gas.law_hint == "城镇燃气管理条例"
    [crane] = articles("《建筑起重机械安全监督管理规定》第十七条要求多少天内登记")
    assert crane.law_hint == "建筑起重机械安全监督管理规定"  # not the seed's 互联网新闻信息服务管理规定
    assert articles("违反网络安全法第二十六条开展检测")[0].law_hint == "网络安全法"
    assert articles("网安法第65条")[0].law_hint == "网络安全法"
    assert articles("第二十条怎么罚")[0].law_hint is None
    [kind] = articles("那违反规定第十四条呢")
    assert kind.law_hint == "规定"
    assert names_law("规定", "互联网新闻信息服务管理规定") and not names_law("规定", "中华人民共和国网络安全法")
    assert names_law("网络安全法", "中华人民共和国网络安全法")
    assert not names_law("城镇燃气管理条例", "房地产估价机构管理办法")


def test_an_article_asked_with_its_law_leads_to_the_item_citing_that_law(tmp_path) -> None:
    """Two items cite a 第五十一条, each of another law: the law the question names decides."""
    from assistant.answering.dialogue import Assistant
    from assistant.answering.policy import NEVER_REFUSE
    from assistant.corpus.catalogue import Catalogue
    from assistant.corpus.parse import load
    from assistant.index import store
    from assistant.index.embed import HashingEmbedder
    from assistant.index.retriever import Retriever

    header = "\t".join(["序号", "事项名称", "子项名称", "权力事项类型", "地方权力编码", "子项地方权力编码", "实施主体",
                        "承办机构", "实施依据", "责任事项", "追责情形", "办事层级", "备注"])

    def row(seq: str, name: str, basis: str) -> str:
        return "\t".join([seq, name, "", "行政处罚", "", "", "某局", "执法科", basis, "立案", "失职的", "市级", ""])

    f = tmp_path / "mouju.tsv"
    f.write_text("\n".join([
        "某局权责清单", header,
        row("1", "对应当回避未回避的处罚",
            "<p>【规章】《房地产估价机构管理办法》（2005年建设部令第142号）</p><p>第五十一条：应当回避未回避的，给予警告。</p>"),
        row("2", "对毁损燃气设施的处罚",
            "<p>【法规】《城镇燃气管理条例》（2010年国务院令第583号）</p><p>第五十一条：毁损燃气设施的，处5万元以下罚款。</p>"),
    ]) + "\n", encoding="utf-8")
    lists = load([f])
    embedder = HashingEmbedder(64)
    built = store.build(tmp_path / "index", lists, embedder, progress=False)
    assistant = Assistant(Catalogue.of(lists), Retriever(built, embedder), policy=NEVER_REFUSE)
    gas = assistant.ask("《城镇燃气管理条例》第五十一条怎么罚")
    assert not gas.refused and gas.hits[0].seq == "2" and gas.quotes[0].law == "城镇燃气管理条例"
    other = assistant.ask("《房地产估价机构管理办法》第五十一条是什么")
    assert other.hits[0].seq == "1" and other.quotes[0].law == "房地产估价机构管理办法"
    uncited = assistant.ask("《个人信息保护法》第五十一条怎么罚")
    assert uncited.refused and "《个人信息保护法》" in uncited.interpretation

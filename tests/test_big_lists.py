"""A list of hundreds of items: lookups made once give what a scan of every item gives,
and an answer names a bounded number of items sharing its quote."""

from pathlib import Path

import pytest

from assistant import paths
from assistant.answering.dialogue import Assistant
from assistant.corpus.catalogue import MAX_SHARED, Catalogue
from assistant.corpus.parse import load
from assistant.index import store
from assistant.index.embed import HashingEmbedder
from assistant.index.retriever import Retriever
from assistant.present.render import to_json, to_markdown
from assistant.statutes.library import Library
from assistant.types import ParsedList
from benchmarks.synthetic import write_list


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory, seed: ParsedList) -> ParsedList:
    (parsed,) = load([write_list(seed, 300, tmp_path_factory.mktemp("lists"))])
    return parsed


@pytest.fixture(scope="module")
def big_assistant(tmp_path_factory: pytest.TempPathFactory, big: ParsedList) -> Assistant:
    emb = HashingEmbedder(32)
    built = store.build(tmp_path_factory.mktemp("index"), [big], emb, progress=False)
    return Assistant(Catalogue.of([big]), Retriever(built, emb), library=Library.load(paths.laws_dir()))


def test_code_and_article_lookups_match_a_full_scan(big: ParsedList) -> None:
    cat = Catalogue.of([big])
    src = big.source
    for code, keys in cat.by_code.items():
        assert list(keys) == [i.key for i in big.items
                              if code in (i.value(src, "地方权力编码"), i.value(src, "子项地方权力编码"))]
    for article, refs in cat.by_article.items():
        assert list(refs) == [(i.key, r) for i in big.items for r in i.refs if r.article == article]
    assert sum(len(r) for r in cat.by_article.values()) == sum(len(i.refs) for i in big.items)


def test_sharing_is_capped_and_counted_like_a_scan(big: ParsedList) -> None:
    cat = Catalogue.of([big])
    top = big.items[5]
    text = top.value(big.source, "责任事项")[:12]
    every = [i.seq for i in big.items if i.key != top.key and text in i.value(big.source, "责任事项")]
    shown, total = cat.sharing(top, "责任事项", text)
    assert total == len(every) > MAX_SHARED
    assert list(shown) == every[:MAX_SHARED]


def test_sharing_a_column_only_some_items_carry(big: ParsedList) -> None:
    # A workbook's merged rows give a few items an extra field (合并单元格内隐藏的内容) the others lack.
    from dataclasses import replace

    from assistant.corpus.columns import HIDDEN_FIELD

    items = list(big.items)
    duty = items[3].fields["责任事项"]
    items[3] = replace(items[3], fields={**items[3].fields, HIDDEN_FIELD: duty})
    items[7] = replace(items[7], fields={**items[7].fields, HIDDEN_FIELD: duty})
    cat = Catalogue.of([replace(big, items=tuple(items))])
    text = duty.span.of(big.source.text)[:12]
    assert cat.sharing(items[3], HIDDEN_FIELD, text) == ((items[7].seq,), 1)


def test_answer_on_a_big_list_names_a_few_sharers_and_the_count(big_assistant: Assistant) -> None:
    a = big_assistant.ask("当事人要求听证应当在几天内提出", [])
    assert not a.refused and "三日内" in a.quotes[0].text
    assert len(a.shared_with) == MAX_SHARED < a.shared_total
    assert f"等共{a.shared_total}项" in to_markdown(a)
    assert to_json(a)["shared_total"] == a.shared_total


def test_article_cited_by_many_items_answers_with_k_of_them(big_assistant: Assistant, big: ParsedList) -> None:
    a = big_assistant.ask("网络安全法第六十一条", [])
    citing = {i.seq for i in big.items if any(r.article == 61 and r.role == "cited" for r in i.refs)}
    assert len(citing) > 5
    assert a.hits[0].seq in citing and "第六十一条" in a.quotes[0].text


def test_write_list_is_deterministic(tmp_path: Path, seed: ParsedList) -> None:
    a = write_list(seed, 20, tmp_path / "a").read_text(encoding="utf-8")
    b = write_list(seed, 20, tmp_path / "b").read_text(encoding="utf-8")
    assert a == b and a.count("\n") > 40


def test_citing_items_the_search_found_lead_their_rank(big_assistant: Assistant, big: ParsedList) -> None:
    from collections import defaultdict

    from assistant.answering import intent

    ask = intent.recognise("网络安全法第六十一条")
    in_list_order = [k for k, _ in big_assistant._by_article(ask, defaultdict(int))]
    late = in_list_order[-1]  # cited, last in the list: the search found it
    keys = [k for k, _ in big_assistant._by_article(ask, defaultdict(lambda: 5, {late: 0}))]
    assert keys[0] == late and sorted(keys) == sorted(in_list_order)
    assert keys[1:] == [k for k in in_list_order if k != late]


def test_code_held_by_many_items_answers_with_one_of_them(big_assistant: Assistant, big: ParsedList) -> None:
    code = big.items[0].value(big.source, "地方权力编码")
    holders = {i.seq for i in big.items if i.value(big.source, "地方权力编码") == code}
    assert len(holders) > 5
    a = big_assistant.ask(f"编码{code}是哪个事项", [])
    assert not a.refused and a.hits[0].seq in holders
    assert [h.seq for h in a.hits[:5]] == [h.seq for h in a.hits[:5] if h.seq in holders]

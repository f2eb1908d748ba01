"""Retrieval pieces: tokenizer, dictionary, fusion, retriever contracts."""

import numpy as np
import pytest

from assistant.errors import BadQueryError
from assistant.index import fuse, terms
from assistant.index.embed import HashingEmbedder
from assistant.index.lexical import make_tokenizer
from assistant.index.retriever import Retriever
from assistant.types import ParsedList


def test_jieba_splits_hanzi_runs_and_keeps_corpus_terms() -> None:
    tok = make_tokenizer(["关键信息基础设施"])
    words = tok("关键信息基础设施的运营者在境外存储网络数据")
    assert "关键信息基础设施" in words and "境外" in words and "存储" in words
    assert "的" not in words  # stopword


def test_article_numbers_are_exact_tokens() -> None:
    tok = make_tokenizer([])
    assert tok("网络安全法第六十一条")[0] == "第61条"
    assert tok("第61条")[0] == "第61条"
    assert "第61条" not in tok("第一百六十一条") and "第161条" in tok("第一百六十一条")
    assert tok("编码11620500MB0305146K3620246003000")[0] == "11620500mb0305146k3620246003000"


def test_generated_dictionary_has_list_terms(seed: ParsedList) -> None:
    docs = [i.value(seed.source, "事项名称") + i.plain(seed.source, "实施依据") for i in seed.items]
    found = terms.user_dictionary(docs, [seed.source.text])
    for term in ("关键信息基础设施", "互联网新闻信息服务", "中华人民共和国网络安全法", "网络安全法",
                 "互联网信息服务管理办法"):
        assert term in found
    assert not any(t.endswith("的") or t.startswith("的") for t in found)


def test_fusion_functions() -> None:
    assert list(fuse.ranks(np.array([0.1, 0.9, 0.5]))) == [3, 1, 2]
    assert list(fuse.ranks(np.array([0.0, 2.0]), positive_only=True)) == [0, 1]
    r = fuse.rrf({"a": np.array([1, 2]), "b": np.array([2, 0])}, {"a": 1.0, "b": 1.0}, k=60)
    assert r[0] == pytest.approx(1 / 61 + 1 / 62) and r[1] == pytest.approx(1 / 62)
    m = fuse.minmax({"a": np.array([0.0, 1.0]), "b": np.array([5.0, 5.0])}, {"a": 0.5, "b": 0.5})
    assert list(m) == [0.0, 0.5]
    with pytest.raises(ValueError, match="rrf, minmax"):
        fuse.check_fusion("max")


def test_retriever_validates_settings(hashing_index) -> None:
    built, emb = hashing_index
    with pytest.raises(ValueError, match="hybrid, dense, lexical"):
        Retriever(built, emb, mode="both")
    with pytest.raises(ValueError, match="dense_weight"):
        Retriever(built, emb, dense_weight=2)
    with pytest.raises(ValueError, match="chunk, item"):
        Retriever(built, emb, level="doc")
    r = Retriever(built, emb)
    with pytest.raises(ValueError, match="k must be"):
        r.search("罚款", 0)
    with pytest.raises(BadQueryError):
        r.search("   ", 3)


def test_k_larger_than_items_and_signals_kept(hashing_index) -> None:
    built, emb = hashing_index
    hits = Retriever(built, emb).search("境外存储网络数据", 1000)
    assert len(hits) == 14 and len({h.item_key for h in hits}) == 14
    top = hits[0]
    assert top.seq == "76"
    assert set(top.scores) == {"dense", "lexical", "fused"} and top.ranks["lexical"] == 1
    assert all(h.chunks and h.chunks[0].chunk.item_key == h.item_key for h in hits)


def test_query_without_known_words_uses_dense_only(hashing_index) -> None:
    built, emb = hashing_index
    hits = Retriever(built, emb).search("zzqx", 3)
    assert hits and all("lexical" not in h.ranks for h in hits)
    assert Retriever(built, emb, mode="lexical").search("zzqx", 3) == []


@pytest.mark.parametrize(("query", "item"), [
    ("网络运营者未要求用户提供真实身份信息", "72"),
    ("关键信息基础设施的运营者在境外存储网络数据", "76"),
    ("未经许可开展互联网新闻信息服务", "79"),
    ("设置恶意程序", "71"),
])
def test_each_mode_finds_plain_questions(hashing_index, query: str, item: str) -> None:
    built, emb = hashing_index
    for mode in ("hybrid", "lexical"):
        assert Retriever(built, emb, mode=mode).search(query, 3)[0].seq == item


def test_hashing_embedder_is_deterministic() -> None:
    a = HashingEmbedder(32).encode(["网络安全", "境外存储"], "passage")
    b = HashingEmbedder(32).encode(["网络安全", "境外存储"], "query")
    assert a.dtype == np.float32 and np.allclose(a, b)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0)


def test_dense_scores_are_looked_up_for_candidates_only() -> None:
    from assistant.index.retriever import _looked_up

    ids, scores = np.array([7, 2, 9]), np.array([0.9, 0.8, 0.5], dtype=np.float32)
    got = _looked_up(ids, scores, np.array([2, 3, 9, 7, 10, 0]))
    assert got.tolist() == pytest.approx([0.8, -1.0, 0.5, 0.9, -1.0, -1.0])
    assert _looked_up(ids[:0], scores[:0], np.array([1, 2])).tolist() == [-1.0, -1.0]


def test_large_exact_index_scanned_coarsely_returns_the_exact_top_k() -> None:
    """Above COARSE_ABOVE vectors the scan runs over 8-bit codes and the best are scored again:
    ids, order and scores must be the exact index's, clustered vectors (close scores) included."""
    from assistant.index import dense

    rng = np.random.default_rng(7)
    centres = rng.normal(size=(40, 64))
    vectors = centres[rng.integers(0, 40, dense.COARSE_ABOVE + 3000)] + 0.3 * rng.normal(
        size=(dense.COARSE_ABOVE + 3000, 64))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    index = dense.DenseIndex.build(vectors, np.arange(len(vectors)), approximate=False)
    assert index._coarse_index() is not None
    for query in vectors[rng.integers(0, len(vectors), 20)] + 0.05 * rng.normal(size=(20, 64)).astype(np.float32):
        query = (query / np.linalg.norm(query)).astype(np.float32)
        ids, scores = index.search_vectors(query, 200)
        exact_scores, exact_ids = index.index.search(query.reshape(1, -1), 200)
        assert ids.tolist() == exact_ids[0].tolist()
        assert scores == pytest.approx(exact_scores[0], abs=1e-5)


def test_small_exact_index_is_scanned_exactly() -> None:
    from assistant.index import dense

    vectors = np.eye(8, dtype=np.float32)
    index = dense.DenseIndex.build(vectors, np.arange(8), approximate=False)
    assert index._coarse_index() is None
    ids, scores = index.search_vectors(vectors[3], 3)
    assert ids[0] == 3 and scores[0] == pytest.approx(1.0)

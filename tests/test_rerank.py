"""Item re-ranking: features from the hits and the question, a fitted linear order."""

import pytest

from assistant.answering import rerank
from assistant.types import ItemHit


def _hit(key: str, name: str, score: float, dense: float) -> ItemHit:
    return ItemHit(item_key=key, seq=key, name=name, score=score, scores={"dense": dense, "lexical": 3.0},
                   ranks={}, chunks=())


HITS = [_hit("a", "对未经批准擅自出售演出门票的处罚", 1.0, 0.90),
        _hit("b", "演出门票审批", 0.95, 0.92)]


def test_type_match_reads_the_power_asked_for() -> None:
    kinds = {"a": "行政处罚", "b": "行政许可"}
    fine = rerank.features("擅自卖演出门票怎么罚", {"门票": 1.0}, frozenset(), HITS, kinds)
    permit = rerank.features("演出门票审批怎么申请", {"门票": 1.0}, frozenset(), HITS, kinds)
    at = rerank.FEATURES.index("type_match")
    assert (fine[0][at], fine[1][at]) == (1.0, 0.0)
    assert (permit[0][at], permit[1][at]) == (0.0, 1.0)
    assert rerank.features("门票", {}, frozenset(), HITS, kinds)[0][at] == 0.5


def test_rerank_orders_by_weights_and_keeps_the_tail() -> None:
    vectors = rerank.features("演出门票审批怎么申请", {"审批": 1.0}, frozenset(), HITS, {"b": "行政许可"})
    assert [h.item_key for h in rerank.rerank(HITS, vectors, rerank.KEEP_ORDER)] == ["a", "b"]
    by_type = rerank.ItemWeights((0, 0, 0, 0, 0, 1.0, 0, 0, 0))
    assert [h.item_key for h in rerank.rerank(HITS, vectors, by_type)] == ["b", "a"]
    tail = [_hit(str(n), "x", 0.1, 0.1) for n in range(rerank.DEPTH + 3)]
    assert rerank.rerank(tail, rerank.features("x", {}, frozenset(), tail, {}), rerank.KEEP_ORDER) == tail


def test_item_weights_are_validated() -> None:
    with pytest.raises(ValueError, match="weights"):
        rerank.ItemWeights((1.0,))


def test_lacks_permit_reads_the_question_and_the_name() -> None:
    hits = [_hit("shown", "对未将营业执照置于住所或者营业场所醒目位置的处罚", 1.0, 0.9),
            _hit("none", "对未依法取得营业执照从事经营活动的处罚", 0.9, 0.88)]
    at = rerank.FEATURES.index("lacks_permit")
    lacking = rerank.features("没办营业执照就开店做生意怎么罚", {}, frozenset(), hits, {})
    assert (lacking[0][at], lacking[1][at]) == (0.0, 1.0)
    # 没戴导游证 has the licence: not asked about lacking one.
    for text in ("导游带团没戴导游证怎么罚", "营业执照没挂出来怎么罚"):
        assert {v[at] for v in rerank.features(text, {}, frozenset(), hits, {})} == {0.5}
    weights = rerank.ItemWeights((1.0, 0, 0, 0, 0, 0, 0, 1.0, 0))
    assert [h.item_key for h in rerank.rerank(hits, lacking, weights)] == ["none", "shown"]


def test_the_conduct_a_question_names_is_read_in_each_items_basis() -> None:
    basis = {"a": "未取得许可证擅自从事经营活动的，没收违法所得，并处罚款",
             "b": "伪造、变造许可证的，收缴许可证，并处罚款"}
    words = {"许可证": 1.0, "擅自": 2.0, "经营": 1.0}
    vectors = rerank.features("没办许可证就擅自经营，罚多少", words, frozenset(), HITS, {}, basis.__getitem__)
    at = rerank.FEATURES.index("basis_share")
    assert [v[at] for v in vectors] == [1.0, 0.25]
    assert {v[at] for v in rerank.features("没办许可证就擅自经营", words, frozenset(), HITS, {})} == {0.0}


def _choices(n: int, seed: int) -> list:
    """Questions of five candidates: feature 1 is higher on the gold one (with noise), feature 0
    is noise, feature 2 is the same for every candidate."""
    import random

    from assistant.evaluation.calibration import Choice

    rng = random.Random(seed)
    out = []
    for q in range(n):
        gold = rng.randrange(5)
        features = tuple((rng.random(), rng.random() + (0.8 if k == gold else 0.0), 1.0) for k in range(5))
        out.append(Choice("s", str(q), features, tuple(k == gold for k in range(5)), tuple(range(5))))
    return out


def test_the_listwise_fit_finds_the_feature_that_marks_the_gold_candidate() -> None:
    from assistant.evaluation import calibration

    train, held = _choices(200, 1), _choices(100, 2)
    w = calibration.fit_listwise(train, 0.1)
    assert abs(w[1]) == calibration.LISTWISE_SCALE and w[1] > 0
    assert abs(w[0]) < 1.0 and w[2] == 0.0  # noise weighs little; a constant feature nothing
    oracle = calibration.excerpt_hits(held, (0.0, 1.0, 0.0))
    assert oracle >= 80 and calibration.excerpt_hits(held, w) >= oracle - 3
    assert calibration.excerpt_hits(held, (1.0, 0.0, 0.0)) < 40


def test_the_rerank_fit_never_does_worse_on_its_questions_than_its_listwise_start() -> None:
    from assistant.evaluation import calibration

    train = _choices(120, 3)
    fitted = calibration.fit_rerank(train, (1.0, 0.0, 0.0))
    start = max(calibration.excerpt_hits(train, calibration.fit_listwise(train, l2)) for l2 in calibration.LISTWISE_L2S)
    assert calibration.excerpt_hits(train, fitted) >= start - 1  # the chosen penalty may not be the best in-sample
    folds = calibration.cross_validate_excerpt(train, (1.0, 0.0, 0.0), label="item_first",
                                              fit=lambda c: calibration.fit_rerank(c, (1.0, 0.0, 0.0)))
    assert len(folds) == 5 and all(f["item_first"] > f["start_weights"] for f in folds)


def test_the_reranker_is_fitted_only_on_questions_search_decides(hashing_assistant) -> None:
    """A named article or code picks its item by rule, not by the re-ranker: such questions
    would teach the re-ranker an order it never serves."""
    assert hashing_assistant.searched("网络安全法第六十一条") is None
    assert hashing_assistant.searched("11620500MB0305146K3620246010000是哪个事项") is None
    assert hashing_assistant.searched("你好") is None
    plain = hashing_assistant.searched("網絡運營者不實名註冊怎麼罰")
    assert plain is not None and "网络" in plain.text and plain.expanded

"""The field model: a softmax over the query vector, stored with the model it reads, and read by
the excerpt choice as one feature."""

import json

import numpy as np
import pytest

from assistant.answering import field_model, select
from assistant.answering.intent import recognise
from assistant.types import Span


def _clusters(rng: np.random.Generator, n: int = 40) -> tuple[np.ndarray, list[str]]:
    centres = {"实施依据": rng.normal(size=16), "责任事项": rng.normal(size=16), "追责情形": rng.normal(size=16)}
    labels = [f for f in centres for _ in range(n)]
    vectors = np.array([centres[f] + 0.3 * rng.normal(size=16) for f in labels])
    return vectors, labels


def test_fitted_model_reads_the_field_from_the_vector_and_round_trips(tmp_path) -> None:
    rng = np.random.default_rng(3)
    vectors, labels = _clusters(rng)
    model = field_model.fit(vectors, labels, "some-model", c=1.0, provenance="test")
    assert model.fields == ("实施依据", "责任事项", "追责情形")
    right = sum(max(p := model.probs(v), key=p.__getitem__) == f for v, f in zip(vectors, labels, strict=True))
    assert right / len(labels) > 0.95
    probs = model.probs(vectors[0])
    assert sum(probs.values()) == pytest.approx(1.0) and min(probs.values()) >= 0.0
    # Stored as calibrate.py stores it: the same probabilities after a round trip (5 decimals).
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps({"field_model": model.to_json()}), encoding="utf-8")
    again = field_model.FieldModel.fitted("some-model", path)
    assert again is not None
    assert again.probs(vectors[5]) == pytest.approx(model.probs(vectors[5]), abs=1e-3)
    # Vectors of another model, or of another size, mean nothing to it.
    assert field_model.FieldModel.fitted("another-model", path) is None
    assert again.probs(np.ones(8)) == {}


def test_a_rare_field_is_not_drowned_by_the_common_one() -> None:
    """Fitted class-balanced: 60 questions of one field and 6 of another, close to it, and the rare
    one is still read for most of its own questions (fitted plainly, the common field takes all six)."""
    rng = np.random.default_rng(7)
    common, rare = rng.normal(size=16), rng.normal(size=16)
    rare = common + 0.2 * (rare - common)
    labels = ["实施依据"] * 60 + ["部门职责"] * 6
    vectors = np.array([(common if f == "实施依据" else rare) + 0.5 * rng.normal(size=16) for f in labels])
    model = field_model.fit(vectors, labels, "m", c=0.05)
    read = [max(p := model.probs(v), key=p.__getitem__) for v in vectors]
    assert sum(r == "部门职责" for r, f in zip(read, labels, strict=True) if f == "部门职责") >= 4
    assert sum(r == "实施依据" for r, f in zip(read, labels, strict=True) if f == "实施依据") >= 50


def test_one_field_or_none_and_bad_shapes() -> None:
    vectors = np.random.default_rng(1).normal(size=(5, 4))
    only = field_model.fit(vectors, ["实施依据"] * 5, "m")
    assert only.probs(vectors[0]) == {"实施依据": 1.0}
    with pytest.raises(ValueError, match="gold field"):
        field_model.fit(vectors[:0], [], "m")
    with pytest.raises(ValueError, match="shape"):
        field_model.FieldModel(("a", "b"), np.zeros((3, 4)), np.zeros(2), np.zeros(4), np.ones(4), "m")


def test_out_of_fold_stand_in_reads_each_question_with_its_own_model() -> None:
    rng = np.random.default_rng(2)
    vectors, labels = _clusters(rng)
    a = field_model.fit(vectors, labels, "m")
    b = field_model.fit(vectors, list(reversed(labels)), "m")
    stand_in = field_model.PerQuestion({"held out": b}, a)
    assert stand_in.probs(vectors[0], "held out") == b.probs(vectors[0])
    assert stand_in.probs(vectors[0], "any other") == a.probs(vectors[0])


def test_the_excerpt_choice_reads_the_field_probability(seed) -> None:
    item = next(i for i in seed.items if i.seq == "72")
    ctx = select.Context(intent=recognise("这种情况怎么办"), words={}, pairs=frozenset(), cosines={},
                         fields={"追责情形": 0.9, "实施依据": 0.05})
    pool = select.pool(item, seed.source, ctx)
    at = select.FEATURES.index("field_prob")
    only_field = select.ExcerptWeights(tuple(float(n == at) for n in range(len(select.FEATURES))))
    best = select.rank(pool, only_field)[0]
    assert best.field == "追责情形" and best.features[at] == pytest.approx(0.9)
    assert all(s.features[at] == 0.0 for s in pool if s.field not in ("追责情形", "实施依据"))
    assert isinstance(best.span, Span)


def test_the_field_model_overrules_the_cue_words_only_when_sure_and_they_are_unlikely() -> None:
    rule = field_model.Overrule(sure=0.9, unlikely=0.05)
    assert rule.applies({"追责情形": 0.96, "责任事项": 0.03}, "责任事项") == "追责情形"
    assert rule.applies({"追责情形": 0.85, "责任事项": 0.03}, "责任事项") is None  # not sure enough
    assert rule.applies({"追责情形": 0.92, "责任事项": 0.07}, "责任事项") is None  # theirs is not unlikely
    # A step word said in passing (企业根本没执行) is read back as the question about the basis.
    assert rule.applies({"实施依据": 0.99, "责任事项": 0.0}, "责任事项") == "实施依据"
    assert rule.applies({"办事层级": 0.99, "责任事项": 0.0}, "责任事项") == "办事层级"
    assert rule.applies({"事项名称": 0.99, "责任事项": 0.0}, "责任事项") is None  # names no aspect
    assert rule.applies({"责任事项": 0.99}, "责任事项") is None and rule.applies({}, "责任事项") is None
    assert field_model.Overrule(sure=1.01, unlikely=1.0).applies({"追责情形": 1.0}, "责任事项") is None


def test_the_overrule_setting_is_fitted_on_what_it_changes() -> None:
    from assistant.evaluation.calibration import OverruleRow, cross_validate_overrule, fit_overrule

    # Overruling helps when the model is very sure (0.97) and hurts when it is only fairly sure (0.75).
    rows = [OverruleRow(f"a{i}", 0.97, 0.01, (False, True)) for i in range(6)]
    rows += [OverruleRow(f"b{i}", 0.75, 0.01, (True, False)) for i in range(6)]
    sure, unlikely = fit_overrule(rows)
    assert 0.75 < sure <= 0.97 and unlikely >= 0.01
    folds = cross_validate_overrule(rows, folds=3)
    assert sum(f["quote_holds"] for f in folds) == 12 and sum(f["never"] for f in folds) == 6


def test_a_step_word_said_in_passing_is_read_back_as_the_basis(hashing_assistant) -> None:
    """企业根本没执行 holds the step word 执行; when the field model is sure the question asks for the
    实施依据 and gives 责任事项 no chance, the question is read as one naming no field: the fine."""
    import copy

    from assistant.answering.intent import recognise

    class Sure:
        def probs(self, vector, text=""):
            return {"实施依据": 0.99, "责任事项": 0.0, "追责情形": 0.01}

    text = "企业签了集体合同根本没执行会怎么处理"
    cued = recognise(text)
    assert cued.column == "责任事项" and cued.step == "执行"
    a = copy.copy(hashing_assistant)
    a.field_model, a.overrule = Sure(), field_model.Overrule(sure=0.9, unlikely=0.05)
    read = a._field_read(cued, text)
    assert (read.column, read.aspect, read.explicit, read.step) == ("实施依据", "fine", False, None)
    from dataclasses import replace

    assert a._field_read(replace(cued, asks_law=True), text).aspect == "basis"  # asking for the law: its title
    a.overrule = field_model.Overrule(sure=1.01, unlikely=0.0)  # never
    assert a._field_read(cued, text) == cued


def test_field_probabilities_follow_the_model_in_use(hashing_assistant) -> None:
    """The probabilities are kept per question, for the model that computed them: a model put in
    its place (as calibration does) is asked again, never answered from the other's."""

    class Fixed:
        def __init__(self, field: str) -> None:
            self.field = field

        def probs(self, vector, text: str = "") -> dict[str, float]:
            return {self.field: 1.0}

    a = hashing_assistant
    before = a.field_model
    try:
        a.field_model = Fixed("实施依据")
        assert a.field_probs("罚多少") == {"实施依据": 1.0}
        a.field_model = Fixed("承办机构")
        assert a.field_probs("罚多少") == {"承办机构": 1.0}
    finally:
        a.field_model = before

"""Evidence that a question belongs to an office not served here."""

import numpy as np
import pytest

from assistant.answering import elsewhere
from assistant.answering.elsewhere import Elsewhere, served, unserved


def test_served_offices_are_left_out_by_the_words_of_their_names() -> None:
    seed = {o.names[0] for o in unserved(["天水市互联网信息办公室"])}
    assert "网信" not in seed and {"公安", "市场监督", "文化"} <= seed
    city = {o.names[0] for o in unserved(["克拉玛依市市场监督管理局", "克拉玛依市文化体育广播电视和旅游局",
                                          "地州市农业农村局", "克拉玛依市国防动员办公室（克拉玛依市人民防空办公室）"])}
    assert not {"市场监督", "文化", "农业", "人防"} & city and {"公安", "网信", "住房"} <= city
    assert len(unserved([])) == len(elsewhere.OFFICES)


class _Axis:
    """One axis per duty (in table order, each office's duties one by one), the question on the
    axis it names."""

    name = "axis"

    def __init__(self, offices) -> None:
        self.duties = [d for o in offices for d in o.duties.split("，")]
        self.calls = 0

    def encode(self, texts, kind):
        self.calls += kind == "passage"
        out = np.zeros((len(texts), len(self.duties)), np.float32)
        for i, t in enumerate(texts):
            out[i, self.duties.index(t) if t in self.duties else 0] = 1.0
        return out


def test_the_closest_unserved_duties_give_the_cosine_and_are_encoded_once() -> None:
    offices = unserved(["某市公安局"])
    model = _Axis(offices)
    near = Elsewhere(model, ["某市公安局"])
    assert all("公安" not in o.names for o in near.offices)
    assert near.duties() == model.duties and "户口和身份证" not in near.duties()  # one passage a duty
    q = np.zeros(len(model.duties), np.float32)
    q[3] = 0.6
    assert near.closest(q) == pytest.approx(0.6)
    assert near.closest(np.zeros(len(model.duties), np.float32)) == pytest.approx(0.0)
    assert model.calls == 1
    assert Elsewhere(None, []).closest(q) is None and near.closest(None) is None
    assert "户口和身份证" in Elsewhere(model, ["某市网信办"]).duties()


def test_the_evidence_carries_it_with_a_model_and_not_without(hashing_assistant) -> None:
    a = hashing_assistant.ask("不实名注册会被怎么罚", [])
    assert "elsewhere" in a.evidence and -2.0 < a.evidence["elsewhere"] < 2.0
    lexical = hashing_assistant.scoped(frozenset())
    from assistant.answering import evidence as ev

    retriever = lexical.retriever
    mode, retriever.mode = retriever.mode, "lexical"
    try:
        found = ev.gather(lexical.words, retriever, "不实名注册会被怎么罚", retriever.search("不实名注册会被怎么罚", 5))
    finally:
        retriever.mode = mode
    assert "elsewhere" not in found.values and "dense" not in found.values


def test_a_model_that_cannot_load_leaves_the_evidence_out() -> None:
    from assistant.errors import ModelUnavailableError

    class Broken:
        name = "broken"

        def encode(self, texts, kind):
            raise ModelUnavailableError("no weights")

    assert Elsewhere(Broken(), []).closest(np.ones(8, np.float32)) is None


class _Phrased(_Axis):
    """As _Axis, and a duty phrased as who handles it (elsewhere.ROUTED) on its duty's axis at half."""

    def encode(self, texts, kind):
        out = super().encode(texts, kind)
        for i, t in enumerate(texts):
            found = [n for n, d in enumerate(self.duties) if t != d and f"关于{d}的事项" in t]
            if found:
                out[i] = 0.0
                out[i, found[0]] = 0.5
        return out


def test_a_routing_question_reads_the_duties_phrased_as_who_handles_them() -> None:
    offices = unserved(["某市公安局"])
    model = _Phrased(offices)
    near = Elsewhere(model, ["某市公安局"])
    routed = near.duties(routed=True)
    assert routed[0] == elsewhere.ROUTED.format(duty=near.duties()[0], office=offices[0].names[0])
    assert len(routed) == len(near.duties()) and all(o.names[0] in r for o, r in zip(
        [o for o in offices for d in o.duties.split("，") if d], routed, strict=True))
    q = np.zeros(len(model.duties), np.float32)
    q[3] = 0.6
    # The same question, the same duty: read bare for a question about a matter, phrased for routing.
    assert near.closest(q) == pytest.approx(0.6)
    assert near.closest(q, routed=True) == pytest.approx(0.3)
    near.closest(q, routed=True)
    near.closest(q)
    assert model.calls == 2  # each set encoded once


def test_the_served_offices_duties_are_read_apart_from_the_unserved_ones() -> None:
    names = ["某市公安局", "某市自然资源局"]
    assert {o.names[0] for o in served(names)} == {"公安", "自然资源"}
    assert set(served(names)).isdisjoint(unserved(names))
    model = _Axis(elsewhere.OFFICES)
    near = Elsewhere(model, names)
    mine = near.duties(of_served=True)
    assert "户口和身份证" in mine and "不动产登记" in mine and "户口和身份证" not in near.duties()
    q = np.zeros(len(model.duties), np.float32)
    q[model.duties.index("不动产登记")] = 0.7
    q[model.duties.index("婚姻登记")] = 0.4
    assert near.closest(q, of_served=True) == pytest.approx(0.7)
    assert near.closest(q) == pytest.approx(0.4)
    # No served office with an entry here (a list of an office this table does not know): no reading.
    assert Elsewhere(model, ["某市某某中心"]).closest(q, of_served=True) is None

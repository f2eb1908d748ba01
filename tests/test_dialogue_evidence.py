"""The conversation's own answers set the focus; the law in force sits under the quote;
every answer says how sure it is."""

import json

from assistant import paths
from assistant.answering.clean import MAX_QUERY
from assistant.evaluation import sets as evsets
from assistant.present.render import to_json, to_markdown
from assistant.types import ItemHit

key = "tianshui-cac-power-list#{}".format


def _hit(a, item_key: str) -> ItemHit:  # type: ignore[no-untyped-def]
    """The item as a search would return it, with no scores (a stand-in for retrieval)."""
    item = a.catalogue.items[item_key]
    return ItemHit(item_key=item_key, seq=item.seq, name=a.catalogue.name(item), score=1.0, scores={}, ranks={},
                   chunks=())


def test_follow_up_takes_the_item_of_the_assistants_last_answer(hashing_assistant) -> None:
    question = "网络运营者未要求用户提供真实身份信息罚多少"
    first = hashing_assistant.ask(question, [])
    assert first.primary is not None and first.primary.item == "72"
    history = [{"role": "user", "content": question}, {"role": "assistant", "content": to_markdown(first)}]
    follow = hashing_assistant.ask("那对直接负责的主管人员呢", history)
    assert follow.focus == ("tianshui-cac-power-list#72",)
    assert follow.primary is not None and "主管人员" in follow.primary.text
    assert not any("上一条回答" in n for n in follow.notices)
    # The answer sets the focus, not a search of the user's turns: here the user's turn names
    # another matter than the answer was about.
    other = [{"role": "user", "content": "关键信息基础设施采购未经安全审查的网络产品"},
             {"role": "assistant", "content": to_markdown(first)}]
    assert hashing_assistant._focus(other) == ("tianshui-cac-power-list#72",)
    # ... and the follow-up leaves it only when the conversation read whole leads to another item
    # (Assistant._moved): the user's words say 关键信息基础设施, the answer was about real names.
    moved = hashing_assistant.ask("那对直接负责的主管人员呢", other)
    assert moved.focus == ("tianshui-cac-power-list#75",)
    # ... and says so: the last answer was about another item.
    name = hashing_assistant.catalogue.name(hashing_assistant.catalogue.items["tianshui-cac-power-list#72"])
    assert any(f"上一条回答的是「{name}」" in n for n in moved.notices)
    assert f"上一条回答的是「{name}」" in to_markdown(moved)


def test_a_follow_up_moves_where_the_whole_conversation_leads_unless_a_number_named_the_item(
        hashing_assistant, monkeypatch) -> None:
    a = hashing_assistant
    focus, other = key(70), key(74)

    read: list[str] = []
    order = {"keys": [other, focus]}

    def reranked(text: str, tokens: object, *rest: object) -> list[ItemHit]:
        read.append(text)
        return [_hit(a, k) for k in order["keys"]]

    monkeypatch.setattr(a, "reranked", reranked)
    follow = a.understander.understand("那罚多少")

    def moved(earlier: str) -> object:
        return a._moved(follow, (focus,), a._conversation(follow, earlier))

    found = moved("网络运营者不履行安全保护义务")
    assert found is not None and found.focus == (other,) and found.route == "follow"
    assert "安全保护义务" in read[-1] and "罚多少" in read[-1]  # one search of both turns together
    moved("网络运营者不履行安全保护义务" * 100)  # a long conversation: no longer than a question
    assert len(read[-1]) <= MAX_QUERY and read[-1].endswith("罚多少")
    order["keys"] = [focus, other]
    assert moved("网络运营者不履行安全保护义务") is None  # it leads to the answer's item
    order["keys"] = [other, focus]
    assert moved("") is None  # no earlier turn: nothing to read
    code = next(c for c, keys in a.catalogue.by_code.items() if focus in keys)
    searches = len(read)
    assert moved(f"{code} 这个编码是哪个事项？") is None  # a code named it exactly
    assert moved("网络安全法第五十九条说的是什么") is None  # so does an article
    assert len(read) == searches


def test_a_follow_up_asking_for_a_column_stays_on_the_item(hashing_assistant) -> None:
    # 权力 is a word of one item's text (第83项 其他行政权力) and of two column names: asking for a
    # column (权力编码, 什么类型的权力) names no matter of its own.
    assert "权力" in hashing_assistant.words.field_words
    first = hashing_assistant.ask("网络运营者未要求用户提供真实身份信息罚多少", [])
    history = [{"role": "user", "content": "网络运营者未要求用户提供真实身份信息罚多少"},
               {"role": "assistant", "content": to_markdown(first)}]
    for question in ("那这项的权力编码是多少", "那这个在清单里算什么类型的权力？"):
        follow = hashing_assistant.ask(question, history)
        assert follow.focus == ("tianshui-cac-power-list#72",), question


def test_without_an_answer_the_user_turns_set_the_focus(hashing_assistant) -> None:
    history = [{"role": "user", "content": "网络运营者未要求用户提供真实身份信息罚多少"}]
    assert hashing_assistant.ask("那对直接负责的主管人员呢", history).focus == ("tianshui-cac-power-list#72",)
    refusal = hashing_assistant.ask("", [])
    assert hashing_assistant._focus([{"role": "assistant", "content": to_markdown(refusal)}]) == ()


def test_a_history_that_is_not_a_list_is_ignored(hashing_assistant) -> None:
    a = hashing_assistant.ask("网络运营者未要求用户提供真实身份信息罚多少", 5)  # type: ignore[arg-type]
    assert not a.refused and a.primary is not None


def test_the_law_in_force_sits_under_the_quote(hashing_assistant) -> None:
    a = hashing_assistant.ask("网络运营者未要求用户提供真实身份信息罚多少", [])
    md = to_markdown(a)
    citation = md.index("—— 第72项")
    in_force = md.index("⚖️ **现行法律**")
    assert citation < in_force < md.index("**所在条款全文**")
    assert "现为第六十四条" in md[in_force:]
    data = to_json(a)
    assert data["in_force"]["notes"] and data["in_force"]["quotes"]
    for q in data["in_force"]["quotes"]:
        text = (paths.ROOT / q["source"]).read_text(encoding="utf-8")
        assert text[q["start"]:q["end"]] == q["text"] and "2025" in q["law"]


def test_the_law_in_force_is_not_under_a_quote_that_is_no_law(hashing_assistant, monkeypatch) -> None:
    from assistant import views
    from assistant.answering import select

    # The column asked for is quoted: the fitted weights find it through the field model, which
    # reads the real model's vectors only; with the fake embedder the unfitted weights do.
    monkeypatch.setattr(hashing_assistant, "excerpt_weights", select.DEFAULT)
    a = hashing_assistant.ask("网络运营者未要求用户提供真实身份信息的处罚由哪个科室承办", [])
    assert a.primary is not None and a.primary.item == "72" and a.primary.law is None
    assert a.statute_notes and any("第六十四条" in n for n in a.statute_notes)  # still said, with the law
    assert a.interpretation.endswith(" · 承办机构") and "承办机构 · 承办机构" not in a.interpretation
    assert "⚖️" not in to_markdown(a) and to_json(a)["in_force"] == {"notes": [], "quotes": []}
    assert "现行法律" not in views.answer_html(a, hashing_assistant.catalogue)


def test_every_answer_carries_a_confidence_and_its_evidence(hashing_assistant) -> None:
    a = hashing_assistant.ask("网络运营者未要求用户提供真实身份信息罚多少", [])
    data = to_json(a)
    assert data["confidence"] in ("sure", "likely") and data["confidence_label"] in ("确定", "可能相关")
    assert set(data["evidence"]) >= {"dense", "idf_share", "coverage", "foreign_share"}
    assert "**把握**" in data["answer"]
    code = "11620500MB0305146K3620246010000"
    by_code = hashing_assistant.ask(f"我手上的案卷封面地方权力编码写的是{code}，这是哪个事项", [])
    # Found by its code, yet not 确定: the number finds the item, not the quote (see Assistant._decide);
    # and never quoted by the code it gave, though it names the code's column (which cell answers
    # instead is the real model's to read: tests/test_model_real.py).
    assert by_code.hits[0].seq == "79" and by_code.confidence == "likely"
    assert by_code.primary is not None and code not in by_code.primary.text
    assert by_code.primary.field != "地方权力编码"
    assert hashing_assistant.ask("网络安全法第六十一条", []).confidence == "likely"


def test_the_evidence_reads_the_shape_of_the_answer(hashing_assistant) -> None:
    """How far the leader stands above the next item, how much of its field the best excerpt is,
    how long that field is, and the field model's probability of it (none without a field model)."""
    import math

    from assistant.answering import evidence as ev
    from assistant.answering import select
    from assistant.answering.excerpt import Candidate
    from assistant.types import Span

    a = hashing_assistant
    hits = a.retriever.search("网络运营者未要求用户提供真实身份信息罚多少", 5)
    item = a.catalogue.items[hits[0].item_key]
    office = item.fields["承办机构"]
    features = tuple(0.7 if f == "field_prob" else 0.0 for f in select.FEATURES)
    whole = select.Scored("承办机构", Candidate(office.span, None), features)
    shape = ev._answer_shape(a.catalogue, hits[0], hits, whole)
    assert shape == {"item_gap": hits[0].score - hits[1].score, "excerpt_share": 1.0,
                     "field_length": math.log1p(len(office.span)), "field_prob": 0.7}
    basis = item.fields["实施依据"]
    quarter = Span(basis.span.start, basis.span.start + len(basis.span) // 4)
    sentence = select.Scored("实施依据", Candidate(quarter, None), features)
    part = ev._answer_shape(a.catalogue, hits[0], hits[:1], sentence)
    assert 0.0 < part["excerpt_share"] < 0.5 and part["field_length"] == math.log1p(len(basis.span))
    assert part["item_gap"] == 1.0  # no second item: nothing stands near it
    assert ev._answer_shape(a.catalogue, hits[0], hits, None) == {
        "item_gap": hits[0].score - hits[1].score}
    asked = a.ask("网络运营者未要求用户提供真实身份信息罚多少", [])
    assert {"item_gap", "excerpt_share", "field_length", "field_prob"} <= set(asked.evidence)


def test_sets_manifest_and_verbatim_check(tmp_path) -> None:
    manifest = tmp_path / "sets.json"
    manifest.write_text(json.dumps({"sets": [
        {"name": "t", "role": "tuning", "questions": "eval/questions.jsonl",
         "lists": ["corpus/lists/tianshui-cac-power-list.txt"]},
        {"name": "r", "role": "report", "questions": "eval/report/tianshui-cac.jsonl",
         "lists": ["corpus/lists/tianshui-cac-power-list.txt"]}]}), encoding="utf-8")
    assert [s.name for s in evsets.load_sets(manifest, roles=("tuning",))] == ["t"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"sets": [{"name": "x", "role": "dev", "questions": "q", "lists": []}]}))
    try:
        evsets.load_sets(bad)
    except evsets.SetsError as e:
        assert "role 'dev'" in str(e)
    else:
        raise AssertionError("a bad role must be refused")
    good = {"id": "a", "quotes": [{"source": "corpus/lists/tianshui-cac-power-list.txt", "start": 0, "end": 0,
                                   "text": ""}]}
    wrong = {"id": "b", "quotes": [{"source": "corpus/lists/tianshui-cac-power-list.txt", "start": 0, "end": 3,
                                    "text": "xyz"}]}
    assert evsets.verbatim_failures([good]) == [] and len(evsets.verbatim_failures([good, wrong])) == 1


def test_headline_figures() -> None:
    qs = [{"id": "1", "gold_items": ["7"], "must_quote": "罚款", "turns": None},
          {"id": "2", "gold_items": [], "must_quote": "", "turns": None},
          {"id": "3", "gold_items": ["8"], "must_quote": "x", "turns": ["t"]}]
    rs = [{"id": "1", "refused": False, "ranked_items": ["7"], "confidence": "sure",
           "quotes": [{"role": "primary", "text": "处罚款"}]},
          {"id": "2", "refused": True, "ranked_items": [], "quotes": []},
          {"id": "3", "refused": False, "ranked_items": ["9"], "confidence": "likely", "quotes": []}]
    h = evsets.headline(qs, rs)
    assert (h["item_first"], h["quote_holds"], h["unanswerable_refused"], h["follow_up_item_first"]) == (0.5, 0.5,
                                                                                                          1.0, 0.0)
    assert (h["sure_right"], h["wrong_marked_sure"]) == (1.0, 0.0)
    # Pooled over sets whose ids collide (q001 in two sets): each result stays with its own set.
    other = ([{**qs[0], "gold_items": ["5"]}], [{**rs[0], "ranked_items": ["6"]}])
    assert evsets.pooled({"a": (qs, rs), "b": other}, ["a", "b"])["item_first"] == 0.333


def test_answers_are_also_pooled_by_the_column_that_answers_them() -> None:
    """A set whose fines hold and whose 承办机构 questions fall back to the fine: the pooled quote figure
    is 0.5, the column rows say where."""
    qs = [{"id": "1", "gold_items": ["7"], "gold_field": "实施依据", "must_quote": "罚款", "turns": None},
          {"id": "2", "gold_items": ["7"], "gold_field": "承办机构", "must_quote": "网络科", "turns": None},
          {"id": "3", "gold_items": [], "gold_field": None, "must_quote": "", "turns": None}]
    rs = [{"id": "1", "refused": False, "ranked_items": ["7"], "quotes": [{"role": "primary", "text": "处罚款"}]},
          {"id": "2", "refused": False, "ranked_items": ["7"], "quotes": [{"role": "primary", "text": "处罚款"}]},
          {"id": "3", "refused": True, "ranked_items": [], "quotes": []}]
    sets = [evsets.EvalSet("t", "tuning", "seed", paths.ROOT / "t.jsonl", ()),
            evsets.EvalSet("r", "report", "seed", paths.ROOT / "r.jsonl", ())]
    rows = evsets.summary(sets, {"t": (qs, rs), "r": (qs[:1], rs[:1])})
    assert rows["all tuning"]["quote_holds"] == 0.5
    assert rows["tuning · 实施依据"]["quote_holds"] == 1.0 and rows["tuning · 实施依据"]["n"] == 1
    assert rows["tuning · other columns"]["quote_holds"] == 0.0
    assert "tuning · 责任事项" not in rows and "report · other columns" not in rows
    assert rows["report · 实施依据"]["quote_holds"] == 1.0
    assert "tuning · other columns" in evsets.side_by_side(rows)


def test_bubble_and_export_carry_confidence_and_the_law_in_force(hashing_assistant) -> None:
    from assistant import views
    from assistant.present.export import conversation_markdown

    a = hashing_assistant.ask("网络运营者未要求用户提供真实身份信息罚多少", [])
    bubble = views.answer_html(a, hashing_assistant.catalogue)
    assert "把握：" in bubble and bubble.index("class='citation'") < bubble.index("现行法律")
    assert "第六十四条" in bubble
    exported = conversation_markdown([("实名", a)])
    assert "把握：" in exported and "现行法律：" in exported and "现行《" in exported


def test_item_page_notes_the_law_in_force(hashing_assistant) -> None:
    from assistant import views

    cat = hashing_assistant.catalogue
    item = cat.items["tianshui-cac-power-list#72"]
    page = views.item_html(item, cat, hashing_assistant.library)
    assert "现行法律" in page and "第六十四条" in page
    assert "现行法律" not in views.item_html(item, cat)


def test_a_step_the_conversations_item_lacks_is_asked_of_the_items_that_have_it(hashing_assistant,
                                                                               monkeypatch) -> None:
    """Item 83 (an inspection) has no 立案 step: 立案以后要做什么 after it is answered from an item
    whose duties hold 立案, not with 83's text labelled 立案环节; a step 83 has stays on 83."""
    # The rule under test applies where the conversation read whole leads back to the answer's item
    # (as it does with the real model: test_model_real); the hashing encoder's reading does not.
    cat = hashing_assistant.catalogue
    inspection = cat.items["tianshui-cac-power-list#83"]
    monkeypatch.setattr(hashing_assistant, "_conversation", lambda *args: [_hit(hashing_assistant, inspection.key)])
    assert "立案" not in hashing_assistant.words.text(inspection)
    history = [{"role": "user", "content": "监督检查由哪个科室承办"},
               {"role": "assistant", "content": f"**理解为**：第83项「{cat.name(inspection)}」 · 承办机构"}]
    case = hashing_assistant.ask("立案以后要做什么", history)
    assert case.focus and case.focus[0] != inspection.key
    assert "立案" in hashing_assistant.words.text(cat.items[case.focus[0]])
    assert case.primary is not None and case.primary.field == "责任事项"
    assert hashing_assistant.ask("检查时要出示什么证件", history).focus == (inspection.key,)


def test_a_penalty_asked_after_an_item_that_holds_none_is_asked_of_the_penalty_items(hashing_assistant) -> None:
    """Item 83 (an inspection) neither names nor cites a penalty: 罚多少 after it is answered from an
    item that does, not with 83's text; a column 83 has (承办机构) stays on 83."""
    cat = hashing_assistant.catalogue
    inspection = cat.items["tianshui-cac-power-list#83"]
    source = cat.source(inspection)
    assert "罚" not in inspection.value(source, "事项名称") + inspection.value(source, "实施依据")
    history = [{"role": "user", "content": "互联网信息服务的监督检查依据什么"},
               {"role": "assistant", "content": f"**理解为**：第83项「{cat.name(inspection)}」 · 实施依据"}]
    fine = hashing_assistant.ask("那罚多少", history)
    assert fine.focus and fine.focus[0] != inspection.key
    assert "处罚" in cat.name(cat.items[fine.focus[0]])
    assert hashing_assistant.ask("由哪个科室承办", history).focus == (inspection.key,)


def test_a_follow_up_about_the_people_in_charge_stays_on_the_item(hashing_assistant, monkeypatch) -> None:
    """科长, 技术主管 say who is asked about, not which matter: after an answer whose item fines the
    people in charge, 那负责这个项目的信息科科长本人呢 is about that item's 主管人员."""
    cat = hashing_assistant.catalogue
    item = cat.items["tianshui-cac-power-list#76"]
    # As in the test above: the conversation read whole leads back to the answer's item.
    monkeypatch.setattr(hashing_assistant, "_conversation", lambda *args: [_hit(hashing_assistant, item.key)])
    assert "主管人员" in hashing_assistant.words.text(item)
    history = [{"role": "user", "content": "把用户数据存到境外服务器上怎么罚"},
               {"role": "assistant", "content": f"**理解为**：第76项「{cat.name(item)}」 · 实施依据"}]
    for question in ("那负责这个项目的信息科科长本人呢", "那他们负责的技术主管个人要掏钱吗"):
        assert hashing_assistant.ask(question, history).focus == (item.key,)


def test_a_noun_holding_a_colloquial_word_is_known_and_other_nouns_are_not(hashing_assistant) -> None:
    """木马程序 is tagged as one noun the list never uses, but it holds 木马, a colloquial word for the
    list's 恶意程序; 个人所得税 holds 个人, a word of the list, and stays unknown."""
    words = hashing_assistant.words
    assert not words.only_unknown_nouns("木马程序怎么罚")
    assert words.only_unknown_nouns("个人所得税怎么交")


def test_everyday_words_expand_the_search_but_are_not_the_domains_words() -> None:
    from assistant.vocabulary import EVERYDAY, all_words, expand, known

    assert "未成年人" in expand("网吧放初中生进去", ["网吧"], lambda phrase: phrase.split())
    assert "初中生" in EVERYDAY and not known("初中生") and "初中生" not in all_words()


def test_an_everyday_word_is_held_by_a_text_that_holds_its_translation() -> None:
    """电瓶车 is matched by an item about 电动自行车 (the refusal's idf_share and name_share count it),
    and by nothing else; a word without a translation is matched only as itself."""
    from assistant.answering.evidence import held

    assert held("电瓶车", "对违规充电、停放电动自行车的处罚")
    assert not held("电瓶车", "对违规停放机动车的处罚")
    assert held("充电", "对违规充电的处罚") and not held("楼道", "对违规充电的处罚")


def test_small_talk_after_an_answer_is_not_read_as_a_follow_up_on_its_item(hashing_assistant) -> None:
    """讲个笑话吧 after an answer is judged as a question of its own (the refusal policy decides), not
    as one staying on the answer's item (whose evidence carries the follow-up features)."""
    first = hashing_assistant.ask("不实名注册会被怎么罚？")
    assert not first.refused
    history = [{"role": "user", "content": "不实名注册会被怎么罚？"},
               {"role": "assistant", "content": to_markdown(first)}]
    assert "follow_marker" not in hashing_assistant.ask("讲个笑话吧", history).evidence
    assert "follow_marker" in hashing_assistant.ask("那罚多少？", history).evidence


def test_a_follow_up_naming_words_of_its_own_moves_to_the_sibling_the_reranker_puts_first(
        hashing_assistant, monkeypatch) -> None:
    a = hashing_assistant
    focus, sibling = key(73), key(74)

    ranked = {"order": [sibling, focus, key(70)], "read": {sibling: (2.0, ()), focus: (1.5, ()), key(70): (0.1, ())}}

    def named() -> tuple[list[ItemHit], dict]:
        return [_hit(a, k) for k in ranked["order"]], ranked["read"]

    names_words = a.understander.understand("那发布计算机病毒的呢")
    assert a._specific(a.words.matter(names_words.text))  # it names words of its own
    turn = a._stay(names_words, (focus,), named())
    assert turn.route == "follow" and turn.focus == (sibling,) and turn.hits[0].item_key == sibling
    # The conversation's item leads when the re-ranker puts it first, or when it is not among those read.
    ranked["order"] = [focus, sibling]
    assert a._stay(names_words, (focus,), named()).focus == (focus,)
    ranked["order"], ranked["read"] = [sibling, key(70)], {sibling: (2.0, ()), key(70): (0.1, ())}
    assert a._stay(names_words, (focus,), named()).focus == (focus,)
    # A follow-up naming nothing of its own (罚多少) stays on the conversation's item, read or not.
    ranked["order"], ranked["read"] = [sibling, focus], {sibling: (2.0, ()), focus: (1.5, ())}
    bare = a.understander.understand("那罚多少")
    assert not a._specific(a.words.matter(bare.text))
    stayed = a._stay(bare, (focus,), named())
    assert stayed.focus == (focus,) and stayed.hits[0].item_key == focus


def test_a_word_every_office_uses_names_no_matter_of_a_follow_up(hashing_assistant, monkeypatch) -> None:
    """对企业罚多少 after an answer about an inspection refused asks about that matter: 企业 is in few
    of the seed's items, but in most offices' lists (COMMON_WORDS), so it names nothing the item lacks."""
    import assistant.answering.dialogue as dialogue

    first = hashing_assistant.ask("拒绝、阻碍网信部门监督检查，怎么罚？")
    history = [{"role": "user", "content": "拒绝、阻碍网信部门监督检查，怎么罚？"},
               {"role": "assistant", "content": to_markdown(first)}]
    assert "企业" in dialogue.COMMON_WORDS
    assert hashing_assistant.ask("对企业罚多少？", history).focus == first.focus
    monkeypatch.setattr(dialogue, "COMMON_WORDS", frozenset())
    assert hashing_assistant._specific(["企业"]) == ["企业"]


def test_a_time_limit_or_a_step_asked_is_never_called_sure(hashing_assistant) -> None:
    """The policy may be sure of the item, not of which of its steps or time limits answers."""
    from assistant.answering.dialogue import Assistant
    from assistant.answering.policy import FEATURES, Logistic, RefusalPolicy

    flat = Logistic((0.0,) * len(FEATURES), 0.0, (0.0,) * len(FEATURES), (1.0,) * len(FEATURES))
    always_sure = RefusalPolicy(flat, flat, refuse_below=0.0, sure_at=0.0)
    sure = Assistant(hashing_assistant.catalogue, hashing_assistant.retriever, policy=always_sure)
    assert sure.ask("关键基础设施把网络数据存储在境外的处罚", []).confidence == "sure"
    for question in ("关键基础设施把网络数据存储在境外的处罚，听证要在几天内提出",
                     "关键基础设施把网络数据存储在境外的案子，立案以后接下来是什么程序"):
        answer = sure.ask(question, [])
        assert not answer.refused and answer.confidence == "likely", question


def test_the_term_to_seek_reconsideration_is_refused_only_where_no_list_states_it(hashing_assistant) -> None:
    import copy

    from assistant.answering.dialogue import NO_ADVICE

    question = "不实名注册被罚了，不服的话收到决定书后多少天之内能申请行政复议？"
    # The seed states no such term: legal advice, refused as such.
    refused = hashing_assistant.ask(question, [])
    assert refused.refused and NO_ADVICE in refused.interpretation
    # Served beside a list that states it (消防's 诉求渠道), the rule steps aside and evidence decides.
    stating = copy.copy(hashing_assistant)
    stating._states_review_term = True
    assert NO_ADVICE not in stating.ask(question, []).interpretation

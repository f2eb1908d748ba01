"""Excerpt choice from evidence: candidates are file slices, features read the question, weights rank."""

import itertools

import pytest

from assistant import paths
from assistant.answering import select
from assistant.answering.excerpt import Candidate
from assistant.answering.intent import recognise
from assistant.types import Span


def _whole(s: str) -> Candidate:
    return Candidate(Span(0, len(s)), None)


def _kind_of(question: str, s: str) -> float:
    """The kind feature of ``s``, read as a whole 实施依据 sentence, for ``question``."""
    ctx = select.Context(intent=recognise(question), words={}, pairs=frozenset(), cosines={})
    return select._kind(s, "实施依据", _whole(s), ctx)


def _feature(ctx: select.Context, s: str, feature: str, field: str = "实施依据") -> float:
    """One feature of ``s``, read as a whole sentence of ``field``."""
    return select._features(s, field, _whole(s), ctx, select._Terms.of(ctx), 0.0)[select.FEATURES.index(feature)]


def _context(assistant, text: str, item_key: str) -> select.Context:
    query = assistant.understander.understand(text)
    return select.Context(intent=query.intent, words={t: 1.0 for t in query.expanded if len(t) > 1},
                          pairs=select.pairs_of(query.text),
                          cosines=assistant.retriever.chunk_cosines(query.text, item_key),
                          chunks=tuple(assistant.retriever.chunks_of(item_key)))


def test_every_candidate_of_every_field_is_a_slice(hashing_assistant, seed) -> None:
    item = next(i for i in seed.items if i.seq == "72")
    pool = select.pool(item, seed.source, _context(hashing_assistant, "罚多少", item.key))
    fields = {s.field for s in pool}
    assert {"实施依据", "责任事项", "追责情形", "承办机构"} <= fields
    for s in pool:
        assert len(s.features) == len(select.FEATURES)
        assert s.span.of(seed.source.text) == seed.source.text[s.span.start:s.span.end]
        assert item.fields[s.field].span.start <= s.span.start and s.span.end <= item.fields[s.field].span.end


def test_kind_feature_marks_amounts_for_how_much_questions(hashing_assistant, seed) -> None:
    item = next(i for i in seed.items if i.seq == "72")
    pool = select.pool(item, seed.source, _context(hashing_assistant, "最多罚多少钱", item.key))
    kind = select.FEATURES.index("kind")
    with_amount = [s for s in pool if s.features[kind] == 1.0]
    assert with_amount and all("元" in s.span.of(seed.source.text) for s in with_amount)
    weights = {"kind": 5.0, "length": -0.1}
    ranked = select.rank(pool, select.ExcerptWeights(tuple(weights.get(n, 0.0) for n in select.FEATURES)))
    assert "五万元以上五十万元以下罚款" in ranked[0].span.of(seed.source.text)
    assert all(s.features[select.FEATURES.index("unasked_kind")] == 0.0 for s in pool)


def test_a_fine_stated_for_a_question_naming_no_kind_is_its_own_feature(hashing_assistant, seed) -> None:
    """安全信息卡上要写哪些信息 names no kind of answer: a sentence stating a fine is still marked,
    but apart from the kind a question asking for the fine is answered by."""
    item = next(i for i in seed.items if i.seq == "72")
    pool = select.pool(item, seed.source, _context(hashing_assistant, "运营者应当做到哪些要求", item.key))
    kind, unasked = select.FEATURES.index("kind"), select.FEATURES.index("unasked_kind")
    assert all(s.features[kind] == 0.0 for s in pool)
    marked = [s for s in pool if s.features[unasked] == 1.0]
    assert marked and all("元" in s.span.of(seed.source.text) for s in marked)


def test_time_limits_are_not_dates() -> None:
    assert select._TIME.search("应当在七日内依照民事诉讼法的有关规定")
    assert select._TIME.search("保存期限应当不少于两年")
    assert select._TIME.search("备案卡有效期为一年")
    assert not select._TIME.search("（2016年12月12日国家旅游局发布）")
    # When a law took effect, in the version note after its title, is no time limit either.
    assert not select._TIME.search("（…2009年8月27日…修正，自公布之日起施行）")
    assert select._TIME.search("自收到申请之日起二十日内作出决定")
    assert select._TIME.search("整改期限届满后复查")
    assert not select._TIME.search("应当公示许可的事项、依据、条件、数量、程序、期限以及需要提交的材料")


def test_choose_keeps_one_field_and_no_overlap(hashing_assistant, seed) -> None:
    item = next(i for i in seed.items if i.seq == "70")
    ranked = select.rank(select.pool(item, seed.source, _context(hashing_assistant, "听证要几天内提出", item.key)),
                         select.ExcerptWeights.fitted())
    chosen = select.choose(ranked, 3)
    assert 1 <= len(chosen) <= 3 and len({c.field for c in chosen}) == 1
    spans = sorted((c.span.start, c.span.end) for c in chosen)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def test_weights_are_validated() -> None:
    with pytest.raises(ValueError, match="weights"):
        select.ExcerptWeights((1.0, 2.0))
    assert recognise("最多罚多少").asks_money


def test_a_cue_inside_a_matter_name_asks_for_nothing(hashing_assistant) -> None:
    # 调查 asks about the procedure, but in 统计调查 (a list's item name) it names the matter.
    assert recognise("统计调查弄虚作假的罚款").aspect == "procedure"
    assert recognise("统计调查弄虚作假的罚款", ("统计调查",)).aspect == "fine"
    assert recognise("统计调查弄虚作假案件怎么立案", ("统计调查",)).step == "立案"
    # 程序 alone is software (恶意程序, 小程序), not a question about the procedure.
    query = hashing_assistant.understander.understand("设置恶意程序的罚款金额")
    assert query.intent.aspect == "fine" and query.intent.asks_money


def test_matter_words_leave_cue_compounds_alone() -> None:
    from assistant.answering.intent import matter_words

    found = matter_words({"统计调查", "调查取证", "处罚决定", "罚款", "行政处罚"})
    assert found == {"统计调查", "行政处罚"}


def test_asked_for_a_sanction_the_sentence_stating_it_ranks_first(hashing_assistant, seed) -> None:
    item = next(i for i in seed.items if i.seq == "80")
    ctx = _context(hashing_assistant, "工作人员失职但不构成犯罪怎么处理", item.key)
    assert ctx.intent.aspect == "accountability" and ctx.intent.asks_sanction
    scored = {s.span.of(seed.source.text): s.features[select.FEATURES.index("kind")]
              for s in select.pool(item, seed.source, ctx) if s.field == "追责情形"}
    sanctions = [t for t, k in scored.items() if k == 1.0]
    assert sanctions and all("处分" in t or "追究" in t or "处理" in t or "责令" in t for t in sanctions)
    assert any(k == 0.5 for k in scored.values())


def test_kind_after_wants_the_consequence_of_the_conduct_asked_about() -> None:
    """A sum in the window counts only in or after the sentence naming the conduct asked about."""

    ctx = select.Context(intent=recognise("放映广告罚多少"), words={"放映": 2.0, "广告": 3.0, "罚多少": 0.5},
                         pairs=frozenset(), cosines={})
    stops_short = "甲违反规定的，处五万元以上五十万元以下罚款。电影院放映广告的，由主管部门给予警告，责令改正；"
    answers = "电影院放映广告的，由主管部门给予警告，责令改正；情节严重的，处一万元以上五万元以下的罚款。"
    unrelated = "甲违反规定的，处五万元以上五十万元以下罚款。"

    def feature(s: str) -> float:
        return select._kind_after(s, "实施依据", _whole(s), ctx, select._Terms.of(ctx).strong)

    assert feature(answers) == 1.0
    assert feature(stops_short) == 0.0  # its only sum is an earlier conduct's
    assert feature(unrelated) == 0.0  # the conduct asked about is not in it at all


def test_a_provision_opening_a_list_is_a_candidate_with_its_items(tmp_path) -> None:
    """哪些情形 is answered by the items under 有下列情形之一的…：, which sit in clauses of their own."""
    from assistant.answering.excerpt import candidates
    from assistant.corpus.parse import load

    # One cell part, the items in clauses of their own (as a workbook cell's lines are read).
    basis = ("第八条：依法必须进行招标的项目，应当公开招标；但有下列情形之一的，可以邀请招标："
             "（一）技术复杂、有特殊要求或者受自然环境限制，只有少量潜在投标人可供选择；"
             "（二）采用公开招标方式的费用占项目合同金额的比例过大。")
    header = ["序号", "事项名称", "子项名称", "权力事项类型", "地方权力编码", "子项地方权力编码", "实施主体",
              "承办机构", "实施依据", "责任事项", "追责情形", "办事层级", "备注"]
    row = ["1", "招标方式审核", "", "行政许可", "", "", "某局", "招标科", basis, "受理", "失职的", "市级", ""]
    f = tmp_path / "mouju.tsv"
    f.write_text("某局权责清单\n" + "\t".join(header) + "\n" + "\t".join(row) + "\n", encoding="utf-8")
    (parsed,) = load([f])
    text = parsed.source.text
    field = parsed.items[0].fields["实施依据"]
    spans = [c.span.of(text) for c in candidates(text, field)]
    whole = [s for s in spans if s.startswith("第八条") and "（二）" in s]
    assert len(field.clauses) >= 3  # the provision and its two items
    assert len(whole) == 1 and whole[0].endswith("比例过大。") and "（一）技术复杂" in whole[0]
    # Across <p> parts the same provision is no candidate: the quote would show the tags.
    tagged = basis.replace("招标：（一）", "招标：</p><p>（一）").replace("；（二）", "；</p><p>（二）")
    f.write_text("某局权责清单\n" + "\t".join(header) + "\n" + "\t".join([*row[:8], f"<p>{tagged}</p>", *row[9:]])
                 + "\n", encoding="utf-8")
    (parsed,) = load([f])
    spans = [c.span.of(parsed.source.text) for c in candidates(parsed.source.text, parsed.items[0].fields["实施依据"])]
    assert not any("<p>" in s or "</p>" in s for s in spans)


def _basis_cell(folder, basis: str):
    """The 实施依据 field of a one-item workbook whose cell holds ``basis`` (lines as written), and
    the source text it slices."""
    from openpyxl import Workbook

    from assistant.corpus.parse import load
    from assistant.types import COLUMNS

    cells = {"序号": "1", "事项名称": "临时占用公共体育设施审批", "权力事项类型": "行政许可", "实施主体": "某局",
             "承办机构": "体育科", "实施依据": basis, "责任事项": "受理", "追责情形": "失职的"}
    book = Workbook()
    book.active.append(list(COLUMNS))
    book.active.append([cells.get(c, "") for c in COLUMNS])
    book.save(folder / "mouju.xlsx")
    (parsed,) = load([folder / "mouju.xlsx"])
    return parsed.source.text, parsed.items[0].fields["实施依据"]


def test_a_title_on_its_own_line_is_quoted_with_the_article_after_it(tmp_path) -> None:
    """依据是哪部法律哪一条: a workbook cell with the law's title on one line and the article on the
    next gives a candidate holding both, a slice of the file like every other."""
    from assistant.answering.excerpt import candidates

    title = "【法律】《中华人民共和国体育法》（1995年8月29日第八届全国人民代表大会常务委员会第十五次会议通过）"
    article = ("第四十五条：因特殊情况需要临时占用体育设施的，必须经体育行政部门批准。"
               "任何组织和个人不得侵占公共体育设施。")
    (tmp_path / "a").mkdir()
    text, field = _basis_cell(tmp_path / "a", f"{title}\n{article}")
    assert len(field.parts) == 2
    found = [c for c in candidates(text, field)
             if c.span.of(text).startswith("【法律】") and "第四十五条" in c.span.of(text)]
    # The title with the article's first sentence, then with both; the clause shown in full is the article's.
    assert [c.span.of(text).endswith(("批准。", "设施。")) for c in found] == [True, True]
    assert all(c.clause is not None and c.clause.span.of(text) == article for c in found)
    assert select._kind(found[0].span.of(text), "实施依据", found[0], select.Context(
        intent=recognise("临时占用体育场是哪部法律哪一条规定的"), words={}, pairs=frozenset(), cosines={})) == 1.0
    # A title line whose own text cites an article already holds both: no candidate runs past it.
    (tmp_path / "b").mkdir()
    text, field = _basis_cell(tmp_path / "b", f"{title}第四十五条\n{article}")
    assert not [c for c in candidates(text, field) if len(c.span.of(text)) > len(field.parts[0].of(text))
                and c.span.start == field.parts[0].start]


def test_a_short_cell_of_several_lines_is_a_candidate_whole(tmp_path) -> None:
    """追责会追到哪些人 asks for every line of 1.具体承办人；/2.内设机构负责人；/3.…: the cell whole is a
    candidate (a slice of the file), though each line is a unit of its own; a long cell is not, nor
    a cell that cites a law on a line of its own (its title is joined to its article instead)."""
    from assistant.answering.excerpt import QUOTE_LIMIT, candidates

    lines = "1.具体承办人；\n2.内设机构负责人；\n3.单位法定代表人或分管领导。"
    (tmp_path / "a").mkdir()
    text, field = _basis_cell(tmp_path / "a", lines)
    found = [c.span.of(text) for c in candidates(text, field)]
    assert lines in found and "1.具体承办人；" in found
    whole = next(c for c in candidates(text, field) if c.span.of(text) == lines)
    assert text[whole.span.start:whole.span.end] == lines and whole.span.start == field.parts[0].start
    long_lines = "\n".join(f"{n}.第{n}种情形的说明文字，写得比较长，一直写到这一行的末尾为止；" for n in range(1, 12))
    assert len(long_lines) > QUOTE_LIMIT
    (tmp_path / "b").mkdir()
    text, field = _basis_cell(tmp_path / "b", long_lines)
    assert all(len(c.span) <= QUOTE_LIMIT for c in candidates(text, field))
    title = "【法律】《中华人民共和国体育法》（1995年8月29日通过）"
    (tmp_path / "c").mkdir()
    text, field = _basis_cell(tmp_path / "c", f"{title}\n第四十五条：必须经体育行政部门批准。\n第四十六条：不得侵占。")
    assert not [c for c in candidates(text, field) if "第四十六条" in c.span.of(text) and title in c.span.of(text)]


def test_no_quote_carries_the_lists_markup(hashing_assistant) -> None:
    """A quote across two <p> parts of a cell would show the tags between them in the answer."""
    from assistant.evaluation.score import load_questions, run

    questions = [q for q in load_questions(paths.ROOT / "eval" / "questions.jsonl") if not q["turns"]]
    for result in run(hashing_assistant.ask, questions):
        for q in result["quotes"]:
            assert "<p>" not in q["text"] and "</p>" not in q["text"], (result["id"], q["role"], q["text"][:60])


def test_asked_which_law_the_candidate_opening_with_the_cited_title_is_the_kind() -> None:
    """哪部法律规定的: a sentence opening with the law's title answers it; an article that names
    another law on its way (依照《治安管理处罚法》) half does; a certificate's title is no law."""

    def kind(s: str) -> float:
        return _kind_of("这个许可是哪部法律规定的", s)

    assert kind("1.【法律】《中华人民共和国城市房地产管理法》（1994年7月5日通过）") == 1.0
    assert kind("《中华人民共和国城市房地产管理法》第四十五条") == 1.0
    assert kind("第二十条尚不构成犯罪的，依照《中华人民共和国治安管理处罚法》处罚。") == 0.5
    assert kind("第六条：开发企业应当取得《商品房预售许可证》。") == 0.0


def test_asked_which_documents_the_sentence_naming_them_is_the_kind() -> None:
    def kind(s: str) -> float:
        return _kind_of("施工许可证需要准备哪些材料", s)

    assert kind("申请人应当提交其符合条件的证明材料。") == 1.0
    assert kind("建设单位在开工前应当申请领取施工许可证。") == 0.0


def test_a_follow_ups_excerpt_reads_the_conduct_told_in_earlier_turns() -> None:
    """罚款一般按什么算 after 施工许可证还没批下来就先开工了: the sum of the sentence about that conduct
    scores on earlier_overlap, the other sums do not; a question asked on its own has none."""

    about = "未取得施工许可证擅自施工的，处工程合同价款百分之一以上百分之二以下的罚款。"
    other = "给予单位罚款处罚的，对直接负责的主管人员处单位罚款数额百分之五以上百分之十以下的罚款。"
    text = about + other
    at = select.FEATURES.index("earlier_overlap")

    def features(earlier: dict[str, float]) -> list[float]:
        ctx = select.Context(intent=recognise("罚款一般按什么算"), words={"罚款": 1.0}, pairs=frozenset(),
                             cosines={}, earlier=earlier)
        terms = select._Terms.of(ctx)
        return [select._features(text, "实施依据", Candidate(span, None), ctx, terms, 0.0)[at]
                for span in (Span(0, len(about)), Span(len(about), len(text)))]

    assert features({"施工许可证": 3.0, "开工": 1.0}) == [0.75, 0.0]
    assert features({}) == [0.0, 0.0]


def test_only_a_follow_up_reads_the_earlier_turns(hashing_assistant, monkeypatch) -> None:
    """A question the conversation's item answers is read against the user's earlier turns; a new
    question, asked after the same history, is not."""
    from assistant.present.render import to_markdown

    seen: list[dict[str, float]] = []
    real = select.pool

    def spy(item, source, ctx, **kw):
        seen.append(dict(ctx.earlier))
        return real(item, source, ctx, **kw)

    history = [{"role": "user", "content": "不实名注册会被怎么罚"}]
    history.append({"role": "assistant", "content": to_markdown(hashing_assistant.ask(history[0]["content"], []))})
    monkeypatch.setattr(select, "pool", spy)
    hashing_assistant.ask("罚多少", history)
    follow = seen[-1]
    hashing_assistant.ask("换个问题，网络运营者不履行网络安全保护义务怎么罚", history)
    assert "实名" in "".join(follow) and seen[-1] == {}


def test_a_fine_stated_as_a_share_of_a_sum_is_an_amount() -> None:
    """处工程合同价款百分之一以上百分之二以下的罚款 states how much, as 五万元以上 does; a share that is no
    fine's bound (百分之三十的股份) does not."""

    def kind(s: str) -> float:
        return _kind_of("罚款一般按什么算，大概多少", s)

    assert kind("擅自施工的，责令停止施工，处工程合同价款百分之一以上百分之二以下的罚款。") == 1.0
    assert kind("处建设项目总投资额千分之五以上千分之十以下的罚款。") == 1.0
    assert kind("没收违法所得，处以违法所得50%以下的罚款。") == 1.0
    assert kind("罚款额为违法所得的10％以上50％以下。") == 1.0
    assert kind("擅自施工的，责令停止施工，可以处以罚款。") == 0.5
    assert kind("持有公司百分之三十的股份的。") == 0.0


# How statutes state a fine or a penalty, beside the ranges every list has: a plain multiple
# (处瞒报工资数额2倍的罚款) is a sum; a multiple no fine states (增长2倍) only a sum of some kind; a
# penalty stated by reference (依照前款规定处罚, 按照《…》第三十条的规定处理) is where the case asked
# about is punished, a rule followed by reference (按照规定办理登记) is not.
@pytest.mark.parametrize(("question", "sentence", "kind"), [
    ("这种罚几倍", "瞒报工资总额的，处瞒报工资数额2倍的罚款。", 1.0),
    ("这种罚几倍", "处瞒报工资数额一倍以上三倍以下的罚款。", 1.0),
    ("这种罚几倍", "当年产量增长2倍。", 0.5),
    ("这种罚几倍", "依法办理登记。", 0.0),
    ("不履行安全管理义务怎么处罚", "应用软件下载服务提供者，不履行安全管理义务的，依照前款规定处罚。", 0.5),
    ("不履行安全管理义务怎么处罚", "逾期不改的，按照《劳动保障监察条例》第三十条的规定处理。", 0.5),
    ("不履行安全管理义务怎么处罚", "应当按照规定办理登记。", 0.0),
])
def test_fines_and_penalties_as_statutes_state_them(question: str, sentence: str, kind: float) -> None:
    assert _kind_of(question, sentence) == kind


@pytest.mark.parametrize(("question", "wants"), [
    ("游客脱团滞留旅行社不报告，处罚用的是旅游法哪一条？", "penalty"),
    ("侵占公共体育场地，体育法里是哪一条规定处理的", "penalty"),
    ("找8岁的小朋友当广告代言人，违反广告法哪一款？", "rule"),
    ("公交车车身上投放烟草广告，是哪一条禁止的", "rule"),
    ("是价格法哪一条？", None),  # neither said
    ("违反了哪条，怎么罚", None),  # both said
    ("处罚依据是什么", None),  # no article asked
])
def test_an_article_is_asked_of_the_penalty_or_of_the_rule(question: str, wants: str | None) -> None:
    assert recognise(question).article_of == wants


def test_the_article_asked_for_counts_whole_the_other_kind_half() -> None:
    rule = "第三十八条第二款：不得利用不满十周岁的未成年人作为广告代言人。"
    penalty = "第五十八条：有下列行为之一的，由市场监督管理部门责令停止发布广告，处十万元以上二十万元以下的罚款。"
    neither = "本法自2015年9月1日起施行。"

    assert [_kind_of("这违反广告法哪一款", s) for s in (rule, penalty, neither)] == [1.0, 0.5, 0.0]
    assert [_kind_of("处罚用的是广告法哪一条", s) for s in (rule, penalty, neither)] == [0.5, 1.0, 0.0]
    assert [_kind_of("是广告法哪一条", s) for s in (rule, penalty, neither)] == [1.0, 1.0, 0.0]


def test_thresholds_are_read_as_lists_state_a_case_and_questions_name_one() -> None:
    """不到一万 in a question is the case 不足1万元的 of a list, whatever the numerals; a penalty's bounds
    (处1万元以上5万元以下罚款) are no case."""
    assert select.conditions("违法经营额肯定不到一万，这种罚多少钱") == {(10000.0, "below")}
    assert select.conditions("货值金额超过一万块的话呢？") == {(10000.0, "above")}
    assert select.conditions("开了两个月，三个人") == frozenset()  # no sums
    stated = select.conditions("违法经营额不足1万元的，并处1万元以上5万元以下的罚款", stated=True)
    assert stated == {(10000.0, "below")}
    assert select.conditions("货值金额五千元以上不满一万元的，", stated=True) == {(5000.0, "above"), (10000.0, "below")}
    assert select.conditions("处1万元以上5万元以下罚款", stated=True) == frozenset()


def test_the_case_the_question_names_scores_on_condition() -> None:
    below = "违法经营额不足1万元的，并处1万元以上5万元以下的罚款；"
    above = "违法经营额1万元以上的，并处违法经营额5倍以上10倍以下的罚款；"
    question = "违法经营额不到一万，会罚多少"
    ctx = select.Context(intent=recognise(question), words={}, pairs=frozenset(), cosines={},
                         conditions=select.conditions(question))
    assert [_feature(ctx, s, "condition") for s in (below, above)] == [1.0, 0.0]


def test_gains_said_plainly_fall_in_the_case_the_list_states() -> None:
    """一分钱还没挣到 is the case 没有违法所得的; a sum earned (挣了差不多六千块) falls in 违法所得不足1万元的, not
    in 违法所得1万元以上的."""
    none_or_below = "没有违法所得或者违法所得不足1万元的，处1万元以上10万元以下的罚款"
    below = "违法所得不足1万元的，处3000元以上1万元以下的罚款；"
    above = "违法所得1万元以上的，处违法所得2倍以上10倍以下的罚款。"
    assert select.conditions("他说一分钱还没挣到，这种罚多少") == {select.NO_GAIN}
    assert select.conditions("前后挣了差不多六千块") == {(6000.0, "at")}
    assert select.conditions(none_or_below, stated=True) == {select.NO_GAIN, (10000.0, "below")}
    for question, scores in (("他说一分钱还没挣到，这种罚多少", [1.0, 0.0, 0.0]),
                             ("前后挣了差不多六千块，罚多少", [1.0, 1.0, 0.0]),
                             ("卖地的那人赚了二十万，罚多少", [0.0, 0.0, 1.0])):
        ctx = select.Context(intent=recognise(question), words={}, pairs=frozenset(), cosines={},
                             conditions=select.conditions(question))
        assert [_feature(ctx, s, "condition") for s in (none_or_below, below, above)] == scores, question


def test_whether_it_is_a_crime_is_a_case_too() -> None:
    """构成犯罪的，依法追究刑事责任；尚不构成犯罪的，依法给予…处分: a question naming one side is answered by
    that side's sentence, and the other side's counts against a sentence, though both share the words."""
    crime = "造成严重后果，构成犯罪的，依法追究刑事责任；"
    no_crime = "尚不构成犯罪的，依法给予降级、撤职直至开除的行政处分。"
    assert select.conditions(crime, stated=True) == {select.CRIME}
    assert select.conditions(no_crime, stated=True) == {select.NO_CRIME}
    assert select.conditions("依法追究刑事责任", stated=True) == frozenset()  # no case stated
    for question, scores in (("工作人员失职但不构成犯罪怎么处理", [-1.0, 1.0]),
                             ("构成犯罪的话会怎样", [1.0, -1.0]),
                             ("工作人员失职怎么处理", [0.0, 0.0])):
        ctx = select.Context(intent=recognise(question), words={}, pairs=frozenset(), cosines={},
                             conditions=select.conditions(question))
        assert [_feature(ctx, s, "condition") for s in (crime, no_crime)] == scores, question


def test_an_officials_misconduct_said_plainly_reaches_the_lists_wording() -> None:
    """收了企业的好处 is the 追责情形 about 贿赂 / 财物, not another duty the same official breached."""
    from assistant.vocabulary import expand

    question = "检查人员收了企业的好处，会被追责吗"
    words = {t: 1.0 for t in expand(question, ["检查", "人员", "企业", "追责"], lambda phrase: phrase.split())}
    ctx = select.Context(intent=recognise(question), words=words, pairs=frozenset(), cosines={})
    bribe = "4.在开展检查时收取贿赂、索取或者收受他人财物的；"
    other = "3.在开展检查工作时不认真履职，导致发生违法行为未及时追究的；"
    overlap = [_feature(ctx, s, "overlap", "追责情形") for s in (bribe, other)]
    assert overlap[0] > overlap[1]


def test_a_follow_ups_consequence_is_read_after_the_conduct_told_earlier() -> None:
    """这个怎么处罚 after 明显超过最大承载量了还在卖票: kind_after_earlier reads the consequence in or after
    the sentence naming that conduct, and is 0 for a candidate about another conduct or without earlier turns."""

    about = "景区在旅游者数量可能达到最大承载量时，未采取相应措施的，由景区主管部门责令改正，情节严重的，责令停业整顿。"
    other = "景区不符合本法规定的开放条件而接待旅游者的，由景区主管部门责令停业整顿，并处二万元以上罚款。"

    def feature(s: str, earlier: dict[str, float]) -> float:
        ctx = select.Context(intent=recognise("这个怎么处罚"), words={"处罚": 1.0}, pairs=frozenset(), cosines={},
                             earlier=earlier)
        return _feature(ctx, s, "kind_after_earlier")

    earlier = {"最大承载量": 6.0, "卖票": 3.0, "五一": 1.0}
    assert feature(about, earlier) > 0.0
    assert feature(other, earlier) == 0.0
    assert feature(about, {}) == 0.0


@pytest.mark.parametrize(("question", "last"), [
    ("我拖过了期限还没弄，会罚多少？", "money"),  # 期限 is what happened; the question asks for the sum
    ("罚款要在多少天内交", "time"),
    ("超过期限了归哪个科室管", "aspect"),
    ("需要准备什么材料，多久能办下来", "time"),
    ("这个怎么样", None),
])
def test_the_kind_cued_last_is_the_kind_asked(question: str, last: str | None) -> None:
    assert recognise(question).last_kind == last


def test_a_sentence_of_the_kind_cued_last_is_the_kind() -> None:
    fine = "逾期不改正的，对个人处两百元以上两千元以下罚款。"
    appeal = "如不服决定，可以在收到决定书之日起六十日内申请行政复议。"
    question = "消防检查让限期整改，我拖过了期限还没弄，会罚多少？"
    assert (_kind_of(question, fine), _kind_of(question, appeal)) == (1.0, 0.0)
    assert (_kind_of("罚款决定下来以后多少天内能申请复议", fine),
            _kind_of("罚款决定下来以后多少天内能申请复议", appeal)) == (0.0, 1.0)


def test_a_column_the_question_names_in_the_offices_own_header() -> None:
    ctx = select.Context(intent=recognise("追责对象有哪些人"), words={}, pairs=select.pairs_of("追责对象有哪些人"),
                         cosines={})
    s = "单位法定代表人或分管领导"
    own, other = (_feature(ctx, s, "header", field) for field in ("追责对象范围", "追责情形"))
    assert own == pytest.approx(3 / 5) and other == pytest.approx(1 / 3)
    assert _feature(ctx, s, "header", "诉求渠道") == 0.0


def test_a_list_entry_whose_opening_states_the_fine_asked_for_says_so(hashing_assistant, seed) -> None:
    """第六十条 …处五万元以上五十万元以下罚款：（一）…；（二）…: asked how much, the entry matching the
    conduct does not hold the sum; its opening does, and the entry's head_kind says how much more."""
    item = next(i for i in seed.items if i.seq == "71")
    text = seed.source.text
    pool = select.pool(item, seed.source, _context(hashing_assistant, "软件有漏洞不补，罚多少钱", item.key))
    head_kind, kind = select.FEATURES.index("head_kind"), select.FEATURES.index("kind")
    entries = [s for s in pool if s.span.of(text).startswith("（二）")]
    assert entries and all(s.features[head_kind] == 1.0 and s.features[kind] == 0.0 for s in entries)
    opening = [s for s in pool if "处五万元以上五十万元以下罚款" in s.span.of(text)]
    assert opening and all(s.features[head_kind] == 0.0 for s in opening)
    # Asked nothing of a kind, an entry is not marked: the opening states nothing more than it does.
    plain = select.pool(item, seed.source, _context(hashing_assistant, "软件有漏洞不补", item.key))
    assert all(s.features[head_kind] == 0.0 for s in plain)
    # Clauses not under a list's opening have no head.
    assert select._list_heads(text, item.fields["追责情形"].clauses) == {}


@pytest.mark.parametrize(("question", "done"), [
    ("立案以后接下来是什么程序", "立案"), ("调查取证完了下一步做什么", "调查取证"),
    ("约谈结束后要做什么", "约谈"), ("受理之后他们还要干什么", "受理"), ("审查完了以后呢", "审查"),
    ("决定书送到当事人手里以后还有什么环节", "到当事人手里"), ("处罚决定定下来了，接下来要做什么", "罚决定定下来"),
    ("不实名注册会被怎么罚", None), ("罚款后果呢", None), ("他被罚了，罚款交到哪", None),
    # How a matter is handled once it has happened asks for the penalty, not for a step.
    ("我的注册商标被人仿冒了，市场监管局怎么处理", None), ("KTV没办许可证就开业了，你们怎么处理", None),
])
def test_a_question_about_what_follows_a_step_names_the_step_done(question: str, done: str | None) -> None:
    assert recognise(question).after == done


def test_what_follows_a_step_is_the_next_clause_of_the_lists_own_order(seed) -> None:
    item = next(i for i in seed.items if i.seq == "71")
    clauses = item.fields["责任事项"].clauses
    heads = [select._step_head(seed.source.text, c) for c in clauses]
    first = next(n for n, h in enumerate(heads) if "立案" in h)
    # Named by the question's words before 以后 (their last characters: 案子立案 names 立案).
    assert select._neighbours(seed.source.text, clauses, "案子立案", True) == {clauses[first + 1].span.start}
    assert select._neighbours(seed.source.text, clauses, "没有的步骤", True) == frozenset()
    # The step inside the question's own words (那…做, 都走, a split verb) is found too.
    for words in ("那立案做", "立案这些都走", "立完案"):
        assert select._neighbours(seed.source.text, clauses, words, True) == {clauses[first + 1].span.start}


def test_no_step_follows_the_last_of_a_part_of_the_duties() -> None:
    from assistant.corpus.clauses import clauses

    text = ("直接实施责任：\n1.完善核验程序。\n2.依法依规受理交工核验申请，审核申请材料。\n3.出具交工核验意见。\n"
            "指导监督责任：\n1.对各县市区交通运输局进行业务指导。")
    parts = clauses(text, (Span(0, len(text)),))
    third = next(c for c in parts if c.number == 3)
    assert select._neighbours(text, parts, "交通局受理申请", True) == {third.span.start}
    # After the last step of its part comes another part (numbered from 1 again): nothing follows it.
    assert select._neighbours(text, parts, "出具交工核验意见", True) == frozenset()
    unnumbered = "直接实施责任：\n1.受理申请。\n指导监督责任：对下级进行指导。"
    assert select._neighbours(unnumbered, clauses(unnumbered, (Span(0, len(unnumbered)),)), "受理", True) == frozenset()


def test_what_comes_before_a_step_is_the_clause_before_it(seed) -> None:
    item = next(i for i in seed.items if i.seq == "80")
    clauses = item.fields["责任事项"].clauses
    heads = [select._step_head(seed.source.text, c) for c in clauses]
    deciding = next(n for n, h in enumerate(heads) if "决定" in h)
    question = "正式作出处罚决定之前，必须先走哪一步？"
    assert recognise(question).before == "作出处罚决定" and recognise(question).after is None
    assert select._neighbours(seed.source.text, clauses, "作出处罚决定", False) == {clauses[deciding - 1].span.start}


def test_a_sentence_stating_the_order_in_words_is_marked(hashing_assistant, seed) -> None:
    after, before = recognise("约谈结束以后还要做什么"), recognise("发许可证之前要先跟谁沟通")
    assert after.after == "约谈" and before.before == "发许可证"

    def order(named: str, after: bool, text: str) -> bool:
        found = select._order_in(text, select._order_patterns(named, after))
        return found is not None and found.search(text) is not None

    assert order("谈话", True, "谈话结束后制作《执法约谈笔录》")
    assert order(before.before, False, "颁发道路运输经营许可证前，应当与运输线路目的地的相应交通运输主管部门协商")
    assert not order(after.after, True, "颁发道路运输经营许可证前，应当协商")  # 前 is no 以后
    assert not order(after.after, True, "谈话结束后制作笔录")  # another step's words
    assert select._order_patterns("后", True) == ()  # one character names no step
    # The field's own name for the step is preferred: 受理申请 where the text has it, not any 申请后.
    text = "申请后补正材料。受理申请后二十日内作出决定。"
    found = select._order_in(text, select._order_patterns("局受理申请", True))
    assert found is not None and found.search(text).group().startswith("受理申请")
    asks_no_order = recognise("约谈要几个人")  # names no step it starts from: no pattern is built
    assert asks_no_order.after is None and asks_no_order.before is None
    # In the pool: the feature marks the clause after the step, and no clause without either.
    item = next(i for i in seed.items if i.seq == "71")
    ctx = _context(hashing_assistant, "立案以后接下来是什么程序", item.key)
    index = select.FEATURES.index("next_step")
    marked = [c for c in select.pool(item, seed.source, ctx) if c.features[index]]
    assert marked and all("立案" not in select._step_head(seed.source.text, c.candidate.clause)
                          for c in marked if c.candidate.clause is not None)


def test_the_step_a_question_starts_from_is_named_as_the_list_names_it(seed) -> None:
    from assistant.answering.compose import interpretation

    item = next(i for i in seed.items if i.seq == "71")
    clauses = item.fields["责任事项"].clauses
    assert select.step_named("案子立案", seed.source.text, clauses) == "立案"
    # Words the duties use outside their headings name no step (当事人 is in them, not a heading).
    assert "当事人" in item.value(seed.source, "责任事项")
    assert select.step_named("送到当事人手里", seed.source.text, clauses) is None
    # 那立完案以后呢 is read as what follows 立案, whatever the question's other words suggest.
    line = interpretation(item, "名称", recognise("那立完案以后呢"), "责任事项",
                          step=select.step_named("那立完案", seed.source.text, clauses))
    assert line.endswith("立案之后环节")
    asked = recognise("作出处罚决定之前要先走哪一步")
    before = interpretation(item, "名称", asked, "责任事项",
                            step=select.step_named(asked.before, seed.source.text, clauses))
    assert before.endswith("决定之前环节") and "罚款与处罚" not in before
    # What follows something no heading names is a question about the procedure all the same.
    unnamed = interpretation(item, "名称", recognise("火扑灭以后接下来要做什么"), "实施依据", step=None)
    assert unnamed.endswith("办理程序")

"""One Query per question: normalisation, 繁→简, typo repair against the lists' words, law names."""

import pytest

from assistant.answering.query import Speller, Understander, named_laws, normalise


def test_nfkc_and_traditional_to_simplified() -> None:
    text, changes = normalise("企業拒絕配合網信部門監督檢查，罰款５万")
    assert text == "企业拒绝配合网信部门监督检查,罚款5万"
    assert changes == ("已将繁体字转为简体字检索。",)
    assert normalise("罚多少")[1] == ()


@pytest.mark.parametrize(("typed", "meant"), [("听正要几天内提出", "听证要几天内提出"),
                                              ("个人信心泄露怎么罚", "个人信息泄露怎么罚"),
                                              ("瞒抱工资总额", "瞒报工资总额")])
def test_sound_alike_typos_become_list_words(typed: str, meant: str) -> None:
    speller = Speller({"听证": 9, "个人信息": 5, "瞒报": 4, "与其": 1, "泄露": 3})
    assert speller.repair(typed)[0] == meant


def test_a_word_read_with_a_characters_other_reading_is_still_matched() -> None:
    # 行 reads hang in 银行, xing alone: windows are skipped by their characters' readings, so
    # every reading of a character must count, not only the first.
    assert Speller({"银行": 5}).repair("到银航柜台办理") == ("到银行柜台办理", (("银航", "银行"),))


def test_common_words_and_list_words_are_never_repaired() -> None:
    # 攻击 is a common word: a list's own slip 攻机 must not rewrite it; 信息 is a list word.
    speller = Speller({"攻机": 3, "信息": 9})
    assert speller.repair("网络攻击信息")[0] == "网络攻击信息"
    # 废纸 is a rarer word (under the frequency cut-off) but the text holds it whole: not a slip for
    # the list's 废止, which sounds the same.
    assert Speller({"废止": 5}).repair("档案当废纸卖了")[0] == "档案当废纸卖了"
    assert Speller({"废止": 5}).repair("档案被废纸了")[0] == "档案被废纸了"
    # A word opening with 这/那 points back at the conversation: 这事 (zhe shi) is no slip for 政事.
    assert Speller({"政事": 5, "哪项": 2}).repair("这事归谁管") == ("这事归谁管", ())


def test_understander_builds_one_query(hashing_assistant) -> None:
    u: Understander = hashing_assistant.understander
    q = u.understand("聽正要幾天內提出")
    assert q.text == "听证要几天内提出" and q.intent.aspect == "procedure" and q.intent.asks_time
    assert len(q.changes) == 2 and "听证" in q.tokens
    assert set(q.tokens) <= set(q.expanded)


@pytest.mark.parametrize(("text", "laws"), [
    ("违反个人信息保护法怎么罚", ("个人信息保护法",)),
    ("违反《反食品浪费法》的处罚", ("反食品浪费法",)),
    ("依据互联网信息服务管理办法哪一条", ("互联网信息服务管理办法",)),
    ("发布违法信息会怎样", ()),
    ("执法人员要几个人", ()),
    ("法律没有特别规定的话罚多少", ()),
    ("工人没法按每天8小时上班", ()),
    # The verb before a statute's name is not part of it (用 would have cut 用人单位 after its 用).
    ("用人单位遵守就业促进法情况的监督检查", ("就业促进法",)),
    ("这条规定出自道路运输条例哪一条", ("道路运输条例",)),
])
def test_named_laws(text: str, laws: tuple[str, ...]) -> None:
    assert named_laws(text) == laws


def test_uncited_law_is_refused_by_name(hashing_assistant) -> None:
    a = hashing_assistant.ask("违反个人信息保护法第六十六条会被罚多少", [])
    assert a.refused and "《个人信息保护法》" in a.interpretation
    cited = hashing_assistant.ask("违反网络安全法不履行网络安全保护义务怎么罚", [])
    assert not cited.refused


def test_traditional_question_gets_the_simplified_twins_answer(hashing_assistant) -> None:
    simple = hashing_assistant.ask("网络运营者未要求用户提供真实身份信息罚多少", [])
    trad = hashing_assistant.ask("網絡運營者未要求用戶提供真實身份信息罰多少", [])
    assert trad.primary is not None and simple.primary is not None
    assert (trad.primary.item, trad.primary.start) == (simple.primary.item, simple.primary.start)
    assert "已将繁体字转为简体字检索。" in trad.notices


@pytest.mark.parametrize(("text", "aspect", "column"), [
    ("11620500MB0305146K3620246010000是哪个事项", "name", "事项名称"),  # nothing asked of the code
    ("11620500MB0305146K3620246010000", "name", "事项名称"),
    ("编码11620500MB0305146K3620246005000", "name", "事项名称"),  # 编码 names the code given
    ("11620500MB0305146K3620246005000这个编码是哪个事项", "name", "事项名称"),
    ("权力编码11620500MB0305146K3620246002000的实施主体是哪个", "who", "实施主体"),
    ("11620500MB0305146K3620246010000的承办机构", "who", "承办机构"),  # asked of the code's item
])
def test_a_code_alone_asks_which_matter_it_numbers(text: str, aspect: str, column: str) -> None:
    from assistant.answering.intent import recognise

    got = recognise(text)
    assert (got.aspect, got.column, got.explicit) == (aspect, column, True)


def test_a_code_alone_finds_its_item_and_is_not_quoted_back(hashing_assistant) -> None:
    """Which of the item's cells answers is the real model's to read (tests/test_model_real.py: its
    name); the code itself never does."""
    a = hashing_assistant.ask("11620500MB0305146K3621046014000 是哪个事项？", [])
    assert a.hits[0].seq == "83" and a.quotes and a.quotes[0].field != "地方权力编码"
    assert "11620500MB0305146K3621046014000" not in a.quotes[0].text


def test_a_follow_up_counts_each_of_its_words_once() -> None:
    from assistant.answering.evidence import maximal

    assert maximal(["歌舞", "未成", "成年", "未成年", "成年人", "未成年人", "歌舞"]) == ["歌舞", "未成年人"]
    assert maximal([]) == []


def test_a_quantity_or_a_comparison_is_no_matter_of_a_question(hashing_assistant) -> None:
    words = hashing_assistant.words
    assert {"超过", "3万", "一万", "一个"}.isdisjoint(words.matter("违法所得超过3万呢？违法经营额超过一万呢？装一个呢"))
    assert "阳台" in words.matter("个人在自家阳台上装一个呢？")


def test_a_mistyped_law_name_is_not_another_law(hashing_assistant) -> None:
    typo = hashing_assistant.ask("数据存到境外了罚多少钱，网络完全法怎么规定的", [])
    assert "清单未引用" not in typo.interpretation
    other = hashing_assistant.ask("违反数据安全法会被怎么罚", [])
    assert other.refused and "《数据安全法》" in other.interpretation


@pytest.mark.parametrize(("text", "out_of_scope", "advice"), [
    ("网信办在哪办公啊", True, False),
    # A person's name is no column's; an item's name is.
    ("来检查的是哪位领导，叫什么名字？", True, False),
    ("那个科的科长叫什么名字，我想直接找他", True, False),
    ("城区工地自己搅拌混凝土，被罚款的那个事项叫什么名字？", False, False),
    # An address asked for, and one the matter speaks of.
    ("市场监管局的办公地址在哪儿？", True, False),
    ("不动产登记中心地址在哪里", True, False),
    ("我们劳务派遣公司搬了新地址，要去办变更吧", False, False),
    ("罚款能分期交吗", False, True),
    # How long one has to seek reconsideration is its own kind (review_term): a list may state it.
    ("收到处罚决定书以后，多少天内可以申请行政复议？", False, False),
    # Next year: a prediction, not a date in passing.
    ("明年文旅局的权责清单会不会把旅行社设立许可加进去？", False, True),
    ("我们的辐射安全许可证明年到期，续期申请最晚得提前多少天交？", False, False),
    ("项目预计明年6月份竣工验收，档案验收的申请最晚得提前多久报上去？", False, False),
    ("去年全市一共取缔了多少家", False, True),
    ("我的信息被泄露了，能让它赔我多少钱？", False, True),
    ("过了两年还能罚他吗", False, True),
    ("网信办处罚的追责时效是几年", False, True),
    # Asked of a list that states it (专利纠纷: 收到处理通知之日起十五日内起诉): not refused by a pattern.
    ("对处理结果不服，多长时间内可以起诉？", False, False),
    ("个人罚多少", False, False),
    # 电话, 上班 and 去哪 asked for, and said in passing.
    ("网络管理科的电话是多少", True, False),
    ("周六上班吗", True, False),
    ("周末带娃去哪玩比较好", True, False),
    ("罚款去哪交", True, False),
    # 去哪 before a way of getting a matter handled asks which office handles it (the list's office).
    ("社保卡丢了去哪补", False, False),
    ("印刷经营许可要去哪里批？", False, False),
    ("歌厅门口的牌子上没写12318举报电话，这个也有人管吗", False, False),
    ("工人没法按每天8小时上班，想申请综合计算工时工作制", False, False),
    ("那要去哪儿申请，需要交什么材料", False, False),
    # 去哪 naming a section asks which section handles it; any other place is no column's.
    ("那去哪个科室办？", False, False),
    ("去哪个处室问", False, False),
    ("去哪个网站查", True, False),
    # Where a fine is paid in; an office holder's name, but not an item's.
    ("罚款要缴到哪个银行账户", True, False),
    ("审批科科长叫什么", True, False),
    ("这项权力叫什么", False, False),
    # Who holds an office now, when an exam or event is held, prices, a firm's past record.
    ("消防救援支队现任支队长是谁", True, False),
    ("分管执法的副局长是谁", True, False),
    ("注册消防工程师考试一般几月报名", True, False),
    ("今年防空警报试鸣是几月几号", True, False),
    ("猪肉现在多少钱一斤", True, False),
    ("这家施工单位以前有没有被人防处罚过", True, False),
    # How a case will end, what a person is owed, counts over a year.
    ("去法院起诉的话能告赢吗", False, True),
    ("我申请复议的话能撤销吗", False, True),
    ("退休以后每月大概能领多少养老金", False, True),
    ("去年克拉玛依市科技局一共认定登记了多少份技术合同", False, True),
    # The same words about a matter a list holds.
    ("条例从哪天开始施行", False, False),
    ("今年碳排放配额没按时清缴，要罚多少", False, False),
    ("被撤销许可以后多久能重新申请", False, False),
    ("两年内被处罚过两次的再犯怎么罚", False, False),
])
def test_kinds_of_question_no_list_answers_are_recognised(text: str, out_of_scope: bool, advice: bool) -> None:
    from assistant.answering.intent import recognise

    ask = recognise(text)
    assert (ask.out_of_scope, ask.advice) == (out_of_scope, advice)


def test_the_term_to_seek_reconsideration_is_recognised_and_found_where_a_list_states_it() -> None:
    import re

    from assistant.answering.intent import recognise
    from assistant.vocabulary import REVIEW_TERM_STATED

    assert recognise("不服的话，收到决定书后多少天之内能申请行政复议？").review_term
    assert not recognise("不服处罚决定可以申请复议吗").review_term
    stated = "如不服决定，可以在收到决定书之日起六十日内向消防救援机构所在地人民政府申请行政复议"
    assert re.search(REVIEW_TERM_STATED, stated)
    assert not re.search(REVIEW_TERM_STATED, "当事人对处罚决定不服的，可以依法申请行政复议。罚款应当在十五日内缴纳。")


@pytest.mark.parametrize(("text", "asks_office"), [
    ("走公路得去哪儿办手续？", True),
    ("这个登记去哪办？", True),
    ("隔壁工地夜里打桩，打哪个电话投诉管用？", True),
    ("回来以后能投诉到哪？", True),
    ("营业执照办下来了，还要到哪里备案？", True),
    ("物业也不管，该打给谁？", True),
    ("得谁点头同意才行？", True),
    ("林区的森林防火检查，到底是林草局来查还是应急管理局来查？", True),
    ("罚款去哪交", False),
    ("我打电话举报了附近一家乱标价的店", False),
])
def test_where_to_go_to_get_a_matter_handled_asks_for_the_office(text: str, asks_office: bool) -> None:
    from assistant.answering.intent import recognise

    assert recognise(text).asks_office is asks_office


def test_two_offices_named_ask_for_both() -> None:
    from assistant.answering.intent import recognise

    assert recognise("到底是林草局来查还是应急管理局来查？").asks_several
    assert not recognise("是罚单位还是罚个人").asks_office


def test_a_follow_up_about_paying_by_instalments_is_refused_as_advice(hashing_assistant) -> None:
    history = [{"role": "user", "content": "不实名注册会被怎么罚"}]
    answer = hashing_assistant.ask("罰款能分期交嗎", history)  # traditional, as typed
    assert answer.refused and "缴款方式" in (answer.warning or "") + answer.interpretation


@pytest.mark.parametrize("text", [
    "工地上挖出一罐古钱币，工人偷偷藏起来",  # 上挖 and 人偷 cut through 挖出 and 工人
    "依据网络安全法第几条",  # 法第 cuts through 第几条
    "网约车平台没有经营许可怎么罚",  # 许可怎 cuts through 怎么
    "到期了他还是不发",  # 不发 is two words, not the lists' 部发
    "被查到的话会罚多少",  # 被查 is not 备查
    "网信办罚多少",  # 罚 as typed is meant: not 办法
    "单位不让休带薪年假",  # 年假 nian jia4 is not 年检 nian jian3: two characters alike but for their tones
])
def test_words_of_the_language_are_not_read_as_typos(text: str) -> None:
    speller = Speller({"上网": 9, "人头": 3, "法定": 9, "许可证": 9, "部发": 2, "备查": 4, "办法": 9, "听证": 9,
                       "年检": 5})
    assert speller.repair(text) == (text, ())


@pytest.mark.parametrize(("text", "count"), [("最少要去几个执法人员", True), ("检查要有多少名检查人员", True),
                                             ("需要多少人", True), ("罚多少人民币", False), ("几个部门管", False)])
def test_how_many_people_is_read_from_the_people_named(text: str, count: bool) -> None:
    from assistant.answering.intent import recognise

    assert recognise(text).asks_count is count


@pytest.mark.parametrize(("text", "small"), [
    ("在吗？", True), ("好的明白了，谢谢你哈", True), ("讲个笑话吧", True),
    ("克拉玛依今天多少度？要不要穿羽绒服", True), ("你是真人客服还是机器人啊？", True),
    ("好的，那罚多少？", False), ("谢谢，那依据是哪条？", False),
    ("那船老板呢", False), ("气温多少度以下要停工", False)])
def test_small_talk_is_no_follow_up(text: str, small: bool) -> None:
    from assistant.answering.intent import recognise

    assert recognise(text).small_talk is small


def test_the_office_a_question_names_is_no_part_of_its_matter(hashing_assistant) -> None:
    """天水市网信办对…怎么罚: the served office and its place name every item of its list, so the question
    is searched, read and quoted without them; a question that is little more than the office stays whole."""
    understand = hashing_assistant.understander.understand
    asked = understand("天水市网信办对不让用户实名注册的网站怎么罚？")
    matter = hashing_assistant._matter_of(asked)
    assert "网信办" not in matter.text and "天水" not in matter.text
    assert "实名" in matter.text and matter.intent == asked.intent
    assert not any("网信" in t or "天水" in t for t in matter.expanded)
    assert all(t in matter.expanded for t in asked.expanded if t in matter.text)
    plain = understand("不让用户实名注册的网站怎么罚？")
    assert hashing_assistant._matter_of(plain) is plain
    short = understand("网信办管什么")
    assert hashing_assistant._matter_of(short) is short
    # The answer still shows the question as asked.
    assert "网信办" in hashing_assistant.ask("天水市网信办对不让用户实名注册的网站怎么罚？", []).query


@pytest.mark.parametrize("text", ["那该去哪个处室办", "这个归哪个股室管"])
def test_a_section_by_another_name_asks_who_handles(text: str) -> None:
    from assistant.answering.intent import recognise

    got = recognise(text)
    assert (got.aspect, got.column) == ("who", "承办机构")

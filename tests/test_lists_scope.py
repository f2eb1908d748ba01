"""Several lists served at once: keys, list names in answers, --list / lists filters, offices named."""

from pathlib import Path

import pytest

from assistant.answering.dialogue import Assistant
from assistant.answering.policy import NEVER_REFUSE
from assistant.answering.scope import ListNames
from assistant.corpus.catalogue import Catalogue
from assistant.corpus.parse import load
from assistant.index import store
from assistant.index.embed import HashingEmbedder
from assistant.index.retriever import Retriever
from assistant.present.render import to_json, to_markdown
from assistant.types import ParsedList


def test_short_forms_of_an_office_name_it() -> None:
    names = ListNames({"scjg": "克拉玛依市市场监督管理局", "wl": "克拉玛依市文化体育广播电视和旅游局",
                       "ts": "天水市互联网信息办"})
    assert names.named("市场监管局对无照经营怎么罚") == {"scjg"}
    assert names.named("文旅局管不管网吧") == {"wl"} == names.named("旅游局的导游证")
    assert names.named("网信办怎么处罚") == {"ts"}
    assert names.named("克拉玛依的网吧罚款") == {"scjg", "wl"}  # a place names its lists
    for none in ("不实名注册会被怎么罚", "市场上卖假货", "管理局怎么罚", "工作人员失职怎么处理"):
        assert names.named(none) == frozenset(), none
    assert names.named("克拉玛依天水都有吗") == frozenset()  # naming every list narrows nothing


def test_an_everyday_word_is_known_where_the_lists_use_its_terms(hashing_assistant) -> None:
    words = hashing_assistant.words
    # The seed speaks of 违法所得 (挣了) and 营业执照 (无照), never of 未成年人 (小孩) or 噪声 (噪音).
    assert words.known("挣了") and words.known("无照")
    assert not words.known("小孩") and not words.known("噪音")
    said = {t for text in ("他房本没办下来", "小孩嫌噪音") for t in words.tokenize(text)}
    assert {"房本", "小孩", "噪音"} <= said  # as the question is read
    assert words.coverage("他房本没办下来") > words.coverage("小孩嫌噪音")


def test_offices_offered_as_a_choice_are_read_by_their_short_forms() -> None:
    names = ListNames({"rs": "克拉玛依市人力资源和社会保障局", "zj": "克拉玛依市住房和城乡建设局",
                       "xf": "克拉玛依市消防救援支队", "ly": "克拉玛依市林业和草原局", "yj": "克拉玛依市应急管理局"})
    assert names.choice("总包不开工资专户，这种情况是人社管还是住建管？") == {"rs", "zj"}
    assert names.choice("消防这块是找住建还是找消防救援的？") == {"zj", "xf"}
    assert names.choice("森林防火检查到底是林草局来查还是应急管理局来查") == {"ly", "yj"}
    # Two characters name an office only as one side of a choice: 住建 alone names nothing.
    assert names.named("住建管不管") == frozenset()
    for none in ("罚款还是警告", "个人还是单位", "人社管还是不管", "住房还是住建"):
        assert names.choice(none) == frozenset(), none


def test_two_characters_name_an_office_only_where_an_office_is_spoken_of() -> None:
    names = ListNames({"rs": "克拉玛依市人力资源和社会保障局", "ny": "克拉玛依市农业农村局",
                       "ts": "天水市互联网信息办"})

    def said(text: str) -> list[str]:
        return sorted(text[a:b] for a, b in names.mentions(text))

    for text in ("饭店用了个15岁的小孩洗碗，人社能管吗", "这个归人社管吧？", "要去人社办变更吧", "这事找人社？",
                 "人社那边怎么说"):
        assert said(text) == ["人社"], text
    for text in ("农业机械安全监督", "农业管理部门", "去互联网上发布谣言"):
        assert said(text) == [], text


def test_an_office_or_place_named_is_no_word_of_the_matter(hashing_assistant) -> None:
    names = ListNames({"wl": "克拉玛依市文化体育广播电视和旅游局", "ts": "天水市互联网信息办公室"})
    text = "这事文旅局管吗，在天水归网信办吗，互联网信息服务提供者呢"
    assert sorted(text[a:b] for a, b in names.mentions(text)) == ["天水", "文旅局", "网信办"]
    # 互联网信息 spells the start of 互联网信息办公室 but ends as no office ends: a matter, kept.
    words = hashing_assistant.words
    assert "天水" not in words.matter("在天水这项归哪个科室办") and "互联网" in words.matter("互联网信息服务")
    assert words.coverage("网信办对未实名注册怎么罚") == words.coverage("对未实名注册怎么罚")


@pytest.fixture(scope="module")
def two_lists(tmp_path_factory: pytest.TempPathFactory, seed: ParsedList) -> Assistant:
    """The seed under two offices' names: the same items, so only the filter tells them apart."""
    folder = tmp_path_factory.mktemp("two-lists")
    text = seed.source.text
    (folder / "tianshui.txt").write_text(text, encoding="utf-8")
    (folder / "lanzhou.txt").write_text(text.replace(seed.title, "兰州市互联网信息办公室2024年权责清单", 1),
                                        encoding="utf-8")
    lists = load([folder])
    embedder = HashingEmbedder(64)
    built = store.build(tmp_path_factory.mktemp("two-index"), lists, embedder, progress=False)
    return Assistant(Catalogue.of(lists), Retriever(built, embedder), policy=NEVER_REFUSE)


def test_keys_are_unique_and_answers_name_the_list(two_lists: Assistant) -> None:
    cat = two_lists.catalogue
    assert len(cat.items) == 28 and {k.split("#")[0] for k in cat.items} == {"lanzhou", "tianshui"}
    a = two_lists.ask("不让用户实名注册会被怎么罚", [])
    top = cat.items[a.hits[0].item_key]
    office = cat.offices[top.list_id]
    assert office in ("兰州市互联网信息办公室", "天水市互联网信息办")
    assert a.interpretation.startswith(f"〔{office}〕")
    primary = to_json(a)["quotes"][0]
    assert primary["list"] == office and primary["key"] == top.key
    assert f"〔{office}〕第{top.seq}项" in to_markdown(a)


@pytest.mark.parametrize("list_id", ["lanzhou", "tianshui"])
def test_a_list_filter_keeps_answers_in_that_list(two_lists: Assistant, list_id: str) -> None:
    for question in ("不让用户实名注册会被怎么罚", "立案以后要做什么", "网络安全法第六十一条"):
        a = two_lists.ask(question, [], [list_id])
        assert a.hits and all(h.item_key.startswith(f"{list_id}#") for h in a.hits), question
        assert all(q.item_key.startswith(f"{list_id}#") for q in a.quotes if q.role != "statute")


def test_a_question_naming_an_office_goes_to_its_list(two_lists: Assistant) -> None:
    a = two_lists.ask("兰州网信办：不让用户实名注册会被怎么罚", [])
    assert a.hits and all(h.item_key.startswith("lanzhou#") for h in a.hits)
    b = two_lists.ask("天水的网信办对不实名注册怎么罚", [])
    assert b.hits and all(h.item_key.startswith("tianshui#") for h in b.hits)


def test_an_unknown_list_is_refused_by_name(two_lists: Assistant) -> None:
    with pytest.raises(ValueError, match="no such list: beijing"):
        two_lists.ask("立案以后要做什么", [], ["beijing"])


def test_cli_list_filter(tmp_path: Path, seed: ParsedList, capsys: pytest.CaptureFixture[str],
                         monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant import cli

    (tmp_path / "a.txt").write_text(seed.source.text, encoding="utf-8")
    (tmp_path / "b.txt").write_text(seed.source.text, encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_MODEL", str(tmp_path / "no-model"))  # lexical only: fast, offline
    assert cli.main(["ask", "立案以后要做什么", "--lists", str(tmp_path), "--list", "b", "--json"]) == 0
    out = capsys.readouterr().out
    assert '"key": "b#' in out and '"key": "a#' not in out
    assert cli.main(["ask", "立案以后要做什么", "--lists", str(tmp_path), "--list", "c"]) == 2
    assert "no list c; loaded: a, b" in capsys.readouterr().err


def test_the_words_placing_a_step_in_a_procedure_are_known_and_no_matter(hashing_assistant) -> None:
    """立案以后接下来是什么程序 asks where in a procedure, in words no list uses (以后, 接下来): they are
    the domain's, so the question is not read as about something the list does not hold."""
    words = hashing_assistant.words
    assert all(words.known(w) for w in ("以后", "之后", "接下来", "下一步", "之前", "哪一步"))
    assert words.coverage("立案以后接下来是什么程序") > words.coverage("立案明天接下来是什么程序")
    assert "接下来" not in words.matter("立案以后接下来是什么程序")

"""Which office holds a matter (归哪个部门管, 找谁), over several offices' published workbooks."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import paths
from assistant.answering import rerank, routing
from assistant.answering.dialogue import Assistant
from assistant.answering.policy import NEVER_REFUSE, Logistic, RefusalPolicy
from assistant.corpus.catalogue import Catalogue
from assistant.corpus.parse import load
from assistant.index import store
from assistant.index.embed import HashingEmbedder
from assistant.index.retriever import Retriever
from assistant.present.render import to_json, to_markdown
from assistant.types import ItemHit, LegalRef, Span

KARAMAY = paths.ROOT.parent / "shared" / "external-lists" / "raw" / "karamay"
# Small departments' workbooks as published.
SMALL = ("kmy-dangan-2024.xlsx", "kmy-tongji-2025.xlsx", "kmy-keji-2024.xls", "kmy-jiguan-2024.xls",
         "kmy-yibao-2024.xls")


def _small_lists(folder: Path) -> Path:
    if not KARAMAY.is_dir():
        pytest.skip("../shared/external-lists is not here")
    folder.mkdir(parents=True, exist_ok=True)
    for name in SMALL:
        (folder / name).write_bytes((KARAMAY / name).read_bytes())
    return folder


@pytest.fixture(scope="module")
def offices(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    lists = load([_small_lists(tmp_path_factory.mktemp("offices"))])
    embedder = HashingEmbedder(64)
    built = store.build(tmp_path_factory.mktemp("offices-index"), lists, embedder, progress=False)
    # The fake embedder's vectors mean nothing: routing searches by keywords here.
    return Assistant(Catalogue.of(lists), Retriever(built, embedder), policy=NEVER_REFUSE,
                     routing_weights=routing.RoutingWeights(0.85, 2, 0.0), routing_policy=NEVER_REFUSE)


def _hit(key: str, score: float) -> ItemHit:
    return ItemHit(item_key=key, seq=key.split("#")[1], name=key, score=score, scores={}, ranks={}, chunks=())


def _reading(name_share: float, basis_share: float, dense: float, score: float) -> tuple[float, tuple[float, ...]]:
    x = [0.0] * len(rerank.FEATURES)
    at = rerank.FEATURES.index
    x[at("name_share")], x[at("basis_share")], x[at("dense")] = name_share, basis_share, dense
    return score, tuple(x)


def test_the_split_model_names_an_office_whose_item_holds_the_matter_as_well_as_the_leader() -> None:
    hits = [_hit("a#1", 1.0), _hit("a#2", 0.97), _hit("b#7", 0.6), _hit("c#3", 0.95)]
    readings = {"a#1": _reading(0.8, 0.7, 0.0, 2.0), "a#2": _reading(0.5, 0.5, -0.01, 1.5),
                "b#7": _reading(0.8, 0.7, -0.02, 1.9), "c#3": _reading(0.1, 0.1, -0.01, 0.2)}
    found = routing.ratios(hits, str.upper)
    values = routing.split_values(found, readings)
    assert [v["office_rank"] for v in values] == [1.0, 2.0]  # B, then C
    assert values[0]["name_gap"] == 0.0 and values[1]["name_gap"] == pytest.approx(-0.7)
    assert values[0]["place"] == pytest.approx(1 / 3) and values[0]["rerank_gap"] == pytest.approx(-0.1)
    # A model that reads the name's share alone: B's name holds as much of the question as A's, C's does not.
    names = routing.SPLIT_FEATURES
    model = Logistic(tuple(8.0 if f == "name_gap" else 0.0 for f in names), 2.0, (0.0,) * len(names),
                     (1.0,) * len(names), names)
    weights = routing.RoutingWeights(split_ratio=2.0, depth=1, split_model=model, split_above=0.5)
    assert [o for o, _ in routing.offices(hits, str.upper, weights, readings=readings)] == ["A", "B"]
    # The ratio rule (what a calibration without a model gives) would name C, close by fused score.
    rule = routing.RoutingWeights(split_ratio=0.9, depth=5)
    assert [o for o, _ in routing.offices(hits, str.upper, rule, readings=readings)] == ["A", "C"]
    # Without the re-ranker's readings the model cannot be read: the rule's fallback names none.
    assert [o for o, _ in routing.offices(hits, str.upper, weights)] == ["A"]
    # An item beyond the split depth is never named.
    far = [_hit("a#1", 1.0), *[_hit(f"a#{n}", 0.9) for n in range(2, 12)], _hit("b#7", 0.9)]
    assert routing.split_values(routing.ratios(far, str.upper), {**readings, "b#7": _reading(0.8, 0.7, 0, 2)}) == [None]
    assert json.loads(json.dumps(weights.to_json()))["split_model"]["coef"][names.index("name_gap")] == 8.0
    with pytest.raises(ValueError, match="split model reads"):
        routing.RoutingWeights(2.0, 1, split_model=Logistic((1.0,), 0.0, (0.0,), (1.0,), ("dense",)))


def _ref(law: str, article: int) -> LegalRef:
    return LegalRef(law=law, law_span=None, version_note="", article=article, span=Span(0, 1), role="cited")


def test_kinship_reads_how_alike_two_offices_items_are() -> None:
    ship = "对船舶未配置相应的防污染设备和器材的行政处罚"
    fishing = "对渔业船舶未配置相应的防污染设备和器材行为的处罚"
    twin, laws, arts = routing.kinship(ship, [_ref("中华人民共和国水污染防治法", 89)], fishing,
                                       [_ref("水污染防治法", 89), _ref("渔业法", 30)])
    assert twin > 0.8 and laws == 1.0 and arts == 1.0  # the same law, whether or not it says 中华人民共和国
    other, no_law, no_art = routing.kinship(ship, [_ref("水污染防治法", 89)], "对统计调查对象拒绝提供统计资料的处罚",
                                            [_ref("统计法", 41)])
    assert other < 0.1 and no_law == 0.0 and no_art == 0.0
    assert routing.kinship(ship, [_ref("水污染防治法", 89)], fishing, [_ref("水污染防治法", 90)])[1:] == (1.0, 0.0)
    assert routing.kinship("", [], "", []) == (0.0, 0.0, 0.0)  # nothing to compare: nothing alike
    # split_values carries them for each other office, from the leader's item and its own.
    hits = [_hit("a#1", 1.0), _hit("b#7", 0.9)]
    readings = {"a#1": _reading(0.8, 0.7, 0.0, 2.0), "b#7": _reading(0.8, 0.7, 0.0, 1.9)}
    pairs: list[tuple[str, str]] = []

    def kin(a: str, b: str) -> tuple[float, float, float]:
        pairs.append((a, b))
        return 0.9, 1.0, 0.5

    values = routing.split_values(routing.ratios(hits, str.upper), readings, kin)
    assert pairs == [("a#1", "b#7")] and (values[0]["name_twin"], values[0]["law_share"]) == (0.9, 1.0)
    assert routing.split_values(routing.ratios(hits, str.upper), readings)[0]["article_share"] == 0.0


def test_a_question_asking_for_several_offices_names_the_next_one_found() -> None:
    from assistant.answering.intent import recognise

    hits = [_hit("a#1", 1.0), _hit("a#2", 0.97), _hit("a#3", 0.9), _hit("c#3", 0.5)]
    narrow = routing.RoutingWeights(split_ratio=0.95, depth=2)
    assert [o for o, _ in routing.offices(hits, str.upper, narrow)] == ["A"]
    assert [o for o, _ in routing.offices(hits, str.upper, narrow, several=True)] == ["A", "C"]
    assert [o for o, _ in routing.offices(hits[:3], str.upper, narrow, several=True)] == ["A"]  # no other office
    # With the split model, the other office it rates likeliest, though another comes first.
    both = [_hit("a#1", 1.0), _hit("b#7", 0.9), _hit("c#3", 0.5)]
    readings = {"a#1": _reading(0.8, 0.7, 0.0, 2.0), "b#7": _reading(0.1, 0.1, 0.0, 1.0),
                "c#3": _reading(0.7, 0.6, 0.0, 1.5)}
    names = routing.SPLIT_FEATURES
    model = Logistic(tuple(8.0 if f == "name_gap" else 0.0 for f in names), -9.0, (0.0,) * len(names),
                     (1.0,) * len(names), names)  # names no office unless asked for several
    rated = routing.RoutingWeights(split_ratio=2.0, depth=1, split_model=model, split_above=0.5)
    assert [o for o, _ in routing.offices(both, str.upper, rated, readings=readings)] == ["A"]
    assert [o for o, _ in routing.offices(both, str.upper, rated, several=True, readings=readings)] == ["A", "C"]
    for text in ("装修完了消防这块是找住建还是找消防？", "两边都有公司围标，应该分别向谁举报？",
                 "这种情况哪些部门能管？",
                 # Two sentences, each asking who handles a part of its own.
                 "运输证明去哪办？运输途中要是违规了又是谁来罚？", "成品油零售资格找谁批？油气回收装置又是谁来检查？",
                 # Whether two things are one office's.
                 "工地上的塔吊和厂房里的桥式起重机，使用登记是在同一个地方办吗？"):
        ask = recognise(text)
        assert ask.asks_several and ask.asks_office, text
    for text in ("导游把我们关在玉石店两个小时，该找谁投诉？", "网吧放未成年人进去归谁管？我该找谁？"):
        single = recognise(text)
        assert single.asks_office and not single.asks_several, text


def test_offices_are_named_by_their_best_item_and_a_close_second_is_named_too() -> None:
    hits = [_hit("a#1", 1.0), _hit("a#2", 0.97), _hit("b#7", 0.9), _hit("c#3", 0.5)]
    split = routing.RoutingWeights(split_ratio=0.85, depth=3)
    assert [(o, h.item_key) for o, h in routing.offices(hits, str.upper, split)] == [("A", "a#1"), ("B", "b#7")]
    narrow = routing.RoutingWeights(split_ratio=0.95, depth=3)
    assert [o for o, _ in routing.offices(hits, str.upper, narrow)] == ["A"]
    shallow = routing.RoutingWeights(split_ratio=0.5, depth=2)  # b's best item is third: too far down
    assert [o for o, _ in routing.offices(hits, str.upper, shallow)] == ["A"]
    assert routing.offices([], str.upper, split) == []
    with pytest.raises(ValueError, match="split_ratio"):
        routing.RoutingWeights(split_ratio=-1.0)
    fitted = routing.RoutingWeights.fitted()
    assert "eval/calibrate.py" in fitted.provenance and fitted.dense_weight is not None


def test_a_routing_question_names_the_office_first_with_its_verbatim_clause(offices: Assistant) -> None:
    a = offices.ask("单位的文书档案没经过鉴定就当废纸卖了，归哪个部门管？", [])
    assert not a.refused and a.routes and a.routes[0].list_id == "kmy-dangan-2024"
    assert a.routes[0].office == offices.catalogue.list_name("kmy-dangan-2024") == "克拉玛依市档案局"
    md = to_markdown(a)
    assert md.index("**负责部门**") < md.index("> ") and "克拉玛依市档案局" in md.split("> ")[0]
    data = to_json(a)
    assert data["offices"][0]["list"] == "kmy-dangan-2024" and data["offices"][0]["key"] == a.routes[0].item_key
    for q in a.quotes:
        src = offices.catalogue.sources[q.item_key.split("#")[0]]
        assert src.text[q.start:q.end] == q.text and q.locator is not None  # verbatim, located in its cell


def test_the_chat_bubble_names_the_offices_before_any_quote(offices: Assistant) -> None:
    from assistant import views

    a = offices.ask("单位的文书档案没经过鉴定就当废纸卖了，归哪个部门管？", [])
    page = views.answer_html(a, offices.catalogue)
    assert page.index("负责部门") < page.index("<blockquote") and "克拉玛依市档案局" in page.split("<blockquote")[0]
    two = Assistant(offices.catalogue, offices.retriever, policy=NEVER_REFUSE, routing_policy=NEVER_REFUSE,
                    routing_weights=routing.RoutingWeights(0.0, 20, 0.0))  # every office among the hits
    split = two.ask("档案和统计资料弄虚作假归哪个部门管", [])
    assert len(split.routes) > 1
    page = views.answer_html(split, offices.catalogue)
    assert f"此事涉及{len(split.routes)}个部门" in page
    assert all(esc_office in page for esc_office in (r.office for r in split.routes))
    assert page.count("<blockquote class='quote") == len(split.routes)


def test_every_named_office_has_an_item_of_its_own_list(offices: Assistant) -> None:
    for question in ("统计调查拒绝提供资料找谁", "医保基金骗保该向哪里举报", "公车私用向哪个部门反映",
                     "技术合同登记找哪个局办", "谁来查处档案违法"):
        a = offices.ask(question, [])
        assert not a.refused and a.routes, question
        excerpts = [q for q in a.quotes if q.role in ("primary", "route")]
        assert len(excerpts) == len(a.routes)
        for r, q in zip(a.routes, excerpts, strict=True):
            assert r.item_key.startswith(r.list_id + "#") and q.item_key == r.item_key
            assert r.office == offices.catalogue.list_name(r.list_id)


def test_a_follow_up_routes_the_matter_described_before(offices: Assistant) -> None:
    first = "我们单位有一批文书档案没经过鉴定就被当废纸卖掉了"
    history = [{"role": "user", "content": first},
               {"role": "assistant", "content": to_markdown(offices.ask(first, []))}]
    a = offices.ask("这种事归哪个部门管？", history)
    assert a.routes and a.routes[0].list_id == "kmy-dangan-2024"


def test_offices_offered_to_choose_between_are_each_answered(offices: Assistant) -> None:
    # 档案局's items alone hold 档案; asked whether it or 统计局 holds the matter, both are read,
    # and 统计局 is named with an item of its own list though its items rank below every 档案 item.
    question = "单位的文书档案没经过鉴定就当废纸卖了，是档案局管还是统计局管？"
    alone = offices.ask("单位的文书档案没经过鉴定就当废纸卖了，归哪个部门管？", [])
    assert "kmy-tongji-2025" not in {h.item_key.split("#")[0] for h in alone.hits[:3]}
    a = offices.ask(question, [])
    assert [r.list_id for r in a.routes] == ["kmy-dangan-2024", "kmy-tongji-2025"]
    assert all(r.item_key.startswith(r.list_id + "#") for r in a.routes)
    # Not offered as a choice (罚款还是警告): no office is read for it.
    assert offices.list_names.choice("档案丢了罚款还是警告") == frozenset()


def test_the_routing_evidence_reads_how_long_the_leading_office_holds_the_first_places(offices: Assistant) -> None:
    d, t = "kmy-dangan-2024", "kmy-tongji-2025"
    gathered = [_hit(f"{d}#{n}", 1.0) for n in range(1, 4)] + [_hit(f"{t}#1", 0.9)]
    assert offices._office_run(gathered) == pytest.approx(3 / routing.SPLIT_DEPTH)
    assert offices._office_run([_hit(f"{d}#1", 1.0), _hit(f"{t}#1", 0.9)]) == pytest.approx(1 / routing.SPLIT_DEPTH)
    assert offices._office_run(gathered[:3]) == 1.0  # no other office among them
    a = offices.ask("单位的文书档案没经过鉴定就当废纸卖了，归哪个部门管？", [])
    assert 0.0 < a.evidence["office_run"] <= 1.0


def test_the_routing_evidence_reads_the_unserved_duties_phrased_as_who_handles_them(offices: Assistant) -> None:
    from assistant.index import probe

    query = offices.understander.understand("想把全家户口迁过来，要找哪个部门？")
    hits, _, _ = offices.route_hits(query, ())
    found, _ = offices.route_evidence(query, hits)
    vector = offices.retriever.query_vectors([query.text])[0]
    near = offices.words.elsewhere(offices.retriever)
    base = offices.retriever.index.manifest.get("probe")
    routed = probe.place(near.closest(vector, routed=True), base) - found.values["dense"]
    bare = probe.place(near.closest(vector), base) - found.values["dense"]
    assert found.values["elsewhere"] == pytest.approx(routed) and routed != pytest.approx(bare)
    mine = probe.place(near.closest(vector, routed=True, of_served=True), base)
    assert found.values["served"] == pytest.approx(mine - probe.place(near.closest(vector, routed=True), base))


def test_a_routing_excerpt_is_read_for_the_article_not_the_laws_title() -> None:
    from assistant.answering import select
    from assistant.answering.dialogue import _as_basis
    from assistant.answering.excerpt import Candidate
    from assistant.answering.intent import recognise
    from assistant.types import Span

    ctx = select.Context(intent=_as_basis(recognise("公车私用向哪个部门反映")), words={}, pairs=frozenset(),
                         cosines={})

    def kind(s: str) -> float:
        return select._kind(s, "实施依据", Candidate(Span(0, len(s)), None), ctx)

    article = "第四条：机关事务管理部门负责本级党政机关公务用车的监督管理。"
    # The title ahead of the article earns nothing over the article alone; the title alone is no answer.
    assert kind("【规章】《党政机关公务用车管理办法》（2017年施行）\n" + article) == kind(article) == 1.0
    assert kind("【规章】《党政机关公务用车管理办法》（2017年施行）") == 0.0


def test_a_matter_no_office_holds_is_refused_naming_none(offices: Assistant) -> None:
    refusing = RefusalPolicy(NEVER_REFUSE.in_scope, NEVER_REFUSE.right, refuse_below=1.0, sure_at=1.0)
    strict = Assistant(offices.catalogue, offices.retriever, policy=NEVER_REFUSE, routing_weights=offices.routing,
                       routing_policy=refusing)
    a = strict.ask("结婚登记要去哪个部门办？", [])
    assert a.refused and not a.routes
    assert a.interpretation == "在所列5个部门的权责清单中没有找到负责这件事的部门。"
    assert not any(o in to_markdown(a) for o in strict.served_offices().values())


def test_one_office_is_asked_about_its_own_column_not_routed(hashing_assistant) -> None:
    a = hashing_assistant.ask("不实名注册归哪个部门管", [])
    assert not a.refused and not a.routes and "offices" in to_json(a) and to_json(a)["offices"] == []


def test_a_title_that_names_a_system_gives_way_to_the_office_its_items_name() -> None:
    if not KARAMAY.is_dir():
        pytest.skip("../shared/external-lists is not here")
    by_id = {p.source.list_id: p for p in load([KARAMAY / "kmy-zhujian-2024.xls", KARAMAY / "kmy-caizheng-2025.xlsx"])}
    assert by_id["kmy-zhujian-2024"].office == "克拉玛依市住房和城乡建设局"  # title: …建设系统区地县三级
    assert by_id["kmy-caizheng-2025"].office == "克拉玛依市财政局"  # no office in the title at all


@pytest.mark.slow
def test_calibrate_fits_routing_on_a_tiny_routing_set(tmp_path: Path) -> None:
    """eval/calibrate.py --routing-only end to end with the fake embedder, so the routing fit cannot rot."""
    folder = _small_lists(tmp_path / "lists")
    rows = [
        {"id": "r1", "question": "档案没经过鉴定就销毁了归哪个部门管", "kind": "routing",
         "gold_offices": ["kmy-dangan-2024"], "gold_items": [], "gold_field": None, "must_quote": "", "turns": None},
        {"id": "r2", "question": "拒绝提供统计资料找谁", "kind": "routing", "gold_offices": ["kmy-tongji-2025"],
         "gold_items": [], "gold_field": None, "must_quote": "", "turns": None},
        {"id": "r3", "question": "医保骗保向哪里举报", "kind": "routing", "gold_offices": ["kmy-yibao-2024"],
         "gold_items": [], "gold_field": None, "must_quote": "", "turns": None},
        {"id": "n1", "question": "结婚登记找哪个部门", "kind": "routing_none", "gold_offices": [], "gold_items": [],
         "gold_field": None, "must_quote": "", "turns": None},
        {"id": "n2", "question": "办护照找谁", "kind": "routing_none", "gold_offices": [], "gold_items": [],
         "gold_field": None, "must_quote": "", "turns": None},
    ]
    questions = tmp_path / "routing.jsonl"
    questions.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    manifest = tmp_path / "sets.json"
    manifest.write_text(json.dumps({"sets": [
        {"name": "tiny-routing", "role": "tuning", "task": "routing", "questions": str(questions),
         "lists": [str(folder)]},
    ]}), encoding="utf-8")
    out = tmp_path / "calibration.json"
    out.write_text(json.dumps({"kept": 1}), encoding="utf-8")
    done = subprocess.run([sys.executable, str(paths.ROOT / "eval" / "calibrate.py"), "--sets", str(manifest),
                           "--folds", "2", "--fake-embedder", "--routing-only", "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "routing cross-validated mean" in done.stdout
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["kept"] == 1  # the other sections stay
    weights = written["routing"]
    routing.RoutingWeights(weights["split_ratio"], weights["depth"], weights["dense_weight"])
    RefusalPolicy.from_json(written["routing_policy"])


@pytest.mark.slow
def test_routing_with_the_real_model_end_to_end(tmp_path: Path, real_model_path) -> None:
    from assistant.index.embed import SentenceTransformerEmbedder
    from assistant.service import load_assistant

    folder = _small_lists(tmp_path / "lists")
    a = load_assistant(lists=[folder], index_root=tmp_path / "index",
                       embedder=SentenceTransformerEmbedder(real_model_path), progress=False)
    answer = a.ask("有人把医保卡借给别人去医院刷卡看病，这种骗保行为该找哪个部门？", [])
    assert not answer.refused and answer.routes[0].list_id == "kmy-yibao-2024"
    # One office or a split (the fitted split ratio decides whether a close second is named): the
    # office the matter belongs to comes first either way.
    shown = to_markdown(answer)
    assert ("**负责部门**" in shown or "**此事涉及" in shown) and answer.confidence in ("sure", "likely")
    for other in answer.routes[1:]:
        assert shown.index("克拉玛依市医疗保障局") < shown.index(other.office)
    for q in answer.quotes:
        assert a.catalogue.sources[q.item_key.split("#")[0]].text[q.start:q.end] == q.text


@pytest.mark.parametrize("question", ["<script>alert(1)</script>归哪个部门管", "找谁" * 20_000, "\x00\x1b找谁？",
                                      "归哪个部门管", "这种事找谁", "哪个部门 第九条", "哪个部门管 110000000000000000"])
def test_routing_takes_hostile_and_empty_matters_without_an_error(offices: Assistant, question: str) -> None:
    history = [{"role": "user", "content": None}, {"role": "assistant", "content": 5}, "x",
               {"role": "user", "content": "<b>档案</b>" * 1000}]
    for h in (None, history, []):
        a = offices.ask(question, h)
        md = to_markdown(a)
        assert "<script>" not in md and "<b>" not in md
        for r in a.routes:
            assert r.list_id in offices.served_offices()

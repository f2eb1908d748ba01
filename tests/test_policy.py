"""The refusal policy: validated, monotone in its evidence, fitted by a script that runs."""

import json
import subprocess
import sys

import pytest

from assistant import paths
from assistant.answering.policy import (
    CALIBRATION,
    FEATURES,
    NEVER_REFUSE,
    Evidence,
    Logistic,
    RefusalPolicy,
    fit_logistic,
)


def test_policy_validates_on_construction() -> None:
    flat = Logistic((0.0,) * len(FEATURES), 0.0, (0.0,) * len(FEATURES), (1.0,) * len(FEATURES))
    with pytest.raises(ValueError, match="thresholds"):
        RefusalPolicy(flat, flat, refuse_below=1.5, sure_at=0.5)
    with pytest.raises(ValueError, match="coefficients"):
        Logistic((1.0,), 0.0, (0.0,), (1.0,))
    with pytest.raises(ValueError, match="positive"):
        Logistic((0.0,) * len(FEATURES), 0.0, (0.0,) * len(FEATURES), (0.0,) * len(FEATURES))


def test_logistic_fit_separates_a_separable_feature() -> None:
    pad = [0.0] * (len(FEATURES) - 1)
    x = [[0.80 + 0.01 * i, *pad] for i in range(10)] + [[0.95 + 0.004 * i, *pad] for i in range(10)]
    y = [0] * 10 + [1] * 10
    model = fit_logistic(x, y)
    low = model(Evidence(dict(zip(FEATURES, x[0], strict=True))))
    high = model(Evidence(dict(zip(FEATURES, x[-1], strict=True))))
    assert low < 0.2 < 0.8 < high and model.coef[0] > 0


def test_never_refuse_answers_and_is_never_sure() -> None:
    refuse, level, _ = NEVER_REFUSE.decide(Evidence({f: 0.0 for f in FEATURES}))
    assert not refuse and level == "likely"


def test_fitted_policy_round_trips_and_refuses_off_topic_evidence() -> None:
    data = json.loads(CALIBRATION.read_text(encoding="utf-8"))
    policy = RefusalPolicy.from_json(data["policy"])
    assert RefusalPolicy.from_json(policy.to_json()) == policy
    assert "eval/calibrate.py" in policy.provenance
    # dense is placed between the list's off-topic mean (0) and its item names' mean (1).
    off = Evidence({"dense": -0.1, "dense_margin": 0.0, "idf_share": 0.0, "coverage": 0.0, "agree": 0.0,
                    "unknown_nouns": 1.0, "name_share": 0.0, "foreign_share": 1.0})
    on = Evidence({"dense": 1.0, "dense_margin": 0.3, "idf_share": 1.0, "coverage": 1.0, "agree": 1.0,
                   "unknown_nouns": 0.0, "name_share": 1.0, "foreign_share": 0.0, "excerpt_kind": 1.0,
                   "excerpt_overlap": 1.0, "excerpt_margin": 1.0})
    assert policy.decide(off)[0] and not policy.decide(on)[0]
    assert policy.probability(on) > policy.probability(off)


def test_a_policy_fitted_before_a_feature_was_added_reads_it_as_carrying_no_weight() -> None:
    older = FEATURES[:-1]
    model = {"coef": [0.5 * (i + 1) for i in range(len(older))], "bias": -0.3,
             "mean": [0.1] * len(older), "scale": [2.0] * len(older)}
    data = {"features": list(older), "in_scope": model, "right": model, "refuse_below": 0.4, "sure_at": 0.9}
    policy = RefusalPolicy.from_json(data)
    assert policy.in_scope.coef[-1] == 0.0 and policy.in_scope.coef[:-1] == tuple(model["coef"])
    values = {f: 0.2 * n for n, f in enumerate(older)}
    low, high = Evidence({**values, FEATURES[-1]: -5.0}), Evidence({**values, FEATURES[-1]: 5.0})
    assert policy.decide(low) == policy.decide(high)  # the new feature moves nothing
    with pytest.raises(ValueError, match="features"):
        RefusalPolicy.from_json({**data, "features": list(reversed(older))})
    with pytest.raises(ValueError, match="coefficients"):
        RefusalPolicy.from_json({**data, "in_scope": {**model, "coef": model["coef"][:-1]}})


def test_calibrate_script_runs_on_a_tiny_list(tmp_path) -> None:
    """eval/calibrate.py end to end on the mini list with the fake embedder, so it cannot rot."""
    questions = tmp_path / "q.jsonl"
    rows = [
        {"id": "a1", "question": "未要求用户提供真实身份信息怎么罚", "gold_items": ["72"], "gold_field": "实施依据",
         "must_quote": "处五万元以上五十万元以下罚款", "kind": "paraphrase", "turns": None},
        {"id": "a2", "question": "不履行网络安全保护义务的处罚", "gold_items": ["70"], "gold_field": "实施依据",
         "must_quote": "责令改正，给予警告", "kind": "paraphrase", "turns": None},
        {"id": "a3", "question": "立案后要填什么表", "gold_items": ["70", "72"], "gold_field": "责任事项",
         "must_quote": "《立案审批表》", "kind": "procedure", "turns": None},
        {"id": "u1", "question": "明天天气怎么样", "gold_items": [], "gold_field": None, "must_quote": "",
         "kind": "unanswerable", "turns": None},
        {"id": "u2", "question": "高考成绩什么时候出", "gold_items": [], "gold_field": None, "must_quote": "",
         "kind": "unanswerable", "turns": None},
        {"id": "f1", "question": "罚多少", "gold_items": ["72"], "gold_field": "实施依据",
         "must_quote": "处五万元以上五十万元以下罚款", "kind": "multi_turn",
         "turns": ["未要求用户提供真实身份信息怎么处理"]},
        {"id": "f2", "question": "依据哪条", "gold_items": ["70"], "gold_field": "实施依据",
         "must_quote": "第五十九条", "kind": "multi_turn", "turns": ["不履行网络安全保护义务的处罚"]},
        {"id": "f3", "question": "中午点个外卖吃啥好", "gold_items": [], "gold_field": None, "must_quote": "",
         "kind": "unanswerable", "turns": ["不履行网络安全保护义务的处罚"]},
        {"id": "f4", "question": "那办护照呢", "gold_items": [], "gold_field": None, "must_quote": "",
         "kind": "unanswerable", "turns": ["未要求用户提供真实身份信息怎么处理"]},
    ]
    questions.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    manifest = tmp_path / "sets.json"
    manifest.write_text(json.dumps({"sets": [
        {"name": "tiny", "role": "tuning", "questions": str(questions),
         "lists": [str(paths.ROOT / "tests" / "data" / "mini_list.tsv")]},
        {"name": "never-read", "role": "report", "questions": str(tmp_path / "absent.jsonl"), "lists": []},
    ]}), encoding="utf-8")
    out = tmp_path / "calibration.json"
    done = subprocess.run([sys.executable, str(paths.ROOT / "eval" / "calibrate.py"), "--sets", str(manifest),
                           "--folds", "2", "--fake-embedder", "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "cross-validated mean" in done.stdout and "sets: tiny" in done.stdout
    written = json.loads(out.read_text(encoding="utf-8"))
    RefusalPolicy.from_json(written["policy"])
    from assistant.answering.policy import FollowRefusal

    assert "follow-up refusal, cross-validated" in done.stdout
    assert written["follow_refusal"]["features"] and FollowRefusal.fitted(out).provenance
    assert 0.0 <= written["fusion"]["dense_weight"] <= 1.0
    from assistant.answering.follow_vote import FEATURES, FollowVote

    assert "follow-up vote on all" in done.stdout and written["follow_vote"]["features"] == list(FEATURES)
    assert FollowVote.fitted(out).provenance.startswith("eval/calibrate.py")


def _calibrate_one_stage(tmp_path, rows: list[dict], start: dict, flag: str):
    """eval/calibrate.py ``flag`` (one stage alone) on ``rows`` over the mini list, with the fake
    embedder, into a target that holds ``start``: the run and the target."""
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    manifest = tmp_path / "sets.json"
    manifest.write_text(json.dumps({"sets": [
        {"name": "tiny", "role": "tuning", "questions": str(questions),
         "lists": [str(paths.ROOT / "tests" / "data" / "mini_list.tsv")]},
    ]}), encoding="utf-8")
    out = tmp_path / "calibration.json"
    out.write_text(json.dumps(start), encoding="utf-8")
    done = subprocess.run([sys.executable, str(paths.ROOT / "eval" / "calibrate.py"), "--sets", str(manifest),
                           "--folds", "2", "--fake-embedder", flag, "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done, out


def test_calibrate_policy_only_refits_the_policy_and_keeps_the_rest(tmp_path) -> None:
    """eval/calibrate.py --policy-only end to end with the fake embedder: the policy's sections are
    written, every other section of the target stays as it was."""
    rows = [
        {"id": f"a{n}", "question": q, "gold_items": gold, "gold_field": "实施依据" if gold else None,
         "must_quote": "罚款" if gold else "", "kind": "paraphrase" if gold else "unanswerable", "turns": None}
        for n, (q, gold) in enumerate([
            ("未要求用户提供真实身份信息怎么罚", ["72"]), ("不实名注册罚多少", ["72"]),
            ("不履行网络安全保护义务的处罚", ["70"]), ("网络运营者不履行安全保护义务罚多少", ["70"]),
            ("明天天气怎么样", []), ("高考成绩什么时候出", []), ("中午点个外卖吃啥好", [])])
    ]
    done, out = _calibrate_one_stage(tmp_path, rows, {"kept": 1, "policy": {"stale": True}}, "--policy-only")
    assert "decided by the policy" in done.stdout and "fusion" not in done.stdout
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["kept"] == 1 and {"policy", "held_out_by_set", "cross_validated", "folds"} <= set(written)
    assert "eval/calibrate.py" in RefusalPolicy.from_json(written["policy"]).provenance
    both = subprocess.run([sys.executable, str(paths.ROOT / "eval" / "calibrate.py"), "--policy-only",
                           "--routing-only"], capture_output=True, text=True, timeout=60)
    assert both.returncode != 0 and "give one" in both.stderr


def test_calibrate_fields_only_refits_the_field_model_and_keeps_the_rest(tmp_path) -> None:
    """eval/calibrate.py --fields-only end to end with the fake embedder: only the field model is
    written, every other section of the target stays as it was."""
    rows = [
        {"id": f"a{n}", "question": q, "gold_items": ["72"], "gold_field": field, "must_quote": "x",
         "kind": "paraphrase", "turns": None}
        for n, (q, field) in enumerate([
            ("未要求用户提供真实身份信息怎么罚", "实施依据"), ("不实名注册罚多少", "实施依据"),
            ("这事哪个科室办", "承办机构"), ("由哪个科负责", "承办机构"),
            ("立案后要填什么表", "责任事项"), ("调查取证要几个人", "责任事项")])
    ]
    done, out = _calibrate_one_stage(tmp_path, rows, {"field_model": {"stale": True}, "kept": 1}, "--fields-only")
    assert "field model on all 6" in done.stdout and "fusion" not in done.stdout
    written = json.loads(out.read_text(encoding="utf-8"))
    # The other sections as they were, and the model in the place it had (the file's diff is the model).
    assert written["kept"] == 1 and list(written) == ["field_model", "kept"]
    from assistant.answering.field_model import FieldModel

    fitted = FieldModel.from_json(written["field_model"])
    assert fitted.fields == ("实施依据", "承办机构", "责任事项") and "eval/calibrate.py" in fitted.provenance


def test_calibrate_excerpt_only_refits_the_named_weights_and_keeps_the_rest(tmp_path) -> None:
    """eval/calibrate.py --excerpt-only FEATURE end to end with the fake embedder: only that excerpt
    weight may move (from the target's), each list is held out in turn, and every other section stays."""
    from assistant.answering.select import FEATURES

    served = [round(0.1 * n, 1) for n in range(len(FEATURES))]
    rows = [
        {"id": f"a{n}", "question": q, "gold_items": ["70"], "gold_field": field, "must_quote": quote,
         "kind": "paraphrase", "turns": None}
        for n, (q, field, quote) in enumerate([
            ("不履行网络安全保护义务罚多少", "实施依据", "处一万元以上十万元以下罚款"),
            ("立案以后接下来是什么程序", "责任事项", "调查取证"),
            ("主管人员罚多少", "实施依据", "对直接负责的主管人员处五千元以上五万元以下罚款")])
    ]
    start = {"kept": 1, "excerpt": {"features": list(FEATURES), "weights": served, "provenance": "before"}}
    done, out = _calibrate_one_stage(tmp_path, rows, start, "--excerpt-only=next_step")
    assert "each list held out" in done.stdout and "fusion" not in done.stdout
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["kept"] == 1 and set(written) == {"kept", "excerpt"}
    moved = [n for n, (a, b) in enumerate(zip(served, written["excerpt"]["weights"], strict=True)) if a != b]
    assert set(moved) <= {FEATURES.index("next_step")}
    assert "--excerpt-only next_step" in written["excerpt"]["provenance"]
    assert [h["list"] for h in written["excerpt"]["held_out_lists"]] == ["tiny"]
    wrong = subprocess.run([sys.executable, str(paths.ROOT / "eval" / "calibrate.py"), "--fake-embedder",
                            "--sets", str(tmp_path / "sets.json"), "--excerpt-only", "no_such_feature"],
                           capture_output=True, text=True, timeout=600)
    assert wrong.returncode != 0 and "no excerpt feature no_such_feature" in wrong.stderr


def test_calibrate_follow_refusal_only_refits_that_section_and_keeps_the_rest(tmp_path) -> None:
    """eval/calibrate.py --follow-refusal-only end to end with the fake embedder: the follow-up refusal
    is written (read back with this code's features), every other section stays as it was."""
    turns = ["不实名注册会被怎么罚"]
    rows = [
        {"id": f"f{n}", "question": q, "gold_items": gold, "gold_field": "实施依据" if gold else None,
         "must_quote": "罚款" if gold else "", "kind": "multi_turn" if gold else "unanswerable", "turns": turns}
        for n, (q, gold) in enumerate([
            ("那单位呢", ["72"]), ("罚多少", ["72"]), ("依据是哪一条", ["72"]), ("情节严重的呢", ["72"]),
            ("今天天气怎么样", []), ("那办护照呢", []), ("中午吃什么好", [])])
    ]
    done, out = _calibrate_one_stage(tmp_path, rows, {"kept": 1, "follow_refusal": {"stale": True}},
                                     "--follow-refusal-only")
    assert "follow-up refusal at 2%" in done.stdout and "fusion" not in done.stdout
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["kept"] == 1 and set(written) == {"kept", "follow_refusal"}
    from assistant.answering.policy import FOLLOW_FEATURES, FollowRefusal

    assert written["follow_refusal"]["features"] == list(FOLLOW_FEATURES)
    fitted = FollowRefusal.fitted(out)
    assert fitted.model is not None and "--follow-refusal-only" in fitted.provenance
    assert written["follow_refusal"]["cross_validated"]["unanswerable"] == 3


def test_follow_refusal_is_validated_and_refuses_by_its_model(tmp_path) -> None:
    from assistant.answering.policy import FOLLOW_FEATURES, FollowRefusal

    n = len(FOLLOW_FEATURES)
    with pytest.raises(ValueError, match="follow-up model"):
        FollowRefusal(Logistic((0.0,) * len(FEATURES), 0.0, (0.0,) * len(FEATURES), (1.0,) * len(FEATURES)))
    with pytest.raises(ValueError, match="refuse_above"):
        FollowRefusal(refuse_above=1.5)
    foreign = Evidence({"foreign_chars": 1.6, "foreign_word_share": 1.0})
    assert FollowRefusal().decide(foreign) == (False, 0.0)  # unfitted: the old behaviour, never refuses
    # A model that reads only the foreign characters: refuses a question of foreign words, not one without.
    coef = tuple(2.0 if f == "foreign_chars" else 0.0 for f in FOLLOW_FEATURES)
    model = Logistic(coef, -1.0, (0.0,) * n, (1.0,) * n, FOLLOW_FEATURES)
    refusal = FollowRefusal(model, 0.5, "test")
    assert refusal.decide(foreign)[0] and not refusal.decide(Evidence({"foreign_chars": 0.0}))[0]
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps({"follow_refusal": refusal.to_json()}), encoding="utf-8")
    again = FollowRefusal.fitted(path)
    assert again.model == model and again.refuse_above == 0.5
    path.write_text(json.dumps({"follow_refusal": {**refusal.to_json(), "features": ["other"]}}), encoding="utf-8")
    assert FollowRefusal.fitted(path).model is None  # fitted for other features: not read


def test_the_fitted_follow_refusal_refuses_only_a_few_follow_ups_it_was_fitted_on() -> None:
    from assistant.answering.policy import FollowRefusal

    fitted = FollowRefusal.fitted()
    assert fitted.model is not None and "eval/calibrate.py" in fitted.provenance
    data = json.loads((paths.ROOT / "assistant" / "answering" / "calibration.json").read_text(encoding="utf-8"))
    held_out = data["follow_refusal"]["cross_validated"]
    assert held_out["answerable_refused"] <= 0.05 * held_out["answerable"]
    assert held_out["unanswerable_refused"] >= 0.5 * held_out["unanswerable"]


def test_without_a_model_dense_evidence_is_missing_not_low(hashing_index, seed) -> None:
    """Keywords only (the app's fallback): the fitted policy still answers a plain question."""
    from assistant.answering.dialogue import Assistant
    from assistant.corpus.catalogue import Catalogue
    from assistant.index.retriever import Retriever

    built, _ = hashing_index
    lexical_only = Assistant(Catalogue.of([seed]), Retriever(built, None, mode="lexical"))
    a = lexical_only.ask("网络运营者未要求用户提供真实身份信息的处罚", [])
    assert not a.refused and a.hits[0].seq == "72"
    assert "dense" not in a.evidence and "agree" not in a.evidence
    assert lexical_only.ask("明天天气怎么样", []).refused


def test_follow_up_settings_are_validated_and_fitted() -> None:
    from assistant.answering.policy import FollowUp

    with pytest.raises(ValueError, match="generic_share"):
        FollowUp(generic_share=1.5)
    fitted = FollowUp.fitted()
    assert "eval/calibrate.py" in fitted.provenance and 0 < fitted.with_marker <= fitted.without_marker <= 1


def test_cuts_are_placed_on_held_out_probabilities_so_noise_is_never_sure() -> None:
    """Features that carry no signal, 60 fitting rows: a model fitted on them separates its own rows
    by chance, and cuts placed on those probabilities called 18–139 of 300 new rows sure (seeds
    1, 3, 5). Placed on out-of-fold probabilities, they call (almost) none sure."""
    import random

    from assistant.evaluation.calibration import Row, fit

    sure = 0
    for seed in (1, 3, 5):
        rng = random.Random(seed)

        def rows(n: int, rng: random.Random = rng) -> list[Row]:
            out = []
            for i in range(n):
                answerable = rng.random() < 0.85
                out.append(Row("s", f"q{i}", tuple(rng.random() for _ in FEATURES), answerable,
                               answerable, answerable and rng.random() < 0.8))
            return out

        policy = fit(rows(60))
        sure += sum(policy.decide(Evidence(dict(zip(FEATURES, r.features, strict=True))))[1] == "sure"
                    for r in rows(300))
    assert sure <= 10


def test_a_sure_cut_needs_its_precision_bound_not_its_point_value() -> None:
    """Ten answers all right are a point precision of 1.0 but a Wilson bound of 0.91: no cut there;
    twenty all right (bound 0.952) set one."""
    from assistant.evaluation.calibration import Row, _sure_at, wilson_lower

    assert wilson_lower(19, 19, 1.0) == pytest.approx(0.95, abs=1e-3)
    assert wilson_lower(10, 10, 1.0) < 0.95 < wilson_lower(20, 20, 1.0)
    assert wilson_lower(0, 0, 1.0) == 0.0

    def rows(n_right: int, n_wrong: int) -> tuple[list[Row], list[float]]:
        out = [Row("s", f"r{i}", (0.0,) * len(FEATURES), True, True, True) for i in range(n_right)]
        out += [Row("s", f"w{i}", (0.0,) * len(FEATURES), True, True, False) for i in range(n_wrong)]
        return out, [1.0 - i / 1000 for i in range(len(out))]  # the right ones rank first

    assert _sure_at(*rows(10, 30)) == 1.0
    few, ps = rows(20, 30)
    assert _sure_at(few, ps) == pytest.approx(ps[19])  # the 20th answer's probability: the lowest cut that holds


def test_a_fit_reads_only_the_sections_fitted_in_its_own_run() -> None:
    """calibrate.py fits inside fitting_from: the package's calibration file is not read, so the fit
    does not depend on the calibration it starts from."""
    from assistant.answering import policy as policy_module
    from assistant.answering.rerank import KEEP_ORDER, ItemWeights
    from assistant.answering.select import DEFAULT, ExcerptWeights

    shipped = ExcerptWeights.fitted()
    assert shipped != DEFAULT  # the package ships a fit, so the check below can fail
    with policy_module.fitting_from({}) as fitted:
        assert ExcerptWeights.fitted() == DEFAULT and ItemWeights.fitted() == KEEP_ORDER
        assert RefusalPolicy.fitted() == policy_module.NEVER_REFUSE
        fitted["rerank"] = {"features": list(KEEP_ORDER.NAMES), "weights": [2.0] + [0.0] * (len(KEEP_ORDER.NAMES) - 1)}
        assert ItemWeights.fitted().weights[0] == 2.0  # a stage sees what an earlier stage fitted
    assert ExcerptWeights.fitted() == shipped


def test_the_sure_cut_is_widened_until_it_holds_on_sets_held_out() -> None:
    """Three sets where a quote is right when the second feature is high; in the third the high
    ones are wrong. Held out by set, one standard error calls that set's wrong answers sure; the
    fitted number of standard errors is the first whose held-out sure answers are right 95 % of
    the time, or that calls none sure."""
    import random

    from assistant.evaluation.calibration import SURE_PRECISION, SURE_ZS, Row, fit_sure_z, held_out_by_set

    rng = random.Random(7)
    rows = []
    for name, flipped in (("a", False), ("b", False), ("c", True)):
        for i in range(120):
            answerable = i % 6 != 0
            good = rng.random()
            features = tuple(1.0 if (k == 0 and answerable) else good if k == 1 else rng.random() * 0.1
                             for k in range(len(FEATURES)))
            right = answerable and ((good > 0.5) != flipped)
            rows.append(Row(name, f"{name}{i}", features, answerable, answerable, right))
    z, held = fit_sure_z(rows)
    assert z in SURE_ZS and held == held_out_by_set(rows, z)
    assert held["sure_right"] is None or held["sure_right"] >= SURE_PRECISION or z == SURE_ZS[-1]
    one = held_out_by_set(rows, SURE_ZS[0])
    assert one["sure_right"] is not None and one["sure_right"] < SURE_PRECISION  # the check can fail
    assert z > SURE_ZS[0]


def test_right_learns_that_an_answer_to_an_unanswerable_question_is_wrong() -> None:
    """Answers to questions no list answers look like right ones in every feature but one; the
    right model sees them (as wrong), so that feature lowers its probability."""
    import random

    from assistant.evaluation.calibration import Row, _models

    rng = random.Random(3)
    rows = []
    for i in range(200):
        answerable = i % 4 != 0
        features = tuple((0.0 if answerable else 1.0) if k == 0 else rng.random() for k in range(len(FEATURES)))
        rows.append(Row("s", str(i), features, answerable, answerable, answerable and rng.random() < 0.9))
    _, right = _models(rows)
    looks_right = Evidence(dict(zip(FEATURES, (0.0, *[0.5] * (len(FEATURES) - 1)), strict=True)))
    unanswerable_like = Evidence(dict(zip(FEATURES, (1.0, *[0.5] * (len(FEATURES) - 1)), strict=True)))
    assert right(unanswerable_like) < 0.3 < right(looks_right)


def test_a_few_held_out_sure_answers_all_right_do_not_prove_the_cut(monkeypatch) -> None:
    """Held out by set, 7 sure answers of 7 right is a point share of 1.0 but a lower bound of
    0.875 at one standard error: the next number of standard errors is taken."""
    from assistant.evaluation import calibration

    def held(rows, z):
        n = 7 if z == calibration.SURE_ZS[0] else 0
        return {"sure_right": 1.0 if n else None, "sure_answers": n, "sure_right_answers": n}

    monkeypatch.setattr(calibration, "held_out_by_set", held)
    z, found = calibration.fit_sure_z([])
    assert z == calibration.SURE_ZS[1] and found["sure_answers"] == 0


def test_a_sure_cut_that_calls_too_many_wrong_answers_sure_is_widened(monkeypatch) -> None:
    """Held out by set, 97 sure answers of 100 right clear the precision bound, but they are 6 % of
    the wrong answers: the next number of standard errors is taken."""
    from assistant.evaluation import calibration

    def held(rows, z):
        first = z == calibration.SURE_ZS[0]
        return {"sure_right": 0.97 if first else 0.99, "sure_answers": 100, "sure_right_answers": 97 if first else 99,
                "wrong_marked_sure": 0.06 if first else 0.02}

    monkeypatch.setattr(calibration, "held_out_by_set", held)
    z, found = calibration.fit_sure_z([])
    assert z == calibration.SURE_ZS[1] and found["wrong_marked_sure"] == 0.02


def test_in_scope_reads_the_answer_shape_not_at_all_and_right_does() -> None:
    """A shape feature (the quote is its whole field) that tells right quotes apart perfectly, and
    answerable questions too: ``right`` learns it, ``in_scope`` gives it no weight."""
    import random

    from assistant.answering.policy import SHAPE_FEATURES
    from assistant.evaluation.calibration import Row, _models

    at = FEATURES.index(SHAPE_FEATURES[1])
    rng = random.Random(5)
    rows = []
    for i in range(200):
        answerable = i % 4 != 0
        right = answerable and i % 3 != 0
        features = tuple(float(right) if k == at else rng.random() for k in range(len(FEATURES)))
        rows.append(Row("s", str(i), features, answerable, answerable, right))
    in_scope, right_model = _models(rows)
    assert in_scope.coef[at] == 0.0 and right_model.coef[at] > 1.0
    base = {f: 0.5 for f in FEATURES}
    whole, part = Evidence({**base, FEATURES[at]: 1.0}), Evidence({**base, FEATURES[at]: 0.0})
    assert in_scope(whole) == in_scope(part) and right_model(whole) > right_model(part)


def test_questions_found_by_a_number_place_no_policy_cut(hashing_assistant) -> None:
    """An article or code look-up is never refused by the policy nor called sure, so its answer is
    no row for the policy's cuts; a question found by search is."""
    from assistant.evaluation.calibration import _by_number

    assert _by_number(hashing_assistant, "网络安全法第六十九条说的是什么")
    assert _by_number(hashing_assistant, "编码11620500MB0305146K3620246005000是哪个事项")
    assert not _by_number(hashing_assistant, "不实名注册会被怎么罚")
    assert not _by_number(hashing_assistant, "")

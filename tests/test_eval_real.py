"""The dev set through the real assistant: every quote is a file slice; the runner's output."""

import json
from pathlib import Path

import pytest

from assistant import paths
from assistant.evaluation import score as evaluate

pytestmark = pytest.mark.slow
QUESTIONS = paths.ROOT / "eval" / "questions.jsonl"


@pytest.fixture(scope="module")
def dev_results(real_assistant):
    questions = evaluate.load_questions(QUESTIONS)
    return questions, evaluate.run(real_assistant.ask, questions)


def test_every_quote_of_every_dev_answer_is_verbatim(dev_results) -> None:
    _, results = dev_results
    files: dict[str, str] = {}
    checked = 0
    for r in results:
        for q in r["quotes"]:
            text = files.setdefault(q["source"], (paths.ROOT / q["source"]).read_text(encoding="utf-8"))
            assert text[q["start"]:q["end"]] == q["text"], (r["id"], q)
            checked += 1
    assert checked > 500


def test_runner_lines_carry_the_documented_fields(dev_results) -> None:
    questions, results = dev_results
    assert len(results) == len(questions) >= 140
    for r in results:
        assert {"id", "ranked_items", "latency_ms", "refused", "quotes", "interpretation", "answer"} <= set(r)
    answerable = [r for q, r in zip(questions, results, strict=True) if q["gold_items"]]
    assert all(len(r["ranked_items"]) >= 5 for r in answerable if not r["refused"])


def test_dev_metrics_meet_the_bar(dev_results) -> None:
    questions, results = dev_results
    m = evaluate.score(questions, results)
    overall = m["overall"]
    # The acceptance figures of the retrieval and answer issues, on our own dev set. quote_hit@3
    # was 0.95 while the excerpt rules were written on this set; chosen from evidence with fitted
    # weights it holds 0.92-0.93 here and gains on the other lists (eval/README.md).
    assert overall["recall@1"] >= 0.90 and overall["recall@3"] >= 0.97
    assert overall["quote_hit@1"] >= 0.85 and overall["quote_hit@3"] >= 0.90
    # Refusal was 0.93 with thresholds set on this very set; one policy fitted on six tuning sets of
    # three lists refuses 25-26 of these 29 (eval/README.md has the report-set figures).
    assert overall["refusal_accuracy"] >= 0.85 and overall["false_refusals"] <= 0.05
    assert m["multi_turn"]["recall@1"] >= 0.85


def test_questions_are_well_formed_and_labels_hold(seed) -> None:
    items = {i.seq: i for i in seed.items}
    questions = evaluate.load_questions(QUESTIONS)
    assert len({q["id"] for q in questions}) == len(questions)
    assert sum(1 for q in questions if not q["gold_items"]) >= 15
    assert sum(1 for q in questions if q["turns"]) >= 15
    for q in questions:
        for g in q["gold_items"]:
            assert q["must_quote"] in items[g].value(seed.source, q["gold_field"]), q["id"]


def test_malformed_question_file_names_the_line(tmp_path: Path) -> None:
    f = tmp_path / "q.jsonl"
    f.write_text(json.dumps({"id": "a", "question": "x", "gold_items": [], "gold_field": None,
                             "must_quote": "", "kind": "k", "turns": None}) + "\n{oops\n", encoding="utf-8")
    with pytest.raises(evaluate.QuestionSetError, match="line 2"):
        evaluate.load_questions(f)


def test_an_external_list_report_set_runs_end_to_end_with_the_real_model(real_model_path) -> None:
    """A report set over a list from another office (read from ../shared, never committed):
    every quote a slice of that list's file, every figure computed."""
    from assistant.evaluation import sets as evsets
    from assistant.index.embed import SentenceTransformerEmbedder

    chosen = evsets.load_sets(paths.ROOT / "eval" / "sets.json", names=["report-alar-cac-2021"])
    if not chosen or not chosen[0].available:
        pytest.skip("../shared/external-lists is not here")
    per_set = evsets.run_sets(chosen, SentenceTransformerEmbedder(real_model_path))
    questions, results = per_set["report-alar-cac-2021"]
    assert evsets.verbatim_failures(results) == []
    assert any(q["source"].endswith("alar-cac-2021.txt") for r in results for q in r["quotes"])
    row = evsets.headline(questions, results)
    assert row["n"] == len(questions) >= 10 and row["item_first"] is not None
    assert all(r["confidence"] in ("sure", "likely") for r in results if not r["refused"])


def test_traditional_and_typo_twins_get_the_simplified_answer(real_assistant) -> None:
    plain = real_assistant.ask("企业拒绝配合网信部门监督检查会怎样", [])
    for variant in ("企業拒絕配合網信部門監督檢查會怎樣", "企业拒决配合网信部门监督检查会怎样"):
        a = real_assistant.ask(variant, [])
        assert not a.refused and a.hits[0].item_key == plain.hits[0].item_key, variant

"""The follow-up vote: which reading of a follow-up decides its item, with weights fitted on
follow-ups of lists held out."""

import json

from assistant.answering.follow_vote import FEATURES, RULES_STAND, Candidate, FollowVote, candidates
from assistant.evaluation.calibration import (
    VoteRow,
    cross_validate_follow_vote,
    fit_follow_vote,
    vote_hits,
)
from assistant.present.render import to_markdown
from assistant.types import ItemHit

HELD = {"a": True, "b": False, "c": True}


def test_candidates_put_the_rules_choice_first_and_each_item_once() -> None:
    offered = candidates("b", "a", "c", "b", follows=True, has_penalty=HELD)
    assert [c.key for c in offered] == ["b", "a", "c"]
    rules, focus, conversation = offered
    assert rules.rules and rules.named_first and rules.no_penalty and not rules.stays_on_follow_up
    assert focus.stays_on_follow_up and not focus.rules and not focus.no_penalty
    assert conversation.conversation_first and not conversation.no_penalty
    # Not asked 罚: every item can answer it (Assistant._has_penalty), so none is held against for
    # lacking a penalty; not a follow-up: none stays.
    quiet = candidates("b", "a", None, None, follows=False, has_penalty=dict.fromkeys(HELD, True))
    assert [c.key for c in quiet] == ["b", "a"] and not any(c.no_penalty or c.stays_on_follow_up for c in quiet)


def test_the_vote_picks_the_best_scored_and_ties_go_to_the_rules() -> None:
    offered = candidates("b", "a", "c", "c", follows=True, has_penalty=dict.fromkeys(HELD, True))
    assert RULES_STAND.choose(offered) == 0  # unfitted, the rules decide
    assert FollowVote((1.0, 2.0, 0.0, 0.0, 0.0)).choose(offered) == 2  # the conversation's reading outweighs
    assert FollowVote((1.0, 0.0, 0.0, 0.0, 1.0)).choose(offered) == 0  # a tie: the rules' choice
    assert FollowVote((0.0, 0.0, 0.0, 0.0, 0.0)).choose(offered) == 0
    lone = [Candidate("a", True, False, False, True, False)]
    assert FollowVote((0.0, 0.0, 0.0, -5.0, 0.0)).choose(lone) == 0  # one candidate: it is the answer


def test_the_fitted_vote_is_read_only_for_its_own_features(tmp_path) -> None:
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps({"follow_vote": {"features": list(FEATURES), "weights": [1, 2, 3, -4, 0.5],
                                                "provenance": "eval/calibrate.py test"}}), encoding="utf-8")
    vote = FollowVote.fitted(path)
    assert vote.weights == (1.0, 2.0, 3.0, -4.0, 0.5) and vote.provenance == "eval/calibrate.py test"
    path.write_text(json.dumps({"follow_vote": {"features": ["rules"], "weights": [1]}}), encoding="utf-8")
    assert FollowVote.fitted(path) is RULES_STAND
    assert FollowVote.fitted(tmp_path / "absent.json") is RULES_STAND


def _row(list_name: str, n: int, gold_at: int, conversation_at: int) -> VoteRow:
    features = tuple((float(i == 0), float(i == conversation_at), 0.0, 0.0, float(i == 1)) for i in range(3))
    return VoteRow(f"{list_name}:{n}", list_name, features, tuple(i == gold_at for i in range(3)))


def test_the_vote_fit_learns_the_reading_that_finds_the_gold_item_on_lists_held_out() -> None:
    # On every list the conversation's reading finds the gold item in 3 of 4 follow-ups; the rules in 1.
    rows = [_row(name, n, gold_at=2 if n % 4 else 0, conversation_at=2) for name in "xyz" for n in range(12)]
    start = RULES_STAND.weights
    assert vote_hits(rows, start) == 9
    weights = fit_follow_vote(rows, start)
    assert weights[FEATURES.index("conversation_first")] > weights[FEATURES.index("rules")]
    assert vote_hits(rows, weights) == 27
    per_list = cross_validate_follow_vote(rows, start)
    assert [(f["list"], f["follow_ups"], f["rules"], f["vote"]) for f in per_list] == [
        ("x", 12, 3, 9), ("y", 12, 3, 9), ("z", 12, 3, 9)]
    assert fit_follow_vote(rows[:3], start) == start  # too few to fold: the rules stand


def test_a_fitted_vote_moves_a_follow_up_off_the_rules_choice(hashing_assistant) -> None:
    """After an answer on real names (72) whose user turn named 关键信息基础设施, the rules move the
    follow-up to 75 (the conversation read whole); a vote that weighs staying on the answer's item
    above the rules keeps it on 72, and its hits lead with 72."""
    a = hashing_assistant
    first = a.ask("网络运营者未要求用户提供真实身份信息罚多少", [])
    history = [{"role": "user", "content": "关键信息基础设施采购未经安全审查的网络产品"},
               {"role": "assistant", "content": to_markdown(first)}]
    question = "那对直接负责的主管人员呢"
    assert a.ask(question, history).focus == ("tianshui-cac-power-list#75",)
    a.follow_vote = FollowVote((1.0, 0.0, 0.0, 0.0, 2.0))
    stayed = a.ask(question, history)
    assert stayed.focus == ("tianshui-cac-power-list#72",) and stayed.hits[0].item_key == stayed.focus[0]


def test_an_item_lacking_the_step_asked_is_not_offered_while_another_holds_it() -> None:
    steps = {"a": False, "b": True, "c": False}
    offered = candidates("a", "c", "b", None, follows=True, has_penalty=dict.fromkeys(HELD, True), has_step=steps)
    assert [c.key for c in offered] == ["b"] and offered[0].conversation_first and not offered[0].rules
    nobody = {"a": False, "b": False, "c": False}  # none holds it: every reading stays in
    assert len(candidates("a", "c", "b", None, True, HELD, nobody)) == 3


def test_the_vote_may_keep_the_conversations_item_when_no_reading_found_it(hashing_assistant) -> None:
    """Every reading led elsewhere, yet the vote stays: the answer leads with the conversation's item."""
    from dataclasses import replace

    from assistant.answering.dialogue import Turn

    a = hashing_assistant
    stay, other = "tianshui-cac-power-list#72", "tianshui-cac-power-list#75"
    item = a.catalogue.items[other]
    hit = ItemHit(item_key=other, seq=item.seq, name=a.catalogue.name(item), score=1.0, scores={}, ranks={},
                  chunks=())
    query = a.understander.understand("那对直接负责的主管人员呢")
    turn = Turn([hit], (other,), query.intent, list(query.expanded), None, None, "follow")
    a.follow_vote = FollowVote((0.0, 0.0, 0.0, 0.0, 1.0))
    voted = a._voted(turn, query, (stay,), True, [hit], [hit])
    assert voted.focus == (stay,) and voted.hits[0].item_key == stay and voted.route == "follow"
    assert replace(voted, hits=[], focus=()) == replace(turn, hits=[], focus=())  # nothing else changed

"""Which item a question asked after an answer is about: a fitted vote between readings.

A follow-up is read several ways, each with its own blind spot: the conversation's rules (stay on
the last answer's item, or move to the item the whole conversation leads to, or to a sibling the
question's own words name), the whole conversation searched as one question (it finds the item a
first question left open, but drowns a follow-up's new matter in the old one), and the question
read with the last item's name (it finds the sibling, but leans on the old item). Each candidate
item gets one feature per reading that puts it first, one for being the conversation's item when
the question reads as a follow-up, and a penalty for being asked 罚多少 while holding no penalty.
``eval/calibrate.py`` fits the weights (a conditional logit over the candidates, each list held
out in turn to measure it); unfitted, the rules' choice stands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from assistant.answering.policy import CALIBRATION, LinearWeights, fitted_weights

FEATURES = ("rules", "conversation_first", "named_first", "no_penalty", "stays_on_follow_up")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One item a follow-up may be about, and what each reading said of it."""

    key: str
    rules: bool  # the conversation's rules chose it
    conversation_first: bool  # the whole conversation, searched as one question, puts it first
    named_first: bool  # the question read with the last answer's item name puts it first
    no_penalty: bool  # a penalty is asked (罚) and the item speaks of none
    stays_on_follow_up: bool  # the conversation's item, and the question reads as a follow-up

    def vector(self) -> tuple[float, ...]:
        return (float(self.rules), float(self.conversation_first), float(self.named_first),
                float(self.no_penalty), float(self.stays_on_follow_up))


class FollowVote(LinearWeights):
    NAMES: ClassVar[tuple[str, ...]] = FEATURES

    @classmethod
    def fitted(cls, path: Path = CALIBRATION) -> FollowVote:
        found = fitted_weights("follow_vote", FEATURES, path)
        return cls(*found) if found else RULES_STAND

    def choose(self, candidates: Sequence[Candidate]) -> int:
        """The index of the best-scored candidate; ties go to the earlier one (the rules' first)."""
        scores = [self.score(c.vector()) for c in candidates]
        return max(range(len(scores)), key=lambda i: (scores[i], -i))


# Before calibration: the conversation's rules decide, as they did before the vote.
RULES_STAND = FollowVote((1.0, 0.0, 0.0, 0.0, 0.0), "uncalibrated")


def candidates(rules: str, focus: str, conversation: str | None, named: str | None, follows: bool,
               has_penalty: dict[str, bool], has_step: dict[str, bool] | None = None) -> list[Candidate]:
    """The items any reading puts first, the rules' choice first, then the conversation's item.
    ``has_penalty``: whether each can answer the penalty asked (every item, when none is asked).
    An item whose duties lack the procedure step asked (``has_step``: 立案以后 after an inspection)
    is not offered while another holds it: its text would be quoted as a step it does not have."""
    keys = list(dict.fromkeys(k for k in (rules, focus, conversation, named) if k is not None))
    if has_step is not None and any(has_step[k] for k in keys):
        keys = [k for k in keys if has_step[k]]
    return [Candidate(k, k == rules, k == conversation, k == named, not has_penalty[k], k == focus and follows)
            for k in keys]

"""Re-rank the retrieved items with evidence the fused score does not see.

Sibling items (擅自出售演出门票 vs 没有现场演唱记录) differ mostly in their names and
in the kind of power they are (处罚, 许可, 强制 …). For each of the top items the
features are: its fused score and each signal's score relative to the leader, the
share of the question's weight (IDF) and character pairs its name holds, whether its
power type is the kind the question asks about, whether it is about acting without a
permit when the question is, and its place. One linear score,
weights fitted by ``eval/calibrate.py`` (``ItemWeights``); the order of the rest is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from assistant.answering.policy import CALIBRATION, LinearWeights, fitted_weights
from assistant.types import ItemHit
from assistant.vocabulary import LACKS_PERMIT_ASKED, LACKS_PERMIT_NAMED, POWER_KIND_CUES

FEATURES = ("fused", "dense", "lexical", "name_share", "name_pairs", "type_match", "place", "lacks_permit",
            "basis_share")
DEPTH = 10  # items re-ranked: the gold item is within the first 10 for nearly every tuning question


@dataclass(frozen=True, slots=True)
class ItemWeights(LinearWeights):
    NAMES: ClassVar[tuple[str, ...]] = FEATURES

    @classmethod
    def fitted(cls, path: Path = CALIBRATION) -> ItemWeights:
        found = fitted_weights("rerank", FEATURES, path)
        return cls(*found) if found else KEEP_ORDER


# Before calibration: the retrieval order as it is.
KEEP_ORDER = ItemWeights((1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0), "uncalibrated")


def asked_kinds(text: str) -> tuple[str, ...]:
    """The kinds of power (处罚, 许可 …: core words of 权力事项类型) the question's words point at."""
    return tuple(kind for kind, cues in POWER_KIND_CUES.items() if any(c in text for c in cues))


def features(text: str, words: Mapping[str, float], pairs: frozenset[str], hits: Sequence[ItemHit],
             kinds_of: Mapping[str, str], basis_of: Callable[[str], str] | None = None) -> list[tuple[float, ...]]:
    """One feature vector per hit. ``words``: the question's words with IDF weights;
    ``kinds_of``: item key → its 权力事项类型; ``basis_of``: item key → its 实施依据 text, where
    sibling items differ in the conduct they spell out (both names may say 违反…规定的处罚)."""
    if not hits:
        return []
    asked = asked_kinds(text)
    lacks = bool(LACKS_PERMIT_ASKED.search(text))
    top = hits[0]
    # An item found by BM25 alone has no dense score (-1): read it as the lowest one seen.
    seen = [h.scores["dense"] for h in hits if h.scores.get("dense", -1.0) >= 0.0]
    floor = min(seen, default=0.0)

    def dense(h: ItemHit) -> float:
        d = h.scores.get("dense", -1.0)
        return d if d >= 0.0 else floor

    total = sum(words.values())
    lex_max = max((h.scores.get("lexical", 0.0) for h in hits), default=0.0) or 1.0
    out = []
    for n, h in enumerate(hits):
        name = h.name
        kind = kinds_of.get(h.item_key, "")
        # Without a cue the type says nothing either way: halfway.
        match = (1.0 if any(a in kind for a in asked) else 0.0) if asked else 0.5
        out.append((
            h.score / top.score if top.score else 0.0,
            dense(h) - dense(top),
            h.scores.get("lexical", 0.0) / lex_max,
            _share(words, name, total),
            sum(1 for p in pairs if p in name) / len(pairs) if pairs else 0.0,
            match,
            1.0 / (n + 1),
            # Asked about acting without a permit: whether the item's name is about that (halfway
            # when the question does not say).
            float(bool(LACKS_PERMIT_NAMED.search(name))) if lacks else 0.5,
            _share(words, basis_of(h.item_key), total) if basis_of is not None else 0.0,
        ))
    return out


def _share(words: Mapping[str, float], text: str, total: float) -> float:
    """The share of the question's weight (``total``) that ``text`` holds."""
    return sum(w for t, w in words.items() if t in text) / total if total else 0.0


def rerank(hits: list[ItemHit], vectors: list[tuple[float, ...]], weights: ItemWeights) -> list[ItemHit]:
    """The first DEPTH hits in score order (ties keep retrieval order), then the rest as they were."""
    return ordered(hits, scores(vectors, weights))


def scores(vectors: Sequence[tuple[float, ...]], weights: ItemWeights) -> list[float]:
    """The re-ranker's score of each of the first DEPTH hits' feature vectors."""
    return [weights.score(x) for x in vectors[:DEPTH]]


def ordered(hits: list[ItemHit], scored: Sequence[float]) -> list[ItemHit]:
    """``rerank`` with the first DEPTH hits' scores given."""
    head = hits[:DEPTH]
    ranked = [(s, -n, h) for n, (h, s) in enumerate(zip(head, scored, strict=True))]
    return [h for _, _, h in sorted(ranked, key=lambda t: (t[0], t[1]), reverse=True)] + hits[DEPTH:]

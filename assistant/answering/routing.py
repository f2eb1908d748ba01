"""Which offices hold a matter: the answer to 归哪个部门管 / 找谁 over several offices' lists.

The items are retrieved over every served list as for any question, and each office is
represented by its best item. The leading item's office comes first. Another office is
named as well when its best item speaks for the matter nearly as well as the leader's (a
matter split between offices: a lift's maintenance and a lift's installation site): a logistic
model reads how its item compares with the leader (retrieval and re-ranking scores, place, the
share of the question its name and its 实施依据 hold), fitted with its cut by eval/calibrate.py on
the routing tuning sets; without it, the item's retrieval score against the leader's
(``split_ratio``). An office is only ever named through an item of its own list, so none is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.answering import rerank
from assistant.answering.policy import CALIBRATION, Evidence, Logistic, calibration
from assistant.types import ItemHit, LegalRef

DEPTH = 20  # items searched for a routing question: offices beyond the first few items rarely hold it
MAX_OFFICES = 3
CLOSEST = 5  # leading items whose texts the refusal evidence reads for the question's closest match


# How another office's best item compares with the leading item (``split_values``).
SPLIT_FEATURES = ("fused_ratio", "place", "rerank_gap", "office_rank", "name_gap", "basis_gap", "dense_gap",
                  "name_twin", "law_share", "article_share")
SPLIT_DEPTH = 10  # places searched for another office: the re-ranker reads the first 10 items


@dataclass(frozen=True, slots=True)
class RoutingWeights:
    """``split_model``: the probability that another office's best item (among the first
    SPLIT_DEPTH) holds the matter too, read from SPLIT_FEATURES; it is named at ``split_above`` or
    more. Without a model: when its best item's fused score is at least ``split_ratio`` of the
    leading item's, among the first ``depth`` items."""

    split_ratio: float
    depth: int = 10
    dense_weight: float | None = None  # the routing search's share of the dense signal (None: as for any question)
    provenance: str = ""
    split_model: Logistic | None = None
    split_above: float = 0.5

    def __post_init__(self) -> None:
        if not 0.0 <= self.split_ratio <= 2.0 or not 1 <= self.depth <= DEPTH:
            raise ValueError(f"split_ratio in [0, 2] and depth in [1, {DEPTH}], got {self.split_ratio}, {self.depth}")
        if self.dense_weight is not None and not 0.0 <= self.dense_weight <= 1.0:
            raise ValueError(f"dense_weight in [0, 1], got {self.dense_weight}")
        if not 0.0 <= self.split_above <= 1.0:
            raise ValueError(f"split_above in [0, 1], got {self.split_above}")
        if self.split_model is not None and self.split_model.names != SPLIT_FEATURES:
            raise ValueError(f"a split model reads {SPLIT_FEATURES}, got {self.split_model.names}")

    def to_json(self) -> dict[str, object]:
        return {"split_ratio": self.split_ratio, "depth": self.depth, "dense_weight": self.dense_weight,
                "split_features": list(SPLIT_FEATURES),
                "split_model": self.split_model.to_json() if self.split_model else None,
                "split_above": self.split_above, "provenance": self.provenance}

    @classmethod
    def fitted(cls, path: Path = CALIBRATION) -> RoutingWeights:
        section = calibration(path).get("routing")
        try:
            weight = section.get("dense_weight")  # type: ignore[union-attr]
            model = section.get("split_model")  # type: ignore[union-attr]
            if model is not None and tuple(section.get("split_features", ())) != SPLIT_FEATURES:  # type: ignore[union-attr]
                model = None  # fitted on other features: the ratio alone
            return cls(float(section["split_ratio"]), int(section["depth"]),  # type: ignore[index]
                       None if weight is None else float(weight), str(section.get("provenance", "")),  # type: ignore[union-attr]
                       None if model is None else Logistic.from_json(model, SPLIT_FEATURES),
                       float(section.get("split_above", 0.5)))  # type: ignore[union-attr]
        except (KeyError, TypeError, ValueError, AttributeError):
            return ONE_OFFICE

    def names_by_model(self, values: Mapping[str, float] | None) -> bool:
        """Whether the split model names an office whose best item compares with the leader as
        ``values`` (``split_values``) say; never for an item beyond its reach (None)."""
        return (values is not None and self.split_model is not None
                and self.split_model(Evidence(values)) >= self.split_above)

    def names_by_ratio(self, ratio: float, place: int) -> bool:
        """Whether the rule without a model names an office whose best item scores ``ratio`` of the
        leader's, at ``place``."""
        return place < self.depth and ratio >= self.split_ratio


# Before calibration: the leading item's office only.
ONE_OFFICE = RoutingWeights(split_ratio=2.0, depth=1, provenance="uncalibrated")


def list_of(item_key: str) -> str:
    return item_key.split("#", 1)[0]


def ratios(hits: Sequence[ItemHit], office_of: Callable[[str], str]) -> list[tuple[str, ItemHit, float, int]]:
    """Each office among ``hits`` by its best (first) item: (office, item, score relative to the
    leading item, place of that item), in the order the offices first appear."""
    if not hits:
        return []
    top = hits[0].score
    seen: set[str] = set()
    out = []
    for n, h in enumerate(hits):
        office = office_of(list_of(h.item_key))
        if office in seen:
            continue
        seen.add(office)
        out.append((office, h, h.score / top if top > 0 else 0.0, n))
    return out


# How alike two offices' items are, by key: (name_twin, law_share, article_share), see ``kinship``.
Kin = Callable[[str, str], tuple[float, float, float]]
_NAME_FRAME = re.compile(r"^对|的?(?:行政)?处罚$|行为|[^\u4e00-\u9fff]")
_LAW_PREFIX = re.compile(r"^中华人民共和国")


def _bigrams(name: str) -> set[str]:
    core = _NAME_FRAME.sub("", name)
    return {core[i:i + 2] for i in range(len(core) - 1)}


def kinship(name_a: str, refs_a: Sequence[LegalRef], name_b: str, refs_b: Sequence[LegalRef]
            ) -> tuple[float, float, float]:
    """How alike two items of different offices are: the share of character pairs their names have
    in common (Dice, without the 对…的处罚 frame), and the share of the laws and of the articles they
    cite that both cite. A matter split between offices is mostly one violation each office punishes
    under its own sector (船舶 and 渔业船舶 未配置防污染设备), often under the same article."""
    a, b = _bigrams(name_a), _bigrams(name_b)
    twin = 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0
    laws_a = {_LAW_PREFIX.sub("", r.law) for r in refs_a}
    laws_b = {_LAW_PREFIX.sub("", r.law) for r in refs_b}
    arts_a = {(_LAW_PREFIX.sub("", r.law), r.article) for r in refs_a}
    arts_b = {(_LAW_PREFIX.sub("", r.law), r.article) for r in refs_b}
    laws = len(laws_a & laws_b) / min(len(laws_a), len(laws_b)) if laws_a and laws_b else 0.0
    arts = len(arts_a & arts_b) / min(len(arts_a), len(arts_b)) if arts_a and arts_b else 0.0
    return twin, laws, arts


# An item's re-ranking reading (rerank.features and the re-ranker's score), by item key.
Readings = Mapping[str, tuple[float, Sequence[float]]]


def split_values(found: Sequence[tuple[str, ItemHit, float, int]], readings: Readings, kin: Kin | None = None
                 ) -> list[dict[str, float] | None]:
    """For each office after the first (``ratios``), how its best item compares with the leading
    item (``kin``: how alike the two items are; 0 without it): None for an item beyond SPLIT_DEPTH
    or without a re-ranking reading (every one when the leading item has none)."""
    if not found or found[0][1].item_key not in readings:
        return [None] * max(0, len(found) - 1)
    lead_score, lead = readings[found[0][1].item_key]
    at = rerank.FEATURES.index
    out: list[dict[str, float] | None] = []
    for rank, (_, hit, ratio, place) in enumerate(found[1:], 1):
        reading = readings.get(hit.item_key)
        if reading is None or place >= SPLIT_DEPTH:
            out.append(None)
            continue
        score, x = reading
        twin, laws, arts = kin(found[0][1].item_key, hit.item_key) if kin else (0.0, 0.0, 0.0)
        out.append({"fused_ratio": ratio, "place": 1.0 / (place + 1), "rerank_gap": score - lead_score,
                    "office_rank": float(rank), "name_gap": x[at("name_share")] - lead[at("name_share")],
                    "basis_gap": x[at("basis_share")] - lead[at("basis_share")],
                    "dense_gap": x[at("dense")] - lead[at("dense")], "name_twin": twin, "law_share": laws,
                    "article_share": arts})
    return out


def offices(hits: Sequence[ItemHit], office_of: Callable[[str], str],
            weights: RoutingWeights, several: bool = False, readings: Readings | None = None,
            kin: Kin | None = None) -> list[tuple[str, ItemHit]]:
    """The offices to name, each with its item: the leader's, then those whose items speak for the
    matter nearly as well (``readings``: the re-ranker's, for the split model).
    ``several``: the question asks for more than one (分别找谁): another office is named however far
    below the leader it is, the one the split model rates likeliest (else the next one found)."""
    found = ratios(hits, office_of)
    values: list[dict[str, float] | None] = [None] * max(0, len(found) - 1)
    if weights.split_model is not None and readings is not None:
        values = split_values(found, readings, kin)
        chosen = found[:1] + [f for f, v in zip(found[1:], values, strict=True) if weights.names_by_model(v)]
    else:
        chosen = found[:1] + [f for f in found[1:] if weights.names_by_ratio(f[2], f[3])]
    if several and len(chosen) == 1 and len(found) > 1:
        # The other office the split model rates likeliest, else the next one found.
        model = weights.split_model
        rated = [(model(Evidence(v)), n) for n, v in enumerate(values) if v is not None] if model else []
        chosen.append(found[1 + max(rated)[1]] if rated else found[1])
    return [(office, hit) for office, hit, _, _ in chosen[:MAX_OFFICES]]

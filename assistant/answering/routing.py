"""Which offices hold a matter: the answer to 归哪个部门管 / 找谁 over several offices' lists.

The items are retrieved over every served list as for any question, and each office is
represented by its best item. The leading item's office comes first. Another office is
named as well when its best item scores nearly as high as the leader (a matter split
between offices: a lift's maintenance and a lift's installation site); how near is the
fitted ``split_ratio`` (eval/calibrate.py, on the routing tuning set). An office is only
ever named through an item of its own list, so none is guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.answering.policy import CALIBRATION, calibration
from assistant.types import ItemHit

DEPTH = 20  # items searched for a routing question: offices beyond the first few items rarely hold it
MAX_OFFICES = 3
CLOSEST = 5  # leading items whose texts the refusal evidence reads for the question's closest match


@dataclass(frozen=True, slots=True)
class RoutingWeights:
    """``split_ratio``: another office is named when its best item's fused score is at least this
    share of the leading item's, among the first ``depth`` items."""

    split_ratio: float
    depth: int = 10
    dense_weight: float | None = None  # the routing search's share of the dense signal (None: as for any question)
    provenance: str = ""

    def __post_init__(self) -> None:
        if not 0.0 <= self.split_ratio <= 2.0 or not 1 <= self.depth <= DEPTH:
            raise ValueError(f"split_ratio in [0, 2] and depth in [1, {DEPTH}], got {self.split_ratio}, {self.depth}")
        if self.dense_weight is not None and not 0.0 <= self.dense_weight <= 1.0:
            raise ValueError(f"dense_weight in [0, 1], got {self.dense_weight}")

    def to_json(self) -> dict[str, object]:
        return {"split_ratio": self.split_ratio, "depth": self.depth, "dense_weight": self.dense_weight,
                "provenance": self.provenance}

    @classmethod
    def fitted(cls, path: Path = CALIBRATION) -> RoutingWeights:
        section = calibration(path).get("routing")
        try:
            weight = section.get("dense_weight")  # type: ignore[union-attr]
            return cls(float(section["split_ratio"]), int(section["depth"]),  # type: ignore[index]
                       None if weight is None else float(weight), str(section.get("provenance", "")))  # type: ignore[union-attr]
        except (KeyError, TypeError, ValueError, AttributeError):
            return ONE_OFFICE


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


def offices(hits: Sequence[ItemHit], office_of: Callable[[str], str],
            weights: RoutingWeights, several: bool = False) -> list[tuple[str, ItemHit]]:
    """The offices to name, each with its item: the leader's, then those close enough to it.
    ``several``: the question asks for more than one (分别找谁): the next office the search found
    is named however far below the leader it is."""
    found = ratios(hits, office_of)
    chosen = found[:1] + [f for f in found[1:] if f[3] < weights.depth and f[2] >= weights.split_ratio]
    if several and len(chosen) == 1:
        chosen += found[1:2]
    return [(office, hit) for office, hit, _, _ in chosen[:MAX_OFFICES]]

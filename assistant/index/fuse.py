"""Fusion of ranked signals. Pure functions: scores in, scores out."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

FUSIONS = ("rrf", "minmax")
# RRF's constant: 60 is the value of the original paper (Cormack et al. 2009);
# with 1-based ranks it damps the gap between rank 1 and rank 2 so neither
# signal dominates. Our corpus is small, so the choice matters little; the
# measurement in eval/README.md picked item-level minmax; its dense weight is fitted by eval/calibrate.py.
RRF_K = 60


def ranks(scores: np.ndarray, positive_only: bool = False) -> np.ndarray:
    """1-based rank of every entry (ties broken by position); 0 where excluded."""
    order = np.argsort(-scores, kind="stable")
    out = np.zeros(len(scores), dtype=np.int64)
    out[order] = np.arange(1, len(scores) + 1)
    if positive_only:
        out[scores <= 0] = 0
    return out


def rrf(rank_lists: Mapping[str, np.ndarray], weights: Mapping[str, float], k: int = RRF_K) -> np.ndarray:
    total = None
    for name, r in rank_lists.items():
        part = np.where(r > 0, weights.get(name, 1.0) / (k + r), 0.0)
        total = part if total is None else total + part
    assert total is not None
    return total


def minmax(score_lists: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """Weighted sum of scores scaled to [0, 1] per signal; a flat signal adds nothing."""
    total = None
    for name, s in score_lists.items():
        lo, hi = float(s.min()), float(s.max())
        part = (s - lo) / (hi - lo) if hi > lo else np.zeros_like(s)
        part = weights.get(name, 1.0) * part
        total = part if total is None else total + part
    assert total is not None
    return total


def check_fusion(name: str) -> str:
    if name not in FUSIONS:
        raise ValueError(f"unknown fusion {name!r}; choose one of {', '.join(FUSIONS)}")
    return name

"""Rows grouped by what they share (a vector, a text): the lists repeat themselves, so the
indexes hold each distinct thing once and map rows to it."""

from __future__ import annotations

import numpy as np


class Groups:
    """``group_of_row[row]`` names each row's group; ``rows(ids)`` lists the rows of groups."""

    def __init__(self, group_of_row: np.ndarray) -> None:
        self.group_of_row = np.asarray(group_of_row, dtype=np.int64)
        self._order = np.argsort(self.group_of_row, kind="stable")
        n = int(self.group_of_row.max(initial=-1)) + 1
        self._bounds = np.searchsorted(self.group_of_row[self._order], np.arange(n + 1))

    def __len__(self) -> int:
        return len(self._bounds) - 1

    def rows(self, ids: np.ndarray, limit: int | None = None) -> np.ndarray:
        """Rows of each group in ``ids``, group by group in that order (rows ascending within a
        group); with ``limit``, stop once that many rows are listed."""
        ids = np.asarray(ids, dtype=np.int64)
        starts = self._bounds[ids]
        counts = self._bounds[ids + 1] - starts
        if limit is not None:
            # Groups after the one that reaches the limit are not listed at all.
            reach = np.searchsorted(np.cumsum(counts), limit)
            starts, counts = starts[:reach + 1], counts[:reach + 1]
        total = int(counts.sum())
        if not total:
            return np.zeros(0, np.int64)
        # Each output position's offset within its group, added to its group's start.
        within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        rows = self._order[np.repeat(starts, counts) + within]
        return rows if limit is None else rows[:limit]


def top(scores: np.ndarray, k: int) -> np.ndarray:
    """Ids of the ``k`` highest positive scores, best first (ties in id order)."""
    positive = np.flatnonzero(scores > 0)
    if len(positive) > k:
        # argpartition: linear in the number of groups, where a full sort is not.
        positive = positive[np.argpartition(-scores[positive], k - 1)[:k]]
        positive.sort()
    return positive[np.argsort(-scores[positive], kind="stable")]

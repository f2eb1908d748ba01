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
        out: list[np.ndarray] = []
        total = 0
        for i in ids:
            rows = self._order[self._bounds[i]:self._bounds[i + 1]]
            out.append(rows)
            total += len(rows)
            if limit is not None and total >= limit:
                break
        rows = np.concatenate(out) if out else np.zeros(0, np.int64)
        return rows if limit is None else rows[:limit]


def top(scores: np.ndarray, k: int) -> np.ndarray:
    """Ids of the ``k`` highest positive scores, best first (ties in id order)."""
    positive = np.flatnonzero(scores > 0)
    if len(positive) > k:
        # argpartition: linear in the number of groups, where a full sort is not.
        positive = positive[np.argpartition(-scores[positive], k - 1)[:k]]
        positive.sort()
    return positive[np.argsort(-scores[positive], kind="stable")]

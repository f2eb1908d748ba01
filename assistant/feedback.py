"""Feedback on answers, kept in a SQLite file in the data folder (outside git)."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

REASONS = ("不准确", "不相关", "不完整", "引用错误", "已过时")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    reason TEXT,
    comment TEXT,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL
)
"""
MAX_COMMENT = 2000


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def add(self, *, rating: str, question: str, answer: str, citations: list[dict],
            reason: str | None = None, comment: str = "") -> int:
        """Raises ValueError for a rating or reason outside the fixed choices."""
        if rating not in ("up", "down"):
            raise ValueError(f"rating must be 'up' or 'down', got {rating!r}")
        if reason and reason not in REASONS:
            raise ValueError(f"reason must be one of {', '.join(REASONS)}")
        with self._connect() as db:
            cur = db.execute(
                "INSERT INTO feedback (at, rating, reason, comment, question, answer, citations) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (time.strftime("%Y-%m-%dT%H:%M:%S%z"), rating, reason or None, comment[:MAX_COMMENT],
                 question, answer, json.dumps(citations, ensure_ascii=False)))
            return int(cur.lastrowid or 0)

    def all(self) -> list[dict]:
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM feedback ORDER BY id")]

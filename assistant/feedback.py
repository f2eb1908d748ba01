"""Feedback on answers, kept in a SQLite file in the data folder (outside git).

One row per answer: rating an answer again (👍 then 👎, or a reason picked later) updates its
row, and taking the rating back deletes it. Texts are capped, so a store of ratings of huge
questions stays small.
"""

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
# Added later: which conversation and which of its answers a row rates (one row each).
_COLUMNS = {"conversation": "TEXT", "turn": "INTEGER"}
_UNIQUE = "CREATE UNIQUE INDEX IF NOT EXISTS feedback_answer ON feedback (conversation, turn)"
MAX_COMMENT = 2000
MAX_QUESTION = 2000
MAX_ANSWER = 20000
MAX_CITATIONS = 20000
# The oldest rows go beyond this many: the file stays under about 1 GB even at the caps above.
MAX_ROWS = 20000


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(_SCHEMA)
            have = {row[1] for row in db.execute("PRAGMA table_info(feedback)")}
            for name, kind in _COLUMNS.items():
                if name not in have:
                    db.execute(f"ALTER TABLE feedback ADD COLUMN {name} {kind}")
            db.execute(_UNIQUE)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def add(self, *, rating: str, question: str, answer: str, citations: list[dict],
            reason: str | None = None, comment: str = "", conversation: str | None = None,
            turn: int | None = None) -> int:
        """Store a rating; with ``conversation`` and ``turn``, the one row of that answer is
        replaced. Raises ValueError for a rating or reason outside the fixed choices."""
        if rating not in ("up", "down"):
            raise ValueError(f"rating must be 'up' or 'down', got {rating!r}")
        if reason and reason not in REASONS:
            raise ValueError(f"reason must be one of {', '.join(REASONS)}")
        row = (time.strftime("%Y-%m-%dT%H:%M:%S%z"), rating, reason or None, comment[:MAX_COMMENT],
               question[:MAX_QUESTION], answer[:MAX_ANSWER],
               json.dumps(citations, ensure_ascii=False)[:MAX_CITATIONS], conversation, turn)
        with self._connect() as db:
            cur = db.execute(
                "INSERT INTO feedback (at, rating, reason, comment, question, answer, citations, conversation, turn) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (conversation, turn) DO UPDATE SET "
                "at = excluded.at, rating = excluded.rating, reason = excluded.reason, "
                "comment = excluded.comment, question = excluded.question, answer = excluded.answer, "
                "citations = excluded.citations", row)
            db.execute("DELETE FROM feedback WHERE id <= (SELECT MAX(id) FROM feedback) - ?", (MAX_ROWS,))
            return int(cur.lastrowid or 0)

    def remove(self, conversation: str, turn: int) -> None:
        """Take back the rating of one answer."""
        with self._connect() as db:
            db.execute("DELETE FROM feedback WHERE conversation = ? AND turn = ?", (conversation, turn))

    def all(self) -> list[dict]:
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM feedback ORDER BY id")]

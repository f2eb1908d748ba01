"""Passage vectors kept between builds, keyed by model weights and text.

A rebuild after a tokenizer or chunker change, or a list that gains one item,
re-encodes only texts never seen by that model. The cache is an SQLite file
(one writer at a time, atomic commits), so an interrupted build leaves it
consistent; a cache that cannot be read is ignored, never trusted.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)


class VectorCache:
    """``get_many(texts)`` → vectors found (by position); ``put_many`` stores new ones.

    ``model`` is the weights fingerprint: vectors of other weights are never returned.
    """

    def __init__(self, path: Path, model: str, dim: int) -> None:
        self.path = Path(path)
        self.model = model
        self.dim = dim
        self._db: sqlite3.Connection | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30)
            db.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT, key TEXT, vector BLOB, "
                       "PRIMARY KEY (model, key))")
            self._db = db
        except (sqlite3.Error, OSError) as e:
            log.warning("vector cache unavailable (%s): encoding everything", e)

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def get_many(self, texts: list[str]) -> dict[int, np.ndarray]:
        if self._db is None or not texts:
            return {}
        keys = [self._key(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        try:
            for i in range(0, len(keys), 500):
                part = keys[i:i + 500]
                rows = self._db.execute(
                    f"SELECT key, vector FROM vectors WHERE model = ? AND key IN ({','.join('?' * len(part))})",
                    [self.model, *part]).fetchall()
                for key, blob in rows:
                    v = np.frombuffer(blob, dtype=np.float32)
                    if v.shape == (self.dim,) and np.isfinite(v).all():
                        found[key] = v
        except sqlite3.Error as e:
            log.warning("vector cache unreadable (%s): encoding everything", e)
            return {}
        return {i: found[k] for i, k in enumerate(keys) if k in found}

    def put_many(self, texts: list[str], vectors: np.ndarray) -> None:
        if self._db is None or not texts:
            return
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                    [(self.model, self._key(t), np.ascontiguousarray(v, np.float32).tobytes())
                     for t, v in zip(texts, vectors, strict=True)])
        except sqlite3.Error as e:
            log.warning("vector cache not written (%s)", e)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


"""Hybrid retrieval: dense (FAISS) and lexical (jieba + BM25) per chunk, fused, then per item."""

from __future__ import annotations

import copy
import functools
import logging
import threading
from collections.abc import Sequence

import numpy as np

from assistant.errors import BadQueryError, ModelUnavailableError
from assistant.index import fuse, groups
from assistant.index.embed import Embedder
from assistant.index.store import BuiltIndex
from assistant.types import Chunk, ChunkHit, ItemHit

log = logging.getLogger(__name__)
MODES = ("hybrid", "dense", "lexical")
# Where signals are fused: per chunk then the item's best chunk, or per item
# (each signal's best chunk for the item) then fused (eval/README.md).
LEVELS = ("chunk", "item")
# Each signal contributes its top chunks to the candidate pool; a multiple of
# k keeps an item reachable when only one signal ranks it high.
OVERFETCH = 200


class Retriever:
    """``search(query, k)`` → the ``k`` best items, each with every signal's score and rank.

    When the model cannot load, searches are lexical only and ``warning``
    says why; nothing raises for it.
    """

    def __init__(self, index: BuiltIndex, embedder: Embedder | None, *, mode: str = "hybrid",
                 fusion: str = "minmax", dense_weight: float = 0.5, level: str = "item") -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        if not 0.0 <= dense_weight <= 1.0:
            raise ValueError(f"dense_weight must be within [0, 1], got {dense_weight}")
        if level not in LEVELS:
            raise ValueError(f"unknown level {level!r}; choose one of {', '.join(LEVELS)}")
        self.level = level
        self.index = index
        self.embedder = embedder
        self.mode = mode
        self.fusion = fuse.check_fusion(fusion)
        self.dense_weight = dense_weight
        self.warning: str | None = None
        self._rows_by_item: dict[str, np.ndarray] | None = None
        self._cosines: dict[tuple[str, str], dict[str, float]] = {}
        self._lock = threading.Lock()
        self.scope: frozenset[str] = frozenset()  # list ids searched; empty: all
        self._scope_rows: np.ndarray | None = None
        self._scoped: dict[frozenset[str], Retriever] = {}
        if index.dense is None and mode != "lexical":
            self.warning = "语义检索不可用（模型未加载），当前仅按关键词检索。"

    @functools.cached_property
    def lists(self) -> frozenset[str]:
        """The ids of the lists the index holds (read once: every question asks whether it is narrowed)."""
        return frozenset(key.split("#", 1)[0] for key in self.index.names)

    @functools.cached_property
    def _item_codes(self) -> tuple[np.ndarray, list[str]]:
        """Each chunk row's item as a number, numbered in item-key order, and the keys: per-query
        work groups candidates by item with array operations instead of a loop over chunks."""
        keys = sorted({c.item_key for c in self.index.chunks})
        where = {key: i for i, key in enumerate(keys)}
        return np.array([where[c.item_key] for c in self.index.chunks], dtype=np.int64), keys

    def scoped(self, list_ids: frozenset[str]) -> Retriever:
        """The same retriever searching only the items of ``list_ids`` (itself when empty or all)."""
        ids = frozenset(list_ids)
        if not ids or self.lists <= ids:
            return self
        with self._lock:
            found = self._scoped.get(ids)
            if found is None:
                found = copy.copy(self)
                found.scope = ids
                found._scope_rows = np.array([r for r, c in enumerate(self.index.chunks)
                                              if c.item_key.split("#", 1)[0] in ids], dtype=np.int64)
                found._cosines, found._lock, found._scoped = {}, threading.Lock(), {}
                self._scoped[ids] = found
        return found

    def _item_rows(self, item_key: str) -> np.ndarray | None:
        if self._rows_by_item is None:
            by: dict[str, list[int]] = {}
            for row, c in enumerate(self.index.chunks):
                by.setdefault(c.item_key, []).append(row)
            self._rows_by_item = {k: np.array(v, dtype=np.int64) for k, v in by.items()}
        return self._rows_by_item.get(item_key)

    def chunks_of(self, item_key: str) -> list[Chunk]:
        rows = self._item_rows(item_key)
        return [] if rows is None else [self.index.chunks[r] for r in rows.tolist()]

    def chunk_cosines(self, query: str, item_key: str) -> dict[str, float]:
        """Dense cosine of the query with every chunk of one item, by chunk id ({} without a model).
        The last few are kept: one answer reads the leading item's twice (excerpt and evidence)."""
        key = (query, item_key)
        with self._lock:  # the app answers two questions at once
            found = self._cosines.get(key)
        if found is None:
            found = self._chunk_cosines(query, item_key)
            with self._lock:
                if len(self._cosines) >= 16:
                    self._cosines.pop(next(iter(self._cosines)))
                self._cosines[key] = found
        return found

    def _chunk_cosines(self, query: str, item_key: str) -> dict[str, float]:
        vector = self._encode([query])
        if vector is None or self.index.dense is None:
            return {}
        rows = self._item_rows(item_key)
        if rows is None or not len(rows):
            return {}
        cos = self.index.dense.cosines(vector[0], rows)
        return {self.index.chunks[r].chunk_id: float(c) for r, c in zip(rows.tolist(), cos.tolist(), strict=True)}

    def search(self, query: str, k: int = 5, dense_weight: float | None = None) -> list[ItemHit]:
        """``dense_weight``: this search's share of the dense signal (else the retriever's own)."""
        return self.search_many([query], k, dense_weight)[0]

    def search_many(self, queries: Sequence[str], k: int = 5,
                    dense_weight: float | None = None) -> list[list[ItemHit]]:
        if dense_weight is not None and not 0.0 <= dense_weight <= 1.0:
            raise ValueError(f"dense_weight must be within [0, 1], got {dense_weight}")
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        for q in queries:
            if not q.strip():
                raise BadQueryError("empty query")
        vectors = self._encode(list(queries))
        weight = self.dense_weight if dense_weight is None else dense_weight
        return [self._search_one(q, None if vectors is None else vectors[i], k, weight)
                for i, q in enumerate(queries)]

    def query_vectors(self, queries: list[str]) -> np.ndarray | None:
        """The queries' vectors as searches use them (cached by the embedder), or None when
        searches are lexical."""
        return self._encode(queries)

    def _encode(self, queries: list[str]) -> np.ndarray | None:
        if self.mode == "lexical" or self.index.dense is None or self.embedder is None:
            return None
        try:
            return self.embedder.encode(queries, "query")
        except ModelUnavailableError as e:
            self.warning = f"语义检索不可用（{e}），当前仅按关键词检索。"
            log.warning("dense retrieval unavailable: %s", e)
            return None

    def _candidates(self, query: str, vector: np.ndarray | None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Rows among each signal's top OVERFETCH chunks, and each signal's score for them.

        Both signals score distinct things (vectors, texts) and map them to rows, so no
        array as long as the chunks is made per query.
        """
        if self._scope_rows is not None:
            return self._scoped_candidates(query, vector, self._scope_rows)
        pools: list[np.ndarray] = []
        found: tuple[np.ndarray, np.ndarray] | None = None
        dense = self.index.dense
        if vector is not None and dense is not None:
            found = dense.search_vectors(vector, OVERFETCH)
            pools.append(dense.rows_of(found[0], OVERFETCH))
        by_unit: np.ndarray | None = None
        lex = self.index.lexical
        if self.mode != "dense" or found is None:
            by_unit = lex.unit_scores(query)
            pools.append(lex.units.rows(groups.top(by_unit, OVERFETCH), OVERFETCH))
        rows = np.unique(np.concatenate(pools)) if pools else np.zeros(0, np.int64)
        sub: dict[str, np.ndarray] = {}
        if found is not None and dense is not None:
            sub["dense"] = _looked_up(*found, dense.owner[rows])
        if by_unit is not None:
            sub["lexical"] = by_unit[lex.units.group_of_row[rows]]
        return rows, sub

    def _scoped_candidates(self, query: str, vector: np.ndarray | None, scope: np.ndarray
                           ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """As ``_candidates``, among the rows of the lists in scope: each signal scores all of
        them exactly (a few thousand rows), so another list's chunks never crowd them out."""
        if not len(scope):
            return scope, {}
        scores: dict[str, np.ndarray] = {}
        dense = self.index.dense
        if vector is not None and dense is not None:
            scores["dense"] = dense.cosines(vector, scope)
        if self.mode != "dense" or "dense" not in scores:
            lex = self.index.lexical
            scores["lexical"] = lex.unit_scores(query)[lex.units.group_of_row[scope]]
        keep = np.unique(np.concatenate([np.argsort(-s, kind="stable")[:OVERFETCH] for s in scores.values()]))
        return scope[keep], {name: s[keep] for name, s in scores.items()}

    def _search_one(self, query: str, vector: np.ndarray | None, k: int, dense_weight: float) -> list[ItemHit]:
        rows, sub = self._candidates(query, vector)
        if len(rows) == 0:
            return []
        fused = self._fuse(sub, dense_weight)
        if self.level == "item" and len(sub) > 1:
            fused = self._fuse_items(rows, sub, fused, dense_weight)
        chunk_ranks = {name: fuse.ranks(s, name == "lexical") for name, s in sub.items()}
        return self._items(rows, fused, sub, chunk_ranks, k)

    def _fuse(self, sub: dict[str, np.ndarray], dense_weight: float) -> np.ndarray:
        weights = {"dense": dense_weight, "lexical": 1.0 - dense_weight}
        if len(sub) == 1:
            return next(iter(sub.values())).astype(np.float64)
        if self.fusion == "rrf":
            return fuse.rrf({name: fuse.ranks(s, name == "lexical") for name, s in sub.items()}, weights)
        return fuse.minmax(sub, weights)

    def _fuse_items(self, rows: np.ndarray, sub: dict[str, np.ndarray],
                    chunk_fused: np.ndarray, dense_weight: float) -> np.ndarray:
        """Fuse each item's best score per signal; every chunk gets its item's score,
        plus its own chunk-level score scaled down to order chunks within the item."""
        order, owner = np.unique(self._item_codes[0][rows], return_inverse=True)
        best = {}
        for name, s in sub.items():
            b = np.full(len(order), -np.inf)
            np.maximum.at(b, owner, s)
            best[name] = b
        item_scores = self._fuse(best, dense_weight)
        spread = float(chunk_fused.max() - chunk_fused.min()) or 1.0
        return item_scores[owner] + 1e-6 * (chunk_fused - chunk_fused.min()) / spread

    def _items(self, rows: np.ndarray, fused: np.ndarray, sub: dict[str, np.ndarray],
               chunk_ranks: dict[str, np.ndarray], k: int) -> list[ItemHit]:
        chunks = self.index.chunks
        codes, keys = self._item_codes
        by_fused = np.argsort(-fused, kind="stable")
        # Items in the order of their best fused chunk (an item's first appearance), and for
        # every candidate in fused order the slot of its item.
        present, first, slot = np.unique(codes[rows[by_fused]], return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        best: dict[str, np.ndarray] = {}
        rank_of: dict[str, np.ndarray] = {}
        for name, s in sub.items():
            b = np.full(len(present), -np.inf)
            np.maximum.at(b, slot, s[by_fused].astype(np.float64))
            best[name] = b
            # Ties keep the order of first appearance, as a stable sort over that order does.
            ranked = order[np.argsort(-b[order], kind="stable")]
            rank_of[name] = np.empty(len(present), np.int64)
            rank_of[name][ranked] = np.arange(1, len(present) + 1)
        hits = []
        for item in order[:k].tolist():
            js = by_fused[slot == item].tolist()
            key = keys[int(present[item])]
            chunk_hits = tuple(ChunkHit(
                chunk=chunks[rows[j]], score=float(fused[j]),
                scores={name: float(s[j]) for name, s in sub.items()},
                ranks={name: int(r[j]) for name, r in chunk_ranks.items() if r[j] > 0},
            ) for j in js[:5])
            scores = {name: float(b[item]) for name, b in best.items()}
            scores["fused"] = float(fused[js[0]])
            ranks = {name: int(rank_of[name][item]) for name in best
                     if name != "lexical" or best[name][item] > 0}
            hits.append(ItemHit(item_key=key, seq=chunks[rows[js[0]]].seq,
                                name=self.index.names[key], score=float(fused[js[0]]),
                                scores=scores, ranks=ranks, chunks=chunk_hits))
        return hits


def _looked_up(ids: np.ndarray, scores: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The score of each id in ``wanted`` (-1 for ids FAISS did not return): work in the
    candidates, not in the number of vectors."""
    if not len(ids):
        return np.full(len(wanted), -1.0, dtype=np.float32)
    order = np.argsort(ids)
    known = ids[order]
    at = np.minimum(np.searchsorted(known, wanted), len(known) - 1)
    return np.where(known[at] == wanted, scores[order][at], np.float32(-1.0)).astype(np.float32)

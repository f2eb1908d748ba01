"""FAISS over L2-normalised vectors: the only place FAISS positions map to chunk rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.index.groups import Groups

# A flat scan costs about 0.15 ms per thousand vectors on one core (15 ms at 100k);
# HNSW answers in 1-3 ms at any size here. See docs/benchmarks.md. (A BLAS product over the same
# vectors scans on two threads, twice as fast alone, but while the query encoder's threads spin the
# two contend and an answer took 1.7 times as long.)
APPROXIMATE_ABOVE = 50_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
# Candidates are fetched 200 at a time, so FAISS searches at least that wide anyway;
# 256 keeps recall@10 near 0.95 on 100k vectors for ~2 ms (64 gave 0.83).
HNSW_EF_SEARCH = 256
# Above this many vectors an exact index is scanned in one byte per dimension, then the best
# are scored again exactly: after a model run has pushed the float32 vectors out of the CPU's
# caches, reading them back (21 MB for 14k) is what a flat search costs, not the arithmetic.
COARSE_ABOVE = 4_000
# Scanned coarsely, the top k+RESCORE_MARGIN are scored exactly: an 8-bit score is off by about
# 0.002, far less than the spread of the last RESCORE_MARGIN of them.
RESCORE_MARGIN = 64


class DenseIndex:
    """Distinct vectors in FAISS; ``owner[row]`` is the FAISS id of chunk ``row``.

    Lists repeat clauses word for word, so many chunks share a vector: storing
    each vector once keeps the index small and HNSW's graph free of duplicates.
    """

    def __init__(self, index: object, owner: np.ndarray) -> None:
        self.index = index
        self.owner = owner
        self._groups = Groups(owner)
        self._flat = _flat_view(index)
        self._coarse: object | None = None

    @classmethod
    def build(cls, vectors: np.ndarray, owner: np.ndarray, *, approximate: bool | None = None) -> DenseIndex:
        """Index the distinct ``vectors``; ``owner[row]`` names each chunk's vector."""
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = vectors.shape[1]
        if approximate is None:
            approximate = len(vectors) > APPROXIMATE_ABOVE
        if approximate:
            index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            index.hnsw.efSearch = HNSW_EF_SEARCH
        else:
            index = faiss.IndexFlatIP(dim)
        index.add(vectors)
        return cls(index, owner.reshape(-1).astype(np.int64))

    @property
    def size(self) -> int:
        """Chunks covered (not distinct vectors)."""
        return len(self.owner)

    @property
    def distinct(self) -> int:
        return int(self.index.ntotal)  # type: ignore[attr-defined]

    @property
    def kind(self) -> str:
        return type(self.index).__name__

    def search_vectors(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Ids and scores of the top ``k`` distinct vectors for one query, best first;
        ``k`` is clamped and FAISS's -1 fillers dropped."""
        k = min(k, self.distinct)
        if k <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        # FAISS, not a numpy product over the same memory: numpy's BLAS threads keep spinning after
        # the product and slow the next question's model run (ask p50 on 442 items: 32 ms, 17 ms
        # with FAISS, whose threads are set to one).
        q = np.ascontiguousarray(query.reshape(1, -1), np.float32)
        coarse = self._coarse_index()
        if coarse is None:
            scores, ids = self.index.search(q, k)  # type: ignore[attr-defined]
            keep = ids[0] >= 0
            return ids[0][keep], scores[0][keep]
        _, found = coarse.search(q, min(k + RESCORE_MARGIN, self.distinct))  # type: ignore[attr-defined]
        found = found[0][found[0] >= 0]
        exact = self._flat[found] @ q[0]  # type: ignore[index]
        # Ties in FAISS's order: lower ids first, as the exact index returns them.
        order = np.lexsort((found, -exact))[:k]
        return found[order].astype(np.int64), exact[order].astype(np.float32)

    def _coarse_index(self) -> object | None:
        """The 8-bit copy of a large exact index (built on first search; None when small or
        approximate). Its memory is a quarter of the vectors'."""
        if self._coarse is None and self._flat is not None and len(self._flat) > COARSE_ABOVE:
            import faiss

            coarse = faiss.IndexScalarQuantizer(self._flat.shape[1], faiss.ScalarQuantizer.QT_8bit,
                                                faiss.METRIC_INNER_PRODUCT)
            coarse.train(self._flat)
            coarse.add(self._flat)
            self._coarse = coarse
        return self._coarse

    def cosines(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The query's cosine with the vector of each chunk row (vectors read back from FAISS)."""
        ids, where = np.unique(self.owner[rows], return_inverse=True)
        vectors = (self._flat[ids] if self._flat is not None
                   else self.index.reconstruct_batch(ids.astype(np.int64)))  # type: ignore[attr-defined]
        return (vectors @ np.asarray(query, np.float32).reshape(-1))[where].astype(np.float32)

    def rows_of(self, ids: np.ndarray, limit: int | None = None) -> np.ndarray:
        """Every chunk row sharing each vector, in the order of ``ids`` (at most ``limit``)."""
        return self._groups.rows(ids, limit)

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self.index, str(path))
        np.save(path.with_suffix(".owner.npy"), self.owner)

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        import faiss

        index = faiss.read_index(str(path))
        if hasattr(index, "hnsw"):
            index.hnsw.efSearch = HNSW_EF_SEARCH  # a search-time setting: the current one applies
        return cls(index, np.load(path.with_suffix(".owner.npy")))


def _flat_view(index: object) -> np.ndarray | None:
    """The vectors of an exact index as an array over FAISS's memory (no copy), else None:
    cosines with a few chunks read them directly. The index is never added to after this, so
    the memory stays where it is."""
    import faiss

    if not isinstance(index, faiss.IndexFlat) or not index.ntotal:
        return None
    return faiss.rev_swig_ptr(index.get_xb(), index.ntotal * index.d).reshape(index.ntotal, index.d)


def set_threads(n: int) -> None:
    """One query is a single small matrix product: extra threads only add overhead."""
    import faiss

    faiss.omp_set_num_threads(n)

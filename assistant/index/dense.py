"""FAISS over L2-normalised vectors: the only place FAISS positions map to chunk rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np

# Exact search is cheap below this many vectors (a flat scan of 384-d floats
# stays under a few ms); above it, HNSW keeps query time flat. See
# docs/benchmarks.md for the measurement behind the figure.
APPROXIMATE_ABOVE = 50_000
HNSW_M = 32


class DenseIndex:
    def __init__(self, index: object) -> None:
        self.index = index

    @classmethod
    def build(cls, vectors: np.ndarray, *, approximate: bool | None = None) -> DenseIndex:
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = vectors.shape[1]
        if approximate is None:
            approximate = len(vectors) > APPROXIMATE_ABOVE
        if approximate:
            index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 80
            index.hnsw.efSearch = 64
        else:
            index = faiss.IndexFlatIP(dim)
        index.add(vectors)
        return cls(index)

    @property
    def size(self) -> int:
        return int(self.index.ntotal)  # type: ignore[attr-defined]

    @property
    def kind(self) -> str:
        return type(self.index).__name__

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Top ``k`` rows for one query vector; ``k`` is clamped, FAISS's -1 fillers dropped."""
        k = min(k, self.size)
        if k <= 0:
            return []
        scores, ids = self.index.search(np.ascontiguousarray(query.reshape(1, -1), np.float32), k)  # type: ignore[attr-defined]
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        import faiss

        return cls(faiss.read_index(str(path)))


def set_threads(n: int) -> None:
    """One query is a single small matrix product: extra threads only add overhead."""
    import faiss

    faiss.omp_set_num_threads(n)

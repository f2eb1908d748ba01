"""Embedders: one method, ``encode(texts, kind)``, returning L2-normalised float32 rows."""

from __future__ import annotations

import functools
import itertools
import threading
import zlib
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

from assistant.errors import ModelUnavailableError

Kind = Literal["query", "passage"]


class Embedder(Protocol):
    name: str

    @property
    def dim(self) -> int: ...

    def encode(self, texts: list[str], kind: Kind) -> np.ndarray: ...


class CachedQueries:
    """``encode`` for a model's ``_encode``: a single question's vector is kept (the same
    question is encoded again by retrieval, the excerpt and the evidence, and users repeat)."""

    def _encode(self, texts: list[str], kind: Kind) -> np.ndarray:
        raise NotImplementedError

    def encode(self, texts: list[str], kind: Kind) -> np.ndarray:
        if kind == "query" and len(texts) == 1:
            return self._query(texts[0]).reshape(1, -1)
        return self._encode(texts, kind)

    @functools.lru_cache(maxsize=1024)  # noqa: B019 - one embedder per process; repeated questions are common
    def _query(self, text: str) -> np.ndarray:
        vector = self._encode([text], "query")[0]
        vector.setflags(write=False)
        return vector


class SentenceTransformerEmbedder(CachedQueries):
    """A sentence-transformers model from a local folder, loaded on first use.

    Prompts (``query: `` / ``passage: ``) come from the model folder's own
    configuration, so any sentence-transformers model works unchanged.
    """

    backend = "torch"

    def __init__(self, path: Path, *, batch_size: int = 32, threads: int | None = None,
                 device: str = "cpu") -> None:
        self.path = Path(path)
        self.name = self.path.name
        self.batch_size = batch_size
        self.threads = threads
        self.device = device
        self._model: object | None = None
        self._lock = threading.Lock()

    def load(self) -> object:
        with self._lock:
            if self._model is None:
                if not (self.path / "modules.json").is_file():
                    raise ModelUnavailableError(
                        f"no sentence-transformers model at {self.path}; "
                        "run `python -m assistant model prepare`")
                try:
                    import torch
                    from sentence_transformers import SentenceTransformer

                    if self.threads:
                        torch.set_num_threads(self.threads)
                    self._model = SentenceTransformer(str(self.path), device=self.device,
                                                      local_files_only=True)
                except Exception as e:  # torch/transformers raise many types here
                    raise ModelUnavailableError(f"cannot load model at {self.path}: {e}") from e
            return self._model

    @property
    def dim(self) -> int:
        model = self.load()
        return int(model.get_embedding_dimension())  # type: ignore[attr-defined]

    def _encode(self, texts: list[str], kind: Kind) -> np.ndarray:
        model = self.load()
        fn = model.encode_query if kind == "query" else model.encode_document  # type: ignore[attr-defined]
        vectors = fn(texts, batch_size=self.batch_size, normalize_embeddings=True,
                     convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


class HashingEmbedder:
    """A deterministic stand-in for tests: character bigrams hashed into buckets.

    crc32 (not ``hash``) keeps vectors identical across processes; texts that
    share Hanzi pairs really do score higher, so retrieval tests mean something.
    """

    def __init__(self, dim: int = 64) -> None:
        self.name = f"hashing-{dim}"
        self._dim = dim

    @property
    def dim(self) -> int:
        return self._dim

    def encode(self, texts: list[str], kind: Kind) -> np.ndarray:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for a, b in itertools.pairwise(text):
                out[row, zlib.crc32((a + b).encode("utf-8")) % self._dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)

"""Put the pieces together: lists, index (built when needed), model, retriever, assistant."""

from __future__ import annotations

import logging
from pathlib import Path

from assistant import paths
from assistant.answering.dialogue import Assistant
from assistant.answering.policy import RefusalPolicy, fitted_dense_weight
from assistant.answering.rerank import ItemWeights
from assistant.answering.select import ExcerptWeights
from assistant.corpus.catalogue import Catalogue
from assistant.corpus.parse import load
from assistant.index import store
from assistant.index.dense import set_threads
from assistant.index.embed import Embedder, SentenceTransformerEmbedder
from assistant.index.retriever import Retriever
from assistant.statutes.library import Library
from assistant.types import ParsedList

log = logging.getLogger(__name__)


def make_embedder(model: str | None = None) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(paths.resolve_model(model), threads=2)


def load_assistant(*, lists: list[Path] | None = None, index_root: Path | None = None,
                   model: str | None = None, embedder: Embedder | None = None, mode: str = "hybrid",
                   rebuild: bool = True, progress: bool = True, policy: RefusalPolicy | None = None,
                   excerpt_weights: ExcerptWeights | None = None, item_weights: ItemWeights | None = None
                   ) -> Assistant:
    """The assistant over the lists (default ``corpus/lists``), building the index if needed.

    Raises:
        ListFormatError: a list file cannot be read.
        StaleIndexError, CorruptIndexError: only with ``rebuild=False``.
    """
    parsed = load(lists or [paths.lists_dir()])
    embedder = embedder or make_embedder(model)
    retriever = open_retriever(parsed, embedder, index_root=index_root, mode=mode,
                               rebuild=rebuild, progress=progress)
    return Assistant(Catalogue.of(parsed), retriever, library=Library.load(paths.laws_dir()), policy=policy,
                     excerpt_weights=excerpt_weights, item_weights=item_weights)


def open_retriever(parsed: list[ParsedList], embedder: Embedder | None, *,
                   index_root: Path | None = None, mode: str = "hybrid", rebuild: bool = True,
                   progress: bool = True) -> Retriever:
    root = index_root or paths.index_dir()
    built, status = store.open_index(root, parsed, embedder, rebuild=rebuild, progress=progress)
    log.info("index %s: %s", built.folder, status)
    set_threads(1)
    return Retriever(built, embedder if built.dense is not None else None, mode=mode,
                     dense_weight=fitted_dense_weight())

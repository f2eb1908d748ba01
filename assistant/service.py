"""Put the pieces together: lists, index (built when needed), model, retriever, assistant."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from assistant import paths
from assistant.answering.dialogue import Assistant
from assistant.answering.policy import RefusalPolicy, fitted_dense_weight
from assistant.answering.rerank import ItemWeights
from assistant.answering.select import ExcerptWeights
from assistant.corpus.catalogue import Catalogue
from assistant.corpus.parse import load, load_lenient
from assistant.index import store
from assistant.index.dense import set_threads
from assistant.index.embed import Embedder, SentenceTransformerEmbedder
from assistant.index.onnx_embed import OnnxEmbedder
from assistant.index.onnx_export import exported
from assistant.index.retriever import Retriever
from assistant.statutes.library import Library
from assistant.types import ParsedList

log = logging.getLogger(__name__)


BACKENDS = ("onnx", "onnx-int8", "torch")


def make_embedder(model: str | None = None, backend: str | None = None,
                  device: str | None = None) -> SentenceTransformerEmbedder | OnnxEmbedder:
    """The model run by ONNX Runtime (the default: no torch in the process) or by
    sentence-transformers on torch (the reference). ``backend`` defaults to ``ASSISTANT_BACKEND``,
    then "onnx"; without an ONNX export (``model prepare`` writes it) the torch path is used.

    Raises:
        ValueError: an unknown backend.
    """
    path = paths.resolve_model(model)
    backend = backend or os.environ.get("ASSISTANT_BACKEND") or "onnx"
    device = device or os.environ.get("ASSISTANT_DEVICE") or "cpu"
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if backend.startswith("onnx"):
        if exported(path) is not None:
            return OnnxEmbedder(path, precision="int8" if backend == "onnx-int8" else "fp32", threads=2,
                                device=device)
        log.warning("no ONNX export at %s (run `python -m assistant model prepare`); using torch", path)
    return SentenceTransformerEmbedder(path, threads=2, device=device)


_started: list[Embedder] = []  # the default model, begun by start_model before anything else loads


def start_model() -> None:
    """Begin loading the default model in the background, now: the app calls this before it
    imports Gradio, whose import (about 2 s of Python) then overlaps the ONNX session's build,
    which runs without the GIL. ``load_assistant`` takes this model instead of making another."""
    if not _started:
        _started.append(_prefetched(make_embedder()))


def _prefetched(embedder: Embedder) -> Embedder:
    """``embedder``, its loading begun in the background when it can load that way."""
    prefetch = getattr(embedder, "prefetch", None)
    if prefetch is not None:
        prefetch()  # the model loads while the lists are parsed and the index is read
    return embedder


def _warm_text_tools() -> None:
    """Load the dictionaries the first question needs (jieba's words and tags, pinyin) while the
    index loads, instead of after: a cold start's first answer waits for them otherwise."""
    from assistant.answering import tags
    from assistant.index.lexical import general_dictionary

    general_dictionary()
    tags.cut("预热")
    from pypinyin import lazy_pinyin

    lazy_pinyin("预热")


def load_assistant(*, lists: list[Path] | None = None, index_root: Path | None = None,
                   model: str | None = None, embedder: Embedder | None = None, mode: str = "hybrid",
                   rebuild: bool = True, progress: bool = True, policy: RefusalPolicy | None = None,
                   excerpt_weights: ExcerptWeights | None = None, item_weights: ItemWeights | None = None,
                   lenient: bool = False) -> Assistant:
    """The assistant over the lists (default ``corpus/lists``), building the index if needed.
    ``lenient``: a bad or empty list file is left out and named in ``assistant.problems`` (the app
    serves the good ones and shows the problems in a banner).

    Raises:
        ListFormatError: a list file cannot be read (with ``lenient``: no list can).
        StaleIndexError, CorruptIndexError: only with ``rebuild=False``.
    """
    if embedder is None and model is None and _started:
        embedder = _started[0]
    embedder = _prefetched(embedder or make_embedder(model))
    threading.Thread(target=_warm_text_tools, name="warm-text-tools", daemon=True).start()
    problems: list[str] = []
    if lenient:
        parsed, problems = load_lenient(lists or [paths.lists_dir()])
    else:
        parsed = load(lists or [paths.lists_dir()])
    retriever = open_retriever(parsed, embedder, index_root=index_root, mode=mode,
                               rebuild=rebuild, progress=progress)
    library = Library.load(paths.laws_dir(), moves_file=(index_root or paths.index_dir()) / "statute-moves.json")
    assistant = Assistant(Catalogue.of(parsed), retriever, library=library, policy=policy,
                          excerpt_weights=excerpt_weights, item_weights=item_weights)
    assistant.problems = tuple(problems)
    return assistant


def open_retriever(parsed: list[ParsedList], embedder: Embedder | None, *,
                   index_root: Path | None = None, mode: str = "hybrid", rebuild: bool = True,
                   progress: bool = True) -> Retriever:
    root = index_root or paths.index_dir()
    built, status = store.open_index(root, parsed, embedder, rebuild=rebuild, progress=progress)
    log.info("index %s: %s", built.folder, status)
    set_threads(1)
    return Retriever(built, embedder if built.dense is not None else None, mode=mode,
                     dense_weight=fitted_dense_weight())

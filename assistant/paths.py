"""Where things live. Every location can be moved by an environment variable."""

from __future__ import annotations

import functools
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL_NAME = "multilingual-e5-small"


def corpus_dir() -> Path:
    return Path(os.environ.get("ASSISTANT_CORPUS", ROOT / "corpus"))


def lists_dir() -> Path:
    return corpus_dir() / "lists"


def laws_dir() -> Path:
    return corpus_dir() / "laws"


def index_dir() -> Path:
    return Path(os.environ.get("ASSISTANT_INDEX", ROOT / "index"))


def cache_dir() -> Path:
    """Outside git: model files and user data (feedback) live here."""
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "qzqd-assistant"
    return Path(os.environ.get("ASSISTANT_CACHE", default))


def vector_cache() -> Path:
    """Passage vectors kept between builds (see assistant/index/vector_cache.py)."""
    return Path(os.environ.get("ASSISTANT_VECTOR_CACHE", cache_dir() / "vectors.sqlite3"))


def data_dir() -> Path:
    """User data written by the app (feedback): outside git."""
    return Path(os.environ.get("ASSISTANT_DATA", cache_dir() / "data"))


def model_spec() -> str:
    """A sentence-transformers model folder, or a name under the cache's models/."""
    return os.environ.get("ASSISTANT_MODEL", DEFAULT_MODEL_NAME)


def resolve_model(spec: str | None = None) -> Path:
    spec = spec or model_spec()
    path = Path(spec).expanduser()
    if path.is_absolute() or path.exists():
        return path
    return cache_dir() / "models" / spec


@functools.lru_cache(maxsize=256)
def relative(path: Path) -> str:
    """A path relative to the repository when it is inside it, else absolute.
    Cached: every quote names its file, and resolving touches the disk."""
    path = Path(path).resolve()
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return path.as_posix()

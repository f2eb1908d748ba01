"""The general dictionary of the language (jieba's), shared by the reader (where a cell's line
breaks cut words) and the search (tokens, typos, part-of-speech tags)."""

from __future__ import annotations

import logging
from typing import Any

from assistant import paths


def general_dictionary() -> Any:
    """jieba's default tokenizer (its general dictionary), initialised once. Its prefix-dictionary
    cache is kept in the project's cache folder: jieba's default, the system's temporary folder, is
    emptied by a reboot, and rebuilding the cache costs the next start about a second."""
    import jieba

    if jieba.dt.initialized:
        return jieba.dt
    # Only before the first use: setting a logger's level clears every logger's cache.
    jieba.setLogLevel(logging.WARNING)
    folder = paths.cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        jieba.dt.tmp_dir = str(folder)
    except OSError:
        pass  # an unwritable cache folder: jieba's own default serves
    jieba.dt.check_initialized()
    return jieba.dt

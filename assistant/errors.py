"""The project's error types. Edges (CLI, app, eval) turn them into one message each."""

from __future__ import annotations

from pathlib import Path


class AssistantError(Exception):
    """Base class: every error the library raises on purpose."""


class ListFormatError(AssistantError):
    """A list file that cannot be read faithfully; names the file and line."""

    def __init__(self, path: Path | str, line_no: int, reason: str) -> None:
        self.path = Path(path)
        self.line_no = line_no
        self.reason = reason
        super().__init__(f"{self.path}: line {line_no}: {reason}")


class StatuteFormatError(AssistantError):
    """A statute file whose structure cannot be read."""


class StaleIndexError(AssistantError):
    """The index was built from another corpus, model or parameter set."""


class CorruptIndexError(AssistantError):
    """The index files do not match their recorded checksums."""


class ModelUnavailableError(AssistantError):
    """The embedding model cannot be found or loaded."""


class BadQueryError(AssistantError):
    """A query that cannot be searched (empty after cleaning)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)

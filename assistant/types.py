"""Data that flows between layers. Imports nothing from the project.

The one invariant: every ``Span`` indexes ``Source.text`` (the decoded file,
never modified), and any text carried beside a span equals that slice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

COLUMNS: tuple[str, ...] = (
    "序号",
    "事项名称",
    "子项名称",
    "权力事项类型",
    "地方权力编码",
    "子项地方权力编码",
    "实施主体",
    "承办机构",
    "实施依据",
    "责任事项",
    "追责情形",
    "办事层级",
    "备注",
)
CLAUSED_COLUMNS: tuple[str, ...] = ("实施依据", "责任事项", "追责情形")


@dataclass(frozen=True, slots=True)
class Span:
    """Half-open character range into a ``Source.text``."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span {self.start}:{self.end}")

    def of(self, text: str) -> str:
        return text[self.start : self.end]

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Source:
    """A list file as decoded. ``text`` is what every span points into.

    For ``.xlsx`` files ``text`` is a CSV rendering of the sheet
    (``derived`` is True), because a workbook has no text of its own.
    """

    path: Path
    text: str
    sha256: str
    list_id: str
    kind: str
    derived: bool = False


@dataclass(frozen=True, slots=True)
class Clause:
    """A numbered (or leading unnumbered) clause of a field.

    ``span`` covers the marker and the body; ``body`` the text after the marker.
    ``label`` is the marker as written (``1.``, ``2、``, ``（三）``) or "".
    """

    label: str
    number: int | None
    span: Span
    body: Span


@dataclass(frozen=True, slots=True)
class FieldValue:
    """One cell. ``span`` is the trimmed cell, markup included; ``parts`` are
    the spans between ``<p>`` tags (the cell itself when it has no markup)."""

    name: str
    span: Span
    parts: tuple[Span, ...]
    clauses: tuple[Clause, ...] = ()


@dataclass(frozen=True, slots=True)
class LegalRef:
    """A reference to a statute article inside 实施依据.

    ``role`` is "cited" for the article the item quotes (it follows the law
    title, or opens a paragraph or sentence) and "cross" for one that the
    quoted text refers to. ``quirk`` names an irregular form kept as written.
    """

    law: str
    law_span: Span | None
    version_note: str
    article: int
    span: Span
    role: str
    paragraph: int | None = None
    item: int | None = None
    quirk: str | None = None
    range_to: int | None = None


@dataclass(frozen=True, slots=True)
class Item:
    list_id: str
    seq: str
    line_no: int
    fields: Mapping[str, FieldValue]
    refs: tuple[LegalRef, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.list_id}#{self.seq}"

    def value(self, source: Source, column: str) -> str:
        return self.fields[column].span.of(source.text)

    def plain(self, source: Source, column: str) -> str:
        """The cell's parts joined by a space, for display and matching only."""
        return " ".join(p.of(source.text) for p in self.fields[column].parts)


@dataclass(frozen=True, slots=True)
class ParsedList:
    source: Source
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    """A lint finding for list maintainers."""

    kind: str
    list_id: str
    item: str
    field: str
    span: Span
    excerpt: str
    message: str
    expected: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)

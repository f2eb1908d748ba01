"""Data that flows between layers. Imports nothing from the project.

The one invariant: every ``Span`` indexes ``Source.text`` (the decoded file,
never modified), and any text carried beside a span equals that slice.
"""

from __future__ import annotations

import dataclasses
import re
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
class CellRef:
    """Where a stretch of a workbook's rendered text came from: ``text[start:end]`` is the
    whole text of the cell at ``sheet``, ``row``, ``col`` (1-based, as a spreadsheet shows)."""

    start: int
    end: int
    sheet: str
    row: int
    col: int


@dataclass(frozen=True, slots=True)
class Source:
    """A list file as decoded. ``text`` is what every span points into.

    For a workbook (``.xls``/``.xlsx``) ``text`` is a rendering of its cells
    (``derived`` is True) and ``cells`` locates every cell's text in it.
    """

    path: Path
    text: str
    sha256: str
    list_id: str
    kind: str
    derived: bool = False
    cells: tuple[CellRef, ...] = ()


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


_LAYOUT_BREAK = re.compile(r"[ \t\u3000]*\r?\n\s*")


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

    def title(self, source: Source) -> str:
        """事项名称 as the item is named (in answers, tables and what is embedded): a cell laid out at a
        fixed width (read as one part over several lines, corpus/markup.py) without its layout's line
        breaks, 对拒绝配合统计调查… and not 对拒绝⏎配合统⏎计调查. Quotes keep the file's text."""
        field = self.fields["事项名称"]
        text = field.span.of(source.text)
        if len(field.parts) == 1 and "\n" in text:
            return _LAYOUT_BREAK.sub("", text)
        return text


@dataclass(frozen=True, slots=True)
class ParsedList:
    source: Source
    title: str
    items: tuple[Item, ...]
    # How the file was read: sheets read and skipped, header → column, extra fields, cells.
    layout: Mapping[str, object] = field(default_factory=dict)

    @property
    def office(self) -> str:
        """The office the list belongs to: from its title (…局2024年权责清单 → …局); when the title
        names none, or names a system rather than an office (住房和城乡建设系统区地县三级), the
        实施主体 most of its items name, preferring one that holds the title's subject."""
        m = re.match(r"^\s*(?:附件[:：]?)?\s*(?:[0-9]{4}年)?(.+?)(?:[0-9]{4}年(?:度)?)?(?:行政)?"
                     r"(?:权责清单|权力清单|责任清单|权力清单和责任清单).*$", self.title)
        named = m.group(1).strip() if m else ""
        if named and not _NOT_AN_OFFICE.search(named):
            return named
        subject = _PLACE.sub("", named.split("系统")[0])
        bodies: dict[str, int] = {}
        for item in self.items:
            fv = item.fields.get("实施主体")
            body = re.sub(r"\s+", "", fv.span.of(self.source.text).split("\n")[0]) if fv else ""
            if re.sub(r"[（(][^（）()]*[）)]$", "", body).endswith(OFFICE_ENDS):
                bodies[body] = bodies.get(body, 0) + 1
        ranked = sorted(bodies, key=lambda b: (subject != "" and subject in b, bodies[b]), reverse=True)
        return ranked[0] if ranked else named


# A title part that names a system or a level of government rather than one office.
_NOT_AN_OFFICE = re.compile(r"系统|[0-9]{4}|级$")
_PLACE = re.compile(r"^.{2,6}?[市县区州盟旗]")
OFFICE_ENDS = ("局", "办", "委", "厅", "室", "队", "院", "所", "站", "中心", "部", "会", "府")


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


@dataclass(frozen=True, slots=True)
class Chunk:
    """A retrievable piece of an item: one short field, or one clause.

    ``text == source text[span]`` of the file at ``source`` (relative path).
    ``chunk_id`` is stable across rebuilds: ``f"{item_key}:{field}:{n}"``.
    """

    chunk_id: str
    item_key: str
    seq: str
    field: str
    label: str
    span: Span
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class ChunkHit:
    chunk: Chunk
    score: float
    scores: Mapping[str, float]  # per signal: {"dense": 0.83, "lexical": 12.1}
    ranks: Mapping[str, int]  # per signal, 1-based; absent when the signal missed it


@dataclass(frozen=True, slots=True)
class ItemHit:
    """An item as retrieved, with why: each signal's best score and rank for it."""

    item_key: str
    seq: str
    name: str
    score: float
    scores: Mapping[str, float]
    ranks: Mapping[str, int]
    chunks: tuple[ChunkHit, ...]


@dataclass(frozen=True, slots=True)
class Quote:
    """A verbatim excerpt: ``text == file text[start:end]`` of ``source`` (repo-relative)."""

    text: str
    item: str
    item_key: str
    field: str
    source: str
    start: int
    end: int
    role: str = "primary"  # primary | alternative | clause | card | statute | statute_current | xref
    law: str | None = None
    article: str | None = None
    list_name: str = ""  # the list's office (or title), named when several lists are served
    locator: CellRef | None = None  # for a workbook: the cell the quote lies in


@dataclass(frozen=True, slots=True)
class Route:
    """An office that holds the matter asked about, and the item of its list that says so."""

    list_id: str
    office: str  # as the list names its office (catalogue), never inferred from elsewhere
    item_key: str
    seq: str
    name: str


@dataclass(frozen=True, slots=True)
class Answer:
    """What the assistant says: quotes and fixed wording only, never its own conclusions."""

    query: str
    refused: bool
    interpretation: str
    quotes: tuple[Quote, ...]
    hits: tuple[ItemHit, ...]
    card: Mapping[str, str] = field(default_factory=dict)
    shared_with: tuple[str, ...] = ()
    shared_total: int = 0  # shared_with lists the first few only
    notices: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    focus: tuple[str, ...] = ()
    field: str | None = None
    warning: str | None = None
    statute_notes: tuple[str, ...] = ()
    confidence: str | None = None  # "sure" | "likely" for answers; None when refused
    probability: float = 0.0  # the refusal policy's probability that the leading item answers
    evidence: Mapping[str, float] = dataclasses.field(default_factory=dict)
    routes: tuple[Route, ...] = ()  # a routing answer: the offices holding the matter, first the likeliest

    # Typed views of the quotes, so no reader depends on their order.
    @property
    def primary(self) -> Quote | None:
        return next((q for q in self.quotes if q.role == "primary"), None)

    @property
    def alternatives(self) -> tuple[Quote, ...]:
        return tuple(q for q in self.quotes if q.role == "alternative")

    @property
    def clause(self) -> Quote | None:
        return next((q for q in self.quotes if q.role == "clause"), None)

    @property
    def card_quotes(self) -> tuple[Quote, ...]:
        return tuple(q for q in self.quotes if q.role == "card")

    @property
    def quotes_law(self) -> bool:
        """Whether what answers it is a law's words (a quote inside a cited article): only then
        does what is in force today belong right under it. An office's name or a duty is not
        changed by an amendment."""
        return any(q.law for q in self.quotes if q.role in ("primary", "route"))

    @property
    def current_law(self) -> tuple[Quote, ...]:
        """The articles in force today that replace the cited ones (statute_current)."""
        return tuple(q for q in self.quotes if q.role == "statute_current")

    @property
    def statutes(self) -> tuple[Quote, ...]:
        """Statute texts: as cited (statute), in force now (statute_current), referred to (xref)."""
        return tuple(q for q in self.quotes if q.role in ("statute", "statute_current", "xref"))

"""Read a published workbook (``.xls`` or ``.xlsx``, told apart by its bytes) into text with a locator.

A workbook has no text of its own, so one is rendered, and every character of it that
came from a cell is located: ``CellRef`` gives the sheet, row and column (1-based, as a
spreadsheet shows them) and where the cell's text begins in the rendering, so a quote
``text[a:b]`` is ``cell[a - ref.start : b - ref.start]`` of that cell, checkable against
the original file.

Rows tied together by a vertical merge (an item spread over 2–3 rows, its 序号 and
事项名称 merged down) are one *group*, rendered column by column: each column's non-empty
cells, in row order, joined by a line break. A cell hidden under a merge (not the merge's
top-left cell, yet holding text: a spreadsheet never shows it) is kept, apart, at the
group's end, so no non-empty cell is lost. Cells are read by python-calamine (one reader
for both formats, and it returns hidden cells' values as stored).
"""

from __future__ import annotations

import bisect
import datetime as _dt
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ListFormatError
from assistant.types import CellRef, Span

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
# Refuse before reading: a published list has at most a few thousand rows; a sheet
# claiming far more is a damaged or hostile file, and reading it would stall the app.
MAX_ROWS = int(os.environ.get("ASSISTANT_MAX_ROWS", "100000"))
MAX_CELL = int(os.environ.get("ASSISTANT_MAX_CELL", "100000"))
# An .xlsx is a zip of XML: refused, before anything is expanded, when a part would expand past
# this (a sheet of a million rows, a 500 MB cell) or far out of proportion (a zip bomb).
MAX_PART = int(float(os.environ.get("ASSISTANT_MAX_PART_MB", "64")) * 1024 * 1024)
MAX_RATIO = 200


def sniff(data: bytes) -> str | None:
    """"xls" (an OLE compound file), "xlsx" (a zip package) or None (text), from the bytes."""
    if data.startswith(_OLE):
        return "xls"
    if data.startswith(_ZIP):
        return "xlsx"
    return None


@dataclass(frozen=True, slots=True)
class Group:
    """One or more sheet rows read as one row of the list."""

    sheet: str
    first_row: int  # 1-based
    last_row: int
    cells: tuple[Span, ...]  # per column: its cells' texts joined by "\n" (empty span when none)
    hidden: Span | None  # hidden cells' texts, joined by "\n"
    header_spans: tuple[tuple[int, int], ...]  # horizontally merged cells: (first, last) column


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    cells: tuple[CellRef, ...]
    groups: tuple[Group, ...]
    sheets: tuple[str, ...]
    non_empty: int  # non-empty cells in the workbook (hidden ones included)


def cell_text(value: object) -> str:
    """A cell's text as a reader of the sheet sees it: 1.0 is 1 (序号 and counts are stored
    as floats), dates as ISO dates, and everything else as stored."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, _dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (_dt.date, _dt.time, _dt.timedelta)):
        return str(value)
    return str(value)


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    rows: list[list[str]]  # 0-based grid from A1
    merges: tuple[tuple[int, int, int, int], ...]  # (row0, col0, row1, col1), 0-based inclusive


def read_sheets(path: Path, data: bytes) -> list[Sheet]:
    """Every worksheet's cells and merged ranges.

    Raises:
        ListFormatError: the file cannot be read as a workbook, or a sheet is far larger
            than any published list.
    """
    import python_calamine

    if sniff(data) == "xlsx":
        _check_package(path, data)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(_Bytes(data))
        out = []
        for meta in book.sheets_metadata:
            if str(meta.typ).rsplit(".", 1)[-1] != "WorkSheet":
                continue
            sheet = book.get_sheet_by_name(meta.name)
            if sheet.total_height > MAX_ROWS:
                raise ListFormatError(path, 0, f"sheet {meta.name!r} has {sheet.total_height:,} rows; "
                                      f"a list has at most {MAX_ROWS:,}")
            top, left = sheet.start or (0, 0)
            grid = [[""] * left + [cell_text(v) for v in row] for row in sheet.to_python(skip_empty_area=True)]
            grid = [[] for _ in range(top)] + grid
            merges = tuple((r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or ()))
            out.append(Sheet(meta.name, grid, merges))
    except ListFormatError:
        raise
    except Exception as e:  # calamine raises its own error types, and OSError, for a damaged file
        raise ListFormatError(path, 0, f"not a readable workbook: {e}") from None
    for sheet in out:
        for r, row in enumerate(sheet.rows):
            for c, value in enumerate(row):
                if len(value) > MAX_CELL:
                    raise ListFormatError(path, r + 1, f"sheet {sheet.name!r}: a cell of {len(value):,} "
                                          f"characters (column {c + 1}); a list's cells hold at most "
                                          f"{MAX_CELL:,}")
    return out


def _check_package(path: Path, data: bytes) -> None:
    """Refuse an .xlsx whose parts would expand too far, from the zip's directory alone.

    Raises:
        ListFormatError: naming the part and its expanded size.
    """
    import io
    import zipfile

    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile as e:
        raise ListFormatError(path, 0, f"not a readable workbook: {e}") from None
    book = zipfile.ZipFile(io.BytesIO(data))
    for part in parts:
        if part.filename.startswith("xl/worksheets/") and part.file_size <= MAX_PART:
            rows = _count_rows(book, part)
            if rows > MAX_ROWS:
                raise ListFormatError(path, 0, f"sheet part {part.filename} holds {rows:,} rows or more; a list "
                                      f"has at most {MAX_ROWS:,}")
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > MAX_PART or (part.file_size > 1024 * 1024 and ratio > MAX_RATIO):
            raise ListFormatError(path, 0, f"part {part.filename} expands to {part.file_size / 2**20:,.0f} MB "
                                  f"({ratio:,.0f}× its stored size); a list's parts are at most "
                                  f"{MAX_PART // 2**20} MB (ASSISTANT_MAX_PART_MB raises it)")


def _count_rows(book: object, part: object) -> int:
    """Rows of a sheet part, counted while it streams (1 MB at a time; stops past MAX_ROWS), so a
    sheet of a million small rows is refused before anything builds them."""
    rows, tail = 0, b""
    with book.open(part) as f:  # type: ignore[attr-defined]
        while chunk := f.read(1 << 20):
            block = tail + chunk
            rows += block.count(b"<row ") + block.count(b"<row>") - tail.count(b"<row ") - tail.count(b"<row>")
            tail = block[-5:]
            if rows > MAX_ROWS:
                break
    return rows


class _Bytes:
    """The minimal file object calamine reads from (it needs read and seek)."""

    def __init__(self, data: bytes) -> None:
        import io

        self._io = io.BytesIO(data)

    def read(self, n: int = -1) -> bytes:
        return self._io.read(n)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._io.seek(offset, whence)

    def tell(self) -> int:
        return self._io.tell()


def render(sheets: Sequence[Sheet]) -> Rendered:
    out: list[str] = []
    pos = 0
    refs: list[CellRef] = []
    groups: list[Group] = []
    non_empty = 0

    def put(s: str) -> Span:
        nonlocal pos
        out.append(s)
        start = pos
        pos += len(s)
        return Span(start, pos)

    for sheet in sheets:
        covered = _covered(sheet.merges)
        width = max((len(r) for r in sheet.rows), default=0)
        for first, last in _groups(sheet):
            put(f"\n[{sheet.name} 第{first + 1}行]\n" if last == first else
                f"\n[{sheet.name} 第{first + 1}–{last + 1}行]\n")
            spans: list[Span] = []
            hidden: list[tuple[int, int, str]] = []
            for c in range(width):
                start = pos
                wrote = False
                for r in range(first, last + 1):
                    value = sheet.rows[r][c] if c < len(sheet.rows[r]) else ""
                    if not value.strip():  # blank: nothing to keep (and none counted)
                        continue
                    non_empty += 1
                    if (r, c) in covered:
                        hidden.append((r, c, value))
                        continue
                    if wrote:
                        put("\n")
                    span = put(value)
                    refs.append(CellRef(span.start, span.end, sheet.name, r + 1, c + 1))
                    wrote = True
                spans.append(Span(start, pos))
                put("\t")
            hidden_span = None
            if hidden:
                put("\n")
                start = pos
                for n, (r, c, value) in enumerate(hidden):
                    if n:
                        put("\n")
                    span = put(value)
                    refs.append(CellRef(span.start, span.end, sheet.name, r + 1, c + 1))
                hidden_span = Span(start, pos)
            across = tuple((c0, c1) for r0, c0, r1, c1 in sheet.merges if r0 <= first <= r1 and c1 > c0)
            groups.append(Group(sheet.name, first + 1, last + 1, tuple(spans), hidden_span, across))
    refs.sort(key=lambda ref: ref.start)
    return Rendered("".join(out), tuple(refs), tuple(groups), tuple(s.name for s in sheets), non_empty)


def _covered(merges: Sequence[tuple[int, int, int, int]]) -> set[tuple[int, int]]:
    """Cells a merge hides: all of its cells but the top-left one."""
    return {(r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
            if (r, c) != (r0, c0)}


def _groups(sheet: Sheet) -> Iterator[tuple[int, int]]:
    """Runs of non-empty rows that vertical merges tie together (first and last row, 0-based)."""
    n = len(sheet.rows)
    reach = list(range(n))
    for r0, _, r1, _ in sheet.merges:
        r1 = min(r1, n - 1)  # a merge may run past the last row that holds anything
        for r in range(r0, r1 + 1):
            reach[r] = max(reach[r], r1)
    r = 0
    while r < n:
        if not any(sheet.rows[r]):
            r += 1
            continue
        last = reach[r]
        k = r
        while k < last:
            k += 1
            last = max(last, reach[k])
        yield r, last
        r = last + 1


def locate(cells: Sequence[CellRef], span: Span) -> CellRef | None:
    """The cell whose text holds all of ``span``, or None when it crosses cells."""
    i = bisect.bisect_right(cells, span.start, key=lambda c: c.start) - 1  # no list of starts per quote
    if i >= 0 and cells[i].start <= span.start and span.end <= cells[i].end:
        return cells[i]
    return None

"""Read a list file into a ``Source`` (its text, never modified) and the rows of its table.

Text files (``.txt``/``.tsv`` tab-separated, ``.csv``) are decoded as UTF-8. Workbooks
(``.xls``, ``.xlsx``) are told apart by their bytes, not their name (offices publish old
``.xls`` files named ``.xlsx``), and rendered with a locator (see ``workbook``).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from assistant.corpus import workbook
from assistant.corpus.rows import Row, csv_rows, tsv_rows
from assistant.errors import ListFormatError
from assistant.types import Source, Span

TEXT_SUFFIXES = (".txt", ".tsv", ".csv")
WORKBOOK_SUFFIXES = (".xls", ".xlsx", ".xlsm")
LIST_SUFFIXES = TEXT_SUFFIXES + WORKBOOK_SUFFIXES
# Larger than any published list by far; reading more would only stall the app.
MAX_BYTES = int(float(os.environ.get("ASSISTANT_MAX_LIST_MB", "64")) * 1024 * 1024)


@dataclass(frozen=True, slots=True)
class Table:
    source: Source
    rows: list[Row]  # a workbook's rows tied by merges come as one row
    sheets: tuple[str, ...] = ()  # a workbook's worksheets, in order
    non_empty: int = 0  # a workbook's non-empty cells (hidden ones included)


def read_source(path: Path | str) -> Source:
    """Raises ListFormatError: an unknown suffix, a text file that is not UTF-8 (naming the
    line of the first bad byte), a file too large, or a workbook that cannot be read."""
    return read_table(path).source


def read_table(path: Path | str) -> Table:
    """The file's source and the rows of its table. Raises ListFormatError as ``read_source``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in LIST_SUFFIXES:
        raise ListFormatError(path, 0, f"unknown list file type {suffix!r}; "
                              f"expected one of {', '.join(LIST_SUFFIXES)}")
    try:
        size = path.stat().st_size
    except OSError as e:
        raise ListFormatError(path, 0, f"cannot be read ({e.strerror})") from None
    if size > MAX_BYTES:
        raise ListFormatError(path, 0, f"{size / 2**20:.0f} MB; a list file is at most "
                              f"{MAX_BYTES // 2**20} MB")
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    kind = workbook.sniff(data)
    if kind is not None:
        return _workbook(path, data, sha, kind)
    if suffix in WORKBOOK_SUFFIXES:
        raise ListFormatError(path, 0, f"named {suffix} but not a workbook (neither .xls nor .xlsx bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise ListFormatError(path, line, f"not valid UTF-8 (byte {e.start}); "
                              "save the file as UTF-8") from None
    kind = "csv" if suffix == ".csv" else "tsv"
    source = Source(path, text, sha, path.stem, kind)
    return Table(source, csv_rows(text, str(path)) if kind == "csv" else tsv_rows(text))


def _workbook(path: Path, data: bytes, sha: str, kind: str) -> Table:
    rendered = workbook.render(workbook.read_sheets(path, data))
    source = Source(path, rendered.text, sha, path.stem, kind, derived=True, cells=rendered.cells)
    rows = [Row(g.first_row, Span(g.cells[0].start if g.cells else 0, g.cells[-1].end if g.cells else 0),
                g.cells, g.hidden, g.sheet, g.header_spans) for g in rendered.groups]
    return Table(source, rows, rendered.sheets, rendered.non_empty)


"""Read a list file into a ``Source``: its decoded text, never modified."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from assistant.errors import ListFormatError
from assistant.types import Source

LIST_SUFFIXES = (".txt", ".tsv", ".csv", ".xlsx")


def read_source(path: Path | str) -> Source:
    """Decode a list file as UTF-8 (a BOM is kept in the text and skipped later).

    Raises:
        ListFormatError: the file is not UTF-8 (naming the line of the first
            bad byte), has an unknown suffix, or is not a readable workbook.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in LIST_SUFFIXES:
        raise ListFormatError(path, 0, f"unknown list file type {suffix!r}; "
                              f"expected one of {', '.join(LIST_SUFFIXES)}")
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if suffix == ".xlsx":
        return Source(path, _render_workbook(path, data), sha, path.stem, "csv", derived=True)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise ListFormatError(path, line, f"not valid UTF-8 (byte {e.start}); "
                              "save the file as UTF-8") from None
    kind = "csv" if suffix == ".csv" else "tsv"
    return Source(path, text, sha, path.stem, kind)


def _render_workbook(path: Path, data: bytes) -> str:
    """The first sheet as CSV text, so that cells have offsets to cite."""
    from openpyxl import load_workbook  # optional dependency, only for .xlsx

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for a damaged file
        raise ListFormatError(path, 0, f"not a readable .xlsx workbook: {e}") from None
    sheet = book.worksheets[0]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in sheet.iter_rows(values_only=True):
        writer.writerow(["" if v is None else str(v) for v in row])
    book.close()
    return out.getvalue()

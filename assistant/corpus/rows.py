"""Split a list file's text into rows of cell spans, keeping line numbers.

Tab-separated files are one row a line. CSV files follow RFC 4180 quoting
(a quoted cell may hold commas, tabs and newlines); a cell's span is its
content inside the quotes, so the text is never unescaped or rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.errors import ListFormatError
from assistant.types import Span


@dataclass(frozen=True, slots=True)
class Row:
    line_no: int  # the file's line, or a workbook's first sheet row
    span: Span
    cells: tuple[Span, ...]
    hidden: Span | None = None  # a workbook's cells hidden under merges (kept as an extra field)
    sheet: str = ""  # a workbook's sheet
    header_spans: tuple[tuple[int, int], ...] = ()  # a workbook's horizontally merged cells


def tsv_rows(text: str) -> list[Row]:
    rows: list[Row] = []
    pos = 0
    for line_no, line in enumerate(text.split("\n"), start=1):
        end = pos + len(line)
        content_end = end - 1 if line.endswith("\r") else end
        cells: list[Span] = []
        cell_start = pos
        for piece in text[pos:content_end].split("\t"):
            cells.append(Span(cell_start, cell_start + len(piece)))
            cell_start += len(piece) + 1
        rows.append(Row(line_no, Span(pos, content_end), tuple(cells)))
        pos = end + 1
    return rows


def csv_rows(text: str, path: str, delimiter: str = ",") -> list[Row]:
    """Rows of a CSV text; raises ListFormatError for a quote left open."""
    rows: list[Row] = []
    n = len(text)
    i = 0
    line_no = 1
    while i < n or (i == n and not rows):
        row_line, row_start = line_no, i
        cells: list[Span] = []
        while True:
            if i < n and text[i] == '"':
                start = i + 1
                j = start
                while True:
                    q = text.find('"', j)
                    if q < 0:
                        raise ListFormatError(path, row_line, "a quoted cell is never closed")
                    if q + 1 < n and text[q + 1] == '"':
                        j = q + 2
                        continue
                    break
                line_no += text.count("\n", start, q)
                cells.append(Span(start, q))
                i = q + 1
            else:
                j = i
                while j < n and text[j] not in (delimiter, "\n", "\r"):
                    j += 1
                cells.append(Span(i, j))
                i = j
            if i < n and text[i] == delimiter:
                i += 1
                continue
            break
        row_end = i
        if i < n and text[i] == "\r":
            i += 1
        if i < n and text[i] == "\n":
            i += 1
            line_no += 1
        elif i < n:
            raise ListFormatError(path, line_no, "text after a closing quote")
        rows.append(Row(row_line, Span(row_start, row_end), tuple(cells)))
        if i >= n:
            break
    return rows

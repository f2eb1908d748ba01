"""Find the text between ``<p>`` tags of a cell by choosing spans, never by editing."""

from __future__ import annotations

import re

from assistant.types import Span

_TAG = re.compile(r"</?p\s*>", re.IGNORECASE)


class MarkupError(ValueError):
    """Unbalanced ``<p>`` markup; ``offset`` is where it was found."""

    def __init__(self, offset: int, reason: str) -> None:
        self.offset = offset
        super().__init__(reason)


def trim(text: str, start: int, end: int) -> Span:
    """Shrink ``[start, end)`` past surrounding whitespace (full-width and BOM too)."""
    while start < end and (text[start].isspace() or text[start] == "\ufeff"):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def parts(text: str, start: int, end: int) -> tuple[Span, ...]:
    """Spans of content in ``text[start:end]`` outside or between ``<p>`` tags.

    Text outside any paragraph counts as its own part, so a cell mixing
    tagged and untagged text loses nothing. A line break also ends a part.

    Raises:
        MarkupError: a ``<p>`` left open, a ``</p>`` with no opener, or nesting.
    """
    found: list[Span] = []
    cursor = start
    open_at: int | None = None
    for match in _TAG.finditer(text, start, end):
        closing = match.group().startswith("</")
        if closing and open_at is None:
            raise MarkupError(match.start(), "'</p>' without an opening '<p>'")
        if not closing and open_at is not None:
            raise MarkupError(match.start(), "'<p>' inside an open '<p>'")
        span = trim(text, cursor, match.start())
        if len(span):
            found.append(span)
        cursor = match.end()
        open_at = None if closing else match.start()
    if open_at is not None:
        raise MarkupError(open_at, "'<p>' is never closed")
    tail = trim(text, cursor, end)
    if len(tail):
        found.append(tail)
    return tuple(line for span in found for line in _lines(text, span))


def _lines(text: str, span: Span) -> list[Span]:
    """A line break inside a cell (a workbook's, or a quoted CSV cell's) starts a paragraph too."""
    if "\n" not in span.of(text) and "\r" not in span.of(text):
        return [span]
    out, start = [], span.start
    for i in range(span.start, span.end + 1):
        if i == span.end or text[i] in "\r\n":
            line = trim(text, start, i)
            if len(line):
                out.append(line)
            start = i + 1
    return out

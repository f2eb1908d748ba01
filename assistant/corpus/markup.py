"""Find the text between ``<p>`` tags of a cell by choosing spans, never by editing."""

from __future__ import annotations

import itertools
import re

from assistant.corpus.language import general_dictionary
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
    """A line break inside a cell (a workbook's, or a quoted CSV cell's) starts a paragraph too,
    unless the cell is hard-wrapped (see ``_wrapped``): then only a break after a sentence's end
    or before a clause's number does."""
    if "\n" not in span.of(text) and "\r" not in span.of(text):
        return [span]
    out, start = [], span.start
    for i in range(span.start, span.end + 1):
        if i == span.end or text[i] in "\r\n":
            line = trim(text, start, i)
            if len(line):
                out.append(line)
            start = i + 1
    if not _wrapped(text, out):
        return out
    joined = [out[0]]
    for line in out[1:]:
        if _continues(text, joined[-1], line):
            joined[-1] = Span(joined[-1].start, line.end)
        else:
            joined.append(line)
    return joined


# Where a line may end a paragraph in a hard-wrapped cell, and what opens a new one.
_PARAGRAPH_END = "。；;：:！？!?"
_OPENS = re.compile(r"\d{1,2}[.．、]|[（(][一二三四五六七八九十]{1,3}[）)]|第[一二三四五六七八九十百零〇\d]+条|【")
WRAPPED_LINES = 4  # a cell of fewer lines is read as its lines
WRAPPED_CUTS = 0.2  # share of a wrapped cell's line breaks that fall inside a word (at least two)


def _continues(text: str, line: Span, after: Span) -> bool:
    return text[line.end - 1] not in _PARAGRAPH_END and not _OPENS.match(text, after.start)


def _wrapped(text: str, lines: list[Span]) -> bool:
    """A cell laid out at a fixed width, its line breaks wherever the width ran out (对拒绝\n配合统\n计调查,
    可以并处一万元以\n下的罚款 in a list converted from a PDF): some breaks cut a word in two, which a
    writer's own line breaks never do, and its lines are not one value repeated (行政许可\n行政许可, a
    merged cell's rows)."""
    if len(lines) < WRAPPED_LINES or len({line.of(text) for line in lines}) < 0.8 * len(lines):
        return False
    cuts = sum(_cuts_word(text, a, b) for a, b in itertools.pairwise(lines) if _continues(text, a, b))
    return cuts >= max(2.0, WRAPPED_CUTS * (len(lines) - 1))


def _cuts_word(text: str, line: Span, after: Span) -> bool:
    """Whether the words of the language run across the break (以|下, 警|告, 政策法|规科)."""
    left = text[max(line.start, line.end - 4):line.end]
    right = text[after.start:min(after.end, after.start + 4)]
    at = 0
    for word in general_dictionary().lcut(left + right, HMM=False):
        if at < len(left) < at + len(word):
            return True
        at += len(word)
    return False

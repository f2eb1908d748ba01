"""Numbered clauses inside a cell: ``1.``, ``1、``, ``（一）``."""

from __future__ import annotations

import re

from assistant.corpus.markup import trim
from assistant.corpus.numerals import to_int
from assistant.types import Clause, Span

# A marker counts only where a clause can begin: at the start of a part, or
# after whitespace or a clause-ending mark. That keeps "1.5" and "第1条"
# inside a sentence from splitting it.
_MARKER = re.compile(
    r"(?:(?P<arabic>\d{1,2})[.．、](?!\d)|[（(](?P<han>[一二三四五六七八九十]{1,3})[）)])"
)
_BEFORE_MARKER = "：:；;。"


def split(text: str, part: Span) -> list[Clause]:
    """Clauses of one part, in order, covering all its non-blank text."""
    out: list[Clause] = []
    markers = [m for m in _MARKER.finditer(text, part.start, part.end)
               if m.start() == part.start
               or text[m.start() - 1].isspace()
               or text[m.start() - 1] in _BEFORE_MARKER]
    head_end = markers[0].start() if markers else part.end
    head = trim(text, part.start, head_end)
    if len(head):
        out.append(Clause(label="", number=None, span=head, body=head))
    for i, m in enumerate(markers):
        end = markers[i + 1].start() if i + 1 < len(markers) else part.end
        span = trim(text, m.start(), end)
        body = trim(text, m.end(), span.end)
        number = to_int(m.group("arabic") or m.group("han"))
        out.append(Clause(label=m.group(), number=number, span=span, body=body))
    return out


def clauses(text: str, parts: tuple[Span, ...]) -> tuple[Clause, ...]:
    return tuple(c for p in parts for c in split(text, p))

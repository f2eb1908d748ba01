"""Legal references inside 实施依据: law titles, 第X条, 款, 项, with spans."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.corpus.numerals import NUMERAL_CHARS, to_int
from assistant.types import LegalRef, Span

_NUM = f"(?:[0-9]+|[{NUMERAL_CHARS}]+)"
_TITLE = re.compile(r"《(?P<title>[^《》]+)》(?:\s*[（(](?P<note>[^（）()]*)[）)])?")
_TOKEN = re.compile(rf"第(?P<num>{_NUM})(?P<unit>[条款项])?")
# Words just before a 第X条 that make it a reference to the same law.
_SAME_LAW = ("本法", "本规定", "本办法", "本条例")
# What may open a clause before a title or an article: 1. 2、 【法律】 【部门规章】 (or nothing).
_MARKER = re.compile(r"(?:\d{1,2}[.．、])?\s*(?:【[^【】]{1,10}】)?")
# Marks after which an article number starts a new cited article.
_SENTENCE_START = "。；;：:"


@dataclass(slots=True)
class _Run:
    """Consecutive 第…条第…款第…项 tokens with nothing between them."""

    start: int
    end: int
    article: int | None = None
    paragraph: int | None = None
    item: int | None = None
    bare: int | None = None
    quirk: str | None = None


def _runs(text: str, start: int, end: int, skip: list[Span]) -> list[_Run]:
    runs: list[_Run] = []
    for m in _TOKEN.finditer(text, start, end):
        if any(s.start <= m.start() < s.end for s in skip):
            continue
        unit, value = m.group("unit"), to_int(m.group("num"))
        last = runs[-1] if runs else None
        if last is not None and last.end == m.start() and unit in ("款", "项"):
            if unit == "款":
                if last.article is None and last.bare is not None:
                    # 第二十二第一款: the 条 is missing; the number is still the article.
                    last.article, last.quirk = last.bare, "第N后缺“条”字"
                last.paragraph = value
            else:
                last.item = value
            last.end = m.end()
        elif unit == "条":
            runs.append(_Run(m.start(), m.end(), article=value))
        elif unit is None:
            runs.append(_Run(m.start(), m.end(), bare=value))
        else:
            runs.append(_Run(m.start(), m.end(), paragraph=value if unit == "款" else None,
                             item=value if unit == "项" else None))
    # A bare 第N that never met a 款 is no reference (第十二届, 第二十四次会议).
    return [r for r in runs if not (r.article is None and r.bare is not None)]


def article_runs(text: str, start: int, end: int) -> list[tuple[Span, int, int | None]]:
    """Every 第X条(第Y款) reference in ``text[start:end]``: (span, article, paragraph).
    A bare 、第二款 continues the article named before it."""
    out: list[tuple[Span, int, int | None]] = []
    last: int | None = None
    for run in _runs(text, start, end, []):
        article = run.article if run.article is not None else last
        if article is None:
            continue
        out.append((Span(run.start, run.end), article, run.paragraph))
        last = article
    return out


def find(text: str, parts: tuple[Span, ...]) -> tuple[LegalRef, ...]:
    """All article references in the parts of one 实施依据 cell, in order.

    A reference is "cited" when it opens a paragraph or sentence, directly or
    right after a law title that does; the law named last stays current
    across parts. Others are "cross" references made by the quoted text.
    """
    refs: list[LegalRef] = []
    law, note = "", ""
    law_span: Span | None = None
    for part in parts:
        titles = list(_TITLE.finditer(text, part.start, part.end))
        notes = [Span(t.start("note"), t.end("note")) for t in titles if t.group("note")]
        for title in titles:
            # A title that opens a line (【法规】《城镇燃气管理条例》（…）) names the law of the
            # articles cited on the lines after it, in this part or the next.
            if _opens_line(text, part.start, title.start()):
                law, note = title.group("title"), title.group("note") or ""
                law_span = Span(title.start("title"), title.end("title"))
                break
        last_article: int | None = None
        last_law = law
        for run in _runs(text, part.start, part.end, notes):
            title = next((t for t in titles
                          if t.end() <= run.start and not text[t.end():run.start].strip()), None)
            lead_end = title.start() if title is not None else run.start
            cited = _opens_sentence(text[part.start:lead_end].rstrip())
            if title is not None and cited:
                law, note = title.group("title"), title.group("note") or ""
                law_span = Span(title.start("title"), title.end("title"))
            if run.article is None:
                # 、第二款: a further paragraph of the article just named.
                if last_article is None:
                    continue
                run.article = last_article
            if cited or text.endswith(_SAME_LAW, 0, run.start):
                ref_law = law
            elif title is not None:
                ref_law = title.group("title")
            else:
                ref_law = last_law
            refs.append(LegalRef(
                law=ref_law,
                law_span=law_span if cited else None,
                version_note=note if ref_law == law else "",
                article=run.article,
                span=Span(run.start, run.end),
                role="cited" if cited else "cross",
                paragraph=run.paragraph,
                item=run.item,
                quirk=run.quirk,
                range_to=_range_to(text, run.end, part.end),
            ))
            last_article, last_law = run.article, ref_law
    return tuple(refs)


def _opens_sentence(before: str) -> bool:
    """True when the text before a 第X条 ends a sentence, or is only a clause marker (1. or 【法律】)."""
    if not before:
        return True
    if before[-1] in _SENTENCE_START:
        return True
    # Only a marker on its line: 【规章】 opening the next law's title line.
    return _MARKER.fullmatch(before.rsplit("\n", 1)[-1].strip()) is not None


def _opens_line(text: str, start: int, at: int) -> bool:
    """Only a clause marker, or nothing, stands between the start of ``at``'s line and ``at``."""
    line_start = max(start, text.rfind("\n", start, at) + 1)
    return _MARKER.fullmatch(text[line_start:at].strip()) is not None


def _range_to(text: str, end: int, limit: int) -> int | None:
    """第四十一条至第四十三条: the upper bound of a range starting here."""
    m = re.compile(rf"至第(?P<num>{_NUM})条").match(text, end, limit)
    return to_int(m.group("num")) if m else None

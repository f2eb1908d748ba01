"""Parse a statute file (Markdown with a header comment) into 章, 条, 款, 项 spans.

Format: a ``<!-- … -->`` header with ``title:`` and ``version:`` lines, a ``# 标题``,
chapter headings ``## 第X章``, and one article per ``第X条　…`` line, its further
paragraphs (款) on following lines; items (项) are paragraphs opening with （一）.
Every span indexes the file's text as decoded, the same rule as list files.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.corpus.numerals import NUMERAL_CHARS, to_int
from assistant.errors import StatuteFormatError
from assistant.types import Span

_ARTICLE = re.compile(rf"^第([{NUMERAL_CHARS}]+)条[ \u3000]*", re.M)
_HEADING = re.compile(r"^#{1,6} .*$", re.M)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ITEM = re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]")


@dataclass(frozen=True, slots=True)
class Paragraph:
    span: Span
    items: tuple[Span, ...] = ()


@dataclass(frozen=True, slots=True)
class Article:
    number: int
    span: Span  # the whole article, heading included
    heading: Span  # "第五十九条"
    paragraphs: tuple[Paragraph, ...]
    chapter: str = ""


@dataclass(frozen=True, slots=True)
class Statute:
    path: Path
    text: str
    sha256: str
    title: str  # the law's name, without version notes
    label: str  # the header's title line, e.g. 中华人民共和国网络安全法（2025年修正）
    version: str  # the header's version line
    dates: tuple[str, ...]  # every ISO date in the version line
    effective: str | None
    articles: dict[int, Article] = field(default_factory=dict)
    amends: tuple[str, ...] = ()  # for an amending decision: the laws it amends

    @property
    def is_decision(self) -> bool:
        return "决定" in self.title


def _header(text: str, path: Path) -> dict[str, str]:
    m = re.match(r"\s*<!--(.*?)-->", text, re.S)
    if not m:
        raise StatuteFormatError(f"{path}: no header comment with title and version")
    out = {}
    for line in m.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            out[key.strip()] = value.strip()
    if "title" not in out or "version" not in out:
        raise StatuteFormatError(f"{path}: header lacks title or version")
    return out


def parse_statute(path: Path | str) -> Statute:
    """Raises StatuteFormatError for a file without header, title or articles."""
    path = Path(path)
    data = path.read_bytes()
    text = data.decode("utf-8")
    head = _header(text, path)
    h1 = re.search(r"^# (.+)$", text, re.M)
    if not h1:
        raise StatuteFormatError(f"{path}: no '# title' line")
    title = h1.group(1).strip()
    amends: tuple[str, ...] = ()
    if "决定" in title:
        named = re.findall(r"关于修改《([^》]+)》的决定", title) + re.findall(r"将《([^》]+)》", text)
        amends = tuple(dict.fromkeys(named))
    dates = tuple("-".join(d) for d in _DATE.findall(head["version"]))
    eff = re.search(r"effective (\d{4}-\d{2}-\d{2})", head["version"])
    statute = Statute(path=path, text=text, sha256=hashlib.sha256(data).hexdigest(), title=title,
                      label=head["title"], version=head["version"], dates=dates,
                      effective=eff.group(1) if eff else None, amends=amends)
    if not statute.is_decision:
        statute.articles.update(_articles(text, path))
    return statute


def _articles(text: str, path: Path) -> dict[int, Article]:
    body_start = text.find("<!-- INFO END -->")
    starts = [m for m in _ARTICLE.finditer(text) if m.start() > body_start]
    if not starts:
        raise StatuteFormatError(f"{path}: no articles (lines starting with 第X条)")
    headings = [(m.start(), m.group()) for m in _HEADING.finditer(text)]
    out: dict[int, Article] = {}
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        end = min([h for h, _ in headings if m.start() < h < end], default=end)
        paragraphs, items = [], []
        pos = m.start()
        for line in text[m.start():end].split("\n"):
            span = Span(pos, pos + len(line.rstrip()))
            pos += len(line) + 1
            if not line.strip():
                continue
            if _ITEM.match(line) and paragraphs:
                items.append(span)
                continue
            if items and paragraphs:
                paragraphs[-1] = Paragraph(paragraphs[-1].span, tuple(items))
                items = []
            paragraphs.append(Paragraph(span))
        if items and paragraphs:
            paragraphs[-1] = Paragraph(paragraphs[-1].span, tuple(items))
        whole = Span(m.start(), max(p.span.end for p in paragraphs) if paragraphs else m.end())
        for p in paragraphs:
            for it in p.items:
                whole = Span(whole.start, max(whole.end, it.end))
        chapter = next((h.lstrip("# ") for at, h in reversed(headings) if at < m.start()), "")
        number = to_int(m.group(1))
        if number in out:
            raise StatuteFormatError(f"{path}: article {number} appears twice")
        heading_end = m.start() + len(m.group().rstrip())
        out[number] = Article(number, whole, Span(m.start(), heading_end), tuple(paragraphs), chapter)
    return out


def load_statutes(folder: Path) -> list[Statute]:
    return [parse_statute(p) for p in sorted(Path(folder).glob("*.md"))]

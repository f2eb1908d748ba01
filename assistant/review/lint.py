"""Data-quality findings for list maintainers, found by rule, not by a list of known quirks.

Rules:
- ``inconsistent_value``: one column spells the same value two ways (市 / 市级).
- ``outlier_value``: one item's value is a near-variant of what nearly all others use.
- ``misplaced_value``: a cell holds a value the list uses in another column.
- ``boilerplate_variant``: a clause shared (almost) word for word by most items differs in one.
- ``malformed_reference``: an article reference in an irregular form (第二十二第一款).
- ``malformed_fine_range``: a fine range written ``X以下Y以下`` or with its bounds reversed.
- ``differs_from_law``: a quotation of an article that differs from the official text of the
  version the list names (given the statute texts); ``no_official_text`` when there is none.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from difflib import SequenceMatcher

from assistant.corpus.numerals import NUMERAL_CHARS, amount
from assistant.statutes.library import Library, version_name
from assistant.types import COLUMNS, Finding, Item, ParsedList, Source, Span
from assistant.vocabulary import POWER_TYPES

# Columns holding prose or identifiers, where differing values are expected.
_FREE_TEXT = {"序号", "事项名称", "子项名称", "地方权力编码", "子项地方权力编码",
              "实施依据", "责任事项", "追责情形"}
_SHORT = 20  # a categorical value is short; longer cells are prose
_DOMINANT = 0.7  # share of items a value must hold to define the norm
_NEAR = 0.5  # SequenceMatcher ratio above which two values are variants of one
_BOILERPLATE_SHARE = 0.5  # a clause text this common is boilerplate
_VARIANT_RATIO = 0.8  # a clause this close to the boilerplate is a variant of it
# 5000元, 1万元, 1.5万元, 五千元, 二十万元: the notations lists use.
_AMOUNT = rf"(?:[0-9]+(?:\.[0-9]+)?[十百千万亿]*|[{NUMERAL_CHARS}]+)元"
_RANGE = re.compile(rf"(?P<low>{_AMOUNT})(?P<w1>以上|以下)(?P<high>{_AMOUNT})(?P<w2>以上|以下)")


def lint(lists: Iterable[ParsedList], library: Library | None = None) -> list[Finding]:
    """All findings; with a statute ``library``, also where quotations differ from the law."""
    findings: list[Finding] = []
    for parsed in lists:
        findings += _column_values(parsed)
        findings += _misplaced(parsed)
        findings += _boilerplate(parsed)
        findings += _references(parsed)
        findings += _fine_ranges(parsed)
        if library is not None:
            findings += _against_law(parsed, library)
    return findings


def _against_law(parsed: ParsedList, library: Library) -> list[Finding]:
    src = parsed.source
    found: list[Finding] = []
    missing: set[str] = set()
    for item in parsed.items:
        cited = [r for r in item.refs if r.role == "cited"]
        for law in dict.fromkeys(r.law for r in cited if r.law):  # "": the list names no law
            refs = [r for r in cited if r.law == law]
            statute = library.cited(law, refs[0].version_note)
            if statute is None:
                if law not in missing:
                    missing.add(law)
                    found.append(_finding("no_official_text", src, item, "实施依据", refs[0].law_span or refs[0].span,
                                          f"《{law}》的官方文本不在语料中，无法核对清单的引文"))
                continue
            present = [r for r in refs if r.article in statute.articles]
            for d in library.differences(src.text, item, statute, present):
                found.append(_finding("differs_from_law", src, item, "实施依据", d.list_span,
                                      f"清单原文「{d.list_text}」，{version_name(statute)}此处为"
                                      f"「{d.law_text or '（无）'}」：…{d.law_context}…", expected=d.law_text))
    return found


def _finding(kind: str, src: Source, item: Item, column: str, span: Span,
             message: str, expected: str = "") -> Finding:
    return Finding(kind=kind, list_id=src.list_id, item=item.seq, field=column, span=span,
                   excerpt=span.of(src.text), message=message, expected=expected)


def _categorical(parsed: ParsedList) -> dict[str, Counter[str]]:
    text = parsed.source.text
    out: dict[str, Counter[str]] = {}
    for column in COLUMNS:
        if column in _FREE_TEXT:
            continue
        values = Counter(i.fields[column].span.of(text) for i in parsed.items)
        if all(len(v) <= _SHORT for v in values):
            out[column] = values
    return out


def _column_values(parsed: ParsedList) -> list[Finding]:
    src, n = parsed.source, len(parsed.items)
    found: list[Finding] = []
    for column, values in _categorical(parsed).items():
        ranked = [v for v, _ in values.most_common() if v]
        for item in parsed.items:
            cell = item.fields[column].span
            mine = cell.of(src.text)
            if not mine:
                continue
            variant_of = next((v for v in ranked if v != mine and (mine in v or v in mine)
                               and values[v] >= values[mine]), None)
            if variant_of is not None:
                found.append(_finding(
                    "inconsistent_value", src, item, column, cell,
                    f"{column}此处作「{mine}」，{n}项中有{values[variant_of]}项作「{variant_of}」",
                    expected=variant_of))
                continue
            top, count = ranked[0], values[ranked[0]]
            if column == "权力事项类型" and mine in POWER_TYPES:
                continue  # a kind of power of its own, however rare in this list
            if (values[mine] == 1 and mine != top and count >= _DOMINANT * n
                    and SequenceMatcher(None, mine, top).ratio() >= _NEAR):
                found.append(_finding(
                    "outlier_value", src, item, column, cell,
                    f"{column}仅此处作「{mine}」；{n}项中有{count}项作「{top}」",
                    expected=top))
    return found


def _misplaced(parsed: ParsedList) -> list[Finding]:
    src = parsed.source
    columns = _categorical(parsed)
    found: list[Finding] = []
    for column, values in columns.items():
        usual = values.most_common(1)[0][0]
        for item in parsed.items:
            cell = item.fields[column].span
            mine = cell.of(src.text)
            if not mine or mine == usual or values[mine] * 2 > len(parsed.items):
                continue
            home = next((c for c, vs in columns.items()
                         if c != column and vs[mine] >= 2 and vs[mine] > values[mine]), None)
            if home is not None:
                found.append(_finding(
                    "misplaced_value", src, item, column, cell,
                    f"{column}填了「{mine}」，这是本清单{home}一栏的值；"
                    + (f"多数事项此栏为「{usual}」" if usual else "多数事项此栏为空"), expected=usual))
    return found


def _boilerplate(parsed: ParsedList) -> list[Finding]:
    """Compare each clause to the most common text of the same column and number."""
    src, text = parsed.source, parsed.source.text
    groups: dict[tuple[str, int], list[tuple[Item, Span]]] = {}
    for item in parsed.items:
        for column in ("实施依据", "责任事项", "追责情形"):
            for index, clause in enumerate(item.fields[column].clauses):
                key = (column, clause.number if clause.number is not None else -index)
                groups.setdefault(key, []).append((item, clause.body))
    found: list[Finding] = []
    for (column, number), members in groups.items():
        squeezed = {item.seq: _squeeze(text, body) for item, body in members}
        common, count = Counter(s for s, _ in squeezed.values()).most_common(1)[0]
        if count < 2 or count < _BOILERPLATE_SHARE * len(parsed.items):
            continue
        for item, _body in members:
            mine, where = squeezed[item.seq]
            if mine == common or SequenceMatcher(None, mine, common).ratio() < _VARIANT_RATIO:
                continue
            for tag, i1, i2, j1, j2 in SequenceMatcher(None, common, mine,
                                                       autojunk=False).get_opcodes():
                if tag == "equal":
                    continue
                if j2 > j1:
                    start, end = where[j1], where[j2 - 1] + 1
                else:  # a deletion: point at the characters either side of the gap
                    start, end = where[max(j1 - 1, 0)], where[min(j1, len(where) - 1)] + 1
                found.append(_finding(
                    "boilerplate_variant", src, item, column, Span(start, end),
                    f"{_clause_label(number)}与{count}项共有的文字不同：「{_context(common, i1, i2)}」"
                    f"此处作「{_context(mine, j1, j2)}」",
                    expected=common[i1:i2]))
    return found


def _clause_label(number: int) -> str:
    """A numbered clause (1. 立案责任) by its number; an unnumbered one by its place (keyed -index)."""
    return f"第{number}点" if number > 0 else f"第{1 - number}段"


def _squeeze(text: str, span: Span) -> tuple[str, list[int]]:
    """The span's text without whitespace, and each kept char's offset in ``text``."""
    where = [i for i in range(span.start, span.end) if not text[i].isspace()]
    return "".join(text[i] for i in where), where


def _context(s: str, i: int, j: int, pad: int = 4) -> str:
    return s[max(0, i - pad):j + pad]


def _references(parsed: ParsedList) -> list[Finding]:
    return [_finding("malformed_reference", parsed.source, item, "实施依据", ref.span,
                     f"条文引用写法不规范（{ref.quirk}），按"
                     f"第{ref.article}条" + (f"第{ref.paragraph}款" if ref.paragraph else "") + "理解")
            for item in parsed.items for ref in item.refs if ref.quirk]


def _fine_ranges(parsed: ParsedList) -> list[Finding]:
    src, text = parsed.source, parsed.source.text
    found: list[Finding] = []
    for item in parsed.items:
        for part in item.fields["实施依据"].parts:
            for m in _RANGE.finditer(text, part.start, part.end):
                span = Span(m.start(), m.end())
                if (m.group("w1"), m.group("w2")) != ("以上", "以下"):
                    found.append(_finding(
                        "malformed_fine_range", src, item, "实施依据", span,
                        f"罚款幅度写作「{m.group('w1')}…{m.group('w2')}」；"
                        "幅度应为「以上…以下」"))
                elif _yuan(m.group("low")) > _yuan(m.group("high")):
                    found.append(_finding(
                        "malformed_fine_range", src, item, "实施依据", span,
                        "罚款幅度的下限高于上限"))
    return found


def _yuan(text: str) -> float:
    return amount(text.removesuffix("元"))

"""Which version of a law a list cites, which is in force, and how articles moved between them.

The mapping comes from the texts: the amending decision's own sentences
(将第五十九条改为第六十一条, …合并，作为第七十一条, 删去第N条) and, for articles it does
not name, the new version's article with the same text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from assistant.corpus.numerals import NUMERAL_CHARS, to_int
from assistant.statutes.parse import Statute

_N = f"[{NUMERAL_CHARS}]+"
_POINT = re.compile(r"^[一二三四五六七八九十]+、(.*)$", re.M)
_RENUMBER = re.compile(rf"将第({_N})条改为第({_N})条")
_MERGE = re.compile(rf"将((?:第{_N}条(?:第{_N}项)?、?)+)合并，作为第({_N})条")
_DELETE = re.compile(rf"删去第({_N})条")
_AMEND_SAME = re.compile(rf"将《[^》]+》第({_N})条修改为")
SAME_TEXT = 0.8  # an unnamed article this similar to a new one is that one, amended
PARTIAL_TEXT = 0.5  # what remains of a partly merged article, in a new one


@dataclass(frozen=True, slots=True)
class Move:
    old: int
    new: tuple[int, ...]  # empty when deleted
    kind: str  # unchanged | renumbered | amended | merged | split | deleted
    with_old: tuple[int, ...] = ()  # other old articles merged into the same new one


def in_force_from(s: Statute) -> str:
    return s.effective or (s.dates[1] if len(s.dates) > 1 else s.dates[0] if s.dates else "")


def versions_of(statutes: list[Statute], title: str) -> list[Statute]:
    return sorted((s for s in statutes if not s.is_decision and s.title == title), key=in_force_from)


def spoken(iso: str) -> str:
    """2016-11-07 → 2016年11月7日, as lists and notes write dates."""
    y, m, d = iso.split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


def cited_version(statutes: list[Statute], title: str, note: str) -> Statute | None:
    """The version whose header dates appear in the list's version note (2016年11月7日…)."""
    matches = [s for s in versions_of(statutes, title) if any(spoken(d) in note for d in s.dates)]
    return matches[-1] if matches else None


def in_force(statutes: list[Statute], title: str, today: str) -> Statute | None:
    current = [s for s in versions_of(statutes, title) if in_force_from(s) <= today]
    return current[-1] if current else None


def decision_between(statutes: list[Statute], old: Statute, new: Statute) -> Statute | None:
    return next((s for s in statutes if s.is_decision and old.title in s.amends
                 and in_force_from(old) < in_force_from(s) <= in_force_from(new)), None)


def _body(s: Statute, number: int) -> str:
    a = s.articles[number]
    text = s.text[a.heading.end:a.span.end]
    return unicodedata.normalize("NFKC", "".join(text.split()))


def moves(old: Statute, new: Statute, decision: Statute | None) -> dict[int, Move]:
    """Where each article of ``old`` went in ``new``."""
    out: dict[int, Move] = {}
    partial: set[int] = set()  # only one 项 of the article moved (…第六十九条第一项合并)
    for point in _POINT.findall(decision.text if decision else ""):
        amended = any(w in point for w in ("修改为", "增加一款", "删去第", "其中的"))
        for m in _MERGE.finditer(point):
            olds = [to_int(n) for n in re.findall(rf"第({_N})条", m.group(1))]
            partial |= {to_int(n) for n in re.findall(rf"第({_N})条第{_N}项", m.group(1))}
            target = to_int(m.group(2))
            for o in olds:
                out[o] = Move(o, (target,), "merged", tuple(x for x in olds if x != o))
        for m in _RENUMBER.finditer(point):
            o, n = to_int(m.group(1)), to_int(m.group(2))
            out.setdefault(o, Move(o, (n,), "amended" if amended else "renumbered"))
        for m in _AMEND_SAME.finditer(point):
            o = to_int(m.group(1))
            out.setdefault(o, Move(o, (o,), "amended"))
        if point.startswith("删去第") or "，删去第" not in point:
            for m in _DELETE.finditer(point):
                if "款" not in point[m.end():m.end() + 1]:
                    o = to_int(m.group(1))
                    out.setdefault(o, Move(o, (), "deleted"))
    taken = {n for mv in out.values() for n in mv.new}
    new_bodies = {n: _body(new, n) for n in new.articles}
    for number in sorted(partial):
        # The rest of a partly merged article lives on in the most similar new article.
        body = _body(old, number)
        ratio, best = max((SequenceMatcher(None, body, b, autojunk=False).ratio(), n)
                          for n, b in new_bodies.items() if n not in taken)
        if ratio >= PARTIAL_TEXT:
            mv = out[number]
            out[number] = Move(number, (*mv.new, best), "split", mv.with_old)
            taken.add(best)
    for number in old.articles:
        if number in out:
            continue
        body = _body(old, number)
        same = [n for n, b in new_bodies.items() if b == body and n not in taken]
        if same:
            best = min(same, key=lambda n: abs(n - number))
            out[number] = Move(number, (best,), "unchanged" if best == number else "renumbered")
            taken.add(best)
            continue
        scored = [(SequenceMatcher(None, body, b, autojunk=False).ratio(), n)
                  for n, b in new_bodies.items() if n not in taken]
        ratio, best = max(scored, default=(0.0, 0))
        if ratio >= SAME_TEXT:
            out[number] = Move(number, (best,), "amended")
            taken.add(best)
    return out

"""Statute quotes and factual version notes for an answer: fixed templates, facts from the files."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.corpus.catalogue import Catalogue
from assistant.paths import relative
from assistant.statutes.library import Library, article_label, version_name
from assistant.statutes.parse import Statute
from assistant.statutes.versions import spoken
from assistant.types import Item, Quote, Span

MAX_XREFS = 6
# How the notes on a change of the law end: the in-force notes are read back by these.
CURRENT_BELOW = "现行条文见下。"
REPEALED = "已被删去。"
OTHER_ARTICLE = "不是清单所引的那一条。"


def _quote(s: Statute, span: Span, item: Item, role: str, number: int) -> Quote:
    return Quote(text=span.of(s.text), item=item.seq, item_key=item.key, field="实施依据",
                 source=relative(s.path), start=span.start, end=span.end, role=role,
                 law=version_name(s), article=article_label(number))


def paths_hint(q: Quote) -> str:
    return f"第{q.item}项 · {q.field}"


def annotate(cat: Catalogue, item: Item, library: Library, primary: Quote | None,
             asked: int | None = None) -> tuple[list[Quote], list[str]]:
    """Quotes of the cited articles (and, for ``asked``, of that article), what they refer
    to, the in-force counterparts, and factual notes on versions and quotation differences."""
    quotes: list[Quote] = []
    notes: list[str] = []
    src = cat.source(item)
    cited = [r for r in item.refs if r.role == "cited"]
    for law in dict.fromkeys(r.law for r in cited):
        refs = [r for r in cited if r.law == law]
        old = library.cited(law, refs[0].version_note) if law else None
        if old is None:
            if law:  # an article whose law the list does not name says nothing here
                notes.append(f"《{law}》的官方全文不在本地语料中，无法显示或核对其条文。")
            continue
        present = quoted = [r for r in refs if r.article in old.articles]
        mentioned = [r for r in item.refs if r.law == law and r.article == asked and r.article in old.articles]
        if mentioned and all(r.article != asked for r in present):
            # A question about an article the item refers to: that article, both versions.
            present = [*mentioned[:1], *present]
        for r in present:
            quotes.append(_quote(old, old.articles[r.article].span, item, "statute", r.article))
            for x in library.xrefs(old, r.article)[:MAX_XREFS]:
                if x.target is not None and all(q.start != x.target.start for q in quotes):
                    quotes.append(_quote(old, x.target, item, "xref", x.article))
        if primary is not None and quoted:
            for d in library.differences(src.text, item, old, quoted):
                if primary.start <= d.list_span.start and d.list_span.end <= primary.end:
                    # Worded for staff: what differs, where, and the law's words at that place.
                    notes.append(f"清单此处与法律原文不同，可能为笔误：清单作「{d.list_text}」"
                                 f"（{paths_hint(primary)}），{version_name(old)}原文作"
                                 f"「{d.law_text or '（无）'}」（…{d.law_context}…）。")
        new = library.current(law)
        if new is None or new.path == old.path:
            continue
        decision = library.decision(old, new)
        moves = library.moves(old, new)
        when = (f"《{law}》于{spoken(decision.dates[0])}修改，自{spoken(new.effective)}起施行"
                if decision and new.effective else f"《{law}》现行文本为{new.label}")
        for r in present:
            mv = moves.get(r.article)
            if mv is None or mv.kind == "unchanged":
                continue
            was = f"清单所引{article_label(r.article)}"
            if mv.kind == "deleted":
                notes.append(f"{when}；{was}{REPEALED}")
                continue
            targets = "、".join(article_label(n) for n in mv.new)
            detail = {"renumbered": f"现为{targets}，内容未改",
                      "amended": f"现为{targets}，条文已修改",
                      "merged": f"已与原{'、'.join(article_label(n) for n in mv.with_old)}合并为现行{targets}",
                      "split": f"内容现见于{targets}"}[mv.kind]
            notes.append(f"{when}；{was}{detail}。{CURRENT_BELOW}")
            for n in mv.new:
                quotes.append(_quote(new, new.articles[n].span, item, "statute_current", n))
        if asked is not None and any(r.article == asked for r in present):
            notes.extend(_same_number(asked, moves, new.label))
    return quotes, notes


def _same_number(asked: int, moves: dict, label: str) -> list[str]:
    """A question naming an article by the number the list cites: today's text may give that
    number to another article, and a 科员 looking it up there would read the wrong one."""
    now = [m.old for m in moves.values() if asked in m.new and m.old != asked]
    if not now or (moves.get(asked) is not None and asked in moves[asked].new):
        return []
    was = "、".join(f"原{article_label(n)}" for n in sorted(now))
    return [f"现行《{label}》的{article_label(asked)}对应{was}，{OTHER_ARTICLE}"]


def in_force(notes: Sequence[str]) -> list[str]:
    """The notes saying a cited article was amended, renumbered, merged or repealed since, or
    that today's text gives its number to another article."""
    return [n for n in notes if n.endswith((CURRENT_BELOW, REPEALED, OTHER_ARTICLE))]

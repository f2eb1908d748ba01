"""Assemble an answer from verbatim quotes and fixed wording.

Nothing here states what the law requires: each sentence the assistant
adds is a template filled with names, numbers and labels from the list.
"""

from __future__ import annotations

from assistant.answering import excerpt, select
from assistant.answering.intent import Intent
from assistant.answering.select import Scored
from assistant.corpus import workbook
from assistant.corpus.catalogue import Catalogue
from assistant.corpus.numerals import to_chinese
from assistant.paths import relative
from assistant.types import Answer, Item, ItemHit, LegalRef, Quote, Route, Span

CARD_FIELDS = ("事项名称", "权力事项类型", "实施主体", "承办机构", "办事层级", "地方权力编码")
ASPECT_LABELS = {"fine": "罚款与处罚", "basis": "法律依据", "procedure": "办理程序", "who": "承办机构",
                 "accountability": "追责情形", "code": "地方权力编码", "type": "权力事项类型",
                 "level": "办事层级", "name": "事项名称"}
NOTICE = "以上为权责清单原文摘录，仅供查阅，不构成法律意见。"
REFUSAL = "清单中没有找到能回答这个问题的内容。"
NO_OFFICE = "在所列{n}个部门的权责清单中没有找到负责这件事的部门。"
MAX_OTHERS = 3
ALTERNATIVES = 2  # further excerpts of the same field, shown after the primary quote


def quote(cat: Catalogue, item: Item, column: str, span: Span, role: str) -> Quote:
    src = cat.source(item)
    law, article = _citation(item, column, span)
    return Quote(text=span.of(src.text), item=item.seq, item_key=item.key, field=column,
                 source=relative(src.path), start=span.start, end=span.end, role=role,
                 law=law, article=article, list_name=cat.label(item),
                 locator=workbook.locate(src.cells, span) if src.cells else None)


def card_span(item: Item, text: str, column: str) -> Span:
    """The card's text of a column: the cell, or its first part when every part says the same
    (an item over merged rows repeats 行政处罚 in each row: once is what it says)."""
    field = item.fields[column]
    parts = field.parts
    if len(parts) > 1 and len({p.of(text) for p in parts}) == 1:
        return parts[0]
    return field.span


def card_of(cat: Catalogue, item: Item) -> tuple[list[Quote], dict[str, str]]:
    """The item's card: a quote for each of CARD_FIELDS that has text, and every field's text."""
    text = cat.source(item).text
    spans = {name: card_span(item, text, name) for name in CARD_FIELDS}
    quotes = [quote(cat, item, name, span, "card") for name, span in spans.items() if len(span)]
    return quotes, {name: span.of(text) for name, span in spans.items()}


def _citation(item: Item, column: str, span: Span) -> tuple[str | None, str | None]:
    """The cited article a 实施依据 excerpt falls under: the last one opened before its end."""
    if column != "实施依据":
        return None, None
    cited = [r for r in item.refs if r.role == "cited" and r.span.start < span.end]
    if not cited:
        return None, None
    ref = cited[-1]
    return ref.law, article_label(ref)


def article_label(ref: LegalRef) -> str:
    return f"第{to_chinese(ref.article)}条" + (f"第{to_chinese(ref.paragraph)}款" if ref.paragraph else "")


def interpretation(item: Item, name: str, intent: Intent, column: str, list_name: str = "",
                   step: str | None = None) -> str:
    """The 理解为 line. ``step``: the step the question starts from (告知以后呢), as the list names it."""
    what = ASPECT_LABELS.get(intent.aspect, column)
    named = intent.after or intent.before
    if named:
        # The step it starts from, not one its other words suggest (告知笔录…那告知以后呢); when no
        # heading names it (火扑灭以后要做什么), a question about the procedure all the same.
        what = f"{step}{'之后' if intent.after else '之前'}环节" if step else ASPECT_LABELS["procedure"]
    elif intent.aspect == "fine" and intent.about_manager:
        what = "对直接负责的主管人员的罚款"
    elif intent.aspect == "procedure" and intent.step:
        what = f"{intent.step}环节"
    elif intent.article is not None:
        what = f"第{to_chinese(intent.article.article)}条"
    where = f"〔{list_name}〕" if list_name else ""
    # An office asked for is the column itself: 承办机构 once, not "承办机构 · 承办机构".
    return f"{where}第{item.seq}项「{name}」 · {column}" + (f" · {what}" if what != column else "")


def compose(cat: Catalogue, query: str, hits: list[ItemHit], intent: Intent, tokens: list[str], *,
            article_span: Span | None = None, warning: str | None = None,
            notices: tuple[str, ...] = (), selection: list[Scored] | None = None) -> Answer:
    """The answer about ``hits[0]``. With ``selection`` (answering/select.py: the chosen
    candidates, best first) its field and excerpts are quoted; else the asked column's."""
    top = cat.items[hits[0].item_key]
    src = cat.source(top)
    column = intent.column
    field = top.fields[column]
    if not len(field.span) and column == "承办机构":
        column, field = "实施主体", top.fields["实施主体"]
    found = [s.candidate for s in selection or ()]
    if selection:
        column = selection[0].field
        field = top.fields[column]
    quotes: list[Quote] = []
    shared: tuple[str, ...] = ()
    shared_total = 0
    if found:
        chosen = found[0]
        primary = quote(cat, top, column, chosen.span, "primary")
        quotes.append(primary)
        quotes += [quote(cat, top, column, c.span, "alternative") for c in found[1:]]
        if chosen.clause is not None and chosen.clause.span != chosen.span:
            quotes.append(quote(cat, top, column, chosen.clause.span, "clause"))
        common = excerpt.core(src.text, chosen.span, tokens).of(src.text)
        shared, shared_total = cat.sharing(top, column, common)
    card_quotes, card = card_of(cat, top)
    quotes += card_quotes
    return Answer(query=query, refused=False,
                  interpretation=interpretation(top, cat.name(top), intent, column, cat.label(top),
                                                _step_of(intent, src.text, top, column)),
                  quotes=tuple(quotes), hits=tuple(hits), card=card, shared_with=shared, shared_total=shared_total,
                  notices=notices, suggestions=tuple(_suggestions(intent)),
                  focus=(top.key,), field=column, warning=warning)


def _step_of(intent: Intent, text: str, item: Item, column: str) -> str | None:
    """The step a question about what comes after or before one names, as the quoted column's
    headings name it (None when it asks no such thing, or no heading names it)."""
    named = intent.after or intent.before
    if not named or column not in item.fields:
        return None
    return select.step_named(named, text, item.fields[column].clauses)


def route(cat: Catalogue, query: str, hits: list[ItemHit], chosen: list[tuple[str, ItemHit]],
          excerpts: list[list[Scored]], intent: Intent, *, warning: str | None = None,
          notices: tuple[str, ...] = ()) -> Answer:
    """Which offices hold the matter: for each, its item and the excerpt that gives it the power
    (the first office's is the primary quote, the others' are ``route`` quotes), then the card of
    the first office's item. The order of ``hits`` puts each named office's item first."""
    routes: list[Route] = []
    quotes: list[Quote] = []
    for n, ((office, hit), found) in enumerate(zip(chosen, excerpts, strict=True)):
        item = cat.items[hit.item_key]
        routes.append(Route(list_id=item.list_id, office=office, item_key=item.key, seq=item.seq,
                            name=cat.name(item)))
        # With no excerpt to choose, the item's name says what power the office holds.
        column, span = (found[0].field, found[0].span) if found else ("事项名称", item.fields["事项名称"].span)
        quotes.append(quote(cat, item, column, span, "primary" if n == 0 else "route"))
    top = cat.items[chosen[0][1].item_key]
    card_quotes, card = card_of(cat, top)
    quotes += card_quotes
    named = {hit.item_key for _, hit in chosen}
    ordered = [hit for _, hit in chosen] + [h for h in hits if h.item_key not in named]
    field = quotes[0].field
    read_as = interpretation(top, cat.name(top), intent, field, cat.label(top)).rsplit(" · ", 1)[0]
    return Answer(query=query, refused=False, interpretation=f"{read_as} · 负责部门",
                  quotes=tuple(quotes), hits=tuple(ordered), card=card,
                  notices=notices, suggestions=("依据是哪一条", "罚多少", "谁来承办"), focus=(top.key,),
                  field=field, warning=warning, routes=tuple(routes))


def refuse(query: str, hits: list[ItemHit], reason: str = REFUSAL, *, warning: str | None = None,
           notices: tuple[str, ...] = ()) -> Answer:
    return Answer(query=query, refused=True, interpretation=reason, quotes=(), hits=tuple(hits),
                  notices=notices, suggestions=tuple(f"第{h.seq}项 {h.name}" for h in hits[:MAX_OTHERS]),
                  warning=warning)


def reason(hit: ItemHit) -> str:
    """One line on why a candidate came up, from its retrieval signals."""
    best = hit.chunks[0].chunk if hit.chunks else None
    where = f"{best.field}" if best else "内容"
    parts = []
    if "lexical" in hit.ranks:
        parts.append(f"关键词第{hit.ranks['lexical']}")
    if "dense" in hit.ranks:
        parts.append(f"语义第{hit.ranks['dense']}")
    return f"{where}相近（{'，'.join(parts) or '综合'}）"


def _suggestions(intent: Intent) -> list[str]:
    follow = {"fine": ["依据是哪一条", "对直接负责的主管人员呢", "谁来承办"],
              "basis": ["罚多少", "谁来承办", "听证要几天内提出"],
              "procedure": ["调查取证要几个人", "处罚决定书多久送达", "追责情形呢"],
              "who": ["罚多少", "依据是哪一条", "它的编码是多少"]}
    return follow.get(intent.aspect, ["罚多少", "依据是哪一条", "谁来承办"])

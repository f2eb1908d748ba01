"""HTML views for the app: evidence panel, item pages, procedure steps, item table.

Every text from a list or a question goes through ``html.escape``; the only
markup is the fixed structure written here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import Any

from assistant.answering.compose import CARD_FIELDS, reason
from assistant.answering.policy import LEVELS
from assistant.answering.statute_notes import annotate, in_force
from assistant.corpus.catalogue import Catalogue
from assistant.present.render import citation, in_force_notes, in_force_quotes, shared_sentence
from assistant.statutes.library import Library
from assistant.types import COLUMNS, Answer, Finding, Item, Quote, Span

# Deadlines and head counts a trainee must remember: 三日内, 七日内, 十个工作日, 不得少于两人.
_FIGURE = re.compile(r"[一二三四五六七八九十两0-9]+个?(?:工作)?日(?:内|后|起)?|不得少于[一二三四五六七八九十两0-9]+人")


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def highlighted(text: str, whole: Span, part: Span, anchor: str = "") -> str:
    """``text[whole]`` escaped, with ``text[part]`` (inside it) marked."""
    ident = f' id="{anchor}"' if anchor else ""
    return (esc(text[whole.start:part.start]) + f"<mark{ident}>" + esc(text[part.start:part.end])
            + "</mark>" + esc(text[part.end:whole.end]))


def figures(text: str) -> str:
    """Escaped text with deadlines and counts in bold."""
    out, last = [], 0
    for m in _FIGURE.finditer(text):
        out += [esc(text[last:m.start()]), f"<strong class='figure'>{esc(m.group())}</strong>"]
        last = m.end()
    return "".join(out) + esc(text[last:])


def _context(cat: Catalogue, q: Quote) -> tuple[str, Span]:
    item = cat.items[q.item_key]
    src = cat.source(item)
    field = item.fields[q.field]
    around = next((c.span for c in field.clauses if c.span.start <= q.start and q.end <= c.span.end),
                  next((p for p in field.parts if p.start <= q.start and q.end <= p.end), field.span))
    return src.text, around


def answer_html(a: Answer, cat: Catalogue) -> str:
    """The chat message: interpretation, the quote marked inside its clause, citation, notices."""
    parts: list[str] = []
    if a.warning:
        parts.append(f"<p class='warning'>⚠️ {esc(a.warning)}</p>")
    if a.refused:
        parts.append(f"<p><strong>{esc(a.interpretation)}</strong></p>")
        if a.suggestions:
            parts.append("<p>最接近的事项（供参考）：</p><ul>"
                         + "".join(f"<li>{esc(s)}</li>" for s in a.suggestions) + "</ul>")
        return "\n".join(parts)
    parts.append(f"<p class='interpretation'>理解为：{esc(a.interpretation)}</p>")
    if a.confidence in LEVELS:
        parts.append(f"<p class='confidence {a.confidence}'>把握：{esc(LEVELS[a.confidence])}"
                     + ("（检索证据不足以确定，请核对原文和其他可能相关的事项）" if a.confidence == "likely" else "")
                     + "</p>")
    if a.routes:
        parts += _routes_html(a, cat)
    primary = a.primary
    if primary is None:
        # No excerpt answers it (the asked column is empty): say so, show no card as a quote.
        parts.append("<p>该事项没有可摘录的原文，请查看右侧事项信息。</p>")
    else:
        text, around = _context(cat, primary)
        if len(a.routes) > 1:
            parts.append(f"<p class='office-head'>1. {esc(a.routes[0].office)}</p>")
        parts.append("<blockquote class='quote'>"
                     + highlighted(text, around, Span(primary.start, primary.end)) + "</blockquote>")
        parts.append(f"<p class='citation'>—— <a href='#ev-primary'>{esc(citation(primary))}</a></p>")
        for n, (route, q) in enumerate(zip(a.routes[1:], [q for q in a.quotes if q.role == "route"],
                                           strict=False), start=2):
            parts.append(f"<p class='office-head'>{n}. {esc(route.office)}</p>"
                         f"<blockquote class='quote route'>{esc(q.text)}</blockquote>"
                         f"<p class='citation'>—— {esc(citation(q))}</p>")
        for note in in_force_notes(a):
            parts.append(f"<p class='in-force'>⚖️ 现行法律：{esc(note)}</p>")
        for q in in_force_quotes(a):
            parts.append(f"<blockquote class='current-law'>{esc(q.text)}</blockquote>"
                         f"<p class='citation'>—— 现行《{esc(q.law or '')}》{esc(q.article or '')}</p>")
    if a.shared_with:
        parts.append(f"<p>{esc(shared_sentence(a))}</p>")
    for notice in a.notices:
        parts.append(f"<p class='notice'><em>{esc(notice)}</em></p>")
    return "\n".join(parts)


def _routes_html(a: Answer, cat: Catalogue) -> list[str]:
    """The offices first: one named 负责部门, or each office of a split matter, with the item of its
    list that holds the matter."""
    items = "".join(f"<li><strong>{esc(r.office)}</strong> · 第{esc(r.seq)}项「{esc(r.name)}」</li>"
                    for r in a.routes)
    head = "负责部门" if len(a.routes) == 1 else f"此事涉及{len(a.routes)}个部门"
    return [f"<div class='offices'><p class='offices-head'><strong>{head}</strong></p><ul>{items}</ul></div>"]


def evidence_panel(a: Answer | None, cat: Catalogue) -> str:
    """The evidence as the app shows it: whole beside the chat; on a phone, where it sits right under
    the conversation, folded to one line (出处与事项信息) until tapped, so the question box stays near.
    A checkbox and its label fold it (CSS only: each new answer comes folded)."""
    return ("<input type='checkbox' id='ev-open' class='ev-toggle'>"
            "<label for='ev-open' class='ev-toggle-label'>出处与事项信息</label>"
            f"<div class='ev-body'>{evidence_html(a, cat)}</div>")


def evidence_html(a: Answer | None, cat: Catalogue) -> str:
    if a is None or a.refused or a.primary is None:
        hits = a.hits if a is not None else ()
        if not hits:
            return "<div id='evidence'><p>提问后，这里显示出处、事项信息和检索依据。</p></div>"
        return ("<div id='evidence'><h3>最接近的事项</h3><details class='retrieval' open><summary>检索详情</summary>"
                + _why(a) + "</details></div>")  # type: ignore[arg-type]
    primary = a.primary
    item = cat.items[primary.item_key]
    src = cat.source(item)
    text, around = _context(cat, primary)
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v) or '（空）'}</td></tr>" for k, v in a.card.items())
    out = [f"<div id='evidence'><h3>第{esc(item.seq)}项 · {esc(cat.name(item))}</h3>",
           f"<table class='card'>{rows}</table>",
           f"<h4>出处：{esc(primary.field)}（标黄处为引文）</h4>",
           "<blockquote>" + highlighted(text, around, Span(primary.start, primary.end), "ev-primary")
           + "</blockquote>"]
    for q in a.quotes:
        if q.role == "alternative":
            out.append(f"<h4>同一字段的其他相关原文</h4><blockquote>{esc(q.text)}</blockquote>")
    basis = item.fields["实施依据"]
    if primary.field != "实施依据" and basis.clauses:
        out.append("<details><summary>实施依据全文</summary>"
                   + "".join(f"<p>{esc(c.span.of(src.text))}</p>" for c in basis.clauses) + "</details>")
    if a.statute_notes:
        out.append("<h4>法律文本</h4><ul>" + "".join(f"<li>{esc(n)}</li>" for n in a.statute_notes) + "</ul>")
    for role, heading in (("statute", "所引条文（清单引用的版本）"), ("statute_current", "现行条文"),
                          ("xref", "所引条文提到的条款")):
        shown = [q for q in a.quotes if q.role == role]
        if shown:
            out.append(f"<details{' open' if role != 'xref' else ''}><summary>{heading}</summary>"
                       + "".join(f"<p><small>{esc(q.law or '')}{esc(q.article or '')}</small><br>"
                                 f"{esc(q.text)}</p>" for q in shown) + "</details>")
    # Retrieval internals, file paths and offsets: for whoever checks the machinery, folded away.
    where = f"{esc(primary.source)} 字符 {primary.start}–{primary.end}"
    if primary.locator is not None:
        ref = primary.locator
        where += f"（工作表「{esc(ref.sheet)}」第{ref.row}行第{ref.col}列）"
    out.append(f"<details class='retrieval'><summary>检索详情（为什么是这一项）</summary><p class='source'>{where}</p>"
               + _why(a) + "</details></div>")
    return "\n".join(out)


def _why(a: Answer) -> str:
    rows = []
    for h in a.hits[:4]:
        signals = "，".join(f"{name} {h.scores[name]:.3f}" + (f"（第{h.ranks[name]}）" if name in h.ranks else "")
                           for name in ("dense", "lexical", "fused") if name in h.scores)
        rows.append(f"<tr><td>第{esc(h.seq)}项</td><td>{esc(h.name)}</td><td>{esc(signals)}</td>"
                    f"<td>{esc(reason(h))}</td></tr>")
    return ("<table class='why'><tr><th>事项</th><th>名称</th>"
            "<th>检索得分（语义 dense、关键词 lexical、综合 fused；括号内为名次）</th><th>说明</th></tr>"
            + "".join(rows) + "</table>")


def item_choice(cat: Catalogue, item: Item) -> str:
    """An item in a picker: its number and name, and its list when several are served."""
    where = f"{cat.label(item)} · " if cat.label(item) else ""
    return f"{where}{item.seq} {cat.name(item)}"


_STEP_NUMBER = re.compile(r"^[（(]?[0-9一二三四五六七八九十]+[）)、.．]?\s*")


def step_question(cat: Catalogue, item: Item, head: str) -> str:
    """What "问这一步" asks in the chat about one step of an item's procedure: the step as the list
    names it (4.听证责任 → 听证), with the item's name, and its office when several are served (a
    name alone may be another office's item too)."""
    step = _STEP_NUMBER.sub("", head).removesuffix("责任").strip().removesuffix("的")
    if not step:
        return ""
    office = cat.list_name(item.list_id) if cat.label(item) else ""
    return f"{office}「{cat.name(item)}」的“{step}”这一步要做什么？"


def item_html(item: Item, cat: Catalogue, library: Library | None = None,
              findings: Sequence[Finding] = ()) -> str:
    """The item page; with the statute library, each cited article amended, renumbered or repealed
    since is noted under 实施依据 with the article in force today. The procedure is a timeline of
    its steps, deadlines and head counts in bold, a step where this item's text differs from the
    list's usual text marked; lint ``findings`` on the item are listed. Extra columns follow."""
    src = cat.source(item)
    where = f"<p class='list-name'>{esc(cat.list_name(item.list_id))}</p>" if cat.label(item) else ""
    out = [f"<div class='item'>{where}<h3>第{esc(item.seq)}项 · {esc(cat.name(item))}</h3><table class='card'>"]
    for name in (*CARD_FIELDS[1:], "子项名称", "子项地方权力编码", "备注"):
        out.append(f"<tr><th>{esc(name)}</th><td>{esc(item.value(src, name)) or '（空）'}</td></tr>")
    out.append("</table><h4>实施依据</h4>")
    out += [f"<p>{esc(c.span.of(src.text))}</p>" for c in item.fields["实施依据"].clauses]
    if library is not None:
        quotes, notes = annotate(cat, item, library, None)
        out += [f"<p class='in-force'>⚖️ 现行法律：{esc(note)}</p>" for note in in_force(notes)]
        out += [f"<blockquote class='current-law'>{esc(q.text)}<br><small>—— 现行《{esc(q.law or '')}》"
                f"{esc(q.article or '')}</small></blockquote>" for q in quotes if q.role == "statute_current"]
    out.append("<h4>办理程序（责任事项）</h4><ol class='steps timeline'>")
    for c in item.fields["责任事项"].clauses:
        body = c.body.of(src.text)
        head, sep, rest = body.partition("：")
        if not sep or len(head) > 16:
            head, rest = "", body
        odd = [f for f in findings if f.field == "责任事项" and c.span.start <= f.span.start < c.span.end]
        mark = (f"<span class='differs' title='{esc(odd[0].message)}'>与清单中多数事项的写法不同</span>"
                if odd else "")
        ask = step_question(cat, item, head)
        link = (f"<button type='button' class='ask-step' data-question='{esc(ask)}' title='{esc(ask)}'>"
                "问这一步</button>" if ask else "")
        out.append(f"<li class='step{' odd' if odd else ''}'>"
                   + (f"<strong class='step-head'>{esc(head)}</strong>" if head else "")
                   + f"{mark}{link}<div class='step-body'>{figures(rest)}</div></li>")
    out.append("</ol>")
    mine = [f for f in findings if f.field != "责任事项"]
    if mine:
        out.append("<h4>清单数据提示（供清单维护者核对）</h4><ul class='findings'>"
                   + "".join(f"<li>{esc(f.field)}「{esc(f.excerpt)}」：{esc(f.message)}</li>" for f in mine)
                   + "</ul>")
    out.append("<h4>追责情形</h4>")
    out += [f"<p>{esc(c.span.of(src.text))}</p>" for c in item.fields["追责情形"].clauses]
    for name, field in item.fields.items():
        if name not in COLUMNS and field.parts:  # the list's own columns, as published
            out.append(f"<h4>{esc(name)}</h4>")
            out += [f"<p>{esc(p.of(src.text))}</p>" for p in field.parts]
    return "".join(out) + "</div>"


FILTER_COLUMNS = ("权力事项类型", "实施主体", "承办机构", "办事层级")
OFFICE = "部门"  # the filter and column naming each item's office, when several offices' lists are served


def filter_names(cat: Catalogue) -> list[str]:
    """The filters the items tab shows, in order: the office first when there are several."""
    return [*([OFFICE] if len(cat.sources) > 1 else []), *FILTER_COLUMNS, "法律"]


def item_headers(cat: Catalogue) -> list[str]:
    return [*([OFFICE] if len(cat.sources) > 1 else []), "序号", "事项名称", "权力事项类型", "承办机构", "办事层级",
            *(["地方权力编码"] if _has_codes(cat) else [])]


def _has_codes(cat: Catalogue) -> bool:
    """Whether any item has a 地方权力编码 (the city workbooks have none): only then a column for it."""
    return any(len(i.fields["地方权力编码"].span) for i in cat.items.values())


def cell(cat: Catalogue, item: Item, column: str) -> str:
    """A cell as a table or a filter shows it: line breaks gone (行政\n处罚 is 行政处罚), and a value
    repeated on each merged row said once (其他行政权力 其他行政权力)."""
    squeezed = "".join(item.value(cat.source(item), column).split())
    n = len(squeezed)
    for size in range(1, n // 2 + 1):  # the shortest unit the whole is a repeat of
        if n % size == 0 and squeezed == squeezed[:size] * (n // size):
            return squeezed[:size]
    return squeezed


def laws(item: Item) -> list[str]:
    return sorted({r.law for r in item.refs if r.role == "cited"})


def filter_choices(cat: Catalogue) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for column in FILTER_COLUMNS:
        out[column] = sorted({cell(cat, i, column) for i in cat.items.values()})
    out["法律"] = sorted({law for i in cat.items.values() for law in laws(i)})
    out[OFFICE] = sorted({cat.list_name(lid) for lid in cat.sources})
    return out


def filtered(cat: Catalogue, filters: dict[str, str | None]) -> list[Item]:
    """The items matching every filter set ("" or None: 全部)."""
    out = []
    for item in cat.items.values():
        if any(v and column in FILTER_COLUMNS and cell(cat, item, column) != v
               for column, v in filters.items()):
            continue
        if filters.get("法律") and filters["法律"] not in laws(item):
            continue
        if filters.get(OFFICE) and cat.list_name(item.list_id) != filters[OFFICE]:
            continue
        out.append(item)
    return out


def item_row(cat: Catalogue, item: Item, codes: bool) -> list[Any]:
    """``codes``: whether the table has a 地方权力编码 column (``_has_codes``, asked once per table)."""
    office = [cat.list_name(item.list_id)] if len(cat.sources) > 1 else []
    code = [item.value(cat.source(item), "地方权力编码")] if codes else []
    return [*office, item.seq, cat.name(item), *(cell(cat, item, c) for c in ("权力事项类型", "承办机构", "办事层级")),
            *code]


def item_rows(cat: Catalogue, filters: dict[str, str | None]) -> list[list[Any]]:
    return table_rows(cat, filtered(cat, filters))


def table_rows(cat: Catalogue, items: Iterable[Item]) -> list[list[Any]]:
    """The items table's rows (whether it has a code column is asked once, not per row)."""
    codes = _has_codes(cat)
    return [item_row(cat, i, codes) for i in items]


# Metric names as evaluators read them; the key stays beside each, for the JSON and the docs.
METRIC_NAMES = {"recall@1": "首位命中率", "recall@3": "前三命中率", "mrr": "平均倒数名次",
                "quote_hit@1": "引文命中率", "quote_hit@3": "前三引文命中率", "refusal_accuracy": "拒答正确率",
                "false_refusals": "误拒率", "latency_p50_ms": "延迟中位数（毫秒）"}
CHART_METRICS = ("recall@1", "quote_hit@1", "refusal_accuracy")


def eval_tables(questions: list[dict], results: list[dict]) -> tuple[Any, Any, Any, str]:
    """Metrics per kind (Chinese names, key in brackets), a chart table with one bar per kind and
    metric on 0–1 (refusal included), the failures, and a one-line verdict (全部通过 when none)."""
    import pandas as pd

    from assistant.evaluation import score as evaluate

    metrics = evaluate.score(questions, results)
    names = tuple(METRIC_NAMES)
    table = pd.DataFrame([[kind, m["n"], *[round(m[n], 3) if n in m else None for n in names]]
                          for kind, m in metrics.items()],
                         columns=["问题类别（kind）", "题数", *[f"{METRIC_NAMES[n]}（{n}）" for n in names]])
    chart = pd.DataFrame([{"类别": f"{kind}·{METRIC_NAMES[name]}", "指标": METRIC_NAMES[name], "值": m[name]}
                          for kind, m in metrics.items() if kind != "overall"
                          for name in CHART_METRICS if name in m])
    failed = evaluate.failures(questions, results)
    fails = pd.DataFrame(failed)
    verdict = (f"**全部通过**：{len(questions)} 题。" if not failed
               else f"**{len(failed)} / {len(questions)} 题未通过**，见下表。")
    return table, chart, fails, verdict



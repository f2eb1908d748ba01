"""Answers as Markdown (every list text escaped) and as the JSON of ``ask --json``."""

from __future__ import annotations

import html
import re
from typing import Any

from assistant.answering.compose import MAX_OTHERS, reason
from assistant.answering.policy import LEVELS
from assistant.answering.statute_notes import in_force
from assistant.types import Answer, Quote

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def escape(text: str) -> str:
    """Text shown exactly as written: HTML inert, Markdown punctuation literal."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=True))


def citation(q: Quote) -> str:
    """第72项 · 实施依据 · 《中华人民共和国网络安全法》第六十一条 (law and article when there are)."""
    parts = [f"〔{q.list_name}〕第{q.item}项" if q.list_name else f"第{q.item}项", q.field]
    if q.law:
        parts.append(f"《{q.law}》{q.article or ''}")
    return " · ".join(parts)


def to_markdown(a: Answer) -> str:
    lines: list[str] = []
    if a.warning:
        lines += [f"⚠️ {escape(a.warning)}", ""]
    for notice in a.notices[:-1] if not a.refused else a.notices:
        lines += [f"ℹ️ {escape(notice)}", ""]
    if a.refused:
        lines.append(f"**{escape(a.interpretation)}**")
        if a.suggestions:
            lines += ["", "最接近的事项（供参考）："]
            lines += [f"- {escape(s)}" for s in a.suggestions]
        return "\n".join(lines)
    lines += [f"**理解为**：{escape(a.interpretation)}", ""]
    if a.confidence == "likely":
        lines += [f"**把握**：{LEVELS['likely']}——检索证据不足以确定，请核对原文，并看下方其他可能相关的事项。", ""]
    elif a.confidence == "sure":
        lines += [f"**把握**：{LEVELS['sure']}", ""]
    if a.routes:
        return _routing_markdown(a, lines)
    primary = next((q for q in a.quotes if q.role == "primary"), None)
    if primary is not None:
        lines += [f"> {escape(primary.text)}", "", f"—— {escape(citation(primary))}", ""]
        lines += in_force_lines(a)
    alternatives = [q for q in a.quotes if q.role == "alternative"]
    if alternatives:
        lines += ["**同一字段的其他相关原文**", ""]
        lines += [f"> {escape(q.text)}\n" for q in alternatives]
    if a.shared_with:
        lines += [shared_sentence(a), ""]
    clause = next((q for q in a.quotes if q.role == "clause"), None)
    if clause is not None:
        lines += ["**所在条款全文**", "", f"> {escape(clause.text)}", ""]
    if a.statute_notes:
        lines += ["**法律文本**", ""] + [f"- {escape(n)}" for n in a.statute_notes] + [""]
    for role, heading in (("statute", "所引条文（清单引用的版本）"), ("xref", "所引条文提到的条款")):
        shown = [q for q in a.quotes if q.role == role]
        if shown:
            lines += [f"**{heading}**", ""]
            for q in shown:
                lines += [f"> {escape(q.text)}", "", f"—— {escape(q.law or '')}{escape(q.article or '')}", ""]
    if a.card:
        lines += ["**事项信息**", ""]
        lines += [f"- {name}：{escape(value) or '（空）'}" for name, value in a.card.items()]
        lines.append("")
    return _closing(a, lines, set(a.focus))


def _closing(a: Answer, lines: list[str], shown: set[str]) -> str:
    """The other items worth a look (those not already shown), then the closing notice."""
    others = [h for h in a.hits if h.item_key not in shown][:MAX_OTHERS]
    if others:
        lines += ["**其他可能相关的事项**", ""]
        lines += [f"- 第{h.seq}项「{escape(h.name)}」：{escape(reason(h))}" for h in others]
        lines.append("")
    if a.notices:
        lines.append(f"*{escape(a.notices[-1])}*")
    return "\n".join(lines).rstrip() + "\n"


def _routing_markdown(a: Answer, lines: list[str]) -> str:
    """The offices first (each as its list names it), then each office's item and the verbatim
    clause that gives it the power."""
    offices = [r.office for r in a.routes]
    if len(offices) == 1:
        lines += [f"**负责部门**：{escape(offices[0])}", ""]
    else:
        lines += [f"**此事涉及{len(offices)}个部门**：{'；'.join(escape(o) for o in offices)}", ""]
    excerpts = [q for q in a.quotes if q.role in ("primary", "route")]
    for n, (r, q) in enumerate(zip(a.routes, excerpts, strict=False), start=1):
        head = f"{n}. " if len(offices) > 1 else ""
        lines += [f"**{head}{escape(r.office)}** · 第{escape(r.seq)}项「{escape(r.name)}」", "",
                  f"> {escape(q.text)}", "", f"—— {escape(citation(q))}", ""]
    lines += in_force_lines(a)
    return _closing(a, lines, {r.item_key for r in a.routes})


def in_force_notes(a: Answer) -> list[str]:
    """The notes saying a quoted article was amended, renumbered, merged or repealed (none
    when the quote is not a law's words: they stay with the other notes on the law)."""
    return in_force(a.statute_notes) if a.quotes_law else []


def in_force_quotes(a: Answer) -> tuple[Quote, ...]:
    """The articles in force today, when they belong under the quote (see in_force_notes)."""
    return a.current_law if a.quotes_law else ()


def in_force_lines(a: Answer) -> list[str]:
    """Right under the quote: what is in force today, with the current text quoted."""
    notes = in_force_notes(a)
    if not notes:
        return []
    lines = [f"⚖️ **现行法律**：{escape(n)}" for n in notes] + [""]
    for q in in_force_quotes(a):
        lines += [f"> {escape(q.text)}", "", f"—— 现行《{escape(q.law or '')}》{escape(q.article or '')}", ""]
    return lines


def locator(q: Quote) -> dict[str, Any] | None:
    """Where a workbook quote is in the original file: sheet, row and column (1-based) and
    the quote's start and end within that cell's text (docs/list-formats.md)."""
    ref = q.locator
    if ref is None:
        return None
    return {"file": q.source, "sheet": ref.sheet, "row": ref.row, "col": ref.col,
            "start": q.start - ref.start, "end": q.end - ref.start}


def to_json(a: Answer) -> dict[str, Any]:
    return {
        "query": a.query,
        "refused": a.refused,
        "interpretation": a.interpretation,
        "answer": to_markdown(a),
        "quotes": [{"text": q.text, "item": q.item, "key": q.item_key, "list": q.list_name, "field": q.field,
                    "source": q.source, "start": q.start, "end": q.end, "role": q.role, "law": q.law,
                    "article": q.article, "locator": locator(q)}
                   for q in a.quotes],
        "ranked_items": [h.seq for h in a.hits],
        "hits": [{"item": h.seq, "key": h.item_key, "name": h.name, "score": round(h.score, 4),
                  "scores": {k: round(v, 4) for k, v in h.scores.items()}, "ranks": dict(h.ranks)}
                 for h in a.hits],
        "shared_with": list(a.shared_with),
        "shared_total": a.shared_total,
        "card": dict(a.card),
        "suggestions": list(a.suggestions),
        "notices": list(a.notices),
        "warning": a.warning,
        "statute_notes": list(a.statute_notes),
        "in_force": {"notes": in_force_notes(a),
                     "quotes": [{"text": q.text, "source": q.source, "start": q.start, "end": q.end,
                                 "law": q.law, "article": q.article}
                                for q in in_force_quotes(a)]},
        "confidence": a.confidence,
        "confidence_label": LEVELS.get(a.confidence or "", None),
        "probability": round(a.probability, 4),
        "evidence": {k: round(v, 4) for k, v in a.evidence.items()},
        "offices": [{"office": r.office, "list": r.list_id, "key": r.item_key, "item": r.seq, "name": r.name}
                    for r in a.routes],
    }


def shared_sentence(a: Answer) -> str:
    more = a.shared_total - len(a.shared_with)
    return f"同样的原文也见于第{'、'.join(a.shared_with)}项" + (f"等共{a.shared_total}项" if more > 0 else "") + "。"

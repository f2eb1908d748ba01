"""A conversation as Markdown, each answer followed by its citations."""

from __future__ import annotations

import time

from assistant.answering.policy import LEVELS
from assistant.present.render import citation, escape, in_force_notes, in_force_quotes
from assistant.types import Answer


def conversation_markdown(turns: list[tuple[str, Answer]]) -> str:
    lines = ["# 权责清单助手 · 对话记录", "", f"导出时间：{time.strftime('%Y-%m-%d %H:%M')}", ""]
    for n, (question, a) in enumerate(turns, start=1):
        lines += [f"## {n}. {escape(question)}", ""]
        if a.refused:
            lines += [escape(a.interpretation), ""]
            continue
        lines += [f"理解为：{escape(a.interpretation)}", ""]
        if a.confidence in LEVELS:
            lines += [f"把握：{LEVELS[a.confidence]}", ""]
        for q in (*([a.primary] if a.primary else []), *a.alternatives):
            where = f"{q.source}，字符 {q.start}–{q.end}"
            lines += [f"> {escape(q.text)}", "", f"出处：{escape(citation(q))}（{where}）", ""]
            if q is a.primary:
                lines += [f"现行法律：{escape(n)}" for n in in_force_notes(a)]
                for c in in_force_quotes(a):
                    lines += ["", f"> {escape(c.text)}", "",
                              f"出处：现行《{escape(c.law or '')}》{escape(c.article or '')}（{c.source}）", ""]
    lines += ["---", "以上为权责清单原文摘录，仅供查阅，不构成法律意见。", ""]
    return "\n".join(lines)

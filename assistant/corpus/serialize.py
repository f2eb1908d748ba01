"""Plain-dict views of parsed lists and lint findings, for ``--json`` output."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from assistant.types import Finding, Item, ParsedList, Source, Span


def span(s: Span, text: str) -> dict[str, Any]:
    return {"start": s.start, "end": s.end, "text": s.of(text)}


def item(i: Item, source: Source) -> dict[str, Any]:
    text = source.text
    fields = {}
    for name, f in i.fields.items():
        fields[name] = {
            **span(f.span, text),
            "parts": [span(p, text) for p in f.parts],
            "clauses": [{"label": c.label, "number": c.number, **span(c.span, text),
                         "body": span(c.body, text)} for c in f.clauses],
        }
    refs = [{**{k: v for k, v in asdict(r).items() if k not in ("span", "law_span")},
             **span(r.span, text)} for r in i.refs]
    return {"list": i.list_id, "seq": i.seq, "line": i.line_no, "fields": fields, "refs": refs}


def parsed_list(p: ParsedList) -> dict[str, Any]:
    return {"list": p.source.list_id, "path": str(p.source.path), "sha256": p.source.sha256,
            "title": p.title, "office": p.office, "layout": dict(p.layout),
            "items": [item(i, p.source) for i in p.items]}


def finding(f: Finding) -> dict[str, Any]:
    return {"kind": f.kind, "list": f.list_id, "item": f.item, "field": f.field,
            "start": f.span.start, "end": f.span.end, "excerpt": f.excerpt,
            "message": f.message, "expected": f.expected}

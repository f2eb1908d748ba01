"""Chunks: one per short field and one per clause of 实施依据 / 责任事项 / 追责情形 and extra fields.

Spans come from the parser unchanged, so a chunk's text is always the exact
text of the file; the item's name is added only to what gets embedded.
"""

from __future__ import annotations

from assistant.types import Chunk, Item, Source

# Columns that identify a record rather than describe it: kept on the item
# card, but no question is answered by matching them as text.
_NOT_INDEXED = ("序号", "子项地方权力编码")
# Bump when chunk boundaries or embedding text change: older indexes are stale.
CHUNKER_VERSION = 2  # 2: a hard-wrapped name is embedded without its layout's line breaks


def chunk(item: Item, source: Source, source_path: str) -> list[Chunk]:
    text = source.text
    out: list[Chunk] = []
    for name, field in item.fields.items():
        if name in _NOT_INDEXED or not len(field.span):
            continue
        # Clauses where the parser found them (the long columns, and a list's extra fields).
        pieces = [(c.label, c.span) for c in field.clauses] or [("", p) for p in field.parts]
        for n, (label, span) in enumerate(pieces):
            out.append(Chunk(chunk_id=f"{item.key}:{name}:{n}", item_key=item.key, seq=item.seq,
                             field=name, label=label, span=span, text=span.of(text),
                             source=source_path))
    return out


def embedding_text(c: Chunk, item_name: str) -> str:
    """What the encoder sees: the item's name gives a boilerplate clause its context."""
    if c.field == "事项名称":
        return c.text
    return f"{item_name}｜{c.field}｜{c.text}"

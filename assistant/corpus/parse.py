"""Parse a 权责清单 file into items whose every field and clause is a span.

Format: an optional title line, then a header row naming the 13 columns
(repeated before each item or given once, as exports do), then one item a
row. Cells may wrap paragraphs in ``<p>…</p>``; spans are chosen between the
tags so that ``source.text[span]`` is always exact text of the file.
"""

from __future__ import annotations

from pathlib import Path

from assistant.corpus import clauses, markup, refs
from assistant.corpus.rows import Row, csv_rows, tsv_rows
from assistant.corpus.source import LIST_SUFFIXES, read_source
from assistant.errors import ListFormatError
from assistant.types import CLAUSED_COLUMNS, COLUMNS, FieldValue, Item, ParsedList, Source, Span


def parse(source: Source) -> ParsedList:
    """All items of one list file.

    Raises:
        ListFormatError: naming the line of the first problem: a header row
            missing a column, a row with the wrong number of cells, an empty
            or duplicate 序号, unbalanced ``<p>`` markup, a row before any header.
    """
    text, path = source.text, source.path
    rows = csv_rows(text, str(path)) if source.kind == "csv" else tsv_rows(text)
    header: dict[str, int] | None = None
    width = 0
    title = ""
    items: list[Item] = []
    seen: dict[str, int] = {}
    for row in rows:
        cells = [markup.trim(text, c.start, c.end) for c in row.cells]
        values = [c.of(text) for c in cells]
        if not any(values):
            continue
        if values[0] == "序号":
            header, width = _header(values, path, row.line_no), len(values)
            continue
        if header is None:
            if len([v for v in values if v]) == 1 and not title:
                title = next(v for v in values if v)
                continue
            raise ListFormatError(path, row.line_no, "a data row before any header row "
                                  "(the header starts with 序号)")
        if len(cells) != width:
            raise ListFormatError(path, row.line_no, f"expected {width} fields separated by "
                                  f"{'commas' if source.kind == 'csv' else 'tabs'}, "
                                  f"found {len(cells)}")
        item = _item(source, row, cells, header)
        if item.seq in seen:
            raise ListFormatError(path, row.line_no, f"duplicate 序号 {item.seq!r} "
                                  f"(first on line {seen[item.seq]})")
        seen[item.seq] = row.line_no
        items.append(item)
    if header is None:
        raise ListFormatError(path, 1, "no header row (a row starting with 序号) found")
    return ParsedList(source=source, title=title, items=tuple(items))


def _header(values: list[str], path: Path, line_no: int) -> dict[str, int]:
    missing = [c for c in COLUMNS if c not in values]
    if missing:
        raise ListFormatError(path, line_no, f"header row is missing column(s) {', '.join(missing)}")
    dupes = sorted({v for v in values if v and values.count(v) > 1})
    if dupes:
        raise ListFormatError(path, line_no, f"header row repeats column(s) {', '.join(dupes)}")
    return {name: values.index(name) for name in COLUMNS}


def _item(source: Source, row: Row, cells: list[Span], header: dict[str, int]) -> Item:
    text = source.text
    fields: dict[str, FieldValue] = {}
    for name, index in header.items():
        cell = cells[index]
        try:
            parts = markup.parts(text, cell.start, cell.end)
        except markup.MarkupError as e:
            line = text.count("\n", 0, e.offset) + 1
            raise ListFormatError(source.path, line, f"{name}: {e}") from None
        found = clauses.clauses(text, parts) if name in CLAUSED_COLUMNS else ()
        fields[name] = FieldValue(name=name, span=cell, parts=parts, clauses=found)
    seq = fields["序号"].span.of(text)
    if not seq:
        raise ListFormatError(source.path, row.line_no, "序号 is empty")
    basis = fields["实施依据"]
    return Item(list_id=source.list_id, seq=seq, line_no=row.line_no, fields=fields,
                refs=refs.find(text, basis.parts))


def load(paths: list[Path | str]) -> list[ParsedList]:
    """Parse every list file named, or found (sorted) in the folders named.

    All files are parsed before anything is returned, so one bad file means
    no lists at all: nothing half-loaded is used.

    Raises:
        ListFormatError: from any file, or two files with the same list id.
    """
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(f for f in p.iterdir() if f.suffix.lower() in LIST_SUFFIXES)
        else:
            files.append(p)
    lists = [parse(read_source(f)) for f in files]
    owners: dict[str, Path] = {}
    for parsed in lists:
        other = owners.setdefault(parsed.source.list_id, parsed.source.path)
        if other != parsed.source.path:
            raise ListFormatError(parsed.source.path, 0,
                                  f"list id {parsed.source.list_id!r} also used by {other}")
    return lists

"""Parse a 权责清单 file into items whose every field and clause is a span.

A list is a table: title and other rows above a header, then one item a row (in a
workbook, rows tied by merged cells are one item). The header row is found wherever
it is, by its names (``columns``: 行使主体 is 实施主体, 行使\\n主体 too); column order is
free, a column the 13 lack is kept as an extra field, a column it lacks is empty. The
header may be repeated before each item, as some exports do. Cells may wrap paragraphs
in ``<p>…</p>``; spans are chosen between the tags (and at line breaks) so that
``source.text[span]`` is always exact text of the file.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path

from assistant.corpus import clauses, columns, markup, refs
from assistant.corpus.rows import Row, csv_rows, tsv_rows
from assistant.corpus.source import LIST_SUFFIXES, Table, read_table
from assistant.errors import ListFormatError
from assistant.types import CLAUSED_COLUMNS, COLUMNS, FieldValue, Item, ParsedList, Source, Span


def parse(source: Source, table: Table | None = None) -> ParsedList:
    """All items of one list file (``table``: its rows as read; read again when omitted).

    Raises:
        ListFormatError: naming the line (a workbook's sheet row) of the first problem: a
            text row with the wrong number of cells, an empty or duplicate 序号, unbalanced
            ``<p>`` markup, a row before any header, or no header at all.
    """
    if table is None:
        table = read_table(source.path) if source.derived else Table(source, _text_rows(source))
    return _Reader(table, columns.table(columns.mapping_file(source.path))).read()


def _text_rows(source: Source) -> list[Row]:
    return csv_rows(source.text, str(source.path)) if source.kind == "csv" else tsv_rows(source.text)


class _Reader:
    def __init__(self, table: Table, synonyms: dict[str, str]) -> None:
        self.table = table
        self.source = table.source
        self.synonyms = synonyms
        self.workbook = self.source.derived
        self.title = ""
        self.items: list[Item] = []
        self.seen: dict[str, int] = {}
        self.mapped: dict[str, str] = {}
        self.extras: list[str] = []
        self.read_sheets: list[str] = []
        self.preamble: list[str] = []
        self.kept: list[Span] = []  # rows whose cells are accounted for (items, headers, titles)

    def read(self) -> ParsedList:
        text, path = self.source.text, self.source.path
        header: columns.Header | None = None
        sheet: str | None = None
        width = 0
        for row in self.table.rows:
            if row.sheet != sheet:
                sheet, header = row.sheet, None
            cells = [markup.trim(text, c.start, c.end) for c in row.cells]
            values = [c.of(text) for c in cells]
            if not any(values) and row.hidden is None:
                continue
            found = columns.recognise(values, self.synonyms, row.header_spans)
            if found is not None:
                header, width = found, len(values)
                self._note_header(found, row)
                continue
            if header is None:
                self._before_header(values, row)
                continue
            if self.workbook and _is_note(values):
                self.preamble.append(next(v for v in values if v))  # reported with what stands above
                self.kept.append(row.span)
                continue
            if not self.workbook and len(cells) != width:
                raise ListFormatError(path, row.line_no, f"expected {width} fields separated by "
                                      f"{'commas' if self.source.kind == 'csv' else 'tabs'}, "
                                      f"found {len(cells)}")
            self.items.append(self._item(row, cells, header))
            self.kept.append(row.span)
            if row.hidden is not None:
                self.kept.append(row.hidden)
        if not self.read_sheets and not self.seen:
            raise ListFormatError(path, 1, "no header row found (a row naming 事项名称 and at least two more "
                                  "of the 13 columns, e.g. 序号, 实施依据, 实施主体; headers of other words "
                                  f"can be named in {path.stem}.columns.json)")
        return ParsedList(source=self.source, title=self.title, items=tuple(self.items), layout=self._layout())

    def _note_header(self, header: columns.Header, row: Row) -> None:
        self.mapped.update(header.mapped)
        self.extras += [e for e in header.extras if e not in self.extras]
        if row.sheet not in self.read_sheets:
            self.read_sheets.append(row.sheet)
        self.kept.append(row.span)

    def _before_header(self, values: list[str], row: Row) -> None:
        filled = [v for v in values if v]
        if self.workbook:
            # Title, 部门名称, dates: whatever stands above a sheet's header is kept as its preamble.
            if not self.title and len(set(filled)) == 1:
                self.title = filled[0]
            else:
                self.preamble.append(" ".join(filled))
            self.kept.append(row.span)
            return
        if len(filled) == 1 and not self.title:
            self.title = filled[0]
            return
        raise ListFormatError(self.source.path, row.line_no, "a data row before any header row (a header "
                              "names 事项名称 and two more of the 13 columns; headers of other words can "
                              f"be named in {self.source.path.stem}.columns.json)")

    def _item(self, row: Row, cells: list[Span], header: columns.Header) -> Item:
        text, path = self.source.text, self.source.path
        fields: dict[str, FieldValue] = {}
        for i, name in enumerate(header.names):
            if not name:
                continue
            cell = cells[i] if i < len(cells) else Span(row.span.start, row.span.start)
            fields[name] = self._field(name, cell)
        for i in range(len(header.names), len(cells)):
            if len(cells[i]):  # a cell beyond the header's last named column
                fields[f"第{i + 1}列"] = self._field(f"第{i + 1}列", cells[i])
        if row.hidden is not None:
            fields[columns.HIDDEN_FIELD] = self._field(columns.HIDDEN_FIELD, row.hidden)
        empty = Span(row.span.start, row.span.start)
        for name in COLUMNS:
            fields.setdefault(name, FieldValue(name=name, span=empty, parts=()))
        # A cell numbering two merged items (188 and 189 on two lines) names them on one line.
        seq = _SPACES.sub("、", fields["序号"].span.of(text))
        if not seq and self.workbook and fields["事项名称"].parts:
            seq = f"r{row.line_no}"  # an item the office left unnumbered: its sheet row names it
        if not seq:
            raise ListFormatError(path, row.line_no, "序号 is empty")
        if seq in self.seen and self.workbook and row.sheet and len(self.read_sheets) > 1:
            seq = f"{seq}（{row.sheet}）"  # sheets that each number from 1
        if seq in self.seen and self.workbook:
            # A workbook repeating a 序号 (a typo, a copied row) is read as published, its row named.
            seq = f"{seq}（第{row.line_no}行）"
        if seq in self.seen:
            raise ListFormatError(path, row.line_no, f"duplicate 序号 {seq!r} (first on line {self.seen[seq]})")
        self.seen[seq] = row.line_no
        return Item(list_id=self.source.list_id, seq=seq, line_no=row.line_no, fields=fields,
                    refs=refs.find(text, fields["实施依据"].parts))

    def _field(self, name: str, cell: Span) -> FieldValue:
        text = self.source.text
        try:
            parts = markup.parts(text, cell.start, cell.end)
        except markup.MarkupError as e:
            line = text.count("\n", 0, e.offset) + 1
            raise ListFormatError(self.source.path, line, f"{name}: {e}") from None
        claused = name in CLAUSED_COLUMNS or name not in COLUMNS
        found = clauses.clauses(text, parts) if claused else ()
        return FieldValue(name=name, span=cell, parts=parts, clauses=found)

    def _layout(self) -> dict[str, object]:
        out: dict[str, object] = {"format": self.source.kind, "title": self.title, "items": len(self.items),
                                  "columns": dict(self.mapped), "extra_fields": list(self.extras)}
        if self.workbook:
            sheets = self.table.sheets
            out["sheets_read"] = list(self.read_sheets)
            out["sheets_skipped"] = [s for s in sheets if s not in self.read_sheets]
            out["preamble"] = list(self.preamble)
            out["cells"] = self.table.non_empty
            out["cells_kept"] = self._cells_kept()
            out["items_with_hidden_cells"] = sum(columns.HIDDEN_FIELD in i.fields for i in self.items)
        return out

    def _cells_kept(self) -> int:
        """Workbook cells inside a row this reader used (item, header, title or preamble)."""
        spans = sorted(self.kept, key=lambda s: s.start)
        starts = [s.start for s in spans]
        n = 0
        for ref in self.source.cells:
            i = bisect.bisect_right(starts, ref.start) - 1
            if i >= 0 and spans[i].start <= ref.start and ref.end <= spans[i].end:
                n += 1
        return n


def load_lenient(paths: list[Path | str]) -> tuple[list[ParsedList], list[str]]:
    """Like ``load``, but a file that cannot be read, or holds no items, is reported (one line
    each) and left out while the others are served.

    Raises:
        ListFormatError: no file gives a list with items.
    """
    good: list[ParsedList] = []
    problems: list[str] = []
    for f in _files(paths):
        try:
            (parsed,) = load([f])
        except ListFormatError as e:
            problems.append(str(e))
            continue
        if not parsed.items:
            problems.append(f"{f}: no items (a header, but no row under it names a 事项)")
            continue
        good.append(parsed)
    good, clashes = _by_id(good)
    problems += [str(e) for e in clashes]
    if not good:
        raise ListFormatError(Path(str(paths[0])) if paths else Path("."), 0,
                              "no list could be served: " + ("; ".join(problems) or "no list files found"))
    return good, problems


def _files(paths: list[Path | str]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(f for f in p.iterdir() if f.suffix.lower() in LIST_SUFFIXES
                            and not f.name.startswith((".", "~$")))
        else:
            files.append(p)
    return files


def load(paths: list[Path | str]) -> list[ParsedList]:
    """Parse every list file named, or found (sorted) in the folders named.

    All files are parsed before anything is returned, so one bad file means
    no lists at all: nothing half-loaded is used. Lists come in order of their ids,
    whatever order they were named in, so the index over them is the same.

    Raises:
        ListFormatError: from any file, or two files with the same list id.
    """
    lists = []
    for f in _files(paths):
        table = read_table(f)
        lists.append(parse(table.source, table))
    lists, clashes = _by_id(lists)
    if clashes:
        raise clashes[0]
    return lists


def _by_id(lists: list[ParsedList]) -> tuple[list[ParsedList], list[ListFormatError]]:
    """The lists in order of their ids, whatever order they were named in (so the index over them
    is the same), and an error for each file whose id another file already has (left out)."""
    kept: list[ParsedList] = []
    clashes: list[ListFormatError] = []
    owners: dict[str, Path] = {}
    for parsed in sorted(lists, key=lambda p: p.source.list_id):
        other = owners.setdefault(parsed.source.list_id, parsed.source.path)
        if other != parsed.source.path:
            clashes.append(ListFormatError(parsed.source.path, 0,
                                           f"list id {parsed.source.list_id!r} also used by {other}"))
            continue
        kept.append(parsed)
    return kept, clashes


_SPACES = re.compile(r"\s+")
# A row below the table that says something about it rather than being an item of it.
_NOTE_MARKS = ("备注", "注：", "注:", "说明：", "说明:", "填表说明", "合计", "总计", "附注")


def _is_note(values: list[str]) -> bool:
    """One text in the whole row (a merge repeats it), opening as a note does: 备注：包括市、区两级…"""
    filled = {v for v in values if v}
    return len(filled) == 1 and next(iter(filled)).startswith(_NOTE_MARKS)

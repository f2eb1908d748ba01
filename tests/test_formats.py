"""CSV and XLSX exports with the same header row load to the same items."""

import csv
from pathlib import Path

from openpyxl import Workbook

from assistant.corpus.parse import load
from assistant.types import COLUMNS, ParsedList


def _rows(parsed: ParsedList) -> list[list[str]]:
    return [[i.value(parsed.source, c) for c in COLUMNS] for i in parsed.items]


def _same_items(a: ParsedList, b: ParsedList) -> None:
    assert [i.seq for i in a.items] == [i.seq for i in b.items]
    for x, y in zip(a.items, b.items, strict=True):
        for c in COLUMNS:
            assert x.plain(a.source, c) == y.plain(b.source, c)
            assert [cl.body.of(a.source.text) for cl in x.fields[c].clauses] == [
                cl.body.of(b.source.text) for cl in y.fields[c].clauses]
        assert [(r.article, r.paragraph, r.role) for r in x.refs] == [
            (r.article, r.paragraph, r.role) for r in y.refs]


def test_csv_export_loads_like_the_text_list(seed: ParsedList, tmp_path: Path) -> None:
    f = tmp_path / "export.csv"
    with f.open("w", encoding="utf-8", newline="") as out:
        w = csv.writer(out)
        w.writerow([seed.title])
        w.writerow(COLUMNS)
        w.writerows(_rows(seed))
    (parsed,) = load([f])
    _same_items(seed, parsed)
    for item in parsed.items:
        for field in item.fields.values():
            for part in field.parts:
                assert '"' not in part.of(parsed.source.text)[:1]


def test_xlsx_export_loads_like_the_text_list(seed: ParsedList, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for row in _rows(seed):
        sheet.append(row)
    f = tmp_path / "export.xlsx"
    book.save(f)
    (parsed,) = load([f])
    assert parsed.source.derived
    _same_items(seed, parsed)


def test_folder_of_lists_keys_items_by_list(seed: ParsedList, tmp_path: Path, mini: ParsedList) -> None:
    (tmp_path / "a.txt").write_text(seed.source.text, encoding="utf-8")
    (tmp_path / "b.tsv").write_text(mini.source.text, encoding="utf-8")
    lists = load([tmp_path])
    keys = [i.key for p in lists for i in p.items]
    assert "a#70" in keys and "b#70" in keys
    assert len(keys) == len(set(keys)) == 17


def test_crlf_and_bom(seed: ParsedList, tmp_path: Path) -> None:
    f = tmp_path / "dos.txt"
    f.write_bytes(("\ufeff" + seed.source.text.replace("\n", "\r\n")).encode("utf-8"))
    (parsed,) = load([f])
    _same_items(seed, parsed)
    for item in parsed.items:
        assert not item.fields["备注"].span.of(parsed.source.text).endswith("\r")

"""Workbooks read as offices publish them: found headers, synonyms, merged rows, extra and hidden
cells, several sheets; every quote located in its cell; not one non-empty cell lost."""

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from assistant import paths
from assistant.corpus import columns, workbook
from assistant.corpus.parse import load
from assistant.errors import ListFormatError
from assistant.types import COLUMNS, ParsedList

EXTERNAL = paths.ROOT.parent / "shared" / "external-lists"
HEADER = ["序号", "事项名称", "权力类型", "实施依据", "行使\n主体", "承办科室", "部门职责", "责任事项内容", "追责情形",
          "备注", None]


def _published(path: Path) -> None:
    """A workbook as offices make them: title and 部门名称 rows, a header in its own words and
    order, an item over two merged rows, a sheet of notes. (openpyxl empties the cells a merge
    covers, so hidden cells are checked on the real 文旅 workbook below.)"""
    book = Workbook()
    sheet = book.active
    sheet.title = "权责清单"
    sheet.append(["某市某局2024年权责清单"])
    sheet.merge_cells("A1:J1")
    sheet.append(["部门名称：某市某局", None, None, "2024年5月"])
    sheet.append(HEADER)
    sheet.append([1, "对甲行为的处罚", "行政处罚", "《甲法》第一条：处一万元以下罚款。", "某市某局", "执法科",
                  "负责甲", "1.立案责任：及时立案。\n2.调查责任：调查取证。", "1.玩忽职守的；", None])
    sheet.append([None, None, None, "《甲法》第二条：情节严重的，处五万元以下罚款。", None, None,
                  None, None, None, None])
    sheet.merge_cells("A4:A5")
    sheet.merge_cells("B4:B5")
    sheet.append([2, "乙事项", "行政检查", "《乙条例》第三条", "某市某局", "监管科", "负责乙", "检查", "未检查的",
                  "无"])
    notes = book.create_sheet("填表说明")
    notes.append(["本表由各科室填写。"])
    more = book.create_sheet("第二部分")
    more.append(["序号", "事项名称", "实施依据", "实施主体"])
    more.append([1, "丙事项", "《丙办法》第四条", "某市某局"])
    book.save(path)


def _non_empty(path: Path) -> int:
    """Counted by another reader than the assistant's: openpyxl, merged cells included."""
    book = load_workbook(path, read_only=True)
    return sum(1 for s in book.worksheets for row in s.iter_rows(values_only=True)
               for v in row if v is not None and str(v) != "")


def test_a_published_workbook_reads_with_its_own_headers(tmp_path: Path) -> None:
    f = tmp_path / "mouju-2024.xlsx"
    _published(f)
    (parsed,) = load([f])
    assert parsed.title == "某市某局2024年权责清单" and parsed.office == "某市某局"
    assert [i.seq for i in parsed.items] == ["1", "2", "1（第二部分）"]
    first = parsed.items[0]
    src = parsed.source
    assert first.value(src, "实施主体") == "某市某局" and first.value(src, "承办机构") == "执法科"
    assert first.value(src, "权力事项类型") == "行政处罚"
    # The merged item's second row adds a paragraph to 实施依据.
    assert [p.of(src.text) for p in first.fields["实施依据"].parts] == [
        "《甲法》第一条：处一万元以下罚款。", "《甲法》第二条：情节严重的，处五万元以下罚款。"]
    assert columns.HIDDEN_FIELD not in first.fields
    assert first.plain(src, "事项名称") == "对甲行为的处罚"
    steps = [c.body.of(src.text) for c in first.fields["责任事项"].clauses]
    assert steps == ["立案责任：及时立案。", "调查责任：调查取证。"]
    assert first.plain(src, "部门职责") == "负责甲"  # a column the 13 lack: an extra field
    assert first.value(src, "地方权力编码") == ""  # a column the list lacks reads empty
    layout = parsed.layout
    assert layout["sheets_read"] == ["权责清单", "第二部分"] and layout["sheets_skipped"] == ["填表说明"]
    assert layout["columns"]["行使主体"] == "实施主体" and "部门职责" in layout["extra_fields"]
    assert layout["cells"] == _non_empty(f) == layout["cells_kept"]
    # What stands outside the items (部门名称, the notes sheet) is reported, not dropped.
    assert "本表由各科室填写。" in layout["preamble"] and "部门名称：某市某局 2024年5月" in layout["preamble"]


def test_every_field_part_is_located_in_its_cell(tmp_path: Path) -> None:
    f = tmp_path / "mouju-2024.xlsx"
    _published(f)
    (parsed,) = load([f])
    book = load_workbook(f)
    for item in parsed.items:
        for field in item.fields.values():
            for part in field.parts:
                ref = workbook.locate(parsed.source.cells, part)
                assert ref is not None
                cell = book[ref.sheet].cell(ref.row, ref.col).value
                text = workbook.cell_text(cell)
                assert text[part.start - ref.start:part.end - ref.start] == part.of(parsed.source.text)


def test_format_is_read_from_the_bytes(tmp_path: Path) -> None:
    f = tmp_path / "renamed.xls"  # an .xlsx package under an old name
    _published(f)
    assert load([f])[0].source.kind == "xlsx"
    fake = tmp_path / "fake.xlsx"
    fake.write_text("序号\t事项名称\n", encoding="utf-8")
    with pytest.raises(ListFormatError, match="not a workbook"):
        load([fake])
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\0" * 64)
    with pytest.raises(ListFormatError, match="not a readable workbook"):
        load([broken])


def test_a_mapping_file_names_headers_the_table_does_not_know(tmp_path: Path) -> None:
    f = tmp_path / "other.csv"
    f.write_text("编号,权力事项,执行部门,法规条款\n1,对丁的处罚,某局,《丁法》第五条\n", encoding="utf-8")
    with pytest.raises(ListFormatError, match=r"line 1: a data row before any header.*other.columns.json"):
        load([f])
    (tmp_path / "other.columns.json").write_text('{"编号": "序号", "执行部门": "实施主体", "法规条款": "实施依据"}',
                                                 encoding="utf-8")
    (parsed,) = load([f])
    item = parsed.items[0]
    assert (item.seq, item.value(parsed.source, "实施主体"), item.refs[0].article) == ("1", "某局", 5)
    (tmp_path / "other.columns.json").write_text('{"编号": "号码"}', encoding="utf-8")
    with pytest.raises(ListFormatError, match="not one of the 13 columns"):
        load([f])


def test_lists_named_in_any_order_load_in_one_order(tmp_path: Path, seed: ParsedList, mini: ParsedList) -> None:
    (tmp_path / "b.txt").write_text(seed.source.text, encoding="utf-8")
    (tmp_path / "a.tsv").write_text(mini.source.text, encoding="utf-8")
    one = [p.source.list_id for p in load([tmp_path / "b.txt", tmp_path / "a.tsv"])]
    two = [p.source.list_id for p in load([tmp_path / "a.tsv", tmp_path / "b.txt"])]
    assert one == two == ["a", "b"]


def _external(name: str) -> Path:
    f = EXTERNAL / "raw" / name
    if not f.is_file():
        pytest.skip("../shared/external-lists is not here")
    return f


@pytest.mark.parametrize(("raw", "converted", "items"), [
    ("kmy-scjg-2024.xls", "kmy-scjg-2024.txt", 442),
    ("kmy-wenlv-2024.xlsx", "kmy-wenlv-2024.txt", 301),
])
def test_published_karamay_workbooks_read_directly(raw: str, converted: str, items: int) -> None:
    f = _external(raw)
    (parsed,) = load([f])
    assert len(parsed.items) == items
    layout = parsed.layout
    assert layout["cells"] == layout["cells_kept"] == _calamine_count(f)  # not one non-empty cell lost
    assert {"部门职责", "责任事项依据", "追责对象范围"} <= set(layout["extra_fields"])
    # The 13 columns read as the hand conversion made outside the project reads them.
    (hand,) = load([EXTERNAL / "lists" / converted])
    for x, y in zip(parsed.items, hand.items, strict=True):
        assert x.seq == y.seq
        for c in COLUMNS:
            assert x.plain(parsed.source, c) == y.plain(hand.source, c), (x.seq, c)


def test_cells_hidden_under_merges_are_kept_apart() -> None:
    """文旅 hides a whole 县市区级 row under the merges of 32 items: kept, never read as the item's own."""
    (parsed,) = load([_external("kmy-wenlv-2024.xlsx")])
    hidden = [i for i in parsed.items if columns.HIDDEN_FIELD in i.fields]
    assert len(hidden) == parsed.layout["items_with_hidden_cells"] == 32
    item = next(i for i in parsed.items if i.seq == "131")
    assert "县市区级文体广电旅游局" in item.plain(parsed.source, columns.HIDDEN_FIELD)
    assert item.value(parsed.source, "实施主体") == "克拉玛依市文化体育广播电视和旅游局"


def _calamine_count(path: Path) -> int:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return sum(1 for name in book.sheet_names
               for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False)
               for v in row if workbook.cell_text(v).strip())


def test_an_eval_run_over_a_workbook_quotes_its_cells(tmp_path: Path) -> None:
    """Every quote of every answer of a question set asked over the published .xls, checked by
    reopening the workbook and slicing the located cell."""
    from assistant.answering.dialogue import Assistant
    from assistant.answering.policy import NEVER_REFUSE
    from assistant.corpus.catalogue import Catalogue
    from assistant.evaluation import score
    from assistant.evaluation.sets import verbatim_failures
    from assistant.index import store
    from assistant.index.embed import HashingEmbedder
    from assistant.index.retriever import Retriever

    f = _external("kmy-scjg-2024.xls")
    lists = load([f])
    embedder = HashingEmbedder(64)
    built = store.build(tmp_path, lists, embedder, progress=False)
    assistant = Assistant(Catalogue.of(lists), Retriever(built, embedder), policy=NEVER_REFUSE)
    questions = score.load_questions(paths.ROOT / "eval" / "tuning" / "kmy-scjg-2024.jsonl")
    results = score.run(assistant.ask, questions)
    located = [q for r in results for q in r["quotes"] if q["locator"]]
    assert len(located) > len(questions)
    assert verbatim_failures(results) == []


def test_an_oversize_package_is_refused_before_it_is_expanded(tmp_path: Path) -> None:
    """A sheet that would expand to 80 MB (a million rows, a huge cell) or a zip bomb: refused
    from the zip's directory, fast, without reading the sheet."""
    import time
    import zipfile

    f = tmp_path / "huge.xlsx"
    _published(f)
    with zipfile.ZipFile(f, "a", compression=zipfile.ZIP_DEFLATED) as z, \
            z.open("xl/worksheets/sheet9.xml", "w", force_zip64=True) as part:
        block = b"<row>" + b"0" * (1 << 20) + b"</row>"
        for _ in range(80):
            part.write(block)
    start = time.perf_counter()
    with pytest.raises(ListFormatError, match=r"sheet9.xml expands to 80 MB"):
        load([f])
    assert time.perf_counter() - start < 2


def test_all_21_city_workbooks_read_with_every_cell_kept() -> None:
    """克拉玛依's 21 department workbooks as published: two .xlsx that are .xls inside, titles and
    部门名称 above headers, headers with line breaks, up to 9 sheets each numbering from 1."""
    folder = EXTERNAL / "raw" / "karamay"
    if not folder.is_dir():
        pytest.skip("../shared/external-lists is not here")
    lists = load([folder])
    assert len(lists) == 21
    for parsed in lists:
        layout = parsed.layout
        assert parsed.items, parsed.source.path.name
        assert layout["cells"] == layout["cells_kept"], parsed.source.path.name
    assert sum(len(p.items) for p in lists) > 2800


def test_a_sheet_of_too_many_rows_is_refused_while_it_streams(tmp_path: Path) -> None:
    import time
    import zipfile

    f = tmp_path / "rows.xlsx"
    _published(f)
    with zipfile.ZipFile(f, "a", compression=zipfile.ZIP_DEFLATED) as z, \
            z.open("xl/worksheets/sheet8.xml", "w") as part:
        part.write(b"<worksheet><sheetData>")
        for n in range(150_000):
            part.write(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n))
        part.write(b"</sheetData></worksheet>")
    start = time.perf_counter()
    with pytest.raises(ListFormatError, match=r"sheet8.xml holds [0-9,]+ rows or more; a list has at most 100,000"):
        load([f])
    assert time.perf_counter() - start < 2


def _repeated_rows(path: Path) -> None:
    """One item over two merged rows that repeat its type and name two offices."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append([1, "对甲行为的处罚", "行政处罚", "《甲法》第一条：处一万元以下罚款。", "某市某局", "执法科",
                  "负责甲", "1.立案责任：及时立案。", "1.玩忽职守的；", None])
    sheet.append([None, None, "行政处罚", "《甲法》第二条：情节严重的，处五万元以下罚款。", None, "法规科",
                  None, None, None, None])
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("B2:B3")
    book.save(path)


def test_a_card_over_merged_rows_quotes_a_repeated_value_once(tmp_path: Path) -> None:
    from assistant.answering.dialogue import Assistant
    from assistant.answering.policy import NEVER_REFUSE
    from assistant.corpus.catalogue import Catalogue
    from assistant.evaluation.sets import verbatim_failures
    from assistant.index import store
    from assistant.index.embed import HashingEmbedder
    from assistant.index.retriever import Retriever
    from assistant.present.render import to_json

    f = tmp_path / "mouju-2024.xlsx"
    _repeated_rows(f)
    lists = load([f])
    embedder = HashingEmbedder(64)
    built = store.build(tmp_path / "index", lists, embedder, progress=False)
    assistant = Assistant(Catalogue.of(lists), Retriever(built, embedder), policy=NEVER_REFUSE)
    answer = to_json(assistant.ask("甲行为罚多少"))
    cards = {q["field"]: q for q in answer["quotes"] if q["role"] == "card"}
    assert cards["权力事项类型"]["text"] == "行政处罚" and cards["权力事项类型"]["locator"] is not None
    # Two offices differ: the card quotes both rows, a span across cells, checked against the rendered text.
    offices = cards["承办机构"]
    assert offices["locator"] is None and "执法科" in offices["text"] and "法规科" in offices["text"]
    assert verbatim_failures([{"id": "a", "quotes": answer["quotes"]}]) == []
    tampered = {**offices, "text": offices["text"].replace("法规科", "法制科")}
    assert len(verbatim_failures([{"id": "b", "quotes": [tampered]}])) == 1


def test_a_note_below_the_table_is_reported_and_a_two_line_number_reads_on_one_line(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["188\n189", "对甲行为的处罚", "行政处罚", "《甲法》第一条", "某市某局", "执法科",
                  None, None, None, None])
    sheet.append(["备注：包括市、区两级行使行政权力事项数量。"])
    sheet.merge_cells("A3:J3")
    f = tmp_path / "mouju-2024.xlsx"
    book.save(f)
    (parsed,) = load([f])
    assert [i.seq for i in parsed.items] == ["188、189"]
    assert parsed.items[0].value(parsed.source, "序号") == "188\n189"  # the cell itself, as published
    assert "备注：包括市、区两级行使行政权力事项数量。" in parsed.layout["preamble"]
    assert parsed.layout["cells"] == parsed.layout["cells_kept"]

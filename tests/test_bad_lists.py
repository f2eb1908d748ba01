"""Malformed list files fail loudly, naming the file and the line."""

import shutil
from pathlib import Path

import pytest

from assistant.corpus.parse import load
from assistant.corpus.source import read_source
from assistant.errors import ListFormatError

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(("name", "line", "reason"), [
    # A header may lack columns (they read empty); its rows must then match its width.
    ("bad_missing_column.tsv", 7, "expected 12 fields.*found 13"),
    ("bad_field_count.tsv", 7, "expected 13 fields.*found 14"),
    ("bad_unclosed_p.tsv", 10, "never closed"),
    ("bad_duplicate_seq.tsv", 10, "duplicate 序号 '70'.*line 4"),
])
def test_bad_file_names_line(name: str, line: int, reason: str) -> None:
    with pytest.raises(ListFormatError, match=rf"{name}: line {line}: .*{reason}"):
        load([DATA / name])


def test_undecodable_file_names_line(tmp_path: Path) -> None:
    raw = (DATA / "mini_list.tsv").read_bytes().split(b"\n")
    raw[6] = raw[6].replace("网络".encode(), "网络".encode("gbk"), 1)
    bad = tmp_path / "gbk.tsv"
    bad.write_bytes(b"\n".join(raw))
    with pytest.raises(ListFormatError, match=r"gbk.tsv: line 7: not valid UTF-8"):
        read_source(bad)


def test_stray_closing_tag(tmp_path: Path) -> None:
    lines = (DATA / "mini_list.tsv").read_text(encoding="utf-8").split("\n")
    lines[3] = lines[3].replace("<p>", "", 1)
    bad = tmp_path / "stray.tsv"
    bad.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ListFormatError, match=r"line 4: .*without an opening"):
        load([bad])


def test_one_bad_file_in_a_folder_loads_nothing(tmp_path: Path) -> None:
    shutil.copy(DATA / "mini_list.tsv", tmp_path / "a.tsv")
    shutil.copy(DATA / "bad_field_count.tsv", tmp_path / "b.tsv")
    with pytest.raises(ListFormatError, match=r"b\.tsv: line 7"):
        load([tmp_path])


def test_unknown_suffix(tmp_path: Path) -> None:
    f = tmp_path / "list.doc"
    f.write_text("x", encoding="utf-8")
    with pytest.raises(ListFormatError, match="unknown list file type"):
        read_source(f)


def test_data_row_before_header(tmp_path: Path) -> None:
    f = tmp_path / "nohead.tsv"
    f.write_text("标题\n70\ta\tb\n", encoding="utf-8")
    with pytest.raises(ListFormatError, match="line 2: a data row before any header"):
        load([f])


def test_unclosed_csv_quote(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text('序号,事项名称\n1,"abc\n', encoding="utf-8")
    with pytest.raises(ListFormatError, match="line 2: a quoted cell is never closed"):
        load([f])


def test_lenient_load_serves_the_good_lists_and_names_the_bad(tmp_path: Path) -> None:
    from assistant.corpus.parse import load_lenient

    shutil.copy(DATA / "mini_list.tsv", tmp_path / "a.tsv")
    shutil.copy(DATA / "bad_field_count.tsv", tmp_path / "b.tsv")
    header = (DATA / "mini_list.tsv").read_text(encoding="utf-8").split("\n")
    (tmp_path / "c.tsv").write_text("\n".join(header[:3]) + "\n", encoding="utf-8")  # title and header only
    good, problems = load_lenient([tmp_path])
    assert [p.source.list_id for p in good] == ["a"]
    assert len(problems) == 2 and "b.tsv: line 7" in problems[0] and "c.tsv: no items" in problems[1]
    with pytest.raises(ListFormatError, match="no list could be served"):
        load_lenient([tmp_path / "b.tsv", tmp_path / "c.tsv"])


def test_lenient_load_orders_by_id_and_names_a_clash(tmp_path: Path) -> None:
    from assistant.corpus.parse import load_lenient

    shutil.copy(DATA / "mini_list.tsv", tmp_path / "b.tsv")
    shutil.copy(DATA / "mini_list.tsv", tmp_path / "a.tsv")
    shutil.copy(DATA / "mini_list.tsv", tmp_path / "a.txt")  # the same id as a.tsv
    good, problems = load_lenient([tmp_path / "b.tsv", tmp_path / "a.tsv", tmp_path / "a.txt"])
    assert [p.source.list_id for p in good] == ["a", "b"]
    assert len(problems) == 1 and "list id 'a' also used by" in problems[0]

"""The lint finds each kind of problem by rule, on the seed and on another list."""

from pathlib import Path

import pytest

from assistant.corpus.parse import load
from assistant.review.lint import lint
from assistant.types import ParsedList


def _kinds(findings: list) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in findings:
        out.setdefault(f.kind, []).append(f)
    return out


def test_seed_findings(seed: ParsedList) -> None:
    found = _kinds(lint([seed]))
    text = seed.source.text
    for f in lint([seed]):
        assert f.span.of(text) == f.excerpt
    assert {(f.item, f.excerpt, f.expected) for f in found["inconsistent_value"]} == {
        ("77", "市", "市级"), ("78", "市", "市级"), ("79", "市", "市级")}
    outliers = [(f.item, f.field, f.excerpt) for f in found["outlier_value"]]
    assert outliers == [("82", "承办机构", "网络科科长")]
    assert {(f.item, f.field) for f in found["misplaced_value"]} == {("78", "备注"), ("79", "备注")}
    assert [(f.item, f.excerpt) for f in found["malformed_reference"]] == [("71", "第二十二第一款")]
    assert [(f.item, f.excerpt) for f in found["malformed_fine_range"]] == [("77", "一万元以下十万元以下")]
    variants = found["boilerplate_variant"]
    assert {f.item for f in variants if f.excerpt == "具" and f.expected == "知"} == {"80", "81", "82"}
    assert {f.item for f in variants if "约谈笔录" in f.message} == {"81", "82"}
    # Written for the office's staff: Chinese, with no English word left in.
    import re
    assert not [f.message for f in lint([seed]) if re.search(r"[A-Za-z]{2,}", f.message)]
    # 权力事项类型 differs for item 83 on purpose; it is no near-variant of 行政处罚.
    assert not [f for f in lint([seed]) if f.field == "权力事项类型"]


def test_same_kinds_found_in_another_list(seed: ParsedList, tmp_path: Path) -> None:
    """A county list with its own slips: the rules, not a quirk table, find them."""
    lines = seed.source.text.split("\n")
    rows = [i for i, line in enumerate(lines) if line[:2].isdigit()]
    for n, i in enumerate(rows):
        cells = lines[i].split("\t")
        cells[0] = str(n + 1)
        cells[6] = "县网信办"
        cells[7] = "执法股" if n != 4 else "执法科长"
        cells[11] = "县级" if n not in (2, 3) else "县"
        cells[12] = "县" if n == 5 else ""
        if n == 6:
            cells[8] = cells[8].replace("五万元以上五十万元以下", "五万元以下五十万元以下")
            cells[8] = cells[8].replace("第三十七条", "第三十七第一款")
        if n == 8:
            cells[9] = cells[9].replace("不得少于两人", "不得少于三人")
        cells[10] = cells[10].replace("疏于对", "疏于")
        if n in (1, 9):
            cells[10] = cells[10].replace("疏于", "疏于对")
        lines[i] = "\t".join(cells)
    f = tmp_path / "county.txt"
    f.write_text("\n".join(lines), encoding="utf-8")
    found = _kinds(lint(load([f])))
    assert {f.item for f in found["inconsistent_value"]} == {"3", "4"}
    assert [(f.item, f.excerpt) for f in found["outlier_value"]] == [("5", "执法科长")]
    assert [(f.item, f.field) for f in found["misplaced_value"]] == [("6", "备注")]
    assert [f.item for f in found["malformed_reference"]] == ["2", "7"]  # 2 inherits the seed's
    assert [f.item for f in found["malformed_fine_range"]] == ["7", "8"]  # 8 inherits the seed's
    assert any(f.item == "9" and f.excerpt == "三" for f in found["boilerplate_variant"])


def test_amounts_in_every_notation() -> None:
    from assistant.corpus.numerals import amount

    assert [amount(t) for t in ("5000", "1万", "1.5万", "五千", "二十万", "一万", "10万")] == [
        5000, 10000, 15000, 5000, 200000, 10000, 100000]
    with pytest.raises(ValueError):
        amount("若干")


def test_fine_ranges_in_arabic_numerals(seed: ParsedList, tmp_path: Path) -> None:
    text = seed.source.text.replace("处一万元以上十万元以下罚款", "处5000元以上1万元以下罚款", 1)
    text = text.replace("处五万元以上五十万元以下罚款", "处1.5万元以上5000元以下罚款", 1)
    f = tmp_path / "arabic.txt"
    f.write_text(text, encoding="utf-8")
    (parsed,) = load([f])
    ranges = [x.excerpt for x in lint([parsed]) if x.kind == "malformed_fine_range"]
    assert "1.5万元以上5000元以下" in ranges and "5000元以上1万元以下" not in ranges


@pytest.mark.parametrize("name", ["raw/kmy-scjg-2024.xls", "raw/kmy-wenlv-2024.xlsx", "lists/alar-cac-2021.txt"])
def test_lint_holds_on_real_lists(name: str) -> None:
    from assistant import paths
    from assistant.statutes.library import Library

    f = paths.ROOT.parent / "shared" / "external-lists" / name
    if not f.is_file():
        pytest.skip("../shared/external-lists is not here")
    (parsed,) = load([f])
    found = lint([parsed], Library.load(paths.laws_dir()))
    for x in found:
        assert x.span.of(parsed.source.text) == x.excerpt
        assert not (x.kind == "outlier_value" and x.field == "权力事项类型")  # 行政给付 is a kind of its own
        assert "《》" not in x.message

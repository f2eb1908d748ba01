"""`items` and `lint` on the command line: readable text, UTF-8 JSON."""

import json

import pytest

from assistant.cli import main


def test_items_json_is_utf8_with_spans(capsys: pytest.CaptureFixture[str], seed) -> None:
    assert main(["items", "--json"]) == 0
    out = capsys.readouterr().out
    assert "\\u" not in out and "网络安全法" in out
    (data,) = json.loads(out)
    assert [i["seq"] for i in data["items"]] == [str(n) for n in range(70, 84)]
    text = seed.source.text
    for item in data["items"]:
        for field in item["fields"].values():
            assert text[field["start"]:field["end"]] == field["text"]
            for clause in field["clauses"]:
                assert text[clause["start"]:clause["end"]] == clause["text"]


def test_lint_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint"]) == 0
    out = capsys.readouterr().out
    assert "malformed_fine_range" in out and "第二十二第一款" in out
    assert main(["lint", "--json"]) == 0
    kinds = {f["kind"] for f in json.loads(capsys.readouterr().out)}
    assert kinds == {"inconsistent_value", "outlier_value", "misplaced_value", "boilerplate_variant",
                     "malformed_reference", "malformed_fine_range", "differs_from_law", "no_official_text"}


def test_bad_file_is_one_clear_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["items", "tests/data/bad_field_count.tsv"]) == 2
    assert "line 7: expected 13 fields" in capsys.readouterr().err

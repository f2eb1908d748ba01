"""The seed list parses to its 14 items and every span slices back exactly."""

import re

from assistant.types import COLUMNS, ParsedList


def test_seed_has_items_70_to_83(seed: ParsedList) -> None:
    assert seed.title == "天水市互联网信息办权责清单"
    assert [i.seq for i in seed.items] == [str(n) for n in range(70, 84)]


def _naive_cells(text: str, line_no: int) -> list[str]:
    return [c.strip() for c in text.split("\n")[line_no - 1].split("\t")]


def test_every_field_span_is_the_cell(seed: ParsedList) -> None:
    text = seed.source.text
    checked = 0
    for item in seed.items:
        cells = _naive_cells(text, item.line_no)
        for column, value in zip(COLUMNS, cells, strict=True):
            assert item.fields[column].span.of(text) == value
            checked += 1
    assert checked == 14 * 13


def test_parts_exclude_markup_and_cover_the_cell(seed: ParsedList) -> None:
    text = seed.source.text
    for item in seed.items:
        for field in item.fields.values():
            cell = field.span.of(text)
            for part in field.parts:
                assert "<p>" not in part.of(text) and "</p>" not in part.of(text)
                assert field.span.start <= part.start <= part.end <= field.span.end
            rebuilt = re.sub(r"</?p>", " ", cell).split()
            assert " ".join(rebuilt) == " ".join(" ".join(p.of(text) for p in field.parts).split())


def test_every_clause_slices_back_and_starts_with_its_label(seed: ParsedList) -> None:
    text = seed.source.text
    n = 0
    for item in seed.items:
        for column in ("实施依据", "责任事项", "追责情形"):
            field = item.fields[column]
            assert field.clauses, (item.seq, column)
            for c in field.clauses:
                assert text[c.span.start:c.span.end].startswith(c.label)
                assert c.span.start <= c.body.start <= c.body.end == c.span.end
                assert any(p.start <= c.span.start and c.span.end <= p.end for p in field.parts)
                n += 1
    assert n > 14 * 10


def test_duty_steps_are_numbered_in_order(seed: ParsedList) -> None:
    for item in seed.items:
        numbers = [c.number for c in item.fields["责任事项"].clauses]
        # Penalty items list seven steps; the inspection item (83) two.
        want = 2 if item.value(seed.source, "权力事项类型") == "其他行政权力" else 7
        assert numbers == list(range(1, want + 1)), item.seq


def test_item_82_clauses_split_the_inline_enumeration(seed: ParsedList) -> None:
    item = next(i for i in seed.items if i.seq == "82")
    labels = [c.label for c in item.fields["实施依据"].clauses]
    assert labels[:2] == ["1.", "（一）"]
    assert labels[-1] == "（九）"

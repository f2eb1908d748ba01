"""Generated list files: spans round-trip for any field contents and markup."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.corpus.parse import parse
from assistant.corpus.source import read_source
from assistant.types import CLAUSED_COLUMNS, COLUMNS

_CHARS = st.sampled_from(list("网络安全法第十二条款项罚款元以上下的，。；：、（）()《》,.;:!？?abcAPP 　123"))
_TEXT = st.text(_CHARS, min_size=1, max_size=30).map(str.strip).filter(
    lambda s: s and not s.startswith("<") and s != "序号")
_PARAS = st.lists(_TEXT, min_size=1, max_size=3)
_SPACE = st.sampled_from(["", " ", "  ", "\u3000"])


@st.composite
def list_file(draw: st.DrawFn) -> tuple[str, list[dict[str, list[str]]]]:
    n = draw(st.integers(1, 4))
    lines = [draw(_TEXT), ""]
    expected = []
    for k in range(n):
        cells, item = [], {}
        for column in COLUMNS:
            paras = [str(k + 1)] if column == "序号" else draw(_PARAS)
            tagged = column != "序号" and draw(st.booleans())
            pad = draw(_SPACE)
            if tagged:
                cell = pad + " ".join(f"<p>{draw(_SPACE)}{p}{draw(_SPACE)}</p>" for p in paras) + pad
            else:
                paras = [" ".join(paras)]
                cell = pad + paras[0] + pad
            cells.append(cell)
            item[column] = paras
        lines += ["\t".join(COLUMNS), "\t".join(cells), ""]
        expected.append(item)
    return "\n".join(lines), expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(list_file())
def test_round_trip(tmp_path: Path, generated: tuple[str, list[dict[str, list[str]]]]) -> None:
    text, expected = generated
    f = tmp_path / "gen.txt"
    f.write_text(text, encoding="utf-8")
    parsed = parse(read_source(f))
    assert parsed.source.text == text
    assert len(parsed.items) == len(expected)
    for item, want in zip(parsed.items, expected, strict=True):
        for column in COLUMNS:
            field = item.fields[column]
            assert [p.of(text) for p in field.parts] == [p.strip() for p in want[column]]
            for clause in field.clauses:
                s = clause.span.of(text)
                assert s.startswith(clause.label) and clause.body.of(text) in s
                assert any(p.start <= clause.span.start and clause.span.end <= p.end for p in field.parts)
            if column not in CLAUSED_COLUMNS:
                continue
            covered = "".join(c.span.of(text) for c in field.clauses)
            assert "".join("".join(p.of(text).split()) for p in field.parts) == "".join(covered.split())

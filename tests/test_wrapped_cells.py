"""Cells laid out at a fixed width (a list converted from a PDF) are read as their sentences: a
line break that cuts a word is no paragraph end, and a quote never stops mid-word."""

from pathlib import Path

from assistant.answering.excerpt import candidates
from assistant.corpus import markup
from assistant.corpus.parse import load
from assistant.types import Span

WRAPPED = ("企业事业单位或者其他组织有前款所列行为之一的，可以并处十万元以\n下的罚款；情节严重的，并处十万元以上五\n"
           "十万元以下的罚款。\n个体工商户有本条第一款所列行为之一的，由县级以上人民政府\n统计机构责令改正，给予警\n告，"
           "可以并处一万元以\n下的罚款。\n（一）拒绝提供统计资料的；\n（二）提供不真实的统计资料的。")


def _parts(text: str) -> list[str]:
    return [p.of(text) for p in markup.parts(text, 0, len(text))]


def test_wrapped_cell_is_read_as_sentences_and_keeps_its_offsets() -> None:
    parts = _parts(WRAPPED)
    assert parts[0] == ("企业事业单位或者其他组织有前款所列行为之一的，可以并处十万元以\n下的罚款；"
                        "情节严重的，并处十万元以上五\n十万元以下的罚款。")
    assert parts[1].startswith("个体工商户") and parts[1].endswith("可以并处一万元以\n下的罚款。")
    # A clause's number still opens a paragraph of its own.
    assert parts[2:] == ["（一）拒绝提供统计资料的；", "（二）提供不真实的统计资料的。"]
    for p in markup.parts(WRAPPED, 0, len(WRAPPED)):
        assert WRAPPED[p.start:p.end] == p.of(WRAPPED)


def test_lines_a_writer_broke_stay_paragraphs() -> None:
    # Each line a statement of its own: no break cuts a word.
    own = "\n".join(f"负责市本级民办职业培训学校{w}审批" for w in ("设立", "分立", "合并", "终止"))
    assert len(_parts(own)) == 4
    # A merged cell's rows repeat one value.
    assert len(_parts("行政许可\n行政许可\n行政许可\n行政许可\n行政许可")) == 5
    # Too few lines to tell.
    assert _parts("可以并处一万元以\n下的罚款") == ["可以并处一万元以", "下的罚款"]


def test_no_excerpt_of_a_wrapped_list_stops_mid_word(tmp_path: Path) -> None:
    header = "序号,事项名称,权力事项类型,实施依据,实施主体,承办机构,责任事项,追责情形\n"
    body = '1,对拒绝配合统计调查的处罚,行政处罚,"' + WRAPPED + '",市统计局,政策法规科,1.立案。,1.不依法处罚的。\n'
    path = tmp_path / "wrapped.csv"
    path.write_text(header + body, encoding="utf-8")
    parsed = load([path])[0]
    field = parsed.items[0].fields["实施依据"]
    texts = [c.span.of(parsed.source.text) for c in candidates(parsed.source.text, field)]
    assert "情节严重的，并处十万元以上五\n十万元以下的罚款。" in texts
    assert not any(t.endswith(("以", "五", "警")) for t in texts)
    assert all(isinstance(c.span, Span) for c in candidates(parsed.source.text, field))


def test_a_wrapped_name_is_named_without_its_layout(tmp_path: Path) -> None:
    from assistant.corpus.catalogue import Catalogue

    header = "序号,事项名称,权力事项类型,实施依据\n"
    wrapped = "对拒绝\n配合统\n计调查\n、经济普\n查、人\n口普查的\n处罚"
    rows = f'1,"{wrapped}",行政处罚,依据\n2,"行政许可\n行政许可\n行政许可\n行政许可",行政许可,依据\n'
    path = tmp_path / "names.csv"
    path.write_text(header + rows, encoding="utf-8")
    parsed = load([path])[0]
    first, second = parsed.items
    assert first.title(parsed.source) == "对拒绝配合统计调查、经济普查、人口普查的处罚"
    assert first.value(parsed.source, "事项名称") == wrapped  # the file's text, as quoted
    # Not wrapped (one value per line): named as written.
    assert second.title(parsed.source) == second.value(parsed.source, "事项名称")
    assert Catalogue.of([parsed]).name(first) == "对拒绝配合统计调查、经济普查、人口普查的处罚"

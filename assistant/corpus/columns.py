"""Which header names which column: one table of the synonyms offices use.

Offices publish their lists with their own headers (行使主体 for 实施主体, 权力类型 for
权力事项类型, 责任事项内容 for 责任事项, line breaks inside a header cell). A header cell is
compared with all whitespace removed. A header the table does not know becomes an
extra field under its own name: kept, searchable and quotable, never dropped. A list
can name more synonyms in a mapping file beside it (``NAME.columns.json``:
``{"header as written": "one of the 13 columns"}``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ListFormatError
from assistant.types import COLUMNS

# Each of the 13 columns with the headers that mean it (compared without whitespace).
# Documented in docs/list-formats.md; extend here, or per list in a mapping file.
SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "序号": ("序号", "编号序号"),
    "事项名称": ("事项名称", "权力事项名称", "职权名称", "权力名称", "权责事项名称", "主项名称", "权责事项",
             "权力事项", "行政权力事项名称", "事项", "项目名称", "项目"),
    "子项名称": ("子项名称", "子项", "子项事项名称", "子项名"),
    "权力事项类型": ("权力事项类型", "权力类型", "职权类型", "事项类型", "权责类型", "权力类别", "职权类别", "类别",
               "类型"),
    "地方权力编码": ("地方权力编码", "权力编码", "事项编码", "职权编码", "编码"),  # 职权编码: 消防
    "子项地方权力编码": ("子项地方权力编码", "子项编码", "子项权力编码"),
    "实施主体": ("实施主体", "行使主体", "实施机关", "责任主体", "执法主体"),
    "承办机构": ("承办机构", "承办科室", "承办处室", "内设机构", "责任科室", "承办单位", "承办部门"),
    "实施依据": ("实施依据", "职权依据", "设定依据", "法律依据", "行使依据", "依据"),
    "责任事项": ("责任事项", "责任事项内容", "责任内容"),
    "追责情形": ("追责情形", "问责情形", "追责情形及依据", "责任追究情形"),
    "办事层级": ("办事层级", "实施层级", "实施层级及权限", "行使层级", "层级"),
    "备注": ("备注", "说明"),
}
_SPACE = re.compile(r"\s+")
# A header row names the item and at least two other columns.
MIN_KNOWN = 3
HIDDEN_FIELD = "合并单元格内隐藏的内容"


def squeeze(text: str) -> str:
    """A header as compared: every kind of whitespace removed (行使\\n主体 is 行使主体)."""
    return _SPACE.sub("", text.replace("\u3000", ""))


@dataclass(frozen=True, slots=True)
class Header:
    """What each cell of a header row names: ``names[i]`` is a column of the 13, an extra
    field's name, or "" (an empty cell with no merged header above it: nothing is kept)."""

    names: tuple[str, ...]
    mapped: Mapping[str, str]  # header as written (squeezed) → column of the 13

    def index(self, column: str) -> int | None:
        return self.names.index(column) if column in self.names else None

    @property
    def extras(self) -> tuple[str, ...]:
        return tuple(n for n in self.names if n and n not in COLUMNS)


def table(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Squeezed header → column, the list's own mapping file first."""
    out = {squeeze(s): column for column, names in SYNONYMS.items() for s in names}
    for header, column in (extra or {}).items():
        out[squeeze(header)] = column
    return out


def recognise(cells: Sequence[str], synonyms: Mapping[str, str],
              spans: Sequence[tuple[int, int]] = ()) -> Header | None:
    """The header a row is, or None when the row does not name 事项名称 and two more columns.

    ``spans``: (first, last) cell index of each horizontally merged header cell; the cells a
    merge covers take the merged header's name with a number (实施层级及权限（2）).
    """
    names: list[str] = []
    mapped: dict[str, str] = {}
    taken: set[str] = set()
    for i, cell in enumerate(cells):
        head = squeeze(cell)
        if not head:
            names.append(_covered_name(i, cells, spans))
            continue
        column = synonyms.get(head)
        if column is not None and column not in taken:
            names.append(column)
            mapped[head] = column
            taken.add(column)
        else:
            names.append(head if head not in names else f"{head}（{names.count(head) + 1}）")
    if "事项名称" not in taken or len(taken) < MIN_KNOWN:
        return None
    return Header(tuple(names), mapped)


def _covered_name(i: int, cells: Sequence[str], spans: Sequence[tuple[int, int]]) -> str:
    for first, last in spans:
        if first < i <= last and squeeze(cells[first]):
            return f"{squeeze(cells[first])}（{i - first + 1}）"
    return ""


def mapping_file(list_path: Path) -> dict[str, str]:
    """The list's own header mapping (``NAME.columns.json`` beside it), or {} when absent.

    Raises:
        ListFormatError: the file is not a JSON object of header → one of the 13 columns.
    """
    path = list_path.with_name(list_path.stem + ".columns.json")
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ListFormatError(path, 1, f"not a readable JSON mapping ({e})") from None
    if not isinstance(data, dict):
        raise ListFormatError(path, 1, "expected a JSON object: header as written → column")
    for header, column in data.items():
        if column not in COLUMNS:
            raise ListFormatError(path, 1, f"{header!r} maps to {column!r}, not one of the 13 columns "
                                  f"({'、'.join(COLUMNS)})")
    return data

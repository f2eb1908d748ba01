"""Which of the served lists a question names: by its office (as people shorten it) or place.

Offices are named the way staff speak: 市场监管局 for 市场监督管理局, 文旅局 for
文化体育广播电视和旅游局, 网信办 for 互联网信息办. Such a short form keeps the full
name's characters in order, so a window of the question names an office when it is
such a subsequence of the office's name (after its place), three characters or more,
and either ends as offices end (局, 办 …) or starts within the name's first three and is
four characters long. A place (天水, 克拉玛依) names every list of that place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_PLACE = re.compile(r"^(.{2,6}?)(?:市|县|区|州|盟|旗)")
_HAN = re.compile(r"[\u4e00-\u9fff]+")
OFFICE_ENDS = ("局", "办", "委", "厅", "室", "队", "院", "所", "站", "中心", "部")
# Windows that any office could be called: they name none.
GENERIC = frozenset(("管理局", "监督局", "办公室", "管理办", "委员会", "管理所", "管理站", "服务中心"))
MAX_WINDOW = 10
# Offices offered to choose between (是人社管还是住建管, 找住建还是找消防救援的): what may stand between
# an office's short form and 还是, and after 还是 before the other's.
_OR = re.compile(r"还是|或者是?|或是")
_AFTER_OFFICE = ("来负责", "来处理", "来管", "来查", "来罚", "来批", "负责", "处理", "管", "查", "罚", "批", "的")
_BEFORE_OFFICE = ("找", "归", "由", "去", "到", "是")
# Two characters name an office only where an office is spoken of: before its handling (人社能管吗,
# 归人社管, 住建那边) or after 找/去/归 … at the end of a phrase (这事找人社？): 农业 in 农业机械 or
# 农业管理 is a matter, and so is 互联 in 去互联网上发布.
_BEFORE_SHORT = frozenset("归找去到向跟由让给")
_AFTER_SHORT = re.compile(r"(?:能|会|来|不|也|该|可以|都)?(?:管(?!理)|查|罚|处理|负责|办|批)|那边|这边|那里|的人")


def _subsequence(short: str, full: str) -> bool:
    it = iter(full)
    return all(ch in it for ch in short)


class ListNames:
    """``named(text)``: the ids of the lists a question names (empty when it names none, or all)."""

    def __init__(self, offices: Mapping[str, str]) -> None:
        self.places: dict[str, str] = {}
        self.cores: dict[str, str] = {}
        for lid, office in offices.items():
            if not office:
                continue
            m = _PLACE.match(office)
            place = m.group(1) if m else ""
            self.places[lid] = place
            self.cores[lid] = office[m.end():] if m and len(office) - m.end() >= 3 else office

    def named(self, text: str) -> frozenset[str]:
        """An office and a place together (兰州网信办) name the lists that are both."""
        by_office = {lid for lid, core in self.cores.items() if self._names(text, core)}
        by_place = {lid for lid, place in self.places.items() if place and place in text}
        found = (by_office & by_place) or by_office or by_place
        return frozenset() if found >= set(self.places) else frozenset(found)

    def choice(self, text: str) -> frozenset[str]:
        """The lists of the offices a question offers to choose between: both sides of 还是 name a
        served office, each by a short form of two characters or more that starts as its name
        starts and keeps its characters in order (人社 for 人力资源和社会保障局, 林草局). Empty when
        it offers no such choice."""
        for m in _OR.finditer(text):
            left = self._office_ending(text[:m.start()])
            right = self._office_starting(text[m.end():])
            if left and right and left != right:
                return left | right
        return frozenset()

    def _short_form(self, w: str) -> frozenset[str]:
        if not _HAN.fullmatch(w) or w in GENERIC:
            return frozenset()
        return frozenset(lid for lid, core in self.cores.items() if w[0] == core[0] and _subsequence(w, core))

    def _office_ending(self, s: str) -> frozenset[str]:
        s = s.rstrip("，,、 ")
        return self._office_at(next((s[:-len(v)] for v in _AFTER_OFFICE if s.endswith(v)), s), at_end=True)

    def _office_starting(self, s: str) -> frozenset[str]:
        s = s.lstrip("，,、 ")
        while s[:1] and s[0] in _BEFORE_OFFICE:
            s = s[1:]
        return self._office_at(s, at_end=False)

    def _office_at(self, s: str, at_end: bool) -> frozenset[str]:
        """The offices the shortest short form at the end (or the start) of ``s`` names."""
        for n in range(2, min(MAX_WINDOW, len(s)) + 1):
            found = self._short_form(s[-n:] if at_end else s[:n])
            if found:
                return found
        return frozenset()

    def mentions(self, text: str) -> list[tuple[int, int]]:
        """Where the text names a served office or its place (文旅局, 天水): what it says about who
        asks or where, not about the matter asked."""
        found: list[tuple[int, int]] = []
        for place in {p for p in self.places.values() if p}:
            found += [(m.start(), m.end()) for m in re.finditer(re.escape(place), text)]
        # Only a window that ends as offices end (互联网信息 of 互联网信息办公室 is a matter): the
        # windows ending at such a place, each read against every office.
        ends = [m.end() for e in OFFICE_ENDS for m in re.finditer(re.escape(e), text)]
        cores = set(self.cores.values())
        for core in cores:
            found += [(m.start(), m.end()) for m in re.finditer(re.escape(core), text)]
        for run in _HAN.finditer(text):
            for start in range(run.start(), run.end() - 1):
                after = _AFTER_SHORT.match(text, start + 2)
                last = start + 2 == run.end()  # 找人社？ and not 去互联网上发布
                spoken_of = after or (last and start > 0 and text[start - 1] in _BEFORE_SHORT)
                if spoken_of and self._short_form(text[start:start + 2]):
                    found.append((start, start + 2))
        for end in ends:
            for start in range(max(0, end - MAX_WINDOW), end - 2):
                w = text[start:end]
                if not _HAN.fullmatch(w) or w in GENERIC:
                    continue
                if any(w[0] in core and _subsequence(w, core) for core in cores):
                    found.append((start, end))
        return found

    @staticmethod
    def _windows(s: str, core: str) -> list[tuple[int, int]]:
        """(start, length) of each window of ``s`` that names the office ``core``."""
        out = []
        for i in range(len(s)):
            for n in range(3, min(MAX_WINDOW, len(s) - i) + 1):
                w = s[i:i + n]
                if w in GENERIC or w[0] not in core:
                    continue
                ends = w.endswith(OFFICE_ENDS)  # its last character is in the name: a subsequence
                starts = w[0] in core[:3]
                if (ends or (starts and n >= 4)) and _subsequence(w, core):
                    out.append((i, n))
        return out

    @staticmethod
    def _names(text: str, core: str) -> bool:
        return core in text or any(ListNames._windows(run.group(), core) for run in _HAN.finditer(text))

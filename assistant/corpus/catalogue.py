"""Parsed lists, looked up by item key, 序号, power code and cited article: built once."""

from __future__ import annotations

import dataclasses
import heapq
from dataclasses import dataclass

from assistant.types import Item, LegalRef, ParsedList, Source

CODE_FIELDS = ("地方权力编码", "子项地方权力编码")
MAX_SHARED = 20  # items named as sharing a quote; beyond that only their number is given


@dataclass(frozen=True)
class Catalogue:
    """Parsed lists, looked up by item key, power code and cited article.

    The lookups are made once, so a question costs the same with 14 items or 100,000.
    """

    items: dict[str, Item]
    sources: dict[str, Source]
    titles: dict[str, str] = dataclasses.field(default_factory=dict)  # list id → the list's title
    offices: dict[str, str] = dataclasses.field(default_factory=dict)  # list id → office, from the title
    by_code: dict[str, tuple[str, ...]] = dataclasses.field(init=False)
    by_article: dict[int, tuple[tuple[str, LegalRef], ...]] = dataclasses.field(init=False)
    order: tuple[Item, ...] = dataclasses.field(init=False)
    items_by_seq: dict[str, tuple[Item, ...]] = dataclasses.field(init=False)
    _cells: dict[tuple[str, str], dict[str, tuple[int, ...]]] = dataclasses.field(
        init=False, default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        by_code: dict[str, dict[str, None]] = {}
        by_article: dict[int, list[tuple[str, LegalRef]]] = {}
        for item in self.items.values():
            for column in CODE_FIELDS:
                code = item.value(self.sources[item.list_id], column)
                if code:
                    by_code.setdefault(code, {})[item.key] = None
            for ref in item.refs:
                by_article.setdefault(ref.article, []).append((item.key, ref))
        # Frozen: the lookups are set once, here, from the items.
        object.__setattr__(self, "by_code", {code: tuple(keys) for code, keys in by_code.items()})
        object.__setattr__(self, "by_article", {n: tuple(refs) for n, refs in by_article.items()})
        object.__setattr__(self, "order", tuple(self.items.values()))
        by_seq: dict[str, list[Item]] = {}
        for item in self.items.values():
            by_seq.setdefault(item.seq, []).append(item)
        object.__setattr__(self, "items_by_seq", {seq: tuple(i) for seq, i in by_seq.items()})

    @classmethod
    def of(cls, lists: list[ParsedList]) -> Catalogue:
        return cls(items={i.key: i for p in lists for i in p.items},
                   sources={p.source.list_id: p.source for p in lists},
                   titles={p.source.list_id: p.title for p in lists},
                   offices={p.source.list_id: p.office for p in lists})

    def list_name(self, list_id: str) -> str:
        """A list as people know it: its office, else its title, else its file name."""
        return self.offices.get(list_id) or self.titles.get(list_id) or list_id

    def label(self, item: Item) -> str:
        """Which list an item is from, when several are served; "" with one list, where it goes
        without saying."""
        return self.list_name(item.list_id) if len(self.sources) > 1 else ""

    def source(self, item: Item) -> Source:
        return self.sources[item.list_id]

    def name(self, item: Item) -> str:
        return item.title(self.source(item))

    def cells(self, list_id: str, column: str) -> dict[str, tuple[int, ...]]:
        """Each distinct text of ``column`` in one list, with the positions (in ``items``) of
        the items holding it. Lists repeat cells word for word, so scanning these beats
        scanning items."""
        key = (list_id, column)
        if key not in self._cells:
            found: dict[str, list[int]] = {}
            src = self.sources[list_id]
            for n, item in enumerate(self.order):
                # A column some items lack (an extra field only merged rows carry) holds nothing for them.
                if item.list_id == list_id and column in item.fields:
                    found.setdefault(item.value(src, column), []).append(n)
            self._cells[key] = {text: tuple(at) for text, at in found.items()}
        return self._cells[key]

    def sharing(self, top: Item, column: str, text: str) -> tuple[tuple[str, ...], int]:
        """Seqs of the first MAX_SHARED other items of ``top``'s list whose ``column`` holds
        ``text``, in list order, and how many there are in all."""
        at = [n for cell, ns in self.cells(top.list_id, column).items() if text in cell
              for n in ns if self.order[n].key != top.key]
        return tuple(self.order[n].seq for n in heapq.nsmallest(MAX_SHARED, at)), len(at)

"""A jieba user dictionary generated from the corpus itself.

Terms are the titles in 《》 (with and without the 中华人民共和国 prefix), and
Hanzi strings that recur across several items' names and legal bases
(关键信息基础设施, 互联网新闻信息服务): recurring multi-character strings in
a list are its vocabulary, and jieba's general dictionary splits them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_TITLE = re.compile(r"《([^《》]{2,40})》")
_HANZI_RUN = re.compile(r"[\u4e00-\u9fff]{4,}")
_COUNTRY = "中华人民共和国"
MIN_LEN, MAX_LEN = 4, 10
MIN_ITEMS = 3  # a string shared by this many items is a term of the list
# A term does not start or end on a function character.
_EDGE = set("的和与及或对在被将了是之为其不未处以")
_NUMBERISH = re.compile("[零〇一二两三四五六七八九十百千万亿元第条款项届次]")


def titles(texts: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for text in texts:
        for title in _TITLE.findall(text):
            out.add(title)
            if title.startswith(_COUNTRY) and len(title) > len(_COUNTRY) + 1:
                out.add(title[len(_COUNTRY):])
    return out


def word_boundaries(doc: str) -> set[int]:
    """Offsets where jieba's general dictionary puts a word boundary."""
    from assistant.index.lexical import general_dictionary

    bounds, pos = {0}, 0
    for word in general_dictionary().cut(doc, HMM=False):
        pos += len(word)
        bounds.add(pos)
    return bounds


def recurring(docs: Iterable[str]) -> set[str]:
    """Hanzi strings of 4–10 characters found in at least MIN_ITEMS documents that
    stand as words: they occur after or before more than one different
    character (a fragment of a longer phrase always has the same neighbours),
    start and end where jieba would cut anyway (so a term joins words and
    never splits one), hold no amounts or article numbers, and are maximal
    among equals."""
    seen: Counter[str] = Counter()
    left: dict[str, set[str]] = {}
    right: dict[str, set[str]] = {}
    for doc_no, doc in enumerate(docs):
        grams: set[str] = set()
        bounds = word_boundaries(doc)
        for match in _HANZI_RUN.finditer(doc):
            run, at = match.group(), match.start()
            for n in range(MIN_LEN, min(MAX_LEN, len(run)) + 1):
                for i in range(len(run) - n + 1):
                    g = run[i:i + n]
                    if (g[0] in _EDGE or g[-1] in _EDGE or _NUMBERISH.search(g)
                            or at + i not in bounds or at + i + n not in bounds):
                        continue
                    grams.add(g)
                    # A run boundary counts as a neighbour unique to this document.
                    left.setdefault(g, set()).add(run[i - 1] if i else f"^{doc_no}")
                    right.setdefault(g, set()).add(run[i + n] if i + n < len(run) else f"${doc_no}")
        seen.update(grams)
    frequent = {g: c for g, c in seen.items()
                if c >= MIN_ITEMS and (len(left[g]) > 1 or len(right[g]) > 1)}
    return {g for g, c in frequent.items()
            if not any(len(h) > len(g) and g in h and frequent[h] == c for h in frequent)}


def user_dictionary(item_docs: Iterable[str], all_texts: Iterable[str]) -> list[str]:
    """Sorted terms; ``item_docs`` is one string per item (name and legal basis)."""
    return sorted(titles(all_texts) | recurring(item_docs))

"""Chinese lexical search: jieba (search mode, corpus dictionary) feeding BM25.

Every document and query goes through ``tokenize`` (jieba search mode with
the list's own terms, exact tokens for article numbers and codes).
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from assistant.corpus.language import general_dictionary
from assistant.corpus.numerals import NUMERAL_CHARS, to_int
from assistant.index.bm25 import BM25
from assistant.index.groups import Groups
from assistant.vocabulary import expand

log = logging.getLogger(__name__)
BM25_PARAMS = {"k1": 1.2, "b": 0.75, "method": "lucene"}
# Bump when ``tokenize`` changes what it emits: an index made with another
# tokenizer is stale.
TOKENIZER_VERSION = 3
_KEEP = re.compile(r"[\w\u4e00-\u9fff]")
_ARTICLE = re.compile(f"第([0-9]+|[{NUMERAL_CHARS}]+)条")
# Codes such as 地方权力编码 are matched whole: their shared prefixes say nothing.
_CODE = re.compile(r"[0-9A-Za-z]{12,}")
# Words that carry no meaning for matching: particles, pronouns, question words.
STOPWORDS = frozenset([
    "的", "了", "吗", "呢", "吧", "啊", "呀", "么", "是", "在", "有",
    "和", "与", "及", "或", "或者", "就", "都", "也", "还", "要", "会",
    "能", "可以", "被", "把", "让", "给", "对", "这", "那", "这个", "那个",
    "这些", "哪", "哪个", "哪些", "什么", "怎么", "怎么样", "怎样", "如何",
    "多少", "几", "谁", "请问", "一下", "我", "我们", "你", "他", "她",
    "它", "他们", "其", "之", "该", "由", "从", "向", "为", "为了", "以",
    "于", "上", "下", "中", "时", "后", "前", "个", "些", "等", "啥",
    "咋", "吗？",
])
Tokenize = Callable[[str], list[str]]


def make_tokenizer(terms: list[str]) -> Tokenize:
    return _tokenizer(tuple(terms))


@functools.lru_cache(maxsize=4)
def _tokenizer(terms: tuple[str, ...]) -> Tokenize:
    """One jieba instance per dictionary: loading jieba's own costs about a second."""
    import jieba

    # The general dictionary is loaded once, by jieba's default tokenizer (the typo check and
    # part-of-speech tags use it too), and copied here: loading it again costs most of a second.
    general = general_dictionary()
    tk = jieba.Tokenizer()
    tk.FREQ, tk.total, tk.initialized = dict(general.FREQ), general.total, True
    for term in terms:
        tk.add_word(term, freq=None)

    @functools.lru_cache(maxsize=4096)
    def tokens(text: str) -> tuple[str, ...]:
        # Article numbers become one exact token each (第六十一条 and 第61条 → "第61条"),
        # so 第六十一条 never matches 第一百六十一条 through shared pieces.
        whole = [f"第{to_int(m.group(1))}条" for m in _ARTICLE.finditer(text)]
        whole += [m.group().lower() for m in _CODE.finditer(text)]
        words = tk.lcut_for_search(_CODE.sub(" ", _ARTICLE.sub(" ", text)))
        return tuple(whole + [w.lower() for w in words if _KEEP.search(w) and w.lower() not in STOPWORDS])

    def tokenize(text: str) -> list[str]:
        # One segmentation per text: the question is read by retrieval, evidence and follow-up
        # checks alike; each caller gets its own list.
        return list(tokens(text))

    return tokenize


class LexicalIndex:
    """BM25 over chunk texts, each chunk's score scaled by its field's weight.

    Rows with the same text and weight form one unit, scored once (see ``bm25``): a query
    costs the distinct texts, not the rows.
    """

    def __init__(self, bm25: BM25, unit_weights: np.ndarray, tokenize: Tokenize) -> None:
        self.bm25 = bm25
        self.unit_weights = unit_weights.astype(np.float32)
        self.tokenize = tokenize
        self.units = Groups(bm25.doc_of_row)

    @classmethod
    def build(cls, texts: list[str], tokenize: Tokenize, weights: np.ndarray) -> LexicalIndex:
        unit_of: dict[tuple[str, float], int] = {}
        pairs = zip(texts, weights.tolist(), strict=True)
        unit_of_row = np.fromiter((unit_of.setdefault(p, len(unit_of)) for p in pairs), dtype=np.int64,
                                  count=len(texts))
        # "∅" keeps an empty text a document of length one, as it always was.
        docs = [tokenize(text) or ["∅"] for text, _ in unit_of]
        bm25 = BM25.build(docs, unit_of_row, k1=BM25_PARAMS["k1"], b=BM25_PARAMS["b"])
        return cls(bm25, np.array([w for _, w in unit_of], dtype=np.float32), tokenize)

    @property
    def vocab(self) -> dict[str, int]:
        return self.bm25.vocab

    def query_tokens(self, query: str) -> list[str]:
        return [t for t in expand(query, self.tokenize(query), self.tokenize) if t in self.bm25.vocab]

    def unit_scores(self, query: str) -> np.ndarray:
        """A weighted BM25 score per unit (zeros when no query word is in the corpus)."""
        return self.bm25.doc_scores(self.query_tokens(query)) * self.unit_weights

    def save(self, folder: Path) -> None:
        self.bm25.save(folder)
        np.save(folder / "unit_weights.npy", self.unit_weights)

    @classmethod
    def load(cls, folder: Path, tokenize: Tokenize) -> LexicalIndex:
        return cls(BM25.load(folder), np.load(folder / "unit_weights.npy"), tokenize)


def save_terms(folder: Path, terms: list[str]) -> None:
    (folder / "userdict.json").write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")


def load_terms(folder: Path) -> list[str]:
    return list(json.loads((folder / "userdict.json").read_text(encoding="utf-8")))


def document_counts(index: LexicalIndex) -> dict[str, int]:
    """Each term of the index with the number of distinct texts holding it."""
    counts = np.diff(index.bm25.indptr)
    return {term: int(counts[i]) for term, i in index.vocab.items()}

"""Chinese lexical search: jieba (search mode, corpus dictionary) feeding BM25.

bm25s's default splitter reads a run of Hanzi as one token, so the
tokenizer is injected: every document and query goes through ``tokenize``.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from assistant.corpus.numerals import NUMERAL_CHARS, to_int
from assistant.index.synonyms import expand

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

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    for term in terms:
        tk.add_word(term, freq=None)

    def tokenize(text: str) -> list[str]:
        # Article numbers become one exact token each (第六十一条 and 第61条 → "第61条"),
        # so 第六十一条 never matches 第一百六十一条 through shared pieces.
        whole = [f"第{to_int(m.group(1))}条" for m in _ARTICLE.finditer(text)]
        whole += [m.group().lower() for m in _CODE.finditer(text)]
        words = tk.lcut_for_search(_CODE.sub(" ", _ARTICLE.sub(" ", text)))
        return whole + [w.lower() for w in words if _KEEP.search(w) and w.lower() not in STOPWORDS]

    return tokenize


class LexicalIndex:
    """BM25 over chunk texts, each chunk's score scaled by its field's weight."""

    def __init__(self, bm25: object, tokenize: Tokenize, weights: np.ndarray) -> None:
        self.bm25 = bm25
        self.tokenize = tokenize
        self.weights = weights.astype(np.float32)

    @classmethod
    def build(cls, texts: list[str], tokenize: Tokenize, weights: np.ndarray) -> LexicalIndex:
        import bm25s

        bm25 = bm25s.BM25(**BM25_PARAMS)
        seen: dict[str, list[str]] = {}  # boilerplate repeats: tokenize each text once
        docs = [seen[t] if t in seen else seen.setdefault(t, tokenize(t) or ["∅"]) for t in texts]
        bm25.index(docs, show_progress=False)
        return cls(bm25, tokenize, weights)

    def query_tokens(self, query: str) -> list[str]:
        vocab = self.bm25.vocab_dict  # type: ignore[attr-defined]
        return [t for t in expand(query, self.tokenize) if t in vocab]

    def scores(self, query: str) -> np.ndarray:
        """A BM25 score for every chunk (zeros when no query word is in the corpus)."""
        tokens = self.query_tokens(query)
        n = len(self.weights)
        if not tokens:
            return np.zeros(n, dtype=np.float32)
        raw = self.bm25.get_scores(tokens)  # type: ignore[attr-defined]
        return np.asarray(raw, dtype=np.float32) * self.weights

    def save(self, folder: Path) -> None:
        self.bm25.save(str(folder / "bm25"))  # type: ignore[attr-defined]
        np.save(folder / "field_weights.npy", self.weights)

    @classmethod
    def load(cls, folder: Path, tokenize: Tokenize) -> LexicalIndex:
        import bm25s

        bm25 = bm25s.BM25.load(str(folder / "bm25"), load_corpus=False)
        return cls(bm25, tokenize, np.load(folder / "field_weights.npy"))


def save_terms(folder: Path, terms: list[str]) -> None:
    (folder / "userdict.json").write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")


def load_terms(folder: Path) -> list[str]:
    return list(json.loads((folder / "userdict.json").read_text(encoding="utf-8")))

"""BM25 (Lucene's variant) over distinct texts, each counted as often as rows hold it.

Lists repeat clauses word for word: a province's lists hold the same 责任事项 boilerplate
thousands of times. Statistics (document count, document frequency, average length) are
those of the rows, so every row scores exactly as if indexed on its own, but the work of
building and of scoring a query follows the distinct texts, not the rows.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

_FILE = "bm25.npz"


class BM25:
    """``doc_scores(tokens)`` → a score per distinct text; ``doc_of_row`` maps rows to texts."""

    def __init__(self, vocab: dict[str, int], indptr: np.ndarray, docs: np.ndarray, scores: np.ndarray,
                 doc_of_row: np.ndarray) -> None:
        self.vocab = vocab
        self.indptr = indptr
        self.docs = docs
        self.scores = scores
        self.doc_of_row = doc_of_row
        self.n_docs = int(doc_of_row.max(initial=-1)) + 1

    @classmethod
    def build(cls, docs: list[list[str]], doc_of_row: np.ndarray, *, k1: float, b: float) -> BM25:
        """``docs``: each distinct text's tokens; ``doc_of_row[row]``: the text of each row."""
        doc_of_row = np.asarray(doc_of_row, dtype=np.int64)
        copies = np.bincount(doc_of_row, minlength=len(docs)).astype(np.float64)
        lengths = np.array([len(d) for d in docs], dtype=np.float64)
        rows = max(1, len(doc_of_row))
        avg_len = float((lengths * copies).sum() / rows) or 1.0
        vocab: dict[str, int] = {}
        term_ids: list[int] = []
        doc_ids: list[int] = []
        counts: list[int] = []
        for d, tokens in enumerate(docs):
            for token, n in Counter(tokens).items():
                term_ids.append(vocab.setdefault(token, len(vocab)))
                doc_ids.append(d)
                counts.append(n)
        terms = np.array(term_ids, dtype=np.int64)
        held_by = np.array(doc_ids, dtype=np.int64)
        tf = np.array(counts, dtype=np.float64)
        df = np.bincount(terms, weights=copies[held_by], minlength=len(vocab))
        idf = np.log1p((rows - df + 0.5) / (df + 0.5))
        tfc = tf / (tf + k1 * (1 - b + b * lengths[held_by] / avg_len))
        order = np.lexsort((held_by, terms))
        indptr = np.searchsorted(terms[order], np.arange(len(vocab) + 1)).astype(np.int64)
        return cls(vocab, indptr, held_by[order], (idf[terms] * tfc)[order].astype(np.float32), doc_of_row)

    def doc_scores(self, tokens: list[str]) -> np.ndarray:
        """The score of each distinct text; a token asked twice counts twice, as in BM25 over
        a query's token list. Unknown tokens add nothing."""
        out = np.zeros(self.n_docs, dtype=np.float32)
        for token in tokens:
            t = self.vocab.get(token)
            if t is None:
                continue
            lo, hi = self.indptr[t], self.indptr[t + 1]
            out[self.docs[lo:hi]] += self.scores[lo:hi]  # a text appears once per term: no collisions
        return out

    def save(self, folder: Path) -> None:
        words = np.array(sorted(self.vocab, key=self.vocab.__getitem__), dtype=str)
        np.savez(folder / _FILE, words=words, indptr=self.indptr, docs=self.docs, scores=self.scores,
                 doc_of_row=self.doc_of_row)

    @classmethod
    def load(cls, folder: Path) -> BM25:
        with np.load(folder / _FILE, allow_pickle=False) as f:
            vocab = {str(w): i for i, w in enumerate(f["words"])}
            return cls(vocab, f["indptr"], f["docs"], f["scores"], f["doc_of_row"])

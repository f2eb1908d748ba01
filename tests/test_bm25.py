"""BM25 over distinct texts scores every row as BM25 over all rows would."""

import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from assistant import paths
from assistant.evaluation.score import load_questions
from assistant.index import groups, lexical
from assistant.index.bm25 import BM25


def _row_by_row(docs: list[list[str]], query: list[str], k1: float = 1.2, b: float = 0.75) -> list[float]:
    """Lucene's BM25, one row at a time, straight from the formula."""
    n = len(docs)
    avg = sum(len(d) for d in docs) / n
    df = Counter(t for d in docs for t in set(d))
    out = []
    for d in docs:
        tf = Counter(d)
        out.append(sum(math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
                       * tf[t] / (tf[t] + k1 * (1 - b + b * len(d) / avg)) for t in query if t in tf))
    return out


def test_repeated_texts_score_as_rows(tmp_path: Path) -> None:
    rows = [["立案", "调查", "立案"], ["送达"], ["立案", "调查"], ["立案", "调查", "立案"], ["罚款", "送达", "执行"]]
    distinct = [list(x) for x in dict.fromkeys(tuple(r) for r in rows)]
    doc_of_row = np.array([distinct.index(r) for r in rows])
    index = BM25.build(distinct, doc_of_row, k1=1.2, b=0.75)
    for query in (["立案"], ["送达", "执行"], ["立案", "立案"], ["没有"], []):
        got = index.doc_scores(query)[doc_of_row]
        assert got == pytest.approx(_row_by_row(rows, query), abs=1e-5)
    index.save(tmp_path)
    again = BM25.load(tmp_path)
    assert np.array_equal(again.doc_scores(["立案", "送达"]), index.doc_scores(["立案", "送达"]))


def test_seed_lexical_index_matches_row_by_row_bm25(hashing_index) -> None:
    built, _ = hashing_index
    lex = built.lexical
    texts = [c.text for c in built.chunks]
    docs = [lex.tokenize(t) or ["∅"] for t in texts]
    weights = lex.unit_weights[lex.units.group_of_row]
    assert len(lex.unit_weights) < len(texts)  # boilerplate clauses share a unit
    questions = [q["question"] for q in load_questions(paths.ROOT / "eval" / "questions.jsonl")][::7]
    for question in questions:
        tokens = lex.query_tokens(question)
        want = np.array(_row_by_row(docs, tokens)) * weights
        assert lex.unit_scores(question)[lex.bm25.doc_of_row] == pytest.approx(want, abs=1e-4), question


def test_top_takes_the_best_positive_ids_in_order() -> None:
    scores = np.array([0.0, 3.0, 1.0, 3.0, -1.0, 2.0], dtype=np.float32)
    assert groups.top(scores, 10).tolist() == [1, 3, 5, 2]
    assert groups.top(scores, 2).tolist() == [1, 3]
    assert groups.top(np.zeros(4), 3).tolist() == []


def test_groups_list_rows_in_group_order_up_to_a_limit() -> None:
    g = groups.Groups(np.array([1, 0, 1, 2, 0, 1]))
    assert len(g) == 3
    assert g.rows(np.array([1, 2])).tolist() == [0, 2, 5, 3]
    assert g.rows(np.array([1, 0]), limit=4).tolist() == [0, 2, 5, 1]
    assert g.rows(np.array([], dtype=np.int64)).tolist() == []
    assert g.rows(np.array([], dtype=np.int64), limit=3).tolist() == []
    assert g.rows(np.array([2, 1]), limit=2).tolist() == [3, 0]


def test_groups_rows_match_a_group_by_group_listing() -> None:
    rng = np.random.default_rng(7)
    owner = rng.integers(0, 40, size=300)
    g = groups.Groups(owner)
    for _ in range(50):
        ids = rng.choice(40, size=int(rng.integers(0, 15)), replace=False)
        limit = int(rng.integers(1, 40))
        listed = [r for i in ids for r in np.flatnonzero(owner == i).tolist()]
        assert g.rows(ids).tolist() == listed
        assert g.rows(ids, limit=limit).tolist() == listed[:limit]


def test_lexical_index_round_trips(tmp_path: Path) -> None:
    tokenize = lexical.make_tokenizer([])
    texts = ["当事人要求听证", "当事人要求听证", "责令改正，给予警告", ""]
    index = lexical.LexicalIndex.build(texts, tokenize, np.array([1.0, 0.6, 1.0, 1.0], np.float32))
    assert len(index.unit_weights) == 4  # same text, other weight: its own unit
    index.save(tmp_path)
    again = lexical.LexicalIndex.load(tmp_path, tokenize)
    def rows(lex: lexical.LexicalIndex) -> np.ndarray:
        return lex.unit_scores("听证")[lex.bm25.doc_of_row]

    assert np.array_equal(rows(again), rows(index))
    assert rows(index)[0] > rows(index)[1] > 0 == rows(index)[2]


def test_jiebas_dictionary_cache_is_kept_in_the_projects_cache_folder(tmp_path) -> None:
    """Not in the system's temporary folder, which a reboot empties (a fresh process: jieba is global)."""
    import os
    import subprocess
    import sys

    from assistant import paths

    code = ("from assistant.index.lexical import general_dictionary; d = general_dictionary(); "
            "print(d.tmp_dir, len(d.FREQ) > 100000)")
    done = subprocess.run([sys.executable, "-c", code], cwd=paths.ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "ASSISTANT_CACHE": str(tmp_path / "cache")}, check=True)
    assert done.stdout.split() == [str(tmp_path / "cache"), "True"]
    assert (tmp_path / "cache" / "jieba.cache").is_file()

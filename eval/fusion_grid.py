"""Grid over fusion settings, measured through ``Assistant.ask`` on the dev set's answerable questions.

    .venv/bin/python eval/fusion_grid.py [eval/questions.jsonl]

Prints Recall@1, Recall@3 and MRR per setting; the chosen defaults live in
assistant/index/retriever.py and assistant/index/store.py.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from assistant import paths
from assistant.answering.dialogue import Assistant
from assistant.corpus.catalogue import Catalogue
from assistant.corpus.parse import load
from assistant.evaluation.score import load_questions, run, score
from assistant.index import store
from assistant.index.retriever import Retriever
from assistant.service import make_embedder, open_retriever


def measure(assistant: Assistant, questions: list[dict]) -> tuple[float, float, float]:
    m = score(questions, run(assistant.ask, questions))["overall"]
    return m["recall@1"], m["recall@3"], m["mrr"]


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else paths.ROOT / "eval" / "questions.jsonl"
    questions = [q for q in load_questions(path) if q["gold_items"]]
    lists = load([paths.lists_dir()])
    catalogue = Catalogue.of(lists)
    base = open_retriever(lists, make_embedder(), progress=False)
    chunks = base.index.chunks
    original = base.index.lexical.weights.copy()
    print(f"{len(questions)} answerable questions, {len(chunks)} chunks")
    print(f"{'level':<6}{'fusion':<8}{'dense_w':>8}{'boiler_w':>9}{'R@1':>7}{'R@3':>7}{'MRR':>7}")
    for boiler in (0.3, 0.6):
        base.index.lexical.weights = np.array(
            [boiler if w == store.BOILERPLATE_WEIGHT else w for w in original],
            dtype=np.float32)
        for level in ("item", "chunk"):
            for fusion in ("minmax", "rrf"):
                for w in (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 1.0):
                    mode = "lexical" if w == 0.0 else "dense" if w == 1.0 else "hybrid"
                    r = Retriever(base.index, base.embedder, mode=mode, fusion=fusion, dense_weight=w,
                                  level=level)
                    r1, r3, mrr = measure(Assistant(catalogue, r), questions)
                    print(f"{level:<6}{fusion:<8}{w:>8.1f}{boiler:>9.1f}{r1:>7.3f}{r3:>7.3f}{mrr:>7.3f}",
                          flush=True)


if __name__ == "__main__":
    main()

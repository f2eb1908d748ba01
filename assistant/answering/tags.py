"""jieba's part-of-speech tagger, loaded in a tenth of the time.

``jieba.posseg`` imports its HMM tables (char_state_tab, prob_start, prob_trans, prob_emit) as Python
modules that build dictionaries of several megabytes statement by statement: 0.3 s alone, up to 0.8 s
in a cold start where other threads want the interpreter too. jieba ships the same tables pickled
beside them (its loader for Jython reads those); read from there, they take 0.09 s. The tables are
the same objects either way (tests/test_tags.py compares them), so the tags are too.
"""

from __future__ import annotations

import pickle
import sys
import threading
import types
from pathlib import Path

TABLES = ("char_state_tab", "prob_start", "prob_trans", "prob_emit")
_lock = threading.Lock()
_loaded: list[types.ModuleType] = []  # set once jieba.posseg has finished importing


def posseg() -> types.ModuleType:
    """``jieba.posseg``, its tables read from jieba's pickles when this is its first import."""
    if _loaded:
        return _loaded[0]
    # Not sys.modules: another thread (the start-up warm-up) may be half-way through importing it,
    # and a module found there mid-import has no lcut yet. The import statement waits for it.
    with _lock:
        if not _loaded:
            if "jieba.posseg" not in sys.modules:
                _seed_tables()
            import jieba.posseg

            _loaded.append(jieba.posseg)
    return _loaded[0]


def _seed_tables() -> None:
    import jieba

    folder = Path(jieba.__file__).parent / "posseg"
    seeded = {}
    for name in TABLES:
        try:
            with (folder / f"{name}.p").open("rb") as f:
                table = pickle.load(f)  # jieba's own file, installed with it
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            return  # anything amiss: jieba imports its own modules, as it always does
        module = types.ModuleType(f"jieba.posseg.{name}")
        module.P = table  # type: ignore[attr-defined]
        module.__file__ = str(folder / f"{name}.p")
        seeded[module.__name__] = module
    for qualified, module in seeded.items():
        sys.modules.setdefault(qualified, module)


def cut(text: str) -> list[tuple[str, str]]:
    """(word, tag) pairs of ``text``, words from the dictionary only.

    No HMM: its Viterbi pass over runs the dictionary does not know costs about 0.5 ms a question,
    most of a question's work besides the model, and the words it would guess there are not ones
    any list or dictionary holds, which is all a caller asks of a tag (measured on the 1,017
    tuning questions: the unknown-noun evidence changed on 9, 7 of them answerable questions that
    had looked like being about something else)."""
    from assistant.index.lexical import general_dictionary

    general_dictionary()  # the words it tags with, loaded (and cached) where the project keeps them
    return [(p.word, p.flag) for p in posseg().lcut(text, HMM=False)]

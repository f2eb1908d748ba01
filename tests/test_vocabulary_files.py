"""The vocabulary's data file: the words every office's list uses."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from assistant.vocabulary import COMMON_WORDS, COMMON_WORDS_FILE, read_words

ROOT = Path(__file__).resolve().parents[1]


def test_common_words_are_read_one_a_line(tmp_path: Path) -> None:
    path = tmp_path / "w.txt"
    path.write_text("# made by a script\n企业\n\n材料\n", encoding="utf-8")
    assert read_words(path) == frozenset({"企业", "材料"})
    assert read_words(COMMON_WORDS_FILE) == COMMON_WORDS and len(COMMON_WORDS) > 100


def test_common_words_are_those_most_lists_hold() -> None:
    spec = importlib.util.spec_from_file_location("common_words", ROOT / "scripts" / "common_words.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    texts = ["企业未取得许可擅自经营铁路", "企业未按规定报送材料", "对企业提供虚假材料的处罚"]
    assert module.common_words(texts, 0.8) == ["企业"]
    assert "材料" in module.common_words(texts, 0.6) and "铁路" not in module.common_words(texts, 0.6)

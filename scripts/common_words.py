"""Words every office's list uses: assistant/common_words.txt, from a city's department lists.

    .venv/bin/python scripts/common_words.py [--lists ../shared/external-lists/raw/karamay] [--share 0.8]

A word found in most departments' lists (企业, 材料, 结果, 限期, 许可 …) is how any 权责清单 speaks
of a matter, not a matter of its own: in 对企业罚多少 or 交了材料多久出结果 after an answer it names
nothing the conversation's item lacks. Within one list such words can still be rare (企业 is in
few of the seed's 14 items), so the lists of many offices tell them, not the list served. The
words are jieba's segments of two Chinese characters or more found in at least ``share`` of the
lists read; the file records the lists and the share.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.corpus.language import general_dictionary  # noqa: E402
from assistant.corpus.parse import load  # noqa: E402
from assistant.vocabulary import COMMON_WORDS_FILE  # noqa: E402

_HAN = re.compile(r"[\u4e00-\u9fff]{2,}")


def list_text(path: Path) -> list[tuple[str, str]]:
    """(list id, every cell of every item) for each list in the file."""
    out = []
    for parsed in load([path]):
        cells = [item.plain(parsed.source, name) for item in parsed.items for name in item.fields]
        out.append((parsed.source.list_id, "\n".join(cells)))
    return out


def common_words(texts: list[str], share: float) -> list[str]:
    """Segments found in at least ``share`` of ``texts``."""
    segmenter = general_dictionary()
    found: set[str] = set()
    for text in texts:
        found |= {w for w in segmenter.cut(text) if _HAN.fullmatch(w)}
    need = share * len(texts)
    return sorted(w for w in found if sum(w in t for t in texts) >= need)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lists", default=str(ROOT.parent / "shared" / "external-lists" / "raw" / "karamay"))
    ap.add_argument("--share", type=float, default=0.8)
    ap.add_argument("--out", default=str(COMMON_WORDS_FILE))
    args = ap.parse_args()
    folder = Path(args.lists)
    lists = [x for p in sorted(folder.iterdir()) if p.is_file() for x in list_text(p)]
    if len(lists) < 5:
        sys.exit(f"{folder}: {len(lists)} lists; words common to offices need several offices' lists")
    words = common_words([t for _, t in lists], args.share)
    header = (f"# Words found in at least {args.share:.0%} of {len(lists)} offices' lists "
              f"({', '.join(lid for lid, _ in lists)}); made by scripts/common_words.py.\n")
    Path(args.out).write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} words from {len(lists)} lists -> {args.out}")


if __name__ == "__main__":
    main()

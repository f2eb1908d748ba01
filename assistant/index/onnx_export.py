"""Export a prepared sentence-transformers folder's transformer to ONNX, once, beside it.

The export runs at ``model prepare`` time (torch is installed for it); serving never imports
torch (``onnx_embed``). ``onnx/model.onnx`` holds the transformer (input ids and attention mask
in, last hidden state out: pooling and normalisation are done by the embedder, as the folder's
``1_Pooling`` and ``2_Normalize`` say); ``onnx/model-int8.onnx`` its dynamic int8 quantisation;
``onnx/export.json`` the fingerprint of the weights exported and of each file written, so a
changed model or a damaged export is detected and the export redone.

Neither sentence-transformers' own ONNX backend nor fastembed fits the pinned stack (the first
needs optimum-onnx, which requires transformers < 5; the second huggingface_hub < 2), so the
export is written here, in a few lines over torch.onnx.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

from assistant.index.prepare import file_sha256

log = logging.getLogger(__name__)
FOLDER = "onnx"
FP32 = "model.onnx"
INT8 = "model-int8.onnx"
MARKER = "export.json"
OPSET = 17
EXPORT_VERSION = 1


def weights_file(model_dir: Path) -> Path:
    return Path(model_dir) / "model.safetensors"


def exported(model_dir: Path) -> dict | None:
    """The export's record when it is complete and made from these weights, else None."""
    marker = Path(model_dir) / FOLDER / MARKER
    try:
        record = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("version") != EXPORT_VERSION:
        return None
    weights = weights_file(model_dir)
    if not weights.is_file() or record.get("weights_size") != weights.stat().st_size:
        return None
    for name, size in (record.get("files") or {}).items():
        f = Path(model_dir) / FOLDER / name
        if not f.is_file() or f.stat().st_size != size:
            return None
    return record


def export(model_dir: Path, *, force: bool = False, int8: bool = True) -> Path:
    """Write ``onnx/`` beside the model (atomically) unless a complete export of these weights is
    there. Returns the folder.

    Raises:
        RuntimeError: torch cannot export the model.
    """
    model_dir = Path(model_dir)
    folder = model_dir / FOLDER
    if not force and exported(model_dir) is not None:
        return folder
    import torch
    from transformers import AutoModel

    work = Path(tempfile.mkdtemp(prefix=".onnx-", dir=model_dir))
    try:
        model = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()

        class Hidden(torch.nn.Module):
            def __init__(self, inner: torch.nn.Module) -> None:
                super().__init__()
                self.inner = inner

            def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
                return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

        ids = torch.tensor([[0, 6, 7, 8, 2], [0, 9, 2, 1, 1]], dtype=torch.long)
        mask = (ids != 1).long()
        with torch.no_grad():
            torch.onnx.export(Hidden(model), (ids, mask), str(work / FP32), input_names=["input_ids", "attention_mask"],
                              output_names=["last_hidden_state"], opset_version=OPSET, dynamo=False,
                              dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                            "attention_mask": {0: "batch", 1: "tokens"},
                                            "last_hidden_state": {0: "batch", 1: "tokens"}})
        files = [FP32]
        if int8:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            quantize_dynamic(str(work / FP32), str(work / INT8), weight_type=QuantType.QInt8)
            files.append(INT8)
        weights = weights_file(model_dir)
        record = {"version": EXPORT_VERSION, "opset": OPSET, "torch": torch.__version__,
                  "weights_sha256": file_sha256(weights), "weights_size": weights.stat().st_size,
                  "files": {f: (work / f).stat().st_size for f in files},
                  "sha256": {f: file_sha256(work / f) for f in files}}
        (work / MARKER).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        old = model_dir / f".onnx-old-{os.getpid()}"
        if folder.exists():
            folder.rename(old)
        work.rename(folder)
        shutil.rmtree(old, ignore_errors=True)
        log.info("exported %s to %s", model_dir.name, folder)
        return folder
    except Exception as e:
        shutil.rmtree(work, ignore_errors=True)
        raise RuntimeError(f"cannot export {model_dir} to ONNX: {e}") from e

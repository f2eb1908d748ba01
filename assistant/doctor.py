"""What a user checks when something is off: model, index, corpus, versions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant import paths
from assistant.corpus.parse import load_lenient
from assistant.errors import AssistantError, CorruptIndexError, StaleIndexError
from assistant.index import store
from assistant.index.prepare import check_digest, is_prepared
from assistant.service import make_embedder
from assistant.types import ParsedList


def diagnose(lists: list[Path], model: str | None) -> dict[str, Any]:
    report: dict[str, Any] = {}
    embedder = make_embedder(model)
    model_info: dict[str, Any] = {"path": str(embedder.path), "prepared": is_prepared(embedder.path)
                                  or (embedder.path / "modules.json").is_file()}
    try:
        model_info["name"] = embedder.name
        model_info["dimension"] = embedder.dim
        model_info["status"] = "loads"
        model_info["weights"] = check_digest(Path(embedder.path))
        model_info["backend"] = getattr(embedder, "backend", "torch")
    except AssistantError as e:
        model_info["status"] = f"unavailable: {e}"
    report["model"] = model_info
    try:
        parsed, problems = load_lenient(lists)
        report["corpus"] = {"lists": [list_report(p) for p in parsed],
                            "items": sum(len(p.items) for p in parsed),
                            "hash": store.corpus_fingerprint(parsed)}
        if problems:  # served without them, as the app does
            report["corpus"]["left out"] = problems
    except AssistantError as e:
        report["corpus"] = {"status": f"error: {e}"}
        return report
    root = paths.index_dir()
    index: dict[str, Any] = {"root": str(root)}
    try:
        index["current"] = str(store.current(root))
        built = store.load(root, parsed, embedder)
        index.update(status="ok", chunks=built.manifest["chunks"],
                     dense=built.manifest.get("dense", "none (lexical only)"),
                     probe=built.manifest.get("probe", "none"),
                     built_at=built.manifest.get("built_at"))
    except FileNotFoundError:
        index["status"] = "missing (built on first use)"
    except (StaleIndexError, CorruptIndexError) as e:
        index["status"] = f"{type(e).__name__}: {e} (rebuilt on first use)"
    report["index"] = index
    report["calibration"] = calibration()
    report["versions"] = store.versions()
    return report


def list_report(parsed: ParsedList) -> dict[str, Any]:
    """One list as read: its file, office, items and how its columns were mapped."""
    layout = parsed.layout
    return {"id": parsed.source.list_id, "path": str(parsed.source.path), "office": parsed.office,
            "title": parsed.title, "items": len(parsed.items), "format": layout.get("format"),
            "columns": layout.get("columns", {}), "extra_fields": layout.get("extra_fields", []),
            **{k: layout[k] for k in ("sheets_read", "sheets_skipped", "preamble", "cells", "cells_kept",
                                      "items_with_hidden_cells") if k in layout}}


def calibration() -> dict[str, Any]:
    """Which fitted constants the answers use, and the run that wrote them (eval/calibrate.py)."""
    from assistant.answering.policy import NEVER_REFUSE, RefusalPolicy, fitted_dense_weight
    from assistant.answering.rerank import ItemWeights
    from assistant.answering.select import ExcerptWeights

    policy = RefusalPolicy.fitted()
    return {"policy": "uncalibrated: never refuses by evidence" if policy is NEVER_REFUSE else
            f"refuse below {policy.refuse_below:.3f}, sure from {policy.sure_at:.3f}",
            "fusion dense weight": fitted_dense_weight(),
            "excerpt weights": ExcerptWeights.fitted().provenance,
            "re-ranking weights": ItemWeights.fitted().provenance,
            "fitted by": policy.provenance}

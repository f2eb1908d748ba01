"""Dependencies run one way: types → corpus → statutes, index → answering → present → service →
evaluation → edges (cli, views, app). Gradio only in app.py."""

import ast
from pathlib import Path

from assistant import paths

PKG = paths.ROOT / "assistant"
# Lower number = lower layer. A module may import only from its layer or below.
LAYER = {"types": 0, "errors": 0, "paths": 0, "vocabulary": 0, "corpus": 1, "statutes": 2, "index": 2,
         "answering": 3, "review": 3, "present": 4, "service": 5, "evaluation": 6}
TOP = 7  # the edges: cli, views, doctor, peer, the package's lazy API


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYER.get(parts[1], TOP) if len(parts) > 1 else TOP


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.append(node.module)
    return out


def test_no_upward_imports() -> None:
    bad = []
    for f in PKG.rglob("*.py"):
        module = ".".join(f.relative_to(paths.ROOT).with_suffix("").parts)
        if module.endswith(("cli", "__main__")):
            continue
        for imported in _imports(f):
            if imported.startswith("assistant.") and _layer(imported) > _layer(module):
                bad.append(f"{module} imports {imported}")
    assert not bad


def test_gradio_only_in_app() -> None:
    users = [f.name for f in PKG.rglob("*.py") if any(i.split(".")[0] == "gradio" for i in _imports(f))]
    assert users == [] or set(users) <= {"ui.py"}


def test_groups_hold_their_modules() -> None:
    """The package has no flat modules outside the groups but the layer-0 ones and the edges."""
    flat = sorted(f.stem for f in PKG.glob("*.py"))
    assert flat == ["__init__", "__main__", "cli", "doctor", "errors", "feedback", "paths", "peer", "service",
                    "types", "views", "vocabulary"]


def test_corpus_and_statutes_do_not_import_each_other_both_ways() -> None:
    """Statutes read list references (corpus); the corpus never reads statutes (that is review)."""
    corpus = [f for f in (PKG / "corpus").rglob("*.py")
              if any(i.startswith("assistant.statutes") for i in _imports(f))]
    assert corpus == []

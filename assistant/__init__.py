"""Conversational retrieval over a 权责清单 with verbatim, cited answers.

Public API: ``load_assistant`` builds (or loads) everything; ``Assistant.ask``
answers; ``to_markdown`` / ``to_json`` render an ``Answer``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Answer", "Assistant", "Quote", "load_assistant", "to_json", "to_markdown"]

if TYPE_CHECKING:
    from assistant.answering.dialogue import Assistant
    from assistant.present.render import to_json, to_markdown
    from assistant.service import load_assistant
    from assistant.types import Answer, Quote

_WHERE = {"Assistant": "assistant.answering.dialogue", "load_assistant": "assistant.service",
          "to_markdown": "assistant.present.render", "to_json": "assistant.present.render",
          "Answer": "assistant.types", "Quote": "assistant.types"}


def __getattr__(name: str) -> Any:
    # Lazy, so that `python -m assistant lint` does not pay for the retrieval stack.
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(name)

"""Run a question set through ``Assistant.ask`` and score it.

Question lines: ``{"id", "question", "gold_items", "gold_field", "must_quote",
"kind", "turns"}`` (see eval/README.md). Each result line carries the
question's id, ``ranked_items``, ``latency_ms`` and the answer fields of
``ask --json``.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from assistant.present.render import to_json, to_markdown
from assistant.types import Answer

REQUIRED = ("id", "question", "gold_items", "gold_field", "must_quote", "kind", "turns")
Ask = Callable[[str, list[dict[str, str]]], Answer]


class QuestionSetError(ValueError):
    pass


def load_questions(path: Path) -> list[dict[str, Any]]:
    """Raises QuestionSetError naming the line of a malformed question."""
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)
        except json.JSONDecodeError as e:
            raise QuestionSetError(f"{path}: line {n}: not JSON ({e.msg})") from None
        missing = [k for k in REQUIRED if k not in q]
        if missing:
            raise QuestionSetError(f"{path}: line {n}: missing {', '.join(missing)}")
        if not isinstance(q["gold_items"], list) or not isinstance(q["question"], str):
            raise QuestionSetError(f"{path}: line {n}: gold_items must be a list, question a string")
        out.append(q)
    return out


def replay(ask: Ask, q: dict[str, Any]) -> list[dict[str, str]]:
    """The conversation before the question: each earlier turn asked and answered in order."""
    out: list[dict[str, str]] = []
    for turn in q.get("turns") or []:
        out += [{"role": "user", "content": turn},
                {"role": "assistant", "content": to_markdown(ask(turn, list(out)))}]
    return out


def run_one(ask: Ask, q: dict[str, Any]) -> dict[str, Any]:
    history = replay(ask, q)
    start = time.perf_counter()
    answer = ask(q["question"], history)
    latency = (time.perf_counter() - start) * 1000
    return {"id": q["id"], "kind": q["kind"], **to_json(answer), "latency_ms": round(latency, 2)}


def run(ask: Ask, questions: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [run_one(ask, q) for q in questions]


def run_retrieval(search: Callable[[str, int], list], questions: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Retrieval only, for retrievers without a dialogue: earlier turns are prepended to the question."""
    out = []
    for q in questions:
        text = " ".join([*(q.get("turns") or []), q["question"]])
        start = time.perf_counter()
        hits = search(text, 5)
        latency = (time.perf_counter() - start) * 1000
        out.append({"id": q["id"], "kind": q["kind"], "ranked_items": [h.seq for h in hits],
                    "latency_ms": round(latency, 2), "refused": False, "quotes": []})
    return out


def _rank(result: dict[str, Any], gold: list[str]) -> int | None:
    """1-based rank of the first gold item, or None."""
    for i, item in enumerate(result["ranked_items"], start=1):
        if item in gold:
            return i
    return None


def score(questions: list[dict[str, Any]], results: list[dict[str, Any]], *,
          answers: bool = True) -> dict[str, Any]:
    """Metrics overall and per kind; retrieval metrics over answerable questions only.
    With ``answers=False`` (a bare retriever) quote and refusal metrics are left out."""
    by_id = {r["id"]: r for r in results}
    groups: dict[str, list[dict[str, Any]]] = {"overall": list(questions)}
    for q in questions:
        groups.setdefault(q["kind"], []).append(q)
    out = {name: _metrics(qs, by_id) for name, qs in groups.items()}
    if not answers:
        for m in out.values():
            for key in ("quote_hit@1", "quote_hit@3", "refusal_accuracy", "false_refusals"):
                m.pop(key, None)
    return out


def _metrics(qs: list[dict[str, Any]], by_id: dict[str, dict[str, Any]]) -> dict[str, Any]:
    answerable = [q for q in qs if q["gold_items"]]
    unanswerable = [q for q in qs if not q["gold_items"]]
    ranks = [_rank(by_id[q["id"]], q["gold_items"]) for q in answerable]
    m: dict[str, Any] = {"n": len(qs), "answerable": len(answerable)}
    if answerable:
        n = len(answerable)
        m["recall@1"] = sum(1 for r in ranks if r == 1) / n
        m["recall@3"] = sum(1 for r in ranks if r is not None and r <= 3) / n
        m["mrr"] = sum(1 / r for r in ranks if r) / n
        hit1 = hit3 = 0
        for q in answerable:
            # Excerpts only (primary first, then alternatives); cards and the
            # surrounding clause do not count as answers.
            quotes = [x for x in by_id[q["id"]]["quotes"] if x["role"] in ("primary", "alternative")]
            hit1 += bool(quotes) and q["must_quote"] in quotes[0]["text"]
            hit3 += any(q["must_quote"] in x["text"] for x in quotes[:3])
        m["quote_hit@1"] = hit1 / n
        m["quote_hit@3"] = hit3 / n
        m["false_refusals"] = sum(by_id[q["id"]]["refused"] for q in answerable) / n
    if unanswerable:
        m["refusal_accuracy"] = sum(by_id[q["id"]]["refused"] for q in unanswerable) / len(unanswerable)
    latencies = [by_id[q["id"]]["latency_ms"] for q in qs]
    m["latency_p50_ms"] = statistics.median(latencies)
    m["latency_p95_ms"] = sorted(latencies)[max(0, round(0.95 * len(latencies)) - 1)]
    return m


def failures(questions: list[dict[str, Any]], results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_id = {r["id"]: r for r in results}
    out = []
    for q in questions:
        r = by_id[q["id"]]
        if q["gold_items"]:
            ok = r["ranked_items"][:1] and r["ranked_items"][0] in q["gold_items"] and r["quotes"] \
                and q["must_quote"] in r["quotes"][0]["text"]
        else:
            ok = r["refused"]
        if not ok:
            out.append({"id": q["id"], "kind": q["kind"], "question": q["question"],
                        "expected_items": q["gold_items"], "expected_quote": q["must_quote"],
                        "got_items": r["ranked_items"][:3], "refused": r["refused"],
                        "got_quote": r["quotes"][0]["text"] if r["quotes"] else ""})
    return out


def table(metrics_by_mode: dict[str, dict[str, Any]], kinds: list[str]) -> str:
    """A plain-text table: one row per kind, one column group per mode."""
    cols = ("recall@1", "recall@3", "mrr", "quote_hit@1", "quote_hit@3", "refusal_accuracy",
            "false_refusals", "latency_p50_ms")
    lines = []
    for mode, metrics in metrics_by_mode.items():
        lines.append(f"== {mode}")
        lines.append(f"{'kind':<16}{'n':>4} " + " ".join(f"{c:>16}" for c in cols))
        for kind in ["overall", *kinds]:
            m = metrics.get(kind)
            if not m:
                continue
            cells = " ".join(f"{m[c]:>16.3f}" if c in m else f"{'—':>16}" for c in cols)
            lines.append(f"{kind:<16}{m['n']:>4} {cells}")
    return "\n".join(lines)

"""The evaluation report: Markdown, JSON and a PNG chart from one run over several retrievers."""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path
from typing import Any

COLUMNS = ("recall@1", "recall@3", "mrr", "quote_hit@1", "quote_hit@3", "refusal_accuracy",
           "false_refusals", "latency_p50_ms", "latency_p95_ms")


def _cell(m: dict[str, Any], name: str) -> str:
    if name not in m:
        return "—"
    return f"{m[name]:.1f}" if name.startswith("latency") else f"{m[name]:.3f}"


def markdown(metrics: dict[str, dict[str, dict[str, Any]]], failures: list[dict[str, Any]],
             questions: str, versions: dict[str, str]) -> str:
    modes = list(metrics)
    lines = ["# Evaluation report", "",
             f"{time.strftime('%Y-%m-%d %H:%M')} · questions: `{questions}` · "
             f"{platform.machine()} · Python {platform.python_version()}", "",
             "Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()), "",
             "## Overall, side by side", "",
             "| retriever | n | " + " | ".join(COLUMNS) + " |",
             "|---|---|" + "---|" * len(COLUMNS)]
    for mode in modes:
        m = metrics[mode]["overall"]
        lines.append(f"| {mode} | {m['n']} | " + " | ".join(_cell(m, c) for c in COLUMNS) + " |")
    lines += ["", "`peer` is the LangChain ensemble (BM25 over jieba `lcut_for_search` + FAISS with the same "
              "model, `EnsembleRetriever`), scored on retrieval only: it returns chunks, not answers. "
              "Latencies after the first retriever reuse the query-encoder cache; compare speed with "
              "`benchmarks/run.py`.", ""]
    for mode in modes:
        lines += [f"## {mode}: per kind", "", "| kind | n | " + " | ".join(COLUMNS) + " |",
                  "|---|---|" + "---|" * len(COLUMNS)]
        for kind, m in metrics[mode].items():
            if kind != "overall":
                lines.append(f"| {kind} | {m['n']} | " + " | ".join(_cell(m, c) for c in COLUMNS) + " |")
        lines.append("")
    lines += [f"## Failures of {modes[0]} ({len(failures)})", "",
              "| id | kind | question | expected | got | quote |", "|---|---|---|---|---|---|"]
    for f in failures:
        quote = f["got_quote"][:40].replace("|", "¦")
        lines.append(f"| {f['id']} | {f['kind']} | {f['question'].replace('|', '¦')} | "
                     f"{','.join(f['expected_items'][:3])} 「{f['expected_quote'][:20]}」 | "
                     f"{','.join(f['got_items'])}{' (refused)' if f['refused'] else ''} | {quote} |")
    return "\n".join(lines) + "\n"


def chart(metrics: dict[str, dict[str, dict[str, Any]]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    modes = list(metrics)
    names = ("recall@1", "recall@3", "mrr", "quote_hit@1")
    fig, ax = plt.subplots(figsize=(8, 4), dpi=120)
    width = 0.8 / len(modes)
    for i, mode in enumerate(modes):
        m = metrics[mode]["overall"]
        ax.bar([x + i * width for x in range(len(names))], [m.get(n, 0.0) for n in names], width, label=mode)
    ax.set_xticks([x + width * (len(modes) - 1) / 2 for x in range(len(names))], names)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score")
    ax.set_title("Dev set, overall")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write(folder: Path, metrics: dict[str, dict[str, dict[str, Any]]], failures: list[dict[str, Any]],
          questions: str, versions: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    md, js, png = folder / "report.md", folder / "report.json", folder / "chart.png"
    md.write_text(markdown(metrics, failures, questions, versions), encoding="utf-8")
    js.write_text(json.dumps({"questions": questions, "versions": versions, "metrics": metrics,
                              "failures": failures}, ensure_ascii=False, indent=2), encoding="utf-8")
    chart(metrics, png)
    return [md, js, png]

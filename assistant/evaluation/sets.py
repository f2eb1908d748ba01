"""Question sets with their lists and roles (``eval/sets.json``), run side by side.

A set is ``tuning`` (constants may be fitted on it) or ``report`` (scored only).
Each distinct group of lists gets its own index folder under ``<index>/sets/``, so
running every set does not rebuild the app's index or one another's.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant import paths
from assistant.corpus.source import WORKBOOK_SUFFIXES, read_source

ROLES = ("tuning", "report")


@dataclass(frozen=True, slots=True)
class EvalSet:
    name: str
    role: str
    list_name: str  # which list the set is about, to pair tuning and report sets
    questions: Path
    lists: tuple[Path, ...]
    task: str = "answer"  # "answer": questions about a matter; "routing": which office holds one

    @property
    def available(self) -> bool:
        return self.questions.is_file() and all(p.exists() for p in self.lists)

    @property
    def index_key(self) -> str:
        return "+".join(sorted(p.stem for p in self.lists))


class SetsError(ValueError):
    pass


def load_sets(path: Path, *, roles: Iterable[str] = ROLES, names: Iterable[str] | None = None) -> list[EvalSet]:
    """Raises SetsError naming what is wrong with the manifest."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        entries = data["sets"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise SetsError(f"{path}: not a sets manifest ({e})") from None
    wanted_roles = set(roles)
    wanted_names = set(names) if names is not None else None
    out = []
    for n, entry in enumerate(entries, start=1):
        try:
            role = entry["role"]
            if role not in ROLES:
                raise SetsError(f"{path}: set {n}: role {role!r} is not one of {', '.join(ROLES)}")
            s = EvalSet(name=entry["name"], role=role, list_name=entry.get("list", entry["name"]),
                        questions=paths.ROOT / entry["questions"],
                        lists=tuple(paths.ROOT / p for p in entry["lists"]), task=entry.get("task", "answer"))
        except (KeyError, TypeError) as e:
            raise SetsError(f"{path}: set {n}: missing or malformed {e}") from None
        if s.role in wanted_roles and (wanted_names is None or s.name in wanted_names):
            out.append(s)
    return out


def index_root(s: EvalSet) -> Path:
    return paths.index_dir() / "sets" / s.index_key


def verbatim_failures(results: list[dict[str, Any]]) -> list[str]:
    """Every quote of every result checked against its file: ``file[start:end] == text`` for a
    text file; for a workbook, the workbook is opened again and the located cell sliced."""
    texts: dict[str, str] = {}
    cells = CellReader()
    bad = []
    for r in results:
        for q in r.get("quotes", []):
            src = q["source"]
            loc = q.get("locator")
            if loc is not None:
                if cells.text(loc)[loc["start"]:loc["end"]] != q["text"]:
                    bad.append(f"{r['id']}: {loc['file']} {loc['sheet']}!R{loc['row']}C{loc['col']}"
                               f"[{loc['start']}:{loc['end']}] != {q['text'][:30]!r}")
                continue
            if src not in texts:
                # A text file as it is; a workbook as rendered, where a quote crossing cells (a
                # field over merged rows) has no single cell to be sliced from.
                p = Path(src)
                p = p if p.is_absolute() else paths.ROOT / p
                texts[src] = (read_source(p).text if p.suffix.lower() in WORKBOOK_SUFFIXES
                              else p.read_text(encoding="utf-8"))
            if texts[src][q["start"]:q["end"]] != q["text"]:
                bad.append(f"{r['id']}: {src}[{q['start']}:{q['end']}] != {q['text'][:30]!r}")
    return bad


class CellReader:
    """Cells of the original workbooks, read straight from the files (each file once)."""

    def __init__(self) -> None:
        self._sheets: dict[tuple[str, str], list[list[Any]]] = {}

    def text(self, loc: dict[str, Any]) -> str:
        import python_calamine

        from assistant.corpus.workbook import cell_text

        key = (loc["file"], loc["sheet"])
        if key not in self._sheets:
            path = Path(loc["file"])
            data = (path if path.is_absolute() else paths.ROOT / path).read_bytes()
            # From the bytes: a published .xlsx may be an old .xls inside (the extension says nothing).
            book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            self._sheets[key] = book.get_sheet_by_name(loc["sheet"]).to_python(skip_empty_area=False)
        rows = self._sheets[key]
        row = rows[loc["row"] - 1] if loc["row"] <= len(rows) else []
        return cell_text(row[loc["col"] - 1]) if loc["col"] <= len(row) else ""


def headline(questions: list[dict[str, Any]], results: list[dict[str, Any]]) -> dict[str, float | int | None]:
    """The figures the issues name, for one set: item first, quote holds the answer,
    refusals, follow-ups, and how well the confidence level separates right from wrong."""
    by_id = {r["id"]: r for r in results}
    answerable = [q for q in questions if q["gold_items"]]
    unanswerable = [q for q in questions if not q["gold_items"]]
    follow = [q for q in answerable if q.get("turns")]

    def first(q: dict[str, Any]) -> bool:
        r = by_id[q["id"]]
        top = ranked(r, q)[:1]
        return not r["refused"] and top != [] and top[0] in q["gold_items"]

    routing = [q for q in questions if q.get("gold_offices")]
    split = [q for q in routing if len(q["gold_offices"]) > 1]

    def named(q: dict[str, Any]) -> list[str]:
        r = by_id[q["id"]]
        return [] if r["refused"] else [o["list"] for o in r.get("offices", [])]

    def quoted(q: dict[str, Any]) -> bool:
        r = by_id[q["id"]]
        primary = [x for x in r["quotes"] if x["role"] == "primary"]
        return first(q) and bool(primary) and q["must_quote"] in primary[0]["text"]

    def share(qs: list[dict[str, Any]], ok: Callable[[dict[str, Any]], bool]) -> float | None:
        return round(sum(ok(q) for q in qs) / len(qs), 3) if qs else None

    answered = [q for q in questions if not by_id[q["id"]]["refused"]]
    right = [q for q in answered if q["gold_items"] and quoted(q)]
    wrong = [q for q in answered if not (q["gold_items"] and quoted(q))]
    sure = [q for q in answered if by_id[q["id"]].get("confidence") == "sure"]
    return {
        "n": len(questions),
        "item_first": share(answerable, first),
        "quote_holds": share(answerable, quoted),
        "unanswerable_refused": share(unanswerable, lambda q: by_id[q["id"]]["refused"]),
        "answerable_refused": share(answerable, lambda q: by_id[q["id"]]["refused"]),
        "follow_up_item_first": share(follow, first),
        "sure_right": share(sure, lambda q: q in right),
        "wrong_marked_sure": share(wrong, lambda q: by_id[q["id"]].get("confidence") == "sure"),
        "sure_share": share(answered, lambda q: by_id[q["id"]].get("confidence") == "sure"),
        "office_first": share(routing, lambda q: named(q)[:1] != [] and named(q)[0] in q["gold_offices"]),
        "split_all_named": share(split, lambda q: set(q["gold_offices"]) <= set(named(q))),
    }


def ranked(result: dict[str, Any], q: dict[str, Any]) -> list[str]:
    """The result's items best first, as the question names them: by key (LIST#序号) when its
    gold items are keys (questions over several lists), else by 序号."""
    if any("#" in g for g in q["gold_items"]):
        return [h["key"] for h in result.get("hits", [])]
    return result["ranked_items"]


FIGURES = ("item_first", "quote_holds", "unanswerable_refused", "answerable_refused", "follow_up_item_first",
           "sure_right", "wrong_marked_sure", "office_first", "split_all_named")
LOWER_IS_BETTER = frozenset(("answerable_refused", "wrong_marked_sure"))


def pooled(per_set: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]],
           names: list[str]) -> dict[str, float | int | None]:
    # Ids are unique within a set, not across sets: each is qualified by its set.
    qs = [{**q, "id": f"{n}/{q['id']}"} for n in names for q in per_set[n][0]]
    rs = [{**r, "id": f"{n}/{r['id']}"} for n in names for r in per_set[n][1]]
    return headline(qs, rs)


# The columns answers are pooled by (``by_column``): the fine and its basis, the procedure, what the
# officials are held to account for, and every other column (承办机构, 事项名称, a list's own extra columns).
COLUMN_GROUPS = ("实施依据", "责任事项", "追责情形")
OTHER_COLUMNS = "other columns"


def column_group(field: str | None) -> str | None:
    """The group a gold column is pooled in (None for a question no list answers)."""
    if not field:
        return None
    return field if field in COLUMN_GROUPS else OTHER_COLUMNS


def by_column(per_set: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]],
              names: list[str]) -> dict[str, dict[str, float | int | None]]:
    """``pooled`` over the answerable questions of ``names``, apart for each column group their gold
    column falls in: a new phrasing of a question about 承办机构 can fall back to the fine while the
    questions about the fine hold, and the pooled figure hides it."""
    out = {}
    for group in (*COLUMN_GROUPS, OTHER_COLUMNS):
        part = {n: ([q for q in per_set[n][0] if column_group(q.get("gold_field")) == group], per_set[n][1])
                for n in names}
        if any(qs for qs, _ in part.values()):
            out[group] = pooled(part, names)
    return out


def side_by_side(rows: dict[str, dict[str, Any]]) -> str:
    """A plain-text table: one row per set (and pooled rows), one column per figure."""
    head = f"{'set':<24}{'role':<8}{'n':>5} " + " ".join(f"{f:>21}" for f in FIGURES)
    lines = [head]
    for name, row in rows.items():
        cells = " ".join(f"{row[f]:>21.3f}" if row.get(f) is not None else f"{'—':>21}" for f in FIGURES)
        lines.append(f"{name:<24}{row.get('role', ''):<8}{row['n']:>5} {cells}")
    return "\n".join(lines)


def open_assistant(s: EvalSet, embedder: Any, **options: Any) -> Any:
    """The assistant over the set's lists, with its own index folder (built when missing or stale)."""
    from assistant.service import load_assistant

    return load_assistant(lists=list(s.lists), index_root=index_root(s), embedder=embedder,
                          progress=False, **options)


def run_sets(sets: list[EvalSet], embedder: Any, *, log: Callable[[str], None] = lambda _: None,
             **options: Any) -> dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Questions and results per set; sets whose files are missing are skipped (and logged)."""
    from assistant.evaluation.score import load_questions, run

    out = {}
    assistants: dict[str, Any] = {}
    for s in sets:
        if not s.available:
            log(f"skipped {s.name}: {paths.relative(s.questions)} or a list is missing")
            continue
        if s.index_key not in assistants:
            assistants[s.index_key] = open_assistant(s, embedder, **options)
        questions = load_questions(s.questions)
        out[s.name] = (questions, run(assistants[s.index_key].ask, questions))
        log(f"ran {s.name}: {len(questions)} questions")
    return out


def summary(sets: list[EvalSet], per_set: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]
            ) -> dict[str, dict[str, Any]]:
    """One row per set, then pooled tuning and report rows and their gap (report − tuning), for the
    questions about a matter and, apart, for the routing questions (which office holds one); then the
    answerable questions about a matter pooled by the column that answers them (``by_column``)."""
    rows: dict[str, dict[str, Any]] = {}
    for s in sets:
        if s.name in per_set:
            rows[s.name] = {"role": s.role, **headline(*per_set[s.name])}
    for task, suffix in (("answer", ""), ("routing", " routing")):
        by_role = {role: [s.name for s in sets if s.role == role and s.task == task and s.name in per_set]
                   for role in ROLES}
        for role, names in by_role.items():
            if names:
                rows[f"all {role}{suffix}"] = {"role": role, **pooled(per_set, names)}
        if f"all tuning{suffix}" in rows and f"all report{suffix}" in rows:
            t, r = rows[f"all tuning{suffix}"], rows[f"all report{suffix}"]
            rows[f"gap (report−tuning){suffix}"] = {"role": "", "n": r["n"], **{
                f: round(r[f] - t[f], 3) if r.get(f) is not None and t.get(f) is not None else None
                for f in FIGURES}}
        if task == "answer":  # answerable questions by the column that answers them
            for role, names in by_role.items():
                for group, row in by_column(per_set, names).items():
                    rows[f"{role} · {group}"] = {"role": role, **row}
    return rows

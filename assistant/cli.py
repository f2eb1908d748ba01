"""``python -m assistant``: the command-line edge. Errors become one message here."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assistant import paths
from assistant.errors import AssistantError

Command = Callable[[argparse.Namespace], int]
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
    from assistant.corpus.lint import lint
    from assistant.corpus.parse import load

    findings = lint(load(_list_paths(args)))
    if args.json:
        emit_json([serialize.finding(f) for f in findings])
        return 0
    for f in findings:
        print(f"{f.kind:<22} {f.list_id}#{f.item} {f.field} @{f.span.start}-{f.span.end} "
              f"「{_short(f.excerpt, 30)}」 {f.message}")
    kinds: dict[str, int] = {}
    for f in findings:
        kinds[f.kind] = kinds.get(f.kind, 0) + 1
    print(f"\n{len(findings)} findings: " + ", ".join(f"{k} {n}" for k, n in kinds.items()))
    return 0


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
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except AssistantError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

"""Choose the verbatim excerpt that answers a question inside one field.

Candidates are sentences (ending at 。；) of the field's clauses; a sentence
longer than QUOTE_LIMIT is cut into runs of whole comma-separated phrases.
Every candidate is a span of the source, so the quote is always exact text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.corpus.markup import trim
from assistant.intent import Intent
from assistant.types import Clause, FieldValue, Span

QUOTE_LIMIT = 200
_SENTENCE_END = re.compile(r"[。；;]")
_PHRASE_END = re.compile(r"[，,：:]")
# How each duty step opens its clause in 责任事项.
STEP_HEADS = {"立案": "立案", "调查取证": "调查取证", "听证": "组织开展约谈、听证", "决定": "决定",
              "送达": "送达", "执行": "执行"}


@dataclass(frozen=True, slots=True)
class Candidate:
    span: Span
    clause: Clause | None


def _pieces(text: str, span: Span, ends: re.Pattern[str]) -> list[Span]:
    out, start = [], span.start
    for m in ends.finditer(text, span.start, span.end):
        piece = trim(text, start, m.end())
        if len(piece):
            out.append(piece)
        start = m.end()
    tail = trim(text, start, span.end)
    if len(tail):
        out.append(tail)
    return out


def candidates(text: str, field: FieldValue) -> list[Candidate]:
    units = [(c.span, c) for c in field.clauses] or [(p, None) for p in field.parts]
    out: list[Candidate] = []
    for span, clause in units:
        for sentence in _pieces(text, span, _SENTENCE_END):
            if len(sentence) <= QUOTE_LIMIT:
                out.append(Candidate(sentence, clause))
                continue
            phrases = _pieces(text, sentence, _PHRASE_END)
            for i in range(len(phrases)):
                for j in range(i, len(phrases)):
                    if phrases[j].end - phrases[i].start > QUOTE_LIMIT and j > i:
                        break
                    out.append(Candidate(Span(phrases[i].start, phrases[j].end), clause))
    return out


def score(text: str, cand: Candidate, intent: Intent, tokens: list[str],
          step_of: Callable[[Clause | None], str | None]) -> float:
    s = cand.span.of(text)
    # Longer matched words say more; each word counts once.
    value = float(sum(len(t) for t in set(tokens) if t in s))
    if intent.aspect == "fine":
        value += 4.0 if "罚款" in s else 0.0
        if "主管人员" in s or "直接责任人员" in s:
            value += 6.0 if intent.about_manager else -1.0
    if intent.aspect == "procedure" and intent.step is not None and step_of(cand.clause) == intent.step:
        value += 8.0
    # Prefer the shorter of two equally good excerpts: less to read.
    return value - len(s) / 1000.0


def step_of(text: str) -> Callable[[Clause | None], str | None]:
    def which(clause: Clause | None) -> str | None:
        if clause is None:
            return None
        body = clause.body.of(text)
        return next((step for step, head in STEP_HEADS.items() if body.startswith(head)), None)
    return which


def best(text: str, field: FieldValue, intent: Intent, tokens: list[str],
         must_contain: Span | None = None) -> Candidate | None:
    """The best candidate; with ``must_contain``, only candidates covering that span."""
    pool = candidates(text, field)
    if must_contain is not None:
        pool = [c for c in pool if c.span.start <= must_contain.start and must_contain.end <= c.span.end]
    if not pool:
        return None
    which = step_of(text)
    return max(pool, key=lambda c: score(text, c, intent, tokens, which))

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

# "About 200 characters": room for a violation and its penalty side by side.
QUOTE_LIMIT = 220
_SENTENCE_END = re.compile(r"[。；;]")
_PHRASE_END = re.compile(r"[，,：:]")
# How each duty step opens its clause in 责任事项.
STEP_HEADS = {"立案": "立案", "调查取证": "调查取证", "听证": "组织开展约谈、听证", "决定": "决定",
              "送达": "送达", "执行": "执行"}


@dataclass(frozen=True, slots=True)
class Candidate:
    span: Span
    clause: Clause | None


def _pieces(text: str, span: Span, ends: re.Pattern[str], breaks: tuple[int, ...] = ()) -> list[Span]:
    """Pieces ending at each match of ``ends``, also cut before each offset in ``breaks``."""
    cuts = sorted({m.end() for m in ends.finditer(text, span.start, span.end)}
                  | {b for b in breaks if span.start < b < span.end})
    out, start = [], span.start
    for cut in cuts:
        piece = trim(text, start, cut)
        if len(piece):
            out.append(piece)
        start = cut
    tail = trim(text, start, span.end)
    if len(tail):
        out.append(tail)
    return out


def candidates(text: str, field: FieldValue, breaks: tuple[int, ...] = ()) -> list[Candidate]:
    """Sentences, runs of sentences and runs of phrases, each within QUOTE_LIMIT.

    ``breaks`` are extra sentence starts: where a cited article begins, so a
    quote can leave out the law's title and version note before it.
    """
    units = [(c.span, c) for c in field.clauses] or [(p, None) for p in field.parts]
    out: list[Candidate] = []
    for span, clause in units:
        sentences = _pieces(text, span, _SENTENCE_END, breaks)
        # Runs of consecutive sentences within the limit: a violation and its
        # penalty often sit in neighbouring sentences.
        for i in range(len(sentences)):
            for j in range(i + 1, len(sentences)):
                if sentences[j].end - sentences[i].start > QUOTE_LIMIT:
                    break
                out.append(Candidate(Span(sentences[i].start, sentences[j].end), clause))
        for sentence in sentences:
            if len(sentence) <= QUOTE_LIMIT:
                out.append(Candidate(sentence, clause))
                continue
            phrases = _pieces(text, sentence, _PHRASE_END)
            # A long sentence is cut into runs of whole phrases.
            for i in range(len(phrases)):
                for j in range(i, len(phrases)):
                    if phrases[j].end - phrases[i].start > QUOTE_LIMIT and j > i:
                        break
                    out.append(Candidate(Span(phrases[i].start, phrases[j].end), clause))
    return out


ALTERNATIVE_SHARE = 0.5
_AMOUNT = re.compile(r"元(?:以上|以下)|倍以上")
_TIME = re.compile(r"[日天]内|工作日|日起|之日")
_COUNT = re.compile(r"不得少于|[两二三四五]人")
_SANCTION = re.compile(r"罚款|警告|吊销|责令|停业整顿|追究刑事责任|予以处罚|没收|依照前款规定处罚")


def score(text: str, cand: Candidate, intent: Intent, tokens: list[str], bigrams: set[str],
          step_of: Callable[[Clause | None], str | None], prefer: tuple[Span, ...] = (),
          titles: tuple[Span, ...] = ()) -> float:
    s = cand.span.of(text)
    # Longer matched words say more; each word counts once. Shared character
    # pairs reward the question's own phrasing (不构成犯罪 over 构成犯罪).
    matched = [t for t in set(tokens) if t in s]
    value = float(sum(len(t) for t in matched))
    value += 0.5 * sum(1 for b in bigrams if b in s)
    # Among equals, the excerpt whose sentences all bear on the question:
    # each sentence holding a matched word adds a little.
    value += 0.3 * sum(1 for piece in _SENTENCE_END.split(s) if piece and any(t in piece for t in matched))
    if intent.asks_time and _TIME.search(s):
        value += 6.0
    if intent.asks_count and _COUNT.search(s):
        value += 6.0
    if intent.aspect == "fine":
        # A question about penalties is answered by the sentence that states
        # one: amounts first, other sanctions next.
        value += 30.0 if _AMOUNT.search(s) else 8.0 if _SANCTION.search(s) else 0.0
        if "主管人员" in s or "直接责任人员" in s:
            value += 6.0 if intent.about_manager else -1.0
    if intent.aspect == "basis":
        # The cited article, best where the law's title opens it.
        inside = [p for p in prefer if cand.span.start <= p.start and p.end <= cand.span.end]
        value += 10.0 * bool(inside) + (25.0 if intent.asks_law else 8.0) * bool(titles and any(
            cand.span.start <= t.start and t.end <= cand.span.end for t in titles))
    if intent.aspect == "procedure" and intent.step is not None and step_of(cand.clause) == intent.step:
        value += 8.0
    # Then the shorter: less to read.
    return value - len(s) / 1000.0


def step_of(text: str) -> Callable[[Clause | None], str | None]:
    def which(clause: Clause | None) -> str | None:
        if clause is None:
            return None
        body = clause.body.of(text)
        return next((step for step, head in STEP_HEADS.items() if body.startswith(head)), None)
    return which


def best(text: str, field: FieldValue, intent: Intent, tokens: list[str], question: str = "",
         must_contain: Span | None = None, prefer: tuple[Span, ...] = (),
         titles: tuple[Span, ...] = (), n: int = 1) -> list[Candidate]:
    """The ``n`` best candidates that do not overlap one another, best first.

    With ``must_contain``, only candidates covering that span; ``prefer``
    (cited article numbers) counts for questions about the legal basis.
    """
    pool = candidates(text, field, tuple(p.start for p in prefer))
    if must_contain is not None:
        pool = [c for c in pool if c.span.start <= must_contain.start and must_contain.end <= c.span.end]
    which = step_of(text)
    pairs = {question[i:i + 2] for i in range(len(question) - 1)
             if all("\u4e00" <= ch <= "\u9fff" for ch in question[i:i + 2])}
    scored = sorted(((score(text, c, intent, tokens, pairs, which, prefer, titles), c) for c in pool),
                    key=lambda sc: -sc[0])
    if not scored:
        return []
    top = scored[0][0]
    chosen: list[Candidate] = []
    for value, c in scored:
        # Further excerpts only when they bear on the question about as much.
        if chosen and value < ALTERNATIVE_SHARE * top:
            break
        if all(c.span.end <= o.span.start or o.span.end <= c.span.start for o in chosen):
            chosen.append(c)
            if len(chosen) == n:
                break
    return chosen


def core(text: str, span: Span, tokens: list[str]) -> Span:
    """The sentence of an excerpt that holds most of the question's words: what
    other items must share for the answer to be the same text."""
    sentences = _pieces(text, span, _SENTENCE_END) or [span]
    return max(sentences, key=lambda s: sum(len(t) for t in set(tokens) if t in s.of(text)))

"""Excerpt candidates inside one field: the spans a quote can be.

Candidates are sentences (ending at 。；) of the field's clauses and runs of them;
a sentence longer than QUOTE_LIMIT is cut into runs of whole comma-separated
phrases. Every candidate is a span of the source, so a quote is always exact text.
Which candidate answers is chosen from evidence in answering/select.py.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from assistant.corpus.markup import trim
from assistant.types import Clause, FieldValue, Span

# "About 200 characters": room for a violation and its penalty side by side.
QUOTE_LIMIT = 220
# Where a sentence ends: candidates are cut there, and a sum is read sentence by sentence (select.py).
SENTENCE_END = re.compile(r"[。；;]")
_PHRASE_END = re.compile(r"[，,：:]")
# A clause that is a law's title alone (【法律】《中华人民共和国体育法》（…通过）), the articles cited
# from it following as clauses of their own (第四十五条：…).
_TITLE_ALONE = re.compile(r"\s*(?:\d{1,2}[.．、]\s*)?(?:【[^【】]{1,10}】)?\s*《[^《》]{2,40}》")
# An article's number (第四十五条), as the lists write it.
ARTICLE_NUMBER = re.compile(r"第[0-9零一二两三四五六七八九十百]+条")


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
    out += _lists(text, field.clauses)
    out += _titled(text, field.clauses)
    for span, clause in units:
        sentences = _pieces(text, span, SENTENCE_END, breaks)
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
    # A short cell whole, across its lines (主动\n公开; 1.具体承办人；\n2.内设机构负责人；…): runs stay
    # within a line, and 追责会追到哪些人 asks for every line. Not across markup, which a quote would
    # show, nor a citation (a law's title on a line: _titled joins it to its article).
    whole = trim(text, field.span.start, field.span.end)
    if 0 < len(whole) <= QUOTE_LIMIT and "<" not in whole.of(text) \
            and not any(_TITLE_ALONE.match(span.of(text)) for span, _ in units) \
            and all(c.span != whole for c in out):
        out.append(Candidate(whole, None))
    return out


def core(text: str, span: Span, tokens: list[str]) -> Span:
    """The sentence of an excerpt that holds most of the question's words: what
    other items must share for the answer to be the same text."""
    sentences = _pieces(text, span, SENTENCE_END) or [span]
    return max(sentences, key=lambda s: sum(len(t) for t in set(tokens) if t in s.of(text)))


def _lists(text: str, clauses: tuple[Clause, ...]) -> list[Candidate]:
    """A provision that opens a list (有下列情形之一的，可以邀请招标：) with the items under it
    ((一)…；(二)…), as long as they fit in a quote: what 哪些情形 asks for is the items."""
    out: list[Candidate] = []
    for i, head in enumerate(clauses):
        if not head.span.of(text).rstrip().endswith(("：", ":")):
            continue
        end = None
        for item in clauses[i + 1:]:
            if not item.label.startswith(("（", "(")) or item.span.end - head.span.start > QUOTE_LIMIT:
                break
            end = item.span.end
        # Within one cell part: across <p> parts the quote would show the markup between them.
        if end is not None and "<" not in text[head.span.start:end]:
            out.append(Candidate(Span(head.span.start, end), head))
    return out


def _titled(text: str, clauses: tuple[Clause, ...]) -> list[Candidate]:
    """A law's title with the first sentences of the article cited after it, as long as they fit
    in a quote: 依据是哪部法律哪一条 is answered by the two together, and each office cites its own
    way, some with the title in the article's sentence, some on a line of its own."""
    out: list[Candidate] = []
    for head, article in itertools.pairwise(clauses):
        title = head.span.of(text)
        markup = "<" in text[head.span.start:article.span.end]
        if not _TITLE_ALONE.match(title) or ARTICLE_NUMBER.search(title) or markup:
            continue
        for sentence in _pieces(text, article.span, SENTENCE_END):
            if sentence.end - head.span.start > QUOTE_LIMIT:
                break
            out.append(Candidate(Span(head.span.start, sentence.end), article))
    return out

"""The statutes behind a list: cited and current versions, articles, cross-references, comparison."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from assistant.corpus.numerals import to_chinese
from assistant.corpus.refs import article_runs
from assistant.statutes import versions
from assistant.statutes.parse import Article, Statute, load_statutes
from assistant.types import Item, LegalRef, Span


@dataclass(frozen=True, slots=True)
class CrossRef:
    span: Span  # in the citing statute's text
    article: int
    paragraph: int | None
    target: Span | None  # the referenced article (or paragraph) in the same statute


@dataclass(frozen=True, slots=True)
class Difference:
    list_span: Span  # in the list's text
    list_text: str
    law_text: str  # what the official text has there ("" for text the list added)
    law_context: str


# Bump when versions.moves aligns differently: stored alignments are then computed again.
MOVES_VERSION = 1


class Library:
    def __init__(self, statutes: list[Statute], today: str | None = None, moves_file: Path | None = None) -> None:
        """``moves_file``: where article alignments are kept between runs (they depend only on the
        texts, and aligning two versions of a law costs a cold start about 0.1 s)."""
        self.statutes = statutes
        self.today = today or datetime.date.today().isoformat()
        self.moves_file = moves_file
        # Alignments and comparisons depend only on the texts: computed once per process.
        self._moves: dict[tuple[Path, Path], dict[int, versions.Move]] = {}
        self._compared: dict[tuple[str, Path], list[Difference]] = {}

    @classmethod
    def load(cls, folder: Path, today: str | None = None, moves_file: Path | None = None) -> Library:
        return cls(load_statutes(folder) if Path(folder).is_dir() else [], today, moves_file)

    def cited(self, title: str, note: str) -> Statute | None:
        return versions.cited_version(self.statutes, title, note)

    def current(self, title: str) -> Statute | None:
        return versions.in_force(self.statutes, title, self.today)

    def decision(self, old: Statute, new: Statute) -> Statute | None:
        return versions.decision_between(self.statutes, old, new)

    def moves(self, old: Statute, new: Statute) -> dict[int, versions.Move]:
        key = (old.path, new.path)
        if key not in self._moves:
            decision = self.decision(old, new)
            digest = hashlib.sha256("\0".join((str(MOVES_VERSION), old.text, new.text,
                                                decision.text if decision else "")).encode()).hexdigest()
            stored = self._stored_moves().get(digest)
            if stored is None:
                found = versions.moves(old, new, decision)
                self._store_moves(digest, found)
            else:
                found = {int(o): versions.Move(int(o), tuple(n), kind, tuple(w)) for o, (n, kind, w) in stored.items()}
            self._moves[key] = found
        return self._moves[key]

    def _stored_moves(self) -> dict[str, dict]:
        if self.moves_file is None:
            return {}
        try:
            found = json.loads(self.moves_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # none yet, or unreadable: aligned again and written anew
        return found if isinstance(found, dict) else {}

    def _store_moves(self, digest: str, found: dict[int, versions.Move]) -> None:
        """Kept for the next run; a folder that cannot be written only costs the next run the work."""
        if self.moves_file is None:
            return
        kept = self._stored_moves()
        kept[digest] = {str(m.old): [list(m.new), m.kind, list(m.with_old)] for m in found.values()}
        tmp = None
        try:
            self.moves_file.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.moves_file.parent, prefix=".moves-")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(kept, out, ensure_ascii=False)
            os.replace(tmp, self.moves_file)
            tmp = None
        except OSError:
            pass
        finally:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)

    def differences(self, list_text: str, item: Item, statute: Statute, refs: list[LegalRef]) -> list[Difference]:
        """Where the item's quotation of ``refs`` differs from ``statute`` (see ``compare``)."""
        key = (item.key, statute.path)
        if key not in self._compared:
            self._compared[key] = compare(list_text, list_parts(item, refs[0]), statute,
                                          [statute.articles[r.article] for r in refs])
        return self._compared[key]

    @staticmethod
    def xrefs(statute: Statute, number: int) -> list[CrossRef]:
        """References an article makes to others of the same statute, 前款 included."""
        art = statute.articles[number]
        out: list[CrossRef] = []
        for span, target, paragraph in article_runs(statute.text, art.heading.end, art.span.end):
            found = statute.articles.get(target)
            where = None
            if found is not None:
                where = found.span
                if paragraph and paragraph <= len(found.paragraphs):
                    where = found.paragraphs[paragraph - 1].span
            out.append(CrossRef(span, target, paragraph, where))
        for i, para in enumerate(art.paragraphs):
            at = statute.text.find("前款", para.span.start, para.span.end)
            if at >= 0 and i > 0:
                out.append(CrossRef(Span(at, at + 2), number, i, art.paragraphs[i - 1].span))
        return sorted(out, key=lambda x: x.span.start)


def version_name(s: Statute) -> str:
    """中华人民共和国网络安全法（2025年修正）, or the title with its version date."""
    suffix = s.label.removeprefix(s.title)
    return s.title + (suffix if suffix else f"（{s.dates[0]}版）" if s.dates else "")


def list_parts(item: Item, ref: LegalRef) -> list[Span]:
    """The list's quotation of a cited article: from its number to the end of 实施依据, markup excluded."""
    return [Span(max(p.start, ref.span.start), p.end) for p in item.fields["实施依据"].parts
            if p.end > ref.span.start]


def article_label(number: int) -> str:
    return f"第{to_chinese(number)}条"


def _squeeze(text: str, spans: list[Span]) -> tuple[str, list[int]]:
    # NFKC maps one character to one here (full-width punctuation to ASCII), so
    # positions stay aligned with ``where``.
    where = [i for s in spans for i in range(s.start, s.end) if not text[i].isspace()]
    return "".join(unicodedata.normalize("NFKC", text[i])[:1] for i in where), where


def compare(list_text: str, parts: list[Span], statute: Statute, articles: list[Article]) -> list[Difference]:
    """Where a list's quotation of articles (``parts``, markup excluded) differs from
    the statute's text.

    Whitespace and full/half-width forms are ignored, and so is the rest of an
    article the list stops quoting before its end; each other difference is
    reported with the list's words and the law's words at that place.
    """
    mine, where = _squeeze(list_text, parts)
    law = "".join(_squeeze(statute.text, [a.span])[0] for a in articles)
    out: list[Difference] = []
    matcher = SequenceMatcher(None, law, mine, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or not mine or (tag == "delete" and j1 == len(mine)):
            continue
        if j2 > j1:
            span = Span(where[j1], where[j2 - 1] + 1)
        else:  # the list left something out: point at the characters around the gap
            span = Span(where[max(j1 - 1, 0)], where[min(j1, len(where) - 1)] + 1)
        out.append(Difference(span, list_text[span.start:span.end], law[i1:i2], law[max(0, i1 - 8):i2 + 8]))
    return out

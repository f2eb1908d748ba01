"""Understand a question once: one ``Query`` value, built before anything searches.

Normalisation (NFKC: full-width letters and digits; traditional → simplified by
OpenCC), typo repair against the lists' own vocabulary (a window of the question
that the lists never use and that sounds like a word they do use, by pinyin),
then tokens, domain expansions, the intent, named articles, codes and laws.
Nothing here searches or answers.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from assistant import vocabulary
from assistant.answering.intent import ArticleAsk, Intent, code, matter_words, recognise

Tokenize = Callable[[str], list[str]]
_HAN = re.compile(r"[\u4e00-\u9fff]+")
_TITLE = re.compile(r"《([^《》]{2,40})》")
_ARTICLE_REF = re.compile(r"第[0-9零〇一二两三四五六七八九十百千]+[条款项]")
# 法 followed by 律/规/院/定 … is 法律, 法规, 法院, 法定: not the end of a statute's name.
_LAW_TAIL = re.compile(r"[\u4e00-\u9fff]{2,20}?(?:法(?![律规院定人治官庭制典])|条例|办法|规定|细则)")
# A general word this common (jieba's frequency) is never repaired: lists have typos of
# their own, and a user's 攻击 must not become a list's 攻机.
COMMON_WORD = 200
REPAIR_WINDOWS = (4, 3, 2)


@dataclass(frozen=True, slots=True)
class Query:
    typed: str  # the cleaned question as the user wrote it
    text: str  # normalised and repaired: what is searched
    changes: tuple[str, ...]  # what normalisation did, for the user to see
    tokens: tuple[str, ...]  # tokenizer output of ``text``
    expanded: tuple[str, ...]  # tokens, then the list wording of colloquial words
    intent: Intent
    code: str | None
    laws: tuple[str, ...]  # statute names the question mentions, as written

    @property
    def article(self) -> ArticleAsk | None:
        return self.intent.article


@functools.lru_cache(maxsize=1)
def _converter() -> Callable[[str], str]:
    try:
        import opencc

        return opencc.OpenCC("t2s").convert
    except ImportError:  # the reader still works, without 繁→简
        return lambda s: s


def normalise(text: str) -> tuple[str, tuple[str, ...]]:
    """NFKC and traditional → simplified; the notices say what changed."""
    changes = []
    folded = unicodedata.normalize("NFKC", text)
    simplified = _converter()(folded)
    if simplified != folded:
        changes.append("已将繁体字转为简体字检索。")
    return simplified, tuple(changes)


_FUZZY = re.compile(r"^([zcs])h|n?g?$")


@functools.lru_cache(maxsize=65536)
def _pinyin(word: str, tones: bool) -> tuple[str, ...]:
    """Syllables; without tones also fuzzy as pinyin input is (zh=z, ch=c, sh=s, and -n, -ng
    dropped: 信心 xin xin sounds close enough to 信息 xi xi to be a typo of it)."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(word, style=Style.TONE3 if tones else Style.NORMAL, errors="ignore")
    if tones:
        return tuple(syllables)
    return tuple(_fuzzy(s) for s in syllables)


def _fuzzy(syllable: str) -> str:
    return _FUZZY.sub(lambda m: m.group(1) or "", syllable)


@functools.lru_cache(maxsize=16384)
def _readings(char: str) -> tuple[str, ...]:
    """Every fuzzy syllable ``char`` can be read as (行: xing, hang, heng)."""
    from pypinyin import Style, pinyin

    found = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
    return tuple(dict.fromkeys(_fuzzy(s) for s in found[0])) if found else ()


class Speller:
    """Repairs windows of a question that sound like a word of the lists but are not one."""

    def __init__(self, words: Mapping[str, int]) -> None:
        """``words``: each word of the lists with how many texts hold it (the likelier
        of two sound-alike words is the one the lists use more)."""
        self.counts = {w: n for w, n in words.items() if _HAN.fullmatch(w) and 2 <= len(w) <= 6}
        self.words = set(self.counts)
        self._by_sound: dict[tuple[str, ...], list[str]] | None = None
        self._inside: frozenset[str] | None = None

    def _index(self) -> dict[tuple[str, ...], list[str]]:
        if self._by_sound is None:
            by: dict[tuple[str, ...], list[str]] = {}
            for w in sorted(self.words):
                if len(w) <= max(REPAIR_WINDOWS):
                    by.setdefault(_pinyin(w, False), []).append(w)
            self._by_sound = by
        return self._by_sound

    def repair(self, text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        """The text with typos replaced, and each (typed, meant) pair.

        A window never cuts through a word the lists use (安全法 in 安全法第六十一条) nor
        touches an article number: only what the lists do not know is read again.
        """
        if not self.words:
            return text, ()
        locked = self._locked(text)
        fixes: list[tuple[str, str]] = []
        out = list(text)
        for run in _HAN.finditer(text):
            i = run.start()
            while i < run.end():
                fixed = self._at(text[i:run.end()], i, locked)
                if fixed is None:
                    i += 1
                    continue
                typed, meant = fixed
                out[i:i + len(typed)] = list(meant)
                fixes.append((typed, meant))
                i += len(typed)
        return "".join(out), tuple(fixes)

    def _locked(self, text: str) -> tuple[set[int], set[int], set[tuple[int, int]], set[int]]:
        """Offsets no window may touch (article numbers), cut points inside known words, where
        the text holds a word of the general dictionary whole (废纸 in 当废纸卖了), and the cut points
        inside a word where a window may nevertheless end."""
        from assistant.index.lexical import general_dictionary

        touched: set[int] = set()
        for m in _ARTICLE_REF.finditer(text):
            touched.update(range(m.start(), m.end()))
            if text[max(0, m.start() - 1):m.start()] == "法":
                # A statute's short name before its article (固废法第一百一十二条) is no 非法.
                touched.update(range(max(0, m.start() - 3), m.start()))
        inside: set[int] = set()
        general: set[tuple[int, int]] = set()
        ends: set[int] = set()  # inside a word, yet a window may end there (see below)
        at = 0
        for token in general_dictionary().lcut(text, HMM=False):
            if len(token) > 1 and token in self.words:
                inside.update(range(at + 1, at + len(token)))
            elif len(token) > 1 and _frequency(token) > 0:
                general.add((at, at + len(token)))
                # Nor through a word of the language: 人偷 in 工人偷偷, 法第 in 安全法第几条 and 许可怎
                # in 许可怎么罚 are the ends of two words, not one mistyped word. Unless what the
                # window leaves of it is a word of grammar: 听正要 reads 听正|要 as well as 听|正要.
                inside.update(range(at + 1, at + len(token)))
                if token[-1] in vocabulary.GRAMMAR_CHARS:
                    ends.add(at + len(token) - 1)
            at += len(token)
        return touched, inside, general, ends

    def _at(self, s: str, at: int, locked: tuple[set[int], set[int], set[tuple[int, int]], set[int]]
            ) -> tuple[str, str] | None:
        touched, inside, general, ends = locked
        for n in REPAIR_WINDOWS:
            w = s[:n]
            # Windows already inside a list word (个人信 in 个人信息) are not typos.
            if len(w) < n or w in self._pieces() or w[0] in vocabulary.POINTING_CHARS:
                continue
            if n == 2 and any(c in vocabulary.GRAMMAR_CHARS for c in w):
                continue
            if touched & set(range(at, at + n)) or at in inside or (at + n in inside and at + n not in ends):
                continue
            if (at, at + n) in general:
                continue  # a whole word of the language, segmented as such: what the user meant
            if _frequency(w) >= COMMON_WORD:
                continue  # a common word is what the user meant (攻击 is not a typo of a list's 攻机)
            if not self._may_sound_like_a_word(w):
                continue
            found = []
            for v in self._index().get(_pinyin(w, False), ()):
                diff = sum(a != b for a, b in zip(w, v, strict=True))
                if diff == 0 or diff > max(1, n // 2):
                    continue
                if any(a != b and a in vocabulary.NEVER_MISTYPED for a, b in zip(w, v, strict=True)):
                    continue
                same_tones = _pinyin(v, True) == _pinyin(w, True)
                if n == 2 and not same_tones:
                    continue  # two characters sounding alike but for their tones are two words as often
                found.append((same_tones, self.counts[v], v))
            if found:
                return w, max(found)[2]
        return None

    def _may_sound_like_a_word(self, w: str) -> bool:
        """False when no reading of its characters sounds like a list word: the window's own
        reading (in context, 银行 is yin hang) is one of them, and reading a window in context
        costs about 30 times a lookup, for most windows of a question."""
        readings = [_readings(c) for c in w]
        if not all(readings):
            return True  # a character without a reading: let the reading in context decide
        index = self._index()
        return any(key in index for key in itertools.product(*readings))

    def _pieces(self) -> frozenset[str]:
        if self._inside is None:
            self._inside = frozenset(v[a:b] for v in self.words for a in range(len(v))
                                     for b in range(a + 2, len(v) + 1))
        return self._inside


@functools.lru_cache(maxsize=4096)
def _frequency(word: str) -> int:
    """How common ``word`` is in general Chinese (jieba's dictionary frequency; 0 if unknown)."""
    from assistant.index.lexical import general_dictionary

    return int(general_dictionary().FREQ.get(word, 0) or 0)


def named_laws(text: str) -> tuple[str, ...]:
    """Statutes named in the question: 《…》 titles, else words ending in 法/条例/办法/规定
    with leading verbs (违反, 根据 …) and question words (什么法) left out."""
    found = [m.group(1) for m in _TITLE.finditer(text)]
    rest = _TITLE.sub(" ", text)
    for m in _LAW_TAIL.finditer(rest):
        name = m.group()
        for lead in vocabulary.LAW_LEADS:
            if lead in name:
                name = name[name.rindex(lead) + len(lead):]
        if _is_law_name(name):
            found.append(name)
    return tuple(dict.fromkeys(found))


def _is_law_name(name: str) -> bool:
    """法 after 违/犯/执/依 … is a verb's object, not a statute; 规定 and 办法 name a statute only
    as a titled rule (…管理规定, …实施办法)."""
    if len(name) < 4 or any(w in name for w in (*vocabulary.QUESTION_WORDS, *vocabulary.NOT_LAW_WORDS)):
        return False
    if name.endswith(("规定", "办法")):
        return len(name) >= 6 and any(w in name for w in vocabulary.RULE_TITLE_WORDS)
    if name.endswith("法"):
        return name[-2] not in vocabulary.NOT_LAW_BEFORE_FA
    return True


class Understander:
    """``understand(text) -> Query`` for one set of lists (their vocabulary, their tokenizer)."""

    def __init__(self, tokenize: Tokenize, words: Mapping[str, int], names: Iterable[str] = ()) -> None:
        """``words``: the lists' vocabulary with document counts; the domain's own cue
        and colloquial words are added, so 追则 is read as 追责 on any list. ``names``: the
        items' names, whose words name matters (a cue inside them asks for nothing)."""
        self.tokenize = tokenize
        self.speller = Speller({**dict.fromkeys(vocabulary.all_words(), 1), **words})
        self.matter = matter_words({t for name in names for t in tokenize(name)})

    def reworded(self, query: Query, text: str) -> Query:
        """``query`` searched as ``text`` (a part of it): its tokens and the lists' wording read again,
        what it asks (intent, code, laws) kept."""
        tokens = tuple(self.tokenize(text))
        return replace(query, text=text, tokens=tokens,
                       expanded=tuple(vocabulary.expand(text, list(tokens), self.tokenize)))

    def understand(self, typed: str) -> Query:
        text, changes = normalise(typed)
        text, fixes = self.speller.repair(text)
        if fixes:
            changes = (*changes, "已按" + "、".join(f"“{m}”理解“{t}”" for t, m in fixes) + "。")
        tokens = tuple(self.tokenize(text))
        expanded = tuple(vocabulary.expand(text, list(tokens), self.tokenize))
        return Query(typed=typed, text=text, changes=changes, tokens=tokens, expanded=expanded,
                     intent=recognise(text, tuple(w for w in self.matter if w in text)), code=code(text),
                     laws=named_laws(text))

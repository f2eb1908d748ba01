"""What a question asks for: which field, which procedure step, which article.

Only recognition lives here; nothing is answered. Cue words are how staff
and trainees ask, mapped to the list's columns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.corpus.numerals import NUMERAL_CHARS, to_int
from assistant.vocabulary import (
    ADVICE_CUES,
    ADVICE_PATTERNS,
    AFTER_STEP,
    APPLICATION_CUES,
    ARTICLE_CUES,
    ARTICLE_LAW_LEADS,
    ARTICLE_PENALTY_CUES,
    ARTICLE_RULE_CUES,
    ASPECTS,
    BEFORE_STEP,
    COUNT_ASKED,
    COUNT_CUES,
    FOLLOW_UP_MARKERS,
    FRAME_WORDS,
    LAW_CUES,
    MANAGER_CUES,
    MATERIALS_CUES,
    MONEY_CUES,
    NEW_TOPIC_MARKERS,
    OUT_OF_SCOPE_CUES,
    OUT_OF_SCOPE_PATTERNS,
    REVIEW_TERM_PATTERN,
    ROUTING_BACK,
    ROUTING_CUES,
    ROUTING_FRAME,
    ROUTING_PATTERNS,
    SANCTION_CUES,
    SEVERAL_OFFICES_CUES,
    SMALL_TALK,
    STEPS,
    TIME_CUES,
    WEAK_CUES,
    WHICH_OF_TWO,
)

_CODE = re.compile(r"[0-9A-Z]{15,}")
CODE_WORDS = ("地方权力编码", "权力编码", "编码", "编号", "代码")
_OUT_OF_SCOPE = re.compile("|".join(OUT_OF_SCOPE_PATTERNS))
_ROUTING = re.compile("|".join(ROUTING_PATTERNS))
_SENTENCES = re.compile(r"[？?。！!；;]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_WHICH_OF_TWO = re.compile(WHICH_OF_TWO)
_ADVICE = re.compile("|".join(ADVICE_PATTERNS))
_REVIEW_TERM = re.compile(REVIEW_TERM_PATTERN)
APPLICATION_TYPES = ("行政许可", "行政确认", "行政登记", "公共服务")

_NUM = f"(?:[0-9]+|[{NUMERAL_CHARS}]+)"
_ARTICLE = re.compile(
    rf"(?:《?(?P<law>[\u4e00-\u9fff]{{2,20}}?)》?)?第(?P<num>{_NUM})条(?:第(?P<para>{_NUM})款)?"
    rf"(?:第[（(]?(?P<item>{_NUM})[)）]?项)?")
# Short names people use for a statute: the name the lists cite it by.
LAW_ALIASES = {"网安法": "网络安全法"}
# A law named by its kind alone (违反规定第十四条): any cited law of that kind, the search decides.
GENERIC_LAWS = ("法", "条例", "规定", "办法", "细则", "决定", "规则", "实施细则", "实施条例")
_KINDS_LONGEST_FIRST = tuple(sorted(GENERIC_LAWS, key=len, reverse=True))  # 实施细则 before 细则
_LEAD = re.compile(".*(?:" + "|".join(ARTICLE_LAW_LEADS) + ")")


@dataclass(frozen=True, slots=True)
class ArticleAsk:
    article: int
    law_hint: str | None  # a fragment of the law's title, or None when unnamed
    paragraph: int | None = None
    item: int | None = None  # 第二项, 第（二）项: one of the cases an article lists


@dataclass(frozen=True, slots=True)
class Intent:
    aspect: str
    column: str
    explicit: bool  # a cue word named the field; otherwise the default
    step: str | None
    article: ArticleAsk | None
    about_manager: bool  # asks about the 主管人员 / 直接责任人员 rather than the unit
    application: bool
    asks_law: bool = False  # which law, not which article
    asks_time: bool = False  # a deadline: 几天, 多久
    asks_count: bool = False  # how many people
    asks_materials: bool = False  # which documents to hand in
    small_talk: bool = False  # 在吗, 讲个笑话, the weather: no list holds it, no follow-up on the item talked about
    asks_money: bool = False  # how much: a fine's amount
    asks_sanction: bool = False  # what happens to the party or the official (罚款, 处分)
    asks_article: bool = False  # which article (第几条)
    article_of: str | None = None  # "penalty" or "rule": which article is asked (see ARTICLE_PENALTY_CUES)
    out_of_scope: bool = False  # asks for a fact no column holds (address, phone, office hours)
    advice: bool = False  # asks for a prediction, a statistic or advice
    review_term: bool = False  # how long one has to seek reconsideration: advice unless a list states it
    asks_office: bool = False  # which office holds the matter (归哪个部门管, 找谁)
    asks_several: bool = False  # for more than one office (分别找谁, 还是找消防)
    # Of the kinds of answer cued ("time", "count", "materials", "money", or "aspect" for the field a
    # cue word names), the one cued last: a question asks at its end (拖过了期限还没改，会罚多少 asks
    # for the sum; 期限 is what happened). None when none is cued.
    last_kind: str | None = None
    # The words naming a step already taken, when the question asks what follows it (立案 in
    # 立案以后接下来是什么); the step asked for is the next one in the list's order, not this one.
    # ``step`` is then the step named, which the item must have; the excerpt wants its neighbour.
    after: str | None = None
    before: str | None = None  # the same for what comes before a step (作出决定之前要先走哪一步)


def articles(text: str) -> list[ArticleAsk]:
    out = []
    for m in _ARTICLE.finditer(text):
        para = to_int(m.group("para")) if m.group("para") else None
        law = m.group("law") or ""
        # A title in 《》 is the law's own name; unbracketed, the sentence runs into it.
        titled = m.group(0).startswith("《") and law.endswith(GENERIC_LAWS)
        item = to_int(m.group("item")) if m.group("item") else None
        out.append(ArticleAsk(to_int(m.group("num")), law if titled else law_name(law), para, item))
    return out


def law_name(words: str) -> str | None:
    """The law a question names before 第X条, as it names it (城镇燃气管理条例, 规定), or None."""
    for alias, full in LAW_ALIASES.items():
        if words.endswith(alias):
            return full
    name = _LEAD.sub("", words)
    return name if name.endswith(GENERIC_LAWS) else None


def names_law(hint: str, law: str, short: bool = False) -> bool:
    """Whether a cited law's title is the one the question names: the same title give or take
    中华人民共和国, or, named by its kind alone (规定), any law of that kind; with ``short``, also
    by a short name (土壤法) or with one character mistyped, which is asked only when no title
    matches (劳动法 is a law of its own, not 劳动合同法)."""
    if hint in GENERIC_LAWS:
        return law.endswith(hint)
    own = law.removeprefix("中华人民共和国")
    return bool(own) and (hint in law or own in hint
                          or (short and (_abbreviates(hint, own) or _one_slip(hint, own))))


def _one_slip(hint: str, title: str) -> bool:
    """The title with one character mistyped (…防护管里办法 for …防护管理办法)."""
    return len(hint) == len(title) >= 6 and sum(a != b for a, b in zip(hint, title, strict=True)) == 1


def _abbreviates(hint: str, title: str) -> bool:
    """A statute's short name: its first character, then characters of its title in order, and
    the same kind (土壤法 for 土壤污染防治法, 环评法 for 环境影响评价法, 固废法 for 固体废物污染环境防治法)."""
    kind = next((k for k in _KINDS_LONGEST_FIRST if hint.endswith(k)), None)
    if kind is None or not title.endswith(kind) or len(hint) <= len(kind) or hint[0] != title[0]:
        return False
    rest = iter(title[:-len(kind)])
    return all(c in rest for c in hint[:-len(kind)])


def recognise(text: str, matter: tuple[str, ...] = ()) -> Intent:
    """The aspect whose longest cue in the text is longest wins (ties: the earlier
    aspect), so "谁来决定" asks about a procedure step, not about who.

    ``matter``: words of the question that name its matter (a list's 恶意程序); a cue inside
    one (程序) is part of a name, not a question about the procedure.
    """
    found = articles(text)
    # 编码 next to a code names the code given (这个编码是哪个事项, 编码…的实施主体), not the column.
    named = (*matter, *(CODE_WORDS if _CODE.search(text.upper()) else ()))
    cued = text
    for word in named:
        cued = cued.replace(word, "＿" * len(word))
    aspect, column, explicit = "fine", "实施依据", False
    longest, aspect_at = 0, -1
    for name, col, cues in ASPECTS:
        length, cue = max(((1 if c in WEAK_CUES else len(c), c) for c in cues if c in cued), default=(0, ""))
        if length > longest:
            aspect, column, explicit, longest = name, col, True, length
            aspect_at = cued.rfind(cue) + len(cue)
    if _CODE.search(text.upper()) and not longest:
        # A code and nothing asked of it (11620500…是哪个事项): the matter it numbers. A code with
        # a question (…罚多少) finds its item by the code and is answered as asked.
        aspect, column, explicit = "name", "事项名称", True
    if aspect == "fine" and found and not any(c in text for c in ("罚款", "罚多少", "多少钱", "后果", "怎么罚")):
        aspect = "basis"
    if aspect == "who" and any(c in text for c in ("主体", "谁来罚", "谁处罚", "谁来处罚", "谁负责")):
        column = "实施主体"
    which_of_two = bool(_WHICH_OF_TWO.search(text))  # 林草局来查还是应急管理局来查
    several = which_of_two or any(c in text for c in SEVERAL_OFFICES_CUES) or _asks_office_twice(text)
    asks_article = any(c in text for c in ARTICLE_CUES)
    step = None
    if aspect == "procedure":
        step = next((s for s, cues in STEPS if any(c in cued for c in cues)), None)
    follows, precedes = AFTER_STEP.search(text), BEFORE_STEP.search(text)
    after = follows.group("done") if follows else None
    before = precedes.group("ahead") if precedes and not follows else None
    count_asked = [m.end() for m in COUNT_ASKED.finditer(text)]
    cued_at = {"time": _last(text, TIME_CUES), "count": max([_last(text, COUNT_CUES), *count_asked]),
               "materials": _last(text, MATERIALS_CUES), "money": _last(text, MONEY_CUES),
               "aspect": aspect_at if explicit else -1}
    last_kind = max(cued_at, key=lambda k: cued_at[k]) if max(cued_at.values()) >= 0 else None
    return Intent(aspect=aspect, column=column, explicit=explicit, step=step,
                  article=found[0] if found else None,
                  about_manager=any(w in text for w in MANAGER_CUES),
                  application=not explicit and any(c in text for c in APPLICATION_CUES),
                  asks_law=any(c in text for c in LAW_CUES),
                  asks_time=cued_at["time"] >= 0,
                  asks_count=cued_at["count"] >= 0,
                  asks_materials=cued_at["materials"] >= 0,
                  small_talk=bool(SMALL_TALK.search(text)),
                  asks_money=cued_at["money"] >= 0,
                  asks_sanction=any(c in text for c in SANCTION_CUES),
                  asks_article=asks_article,
                  article_of=_article_of(text) if asks_article else None,
                  out_of_scope=any(c in text for c in OUT_OF_SCOPE_CUES) or bool(_OUT_OF_SCOPE.search(text)),
                  advice=any(c in text for c in ADVICE_CUES) or bool(_ADVICE.search(text)),
                  review_term=bool(_REVIEW_TERM.search(text)),
                  asks_office=(which_of_two or any(c in text for c in ROUTING_CUES) or bool(_ROUTING.search(text))
                               or (several and any(w in text for w in "谁哪找"))),
                  asks_several=several, last_kind=last_kind, after=after,
                  before=before)


def han_count(text: str) -> int:
    """How many Chinese characters ``text`` holds (what a matter is said in; not its punctuation)."""
    return len(_HAN.findall(text))


def _asks_office_twice(text: str) -> bool:
    """Two sentences each asking who handles something (运输证明去哪办？违规了又是谁来罚？): a matter
    in two parts, each of which may be another office's."""
    asking = 0
    for sentence in _SENTENCES.split(text):
        rest = _ROUTING.sub("", sentence)
        for cue in ROUTING_CUES:
            rest = rest.replace(cue, "")
        # Asked of something of its own (谁来管？找谁？ asks twice of one matter).
        asking += rest != sentence and han_count(rest) >= 4
    return asking >= 2


def _last(text: str, cues: Iterable[str]) -> int:
    """Where the last of ``cues`` in ``text`` ends (-1: none there)."""
    return max((text.rfind(c) + len(c) for c in cues if c in text), default=-1)


def _article_of(text: str) -> str | None:
    """"penalty" or "rule", for a question asking for an article that says which of the two
    (both said, or neither: None)."""
    penalty = any(c in text for c in ARTICLE_PENALTY_CUES)
    rule = any(c in text for c in ARTICLE_RULE_CUES)
    return "penalty" if penalty and not rule else "rule" if rule and not penalty else None


def code(text: str) -> str | None:
    """A power code (地方权力编码) named in the question, as written in lists."""
    m = _CODE.search(text.upper())
    return m.group() if m else None


def is_new_topic(text: str) -> bool:
    return any(m in text for m in NEW_TOPIC_MARKERS)


def has_follow_up_marker(text: str) -> bool:
    return any(m in text for m in FOLLOW_UP_MARKERS)


def points_back(text: str) -> bool:
    """A routing question pointing at a matter described before (这种事, 跟他说了)."""
    return has_follow_up_marker(text) or any(m in text for m in ROUTING_BACK)


def matter_words(words: Iterable[str]) -> frozenset[str]:
    """Of ``words`` (a list's vocabulary), those that hold a cue but are names of a matter:
    what is left without their cue words is a word of its own (恶意程序 is 恶意 + 程序;
    处罚决定 and 调查取证 are cues through and through)."""
    cues = sorted(cue_words(), key=len, reverse=True)
    out = set()
    for w in words:
        if not 3 <= len(w) <= 10 or w in cues or not any(c in w for c in cues):
            continue
        rest = w
        for c in cues:
            rest = rest.replace(c, "")
        if len(rest) >= 2:
            out.add(w)
    return frozenset(out)


def cue_words() -> set[str]:
    """Every cue word: what remains of a question without them is its matter."""
    words = {c for _, _, cues in ASPECTS for c in cues}
    words |= {c for _, cues in STEPS for c in cues}
    words |= {column for _, column, _ in ASPECTS}
    words |= set(ROUTING_CUES) | set(ROUTING_FRAME)
    return words | set(FOLLOW_UP_MARKERS) | set(NEW_TOPIC_MARKERS) | set(FRAME_WORDS)

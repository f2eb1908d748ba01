"""Choose the field and the verbatim excerpt that answer a question, from evidence.

Every sentence-sized candidate of every field of the leading item (and each short
field whole) gets the same features: how much of the question's weight (IDF) it
holds, its share of the question's character pairs, the dense cosine of the clause
it sits in (relative to the item's best), whether it is in the column the question
names, whether it states the kind of answer asked for (an amount, a deadline, a
head count, the body, the step), and a few shape features. One linear score ranks
them; its weights (``ExcerptWeights``) are fitted by ``eval/calibrate.py``.
Nothing here is keyed to one list's wording.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from assistant.answering.excerpt import ARTICLE_NUMBER, SENTENCE_END, Candidate, candidates
from assistant.answering.intent import Intent
from assistant.answering.policy import CALIBRATION, LinearWeights, fitted_weights
from assistant.corpus.numerals import amount
from assistant.types import COLUMNS, Chunk, Clause, FieldValue, Item, Source, Span
from assistant.vocabulary import MANAGER_TERMS, STEPS

FEATURES = ("overlap", "bigrams", "dense", "asked_field", "default_field", "kind", "manager", "step",
            "heading", "length", "short", "kind_after", "field_prob", "unasked_kind", "earlier_overlap",
            "condition", "kind_after_earlier", "header", "head_kind", "next_step")
SHORT_FIELDS = ("事项名称", "子项名称", "权力事项类型", "地方权力编码", "子项地方权力编码", "实施主体", "承办机构",
                "办事层级", "备注")
LONG_FIELDS = ("实施依据", "责任事项", "追责情形")
QUOTE_LIMIT = 220
# A fine is stated in yuan, as a multiple (违法所得一倍以上) or as a share of a sum (处工程合同价款
# 百分之一以上百分之二以下的罚款, 千分之五).
# A multiple may stand alone (处瞒报工资数额2倍的罚款), not only as a range (一倍以上三倍以下); a share
# may be written with the sign (违法所得50%以下).
_MULTIPLE = r"[0-9一二两三四五六七八九十]倍"
_PERCENT = r"[0-9.]+[%％]"
_MONEY = re.compile(r"[0-9零一二两三四五六七八九十百千万]+(?:万)?元|倍以上|倍以下|[百千]分之|"
                    + _MULTIPLE + "|" + _PERCENT)
_AMOUNT = re.compile(r"元(?:以上|以下)|倍以上|万元|[百千]分之[0-9零一二两三四五六七八九十点.]+(?:以上|以下)|"
                     + _MULTIPLE + "(?:的)?罚款|" + _PERCENT + "(?:以上|以下)")
# A time limit, not a date (2016年12月12日 is when a law was passed), nor when a law took effect (自公布
# 之日起施行, in the version note many lists write after a law's title), nor 期限 as one of a list of
# things to publish (公示条件、程序、期限以及…).
_TIME = re.compile(r"(?:[日天]|小时|个月|年)(?:内|以内|之内|后)|工作日|之日起(?!施行)"
                   r"|不少于[^，。；]{0,8}?(?:年|月|日|天)|不得超过[^，。；]{0,8}?(?:年|月|日|天)|最长期限|有效期"
                   r"|(?<![、，,])期限(?![、，,和及])")
# Documents handed in: 申请书, 证明材料, 平面图, 复印件.
_MATERIALS = re.compile(r"材料|申请书|申请表|证明|复印件|图纸|平面图|证件")
_COUNT = re.compile(r"不得少于|[两二三四五]人|[0-9]+人")
# A penalty may be stated by reference to another provision (依照前款规定处罚, 按照《…》第三十条的规定处理):
# the sentence that says so is where the case asked about is punished.
_SANCTION = re.compile(r"罚款|警告|吊销|责令|停业整顿|追究刑事责任|予以处罚|没收|处分|规定(?:予以)?(?:处罚|处理)")
# A law's title (《…条例》, 中华人民共和国…法), not any title (《商品房预售许可证》 is a certificate).
_LAW_TITLE = re.compile(r"《[^《》]{2,40}(?:法|条例|办法|规定|细则|决定|规则|规范|标准|意见|通知|解释|规程|措施|目录"
                        r"|决议)》|中华人民共和国[\u4e00-\u9fff]{2,30}?(?:法|条例)")
# A candidate that opens with a title (after a clause number or a 【法律】 tag) cites the law there;
# a title further on is one the article itself names (依照《治安管理处罚法》处罚).
_OPENS_WITH_TITLE = re.compile(r"\s*(?:\d{1,2}[.．、]\s*)?(?:【[^【】]{1,10}】)?\s*(?:《|中华人民共和国)")
# A rule, not its penalty: what the party must (not) do.
_RULE = re.compile(r"不得|禁止|严禁|应当|必须")
_MARKUP = re.compile(r"<[^<>]*>")
_HAN_PAIR = re.compile(r"(?=([\u4e00-\u9fff]{2}))")
# Which short field answers which aspect.
_ASPECT_FIELDS = {"who": ("承办机构", "实施主体"), "type": ("权力事项类型",), "level": ("办事层级",),
                  "code": ("地方权力编码", "子项地方权力编码"), "name": ("事项名称",)}


@dataclass(frozen=True, slots=True)
class ExcerptWeights(LinearWeights):
    """One weight per feature (see FEATURES); written by eval/calibrate.py."""

    NAMES: ClassVar[tuple[str, ...]] = FEATURES

    @classmethod
    def fitted(cls, path: Path = CALIBRATION) -> ExcerptWeights:
        found = fitted_weights("excerpt", FEATURES, path)
        return cls(*found) if found else DEFAULT


# Before calibration: the question's words and the column it names lead.
DEFAULT = ExcerptWeights((4.0, 2.0, 4.0, 3.0, 1.0, 2.0, 1.0, 1.0, -1.0, -0.2, 0.0, 0.0, 0.0, 2.0, 1.0, 2.0, 0.0,
                         0.0, 0.0, 2.0),
                        "uncalibrated")


@dataclass(frozen=True, slots=True)
class Scored:
    field: str
    candidate: Candidate
    features: tuple[float, ...]
    score: float = 0.0

    @property
    def span(self) -> Span:
        return self.candidate.span


@dataclass(frozen=True, slots=True)
class Context:
    """What the features read about the question, computed once per question."""

    intent: Intent
    words: Mapping[str, float]  # the question's words with their IDF weights
    pairs: frozenset[str]
    cosines: Mapping[str, float]  # chunk id → dense cosine, for the item's chunks
    chunks: tuple[Chunk, ...] = ()  # the item's chunks (their spans place a candidate in a clause)
    cited: tuple[Span, ...] = ()  # where the cited articles begin: a quote may start there
    # Field → the probability that the question asks for it (answering/field_model.py).
    fields: Mapping[str, float] = dataclasses.field(default_factory=dict)
    # A follow-up's conversation: the words of the user's earlier turns, with their IDF weights.
    # 罚款一般按什么算 after 施工许可证还没批下来就先开工了 asks for the sum of the sentence about
    # starting work without the permit, which the follow-up's own words do not name.
    earlier: Mapping[str, float] = dataclasses.field(default_factory=dict)
    # The thresholds the question states (违法经营额不到一万: 10000 below), see ``conditions``.
    conditions: frozenset[tuple[float, str]] = frozenset()


def pairs_of(text: str) -> frozenset[str]:
    return frozenset(m.group(1) for m in _HAN_PAIR.finditer(text))


def pool(item: Item, source: Source, ctx: Context, *, must_contain: Span | None = None) -> list[Scored]:
    """Every candidate of the item with its features. ``must_contain`` keeps only the
    实施依据 candidates inside that span or covering its start (an article asked for by number)."""
    text = source.text
    terms = _Terms.of(ctx)
    named = ctx.intent.after or ctx.intent.before  # the step a question starts from, if it names one
    orders = _order_patterns(named, ctx.intent.after is not None) if named else ()
    out: list[Scored] = []
    for name in (*LONG_FIELDS, *(n for n in item.fields if n not in COLUMNS)):
        fv = item.fields.get(name)
        body = fv.span.of(text) if fv is not None else ""
        if fv is None or blank(body):
            continue
        breaks = tuple(p.start for p in ctx.cited) if name == "实施依据" else ()
        dense = _dense(name, ctx)
        heads = _list_heads(text, fv.clauses)
        following = _neighbours(text, fv.clauses, named, ctx.intent.after is not None) if named else frozenset()
        order = _order_in(body, orders) if orders else None
        for c in _candidates(text, fv, breaks):
            if must_contain is not None and not (name == "实施依据" and _within(c.span, must_contain)):
                continue
            head = heads.get(c.clause.span.start) if c.clause is not None else None
            after = float(named is not None and _after_step(c, text, following, order))
            out.append(Scored(name, c, _features(text, name, c, ctx, terms, dense(c.span), head, after)))
    if must_contain is not None:
        return out
    for name in SHORT_FIELDS:
        fv = item.fields.get(name)
        if fv is None or blank(fv.span.of(text)) or len(fv.span) > QUOTE_LIMIT:
            continue
        c = Candidate(fv.span, None)
        out.append(Scored(name, c, _features(text, name, c, ctx, terms, _dense(name, ctx)(fv.span))))
    return out


def _after_step(c: Candidate, text: str, following: frozenset[int], order: re.Pattern[str] | None) -> bool:
    """Whether a candidate is the step after (or before) the one a question starts from: its clause
    neighbours that step's, or it says the order in words. A heading alone (指导监督责任：) states no
    step, whichever clause it opens."""
    quoted = c.span.of(text)
    if not ((c.clause is not None and c.clause.span.start in following)
            or (order is not None and order.search(quoted) is not None)):
        return False
    return not _MARKUP.sub("", quoted).rstrip().endswith(("：", ":"))


# What a list puts in a cell that has nothing to say (/, —, －), markup aside: no answer to quote.
# Matched in place (a long 实施依据 fails at its first character), not after stripping the markup.
_PLACEHOLDER = re.compile(r"(?:<[^<>]*>|[\s/／\\\-－—–_·.。、])*")


def states_sum(text: str) -> bool:
    """Whether ``text`` states a sum other than a penalty's: a sentence with a sum and no sanction
    (临时用地补偿费每亩…元, not 处五万元以上十万元以下罚款)."""
    return any(_MONEY.search(s) and not _SANCTION.search(s) for s in SENTENCE_END.split(text))


# A length of time in figures (十五日内, 3个工作日, ５日内, 六个月), a frequency (每年1次) or 永久, not a
# date (2016年12月12日, 5月24日): the lists keep full-width digits as published.
_DIGIT = "0-9０-９零一二两三四五六七八九十百"
_DATE = re.compile(r"(?:(?:[0-9０-９]{4}|[〇零一二三四五六七八九]{4})年)?[0-9０-９一二三四五六七八九十]{1,2}月"
                   r"(?:[0-9０-９一二三四五六七八九十]{1,3}日)?|(?:[0-9０-９]{4}|[〇零一二三四五六七八九]{4})年")
_DURATION = re.compile(f"[{_DIGIT}]+(?:个)?(?:工作日|日|天|小时|个月|月|年|周)|每(?:年|季度|月|周|天|日)|永久")


def states_duration(text: str) -> bool:
    """Whether ``text`` states a length of time in figures (十五个工作日内), dates aside."""
    return _DURATION.search(_DATE.sub("", text)) is not None


def states_penalty_sum(text: str) -> bool:
    """Whether ``text`` states a penalty's sum (处五万元以上十万元以下罚款)."""
    return any(_AMOUNT.search(s) and _SANCTION.search(s) for s in SENTENCE_END.split(text))


def blank(cell: str) -> bool:
    """An empty cell, or one holding only a placeholder mark (申请材料: /). 无 and 否 are answers."""
    return _PLACEHOLDER.fullmatch(cell) is not None


@functools.lru_cache(maxsize=4096)
def _candidates(text: str, fv: FieldValue, breaks: tuple[int, ...]) -> tuple[Candidate, ...]:
    """A field's candidates depend on its text alone, and the leading items recur."""
    return tuple(candidates(text, fv, breaks))


@functools.lru_cache(maxsize=4096)
def _list_heads(text: str, clauses: tuple[Clause, ...]) -> dict[int, str]:
    """For each clause that is an entry of a list ((一)…; (二)…), by its start, the provision that
    opens the list (有下列行为之一的，…处五万元以上五十万元以下罚款：): what the entry's case leads
    to is stated there, not in the entry."""
    out: dict[int, str] = {}
    head: str | None = None
    for clause in clauses:
        body = clause.span.of(text)
        if clause.label.startswith(("（", "(")) and head is not None:
            out[clause.span.start] = head
            continue
        head = body if _MARKUP.sub("", body).rstrip().endswith(("：", ":")) else None
    return out


def _step_head(text: str, clause: Clause) -> str:
    """A clause's heading: its words before the first colon (立案责任：…, 2.受理阶段：…), else its start."""
    return re.split(r"[：:]", clause.body.of(text)[:16], maxsplit=1)[0]


def _step_names(named: str) -> tuple[str, ...]:
    """How a list may name the step in the words ``named``: each run of two to six of their
    characters, longest first and, of one length, the later first. The step sits inside the words,
    with the question's own words around it (那告知, 调查取证做, 约谈、听证这些都走, 处罚决定定下来),
    and a split verb is read whole too (立完案 names 立案)."""
    out: dict[str, None] = {}
    for words in (named, named.replace("完", "")):
        for size in range(min(6, len(words)), 1, -1):
            for start in range(len(words) - size, -1, -1):
                out.setdefault(words[start:start + size])
    return tuple(out)


def step_named(named: str, text: str, clauses: tuple[Clause, ...]) -> str | None:
    """The list's own name for the step the words ``named`` name (那告知以后 → 告知), as a heading of
    ``clauses`` has it (告知阶段：…), or None: the words elsewhere in the text (当事人) name no step."""
    heads = [_step_head(text, c) for c in clauses]
    return next((name for name in _step_names(named) if any(name in h for h in heads)), None)


@functools.lru_cache(maxsize=1024)
def _neighbours(text: str, clauses: tuple[Clause, ...], named: str, after: bool) -> frozenset[int]:
    """The starts of the clauses right after (``after``) or right before the one whose heading
    names the step ``named`` (see _step_names): what comes next, or first, is the list's
    neighbouring clause, whatever the list calls its steps."""
    heads = [_step_head(text, c) for c in clauses]
    # Steps are numbered alike and upwards: an unnumbered heading after a numbered clause, or
    # numbers starting again (指导监督责任：1.…), open another part of the duties, not the next step.
    pairs = [(a, b) for a, b in itertools.pairwise(zip(heads, clauses, strict=True))
             if bool(a[1].label) == bool(b[1].label)
             and (a[1].number is None or b[1].number is None or b[1].number > a[1].number)]
    for words in _step_names(named):
        if after:  # the clause after the step's own
            out = frozenset(b.span.start for (ha, _), (hb, b) in pairs if words in ha and words not in hb)
        else:
            out = frozenset(a.span.start for (ha, a), (hb, _) in pairs if words in hb and words not in ha)
        if out:
            return out
    return frozenset()


@functools.lru_cache(maxsize=256)
def _order_patterns(named: str, after: bool) -> tuple[re.Pattern[str], ...]:
    """Sentences saying what is done after (谈话结束后制作…, 在接受备案后10日内) or before (颁发许可证前，
    应当与…协商) the step ``named``, one pattern per way of naming it (see _step_names), in order of
    preference. Empty when the words name no step."""
    marker = "(?:后|之后|以后)" if after else "(?:前|之前|以前)"
    return tuple(re.compile(re.escape(name) + r"[^，,。；;]{0,4}?" + marker) for name in _step_names(named))


def _order_in(text: str, patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str] | None:
    """The most preferred of ``patterns`` that a field's text holds: the field's own name for the
    step (a shorter one, 申请, would match what follows any application)."""
    return next((p for p in patterns if p.search(text)), None)


def _within(span: Span, extent: Span) -> bool:
    """A candidate of an article asked by number: one that starts inside the article's extent, or
    covers its start."""
    return extent.start <= span.start < extent.end or span.start <= extent.start < span.end


def _dense(name: str, ctx: Context) -> Callable[[Span], float]:
    """For spans of field ``name``: the cosine of the chunk (clause or paragraph) a span starts
    in, else the field's best, else the item's lowest; less the item's best (0 without a model)."""
    if not ctx.cosines:
        return lambda span: 0.0
    best = max(ctx.cosines.values())
    of_field = [(c.span, ctx.cosines[c.chunk_id]) for c in ctx.chunks
                if c.field == name and c.chunk_id in ctx.cosines]
    fallback = max((cos for _, cos in of_field), default=min(ctx.cosines.values()))

    at_start: dict[int, float] = {}  # candidates share starts (a sentence, then runs from it)

    def relative(span: Span) -> float:
        found = at_start.get(span.start)
        if found is None:
            inside = [cos for sp, cos in of_field if sp.start <= span.start < sp.end]
            found = at_start[span.start] = max(inside, default=fallback) - best
        return found

    return relative


@dataclass(frozen=True, slots=True)
class _Terms:
    """What every candidate's features read of the question, computed once per question."""

    words: tuple[tuple[str, float], ...]
    total: float
    strong: tuple[str, ...]  # words weighing at least half the heaviest (see _kind_after)
    pairs: tuple[str, ...]
    earlier: tuple[tuple[str, float], ...]
    earlier_total: float
    earlier_strong: tuple[str, ...]  # the earlier turns' strongest words (see kind_after_earlier)

    @classmethod
    def of(cls, ctx: Context) -> _Terms:
        return cls(tuple(ctx.words.items()), sum(ctx.words.values()), _strongest(ctx.words), tuple(ctx.pairs),
                   tuple(ctx.earlier.items()), sum(ctx.earlier.values()), _strongest(ctx.earlier))


def _strongest(words: Mapping[str, float]) -> tuple[str, ...]:
    """The words weighing at least half the heaviest."""
    top = max(words.values(), default=0.0)
    return tuple(t for t, w in words.items() if w >= 0.5 * top)


def _features(text: str, name: str, c: Candidate, ctx: Context, terms: _Terms, dense: float,
              head: str | None = None, after: float = 0.0) -> tuple[float, ...]:
    s = c.span.of(text)
    intent = ctx.intent
    total = terms.total
    overlap = sum([w for t, w in terms.words if t in s]) / total if total else 0.0
    bigrams = len([p for p in terms.pairs if p in s]) / len(terms.pairs) if terms.pairs else 0.0
    earlier = (sum([w for t, w in terms.earlier if t in s]) / terms.earlier_total) if terms.earlier_total else 0.0
    condition = _condition(ctx.conditions, _stated_conditions(s)) if ctx.conditions else 0.0
    asked = float(intent.explicit and name == intent.column)
    default = float(not intent.explicit and name == "实施依据")
    kind = _kind(s, name, c, ctx)
    # A question that names no kind of answer (安全信息卡上要写哪些信息) is read as asking what
    # happens, so a sentence stating a fine counts as its kind; how much that should count is not
    # what it counts for a question that asks for the fine, so it is a feature of its own.
    unasked = not _names_a_kind(intent)
    unasked_kind, kind = (kind, 0.0) if unasked else (0.0, kind)
    # An entry of a list whose opening provision states what is asked (the fine for every case
    # listed) does not: how much more the opening states than the entry.
    head_kind = max(0.0, _kind(head, name, c, ctx) - kind) if head is not None and not unasked else 0.0
    manager = 0.0
    if _Marks.of(s).manager:
        manager = 1.0 if intent.about_manager else -1.0
    step = 0.0
    if intent.step is not None and c.clause is not None and intent.after is None and intent.before is None:
        # The step's own heading: the clause's words before its first colon (立案责任：…).
        head = _step_head(text, c.clause)
        words = next((cues for st, cues in STEPS if st == intent.step), ())
        step = float(intent.step in head or any(w in head for w in words))
    heading = float(s.rstrip().rstrip("”\"’'）)").endswith(("：", ":")))
    return (overlap, bigrams, dense, asked, default, kind, manager, step, heading, len(s) / QUOTE_LIMIT,
            float(name in SHORT_FIELDS), _kind_after(s, name, c, ctx, terms.strong), ctx.fields.get(name, 0.0),
            unasked_kind, earlier, condition,
            # A follow-up (这个怎么处罚) names the conduct in an earlier turn: the consequence of that.
            _kind_after(s, name, c, ctx, terms.earlier_strong) if terms.earlier_strong else 0.0,
            _header_share(name, terms.pairs), head_kind, after)


@dataclass(frozen=True, slots=True)
class _Marks:
    """What a sentence states, whatever is asked: read once per distinct text (the same
    items' sentences come back question after question), not once per question."""

    time: bool
    count: bool
    materials: bool
    amount: bool
    sanction: bool
    money: bool
    law: bool
    opens_with_title: bool
    numbered: bool
    manager: bool
    rule: bool

    @staticmethod
    @functools.lru_cache(maxsize=65536)
    def of(s: str) -> _Marks:
        return _Marks(bool(_TIME.search(s)), bool(_COUNT.search(s)), bool(_MATERIALS.search(s)),
                      bool(_AMOUNT.search(s)), bool(_SANCTION.search(s)), bool(_MONEY.search(s)),
                      bool(_LAW_TITLE.search(s)), bool(_OPENS_WITH_TITLE.match(s)),
                      bool(ARTICLE_NUMBER.search(s)), any(t in s for t in MANAGER_TERMS), bool(_RULE.search(s)))


# A threshold: 不足1万元, 不到一万块, 超过5000, 一万元以上. Lists state a sub-case of a penalty so
# (货值金额不足一万元的，…；货值金额一万元以上的，…), and a question about one names it the same way.
_NUMBER = r"(?P<num>[0-9]+(?:\.[0-9]+)?[十百千万亿]*|[零一二两三四五六七八九十百千万亿]+)"
_CONDITION = re.compile(r"(?P<pre>不足|不到|少于|低于|未满|不满|没到|没有到|没超过|没有超过|未超过|不超过"
                        r"|超过|超出|多于|高于|大于|达到|满)?" + _NUMBER
                        + r"(?:元|块钱|块|人民币)?(?P<post>以上|以下|以内|多)?")
_BELOW = ("不足", "不到", "少于", "低于", "未满", "不满", "没到", "没有到", "没超过", "没有超过", "未超过", "不超过",
          "以下", "以内")


# Whether the conduct is a crime: lists state both cases (构成犯罪的，依法追究刑事责任；尚不构成犯罪的，
# 依法给予…处分), and a question naming one (失职但不构成犯罪怎么处理) asks for that one. Both share the words.
_NO_CRIME = re.compile(r"(?:不|没有?|未|尚未)(?:构成|够成|够)(?:犯罪|刑事处罚|刑事责任)|够不上(?:犯罪|刑事)")
_CRIME = re.compile(r"构成犯罪|追究刑事责任|够刑事处罚")  # as a question says it
_CRIME_CASE = re.compile(r"构成犯罪|够刑事处罚")  # as a list states the case
CRIME, NO_CRIME = (-1.0, "crime"), (-1.0, "no crime")
# Gains said plainly: 一分钱还没挣到 is the case 没有违法所得的; 挣了差不多六千块 falls in 违法所得不足1万元的.
_NO_GAIN = re.compile(r"(?:没|没有|未)(?:挣|赚|获利)|(?:一分钱|分文)[^，。？?]{0,4}没有?(?:挣|赚)|(?:没有|无)违法所得")
_GAIN = re.compile(r"(?:挣|赚|获利|违法所得)(?:了|到了|到)?(?:差不多|大概|大约|约|将近|近|才|有)?" + _NUMBER
                   + r"(?:多)?(?:元|块钱|块|人民币)?")
NO_GAIN = (0.0, "no gain")
# Cases a phrase states by its words alone, and the mark each gets.
_MARKED = ((_NO_CRIME, NO_CRIME), (_NO_GAIN, NO_GAIN))


def conditions(text: str, *, stated: bool = False) -> frozenset[tuple[float, str]]:
    """Each threshold in ``text`` as (value, "below" | "above"); whether it is a crime (CRIME, NO_CRIME) or
    gained nothing (NO_GAIN); in a question, a sum earned as (value, "at"). ``stated``: only those a
    list states as a case, whose phrase ends in 的 (货值金额不足一万元的, 尚不构成犯罪的), not a penalty's
    bounds (处1万元以上5万元以下罚款)."""
    out = set()
    for pattern, mark in _MARKED:
        if any(not stated or _ends_case(text, m.end()) for m in pattern.finditer(text)):
            out.add(mark)
    # 构成犯罪 not negated (不构成犯罪 holds it too); a question naming both sides asks for the lesser.
    if any(not _NO_CRIME.search(text[max(0, m.start() - 3):m.end()]) and (not stated or _ends_case(text, m.end()))
           for m in (_CRIME_CASE if stated else _CRIME).finditer(text)) and (stated or NO_CRIME not in out):
        out.add(CRIME)
    if not stated:
        for m in _GAIN.finditer(text):
            try:
                out.add((amount(m.group("num")), "at"))
            except ValueError:
                continue
    for m in _CONDITION.finditer(text):
        side = m.group("pre") or m.group("post")
        if not side:
            continue
        if stated and not _ends_case(text, m.end()):
            continue
        try:
            value = amount(m.group("num"))
        except ValueError:
            continue
        if value >= 100:  # sums, not 两个月 or 三人
            out.add((value, "below" if side in _BELOW else "above"))
    return frozenset(out)


def _condition(asked: frozenset[tuple[float, str]], stated: frozenset[tuple[float, str]]) -> float:
    """1 when the sentence states a case the question names (不足一万元的, 尚不构成犯罪的); -1 when it
    states only the other side of whether it is a crime (构成犯罪的… asked 不构成犯罪怎么处理)."""
    if asked & stated:
        return 1.0
    bounds = [(v, side) for v, side in stated if side in ("below", "above")]
    if bounds and any(side == "at" and all(at < v if b == "below" else at >= v for v, b in bounds)
                      for at, side in asked):
        return 1.0  # the sum the question states falls in the case (挣了六千 in 违法所得不足1万元的)
    for mine, other in ((CRIME, NO_CRIME), (NO_CRIME, CRIME)):
        if mine in asked and other in stated:
            return -1.0
    return 0.0


def _ends_case(text: str, at: int) -> bool:
    """The phrase from ``at`` to the next stop ends in 的: a case the list states."""
    return re.split(r"[，,；;。：:]", text[at:], maxsplit=1)[0].endswith("的")


@functools.lru_cache(maxsize=65536)
def _stated_conditions(s: str) -> frozenset[tuple[float, str]]:
    return conditions(s, stated=True)


def _names_a_kind(intent: Intent) -> bool:
    """The question's words name the kind of answer it wants (a column, a fine, a deadline …)."""
    return (intent.explicit or intent.asks_time or intent.asks_count or intent.asks_materials or intent.asks_money
            or intent.asks_law or intent.asks_article or intent.asks_sanction)


@functools.lru_cache(maxsize=512)
def _header_pairs(name: str) -> frozenset[str]:
    return pairs_of(name)


def _header_share(name: str, pairs: tuple[str, ...]) -> float:
    """How much of the column's own header the question says (追责对象有哪些 and 追责对象范围, 申请材料,
    法定期限): each office names its columns its own way, and a question naming one asks for it."""
    header = _header_pairs(name)
    return len([p for p in pairs if p in header]) / len(header) if header else 0.0


def _kind_after(s: str, name: str, c: Candidate, ctx: Context, words: tuple[str, ...]) -> float:
    """The kind of answer asked for, stated in the sentence where the question's strongest words
    last occur or after it: a provision names the conduct, then its consequence (…放映广告的，由…
    给予警告；情节严重的，处一万元以上…罚款), so a window that stops before the consequence, or whose
    sum belongs to an earlier conduct, does not answer. 0 when none of those words (``words``) is in it."""
    strong = [t for t in words if t in s]
    if not strong:
        return 0.0
    last = max(s.rfind(t) for t in strong)
    start = max(s.rfind(mark, 0, last) for mark in ("。", "；", ";")) + 1
    return _kind(s[start:], name, c, ctx)


def _kind(s: str, name: str, c: Candidate, ctx: Context) -> float:
    """1 when the candidate states the kind of answer the question asks for."""
    intent = ctx.intent
    m = _Marks.of(s)
    # The kind cued last is the one asked (拖过了期限还没改，会罚多少); the field a cue word names,
    # cued last, comes before any kind cued in passing (超过期限了归哪个科室管).
    last = intent.last_kind
    if last == "time":
        return float(m.time)
    if last == "count":
        return float(m.count)
    if last == "materials":
        return float(m.materials)
    if last == "money":
        # The sum a sanction states (处五万元以上…罚款), not any sum (奖金超过五万元).
        return 1.0 if m.amount and m.sanction else 0.5 if m.money else 0.0
    if intent.aspect in _ASPECT_FIELDS:
        return float(name in _ASPECT_FIELDS[intent.aspect])
    if intent.article_of is not None and not intent.asks_law:
        # Asked for the penalty's article or the rule's (违反哪一款 reads as a fine's question too):
        # the other kind of article counts half.
        if name != "实施依据" or not m.numbered:
            return 0.0
        if intent.article_of == "penalty":
            return 1.0 if m.sanction else 0.5
        return 1.0 if m.rule and not m.sanction else 0.5
    if intent.aspect == "fine":
        return 1.0 if m.amount else 0.5 if m.sanction else 0.0
    if intent.aspect == "basis" or intent.asks_law or intent.asks_article:
        if name != "实施依据":
            return 0.0
        # Read from the text itself: lists other than the seed cite without a parsable pattern.
        titled = 1.0 if m.law and m.opens_with_title else 0.5 if m.law else 0.0
        numbered = m.numbered
        if intent.asks_law and not intent.asks_article:
            return titled
        if intent.asks_article and not intent.asks_law:
            return float(numbered)
        return 0.5 * titled + 0.5 * numbered
    if intent.aspect == "accountability":
        if name != "追责情形":
            return 0.0
        # Asked what befalls the official: the sentence that states the 处分, not the duty breached.
        return 1.0 if not intent.asks_sanction or m.sanction else 0.5
    if intent.aspect == "procedure":
        return float(name == "责任事项")
    return 0.0


def rank(scored: list[Scored], weights: ExcerptWeights) -> list[Scored]:
    """Best first; ties go to the shorter candidate."""
    out = [Scored(s.field, s.candidate, s.features, weights.score(s.features)) for s in scored]
    return sorted(out, key=lambda s: (-s.score, len(s.span)))


def choose(ranked: list[Scored], n: int = 3) -> list[Scored]:
    """The best candidate, then up to ``n - 1`` more of the same field that do not overlap it."""
    if not ranked:
        return []
    chosen = [ranked[0]]
    for s in ranked[1:]:
        if len(chosen) == n:
            break
        if s.field == chosen[0].field and all(s.span.end <= o.span.start or o.span.end <= s.span.start
                                              for o in chosen):
            chosen.append(s)
    return chosen

"""``Assistant.ask(message, history) -> Answer``: one path for the CLI, the app and eval.

The conversation's focus is read from the history on every call (the item the
assistant's last answer named), so the server keeps no per-user state. A follow-up
that names no matter of its own keeps the focus item and changes only the field asked.
"""

from __future__ import annotations

import copy
import html
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from assistant.answering import compose as answer
from assistant.answering import follow_vote, intent, rerank, routing, select
from assistant.answering.clean import MAX_QUERY, clean
from assistant.answering.evidence import ListWords, best_cosine, follow_evidence, gather, maximal
from assistant.answering.field_model import FIELD_ASPECTS, FieldModel, Overrule
from assistant.answering.follow_vote import FollowVote
from assistant.answering.policy import Evidence, FollowRefusal, FollowUp, RefusalPolicy
from assistant.answering.query import Query, Understander, normalise
from assistant.answering.scope import ListNames
from assistant.answering.statute_notes import annotate
from assistant.corpus.catalogue import Catalogue
from assistant.corpus.numerals import NUMERAL_CHARS, to_chinese
from assistant.errors import BadQueryError
from assistant.index import probe
from assistant.index.retriever import Retriever
from assistant.statutes.library import Library
from assistant.types import Answer, ItemHit, Span
from assistant.vocabulary import COMMON_WORDS, DURATION_CUES, MANAGER_TERMS, PENALTY_WORDS, REVIEW_TERM_STATED

log = logging.getLogger(__name__)
HISTORY_TURNS = 4  # earlier user turns that can set the focus
K = 5
NO_APPLICATIONS = "这份清单只列处罚和监督检查等事项，没有许可、备案等办理流程。"
NO_SUCH_FACTS = "权责清单不含地址、电话、办公时间、人员、收费、价格、考试报名和以往案件记录等信息。"
NO_ADVICE = "权责清单只列职权与责任，不作诉讼或复议结果预测、统计、赔偿与待遇金额、复议期限或缴款方式等法律意见。"


@dataclass(frozen=True, slots=True)
class Turn:
    hits: list[ItemHit]
    focus: tuple[str, ...]
    intent: intent.Intent
    tokens: list[str]
    article_span: Span | None
    refusal: str | None
    route: str = "search"  # search | article | code | follow: how the leading item was found
    earlier: str = ""  # a follow-up's earlier user turns (the matter its excerpt is read against)


@dataclass(frozen=True, slots=True)
class Decision:
    """What the policy made of a turn (Assistant._decide)."""

    turn: Turn
    ask: intent.Intent
    ranked: list[select.Scored]
    evidence: Evidence | None
    refuse: bool
    confidence: str
    p: float


class Assistant:
    def __init__(self, catalogue: Catalogue, retriever: Retriever, *, library: Library | None = None,
                 policy: RefusalPolicy | None = None,
                 excerpt_weights: select.ExcerptWeights | None = None,
                 item_weights: rerank.ItemWeights | None = None, follow: FollowUp | None = None,
                 routing_weights: routing.RoutingWeights | None = None,
                 routing_policy: RefusalPolicy | None = None,
                 follow_refusal: FollowRefusal | None = None, follow_vote: FollowVote | None = None) -> None:
        self.catalogue = catalogue
        self.problems: tuple[str, ...] = ()  # list files left out when loading (bad or empty)
        self.library = library
        self.retriever = retriever
        self.tokenize = retriever.index.lexical.tokenize
        self.policy = policy or RefusalPolicy.fitted()
        self.excerpt_weights = excerpt_weights or select.ExcerptWeights.fitted()
        self.item_weights = item_weights or rerank.ItemWeights.fitted()
        self.follow = follow or FollowUp.fitted()
        self.follow_refusal = follow_refusal or FollowRefusal.fitted()
        self.follow_vote = follow_vote or FollowVote.fitted()
        self.routing = routing_weights or routing.RoutingWeights.fitted()
        self.routing_policy = routing_policy or RefusalPolicy.fitted(section="routing_policy")
        embedder = retriever.embedder
        # Read only with the vectors of the model it was fitted for (see answering/field_model.py).
        self.field_model: FieldModel | None = FieldModel.fitted(embedder.name) if embedder is not None else None
        self.overrule = Overrule.fitted()
        # The field model's probabilities by question text, for the model they were computed with
        # (calibration swaps models on a live assistant).
        self._field_probs: tuple[FieldModel | None, dict[str, dict[str, float]]] = (None, {})
        # Read without the layout's spaces and breaks: merged cells give 行政 确认 and 行政许可 行政许可.
        self._kinds = {key: "".join(item.value(catalogue.source(item), "权力事项类型").split())
                       for key, item in catalogue.items.items()}
        self.words = ListWords(catalogue, retriever)
        names = (item.value(catalogue.source(item), column) for item in catalogue.items.values()
                 for column in ("事项名称", "子项名称"))
        self.understander = Understander(self.tokenize, self.words.counts, names)
        self.list_names = ListNames(catalogue.offices)
        # Statute titles the lists name (《…》), to refuse a question about another law by name.
        self._titles = {t for src in catalogue.sources.values() for t in _TITLE.findall(src.text)}
        self._application_ok = any(t in kind for kind in self._kinds.values() for t in intent.APPLICATION_TYPES)
        # Whether a served list states how long one has to seek reconsideration (消防's 诉求渠道 does).
        self._states_review_term = any(re.search(REVIEW_TERM_STATED, src.text) for src in catalogue.sources.values())

    def ask(self, message: object, history: Sequence[dict] | None = None,
            lists: Sequence[str] | None = None) -> Answer:
        return self.explain(message, history, lists)[0]

    def unknown_lists(self, list_ids: Iterable[str]) -> list[str]:
        """Those of ``list_ids`` that no served list has, sorted (the edges word the error)."""
        return sorted(set(list_ids) - set(self.catalogue.sources))

    def scoped(self, list_ids: frozenset[str]) -> Assistant:
        """The same assistant answering from the lists ``list_ids`` only (itself for all)."""
        retriever = self.retriever.scoped(list_ids)
        if retriever is self.retriever:
            return self
        other = copy.copy(self)
        other.retriever = retriever
        return other

    def explain(self, message: object, history: Sequence[dict] | None = None,
                lists: Sequence[str] | None = None) -> tuple[Answer, list[select.Scored]]:
        """The answer and every excerpt candidate it was chosen from, scored (best first;
        empty when refused): what eval/calibrate.py fits the excerpt weights on.

        ``lists``: answer from these lists only (their ids); otherwise from the lists the
        question names by office or place (市场监管局, 天水), otherwise from all.

        Raises:
            ValueError: ``lists`` names a list that is not served.
        """
        try:
            text, notices = clean(message)
        except BadQueryError as e:
            return answer.refuse("", [], e.reason), []
        unknown = self.unknown_lists(lists or ())
        if unknown:
            raise ValueError(f"no such list: {', '.join(unknown)} "
                             f"(served: {', '.join(sorted(self.catalogue.sources))})")
        if not self.retriever.scope:
            # Office names read like the question is read (全角, 繁体: 網信辦 is 网信办).
            said = normalise(text)[0]
            # Offices offered to choose between (人社管还是住建管) are each read, with any other named.
            scope = frozenset(lists or ()) or self.list_names.named(said) | self.list_names.choice(said)
            narrowed = self.scoped(scope)
            if narrowed is not self:
                return narrowed.explain(message, history, sorted(scope))
        query = self.understander.understand(text)
        notices = (*notices, *query.changes)
        text = query.text
        focus = self._focus(history)
        query = self._offered(query)
        if self._routes(query):
            return self._route(query, focus, notices, earlier_matter(history)), []
        query = self._matter_of(query)
        turn = self._resolve(query, focus, earlier_matter(history, HISTORY_TURNS) if focus else "")
        warning = self.retriever.warning
        if turn.refusal is None and not turn.hits:
            turn = replace(turn, refusal=answer.REFUSAL)
        unknown = self._uncited_law(query.laws)
        if unknown is not None:  # said by name, whatever else would refuse it (no item cites 第66条 of it)
            turn = replace(turn, refusal=f"清单未引用《{unknown}》，无法回答与它有关的问题。")
        if turn.route == "follow":
            turn = replace(turn, earlier=earlier_matter(history, FOLLOW_TURNS))
            if turn.focus and turn.focus[0] != focus[0]:
                # Asked as a follow-up, answered on another item: said, so no one reads it as more
                # of the last answer's.
                notices = (*notices, f"上一条回答的是「{self.catalogue.name(self.catalogue.items[focus[0]])}」，"
                                     "这个追问按对话内容答的是另一事项。")
        decided = self._decide(query, turn)
        turn, ask, ranked, evidence = decided.turn, decided.ask, decided.ranked, decided.evidence
        refuse, confidence, p = decided.refuse, decided.confidence, decided.p
        if turn.refusal is None and refuse:
            turn = replace(turn, refusal=answer.REFUSAL)
        if turn.refusal is not None:
            # Small talk refused is offered no items: none of them is what it was about.
            offered = [] if query.intent.small_talk else turn.hits
            return replace(answer.refuse(text, offered, turn.refusal, warning=warning, notices=notices),
                           evidence=evidence.values if evidence else {}, probability=p), []
        empty = (self._empty_column(turn) or self._sum_unstated(query, turn, ranked, history if focus else None)
                 or self._duration_unstated(query, turn, ranked))
        if empty is not None:
            return replace(answer.refuse(text, turn.hits, empty, warning=warning, notices=notices),
                           evidence=evidence.values if evidence else {}, probability=p), []
        result = answer.compose(self.catalogue, text, turn.hits, ask, turn.tokens,
                                article_span=turn.article_span, warning=warning, notices=notices,
                                selection=select.choose(ranked, 1 + answer.ALTERNATIVES) or None)
        if self.library is not None and result.focus:
            item = self.catalogue.items[result.focus[0]]
            asked = turn.intent.article.article if turn.intent.article else None
            extra, notes = annotate(self.catalogue, item, self.library,
                                    result.quotes[0] if result.quotes else None, asked)
            result = replace(result, quotes=(*result.quotes, *extra), statute_notes=tuple(notes))
        return replace(result, notices=(*result.notices, answer.NOTICE), confidence=confidence,
                       evidence=evidence.values if evidence else {}, probability=p), ranked

    def searched(self, text: str) -> Query | None:
        """The query a first question is searched and re-ranked with, or None when a rule decides
        its item instead (a code or an article named, a routing question, a rule's refusal): what
        the re-ranker is fitted on (``calibration.collect_items``) is what it decides when served.
        Small talk and every application question are left out too (a few; the policy often
        refuses them)."""
        try:
            query = self.understander.understand(clean(text)[0])
        except BadQueryError:
            return None
        query = self._offered(query)
        ask = query.intent
        if self._routes(query) or query.code is not None or ask.article is not None or ask.small_talk \
                or ask.application or self._rule_refusal(ask) is not None:
            return None
        return self._matter_of(query)

    def _offered(self, query: Query) -> Query:
        """The query asking which offices, each of them answered, when it offers offices to choose
        between (是人社管还是住建管)."""
        if not self.list_names.choice(query.text):
            return query
        return replace(query, intent=replace(query.intent, asks_office=True, asks_several=True))

    def _routes(self, query: Query) -> bool:
        """Whether the question is answered by office (which office holds this matter)."""
        return query.intent.asks_office and query.code is None and query.intent.article is None \
            and len(self.served_offices()) > 1

    def _rule_refusal(self, ask: intent.Intent) -> str | None:
        """The refusal a rule gives whatever the lists hold: an application where no item is a
        permit, facts no column holds, advice."""
        if ask.application and not self._application_ok:
            return NO_APPLICATIONS
        if ask.out_of_scope:
            return NO_SUCH_FACTS
        if ask.advice or (ask.review_term and not self._states_review_term):
            return NO_ADVICE
        return None

    def _matter_of(self, query: Query) -> Query:
        """The question searched, read and quoted without the served office or place it names
        (养羊的在饮水里掺瘦肉精，农业局怎么罚): every item of that office's list is the office's, so
        its name tells none apart, and its words (农业, 管理) pull items that merely mention the office
        above the one about the matter. Kept whole when little else is left (网信办管什么)."""
        bare = self.words.unaddressed(query.text)
        if bare == query.text:
            return query
        bare = _GAPS.sub("，", bare).strip("，")
        if intent.han_count(bare) < MATTER_CHARS:
            return query
        return self.understander.reworded(query, bare)

    def _decide(self, query: Query, turn: Turn) -> Decision:
        """The column asked, the excerpt candidates, the evidence and the policy's reading of a
        turn: refused or not, how sure."""
        text = query.text
        ask, ranked, evidence = self._read(query, turn)
        refuse, confidence, p = (self.policy.decide(evidence) if evidence is not None
                                 else (False, "likely", 0.0))
        if confidence == "sure" and turn.route == "search" and not self._specific(self.words.matter(text)):
            # A question naming no particular matter (个人罚多少) cannot be sure which item it means,
            # however well one item's words fit it.
            confidence = "likely"
        if confidence == "sure" and (query.intent.after or query.intent.before or query.intent.last_kind == "time"):
            # Which of an item's steps or time limits answers is what the sure model cannot tell (a
            # procedure states several): on the tuning sets, time questions called sure were right
            # 9 of 11 times, the others 223 of 227.
            confidence = "likely"
        if turn.route in ("article", "code"):
            # Found by the exact number the question names: never refused, and not certain either.
            # The item is, but not the quote: on the tuning questions naming an article, 0.69 of the
            # answers held what was asked (4 of 5 for an article one item cites, asked nothing finer);
            # naming a code, 0.44 (0.71 for "which item is this", after the code stopped counting as
            # a question about the 编码 column).
            refuse, confidence = False, "likely"
        elif turn.route == "follow" and evidence is not None:
            # The conversation names the item, so weak evidence does not refuse it; a question
            # about something else (今天天气怎么样 after 木马程序怎么罚) is refused.
            evidence = follow_evidence(self.words, text, query.intent.explicit, evidence)
            refuse = self.follow_refusal.decide(evidence)[0]
            # The sure cut is fitted on questions asked on their own: on the tuning sets, questions
            # asked after earlier turns that it called sure were right 44 times of 52 (0.85), those
            # asked on their own 77 of 78.
            confidence = "likely"
            if refuse:  # about something else: the conversation's item is no suggestion for it
                turn = replace(turn, hits=[])
        return Decision(turn, ask, ranked, evidence, refuse, confidence, p)

    def _read(self, query: Query, turn: Turn) -> tuple[intent.Intent, list[select.Scored], Evidence | None]:
        """The column asked, the leading item's excerpt candidates, and the evidence the refusals read
        (None without hits)."""
        ask = self._field_read(self.asked(turn), query.text, names_code=query.code is not None)
        ranked = self.candidates(query, ask, turn) if turn.hits and turn.refusal is None else []
        evidence = gather(self.words, self.retriever, query.text, turn.hits, ranked) if turn.hits else None
        return ask, ranked, evidence

    def _conversation(self, query: Query, earlier: str) -> list[ItemHit] | None:
        """The conversation read at once (the user's earlier turns and this one, searched and
        re-ranked as one question); None without earlier turns, or when the whole names a code or an
        article (the item is named exactly: no search knows it better)."""
        if not earlier:
            return None
        # No longer than a question may be (the nearest turns kept): the cost of a search grows with it.
        joined = self.understander.understand(" ".join([*earlier.splitlines(), query.text])[-MAX_QUERY:])
        if joined.code is not None or joined.intent.article is not None:
            return None
        return self.reranked(joined.text, list(joined.expanded))[:K]

    def _moved(self, query: Query, focus: tuple[str, ...], conversation: list[ItemHit] | None) -> Turn | None:
        """The follow-up on another item than the last answer's, when the whole conversation read
        at once leads to it: the follow-up often says what the first question left open (投入使用以后多少天内
        要登记 after 新买的锅炉要办使用登记吗), and the last answer's item is then only the first
        question's best guess. None when that reading leads to the last answer's item (the
        follow-up is answered on it, or on the sibling its own words name, as before)."""
        if not conversation or conversation[0].item_key == focus[0]:
            return None
        return Turn(conversation, (conversation[0].item_key,), query.intent, list(query.expanded), None, None,
                    "follow")

    def _stay(self, query: Query, focus: tuple[str, ...],
              named: tuple[list[ItemHit], routing.Readings] | None = None) -> Turn:
        """The question as a follow-up on the conversation's item; or on a sibling of it, when the
        question names words of its own (那装修公司呢 after 业主把阳台改成卫生间怎么罚) and the re-ranker,
        reading them with the item's name (``named``, read here when not given), puts the sibling above
        the conversation's item."""
        tokens = list(query.expanded)
        name = self.catalogue.name(self.catalogue.items[focus[0]])
        if self._specific(self.words.matter(query.text)):
            hits, readings = named or self.reranked_read(f"{name} {query.text}", tokens)
            if hits and hits[0].item_key != focus[0] and focus[0] in readings:
                return Turn(hits[:K], (hits[0].item_key,), query.intent, tokens, None, None, "follow")
        hits = self._rerank(self.retriever.search(f"{name} {query.text}", K), list(focus))
        return Turn(hits, focus, query.intent, tokens, None, None, "follow")

    def served_offices(self) -> dict[str, str]:
        """List id → office, for the lists this assistant answers from."""
        return {lid: self.catalogue.list_name(lid) for lid in self.retriever.scope or self.retriever.lists}

    def route_hits(self, query: Query, focus: tuple[str, ...], earlier: str = ""
                   ) -> tuple[list[ItemHit], bool, routing.Readings]:
        """The items a routing question leads to, whether it follows the conversation, and the
        re-ranker's reading of each: a follow-up such as 这事归谁管 names no matter of its own, so the
        matter is the one the user described before (``earlier``), searched again over every office's
        list (the item the last answer quoted belongs to one office; a matter split between two
        needs the other too)."""
        text, tokens = query.text, list(query.expanded)
        follows = bool(focus) and (intent.points_back(text) or (self._follows(text, self.words.matter(text), focus)
                                                                and not self._about_something_else(query, focus)))
        if follows:
            text = f"{earlier or self.catalogue.name(self.catalogue.items[focus[0]])} {text}"
        hits, readings = self.reranked_read(text, tokens, routing.DEPTH, self.routing.dense_weight)
        return hits, follows, readings

    def _about_something_else(self, query: Query, focus: tuple[str, ...]) -> bool:
        """A question that names nothing the lists use yet is no follow-up either (办护照找哪个部门
        after 网吧接纳未成年人归谁管): the fitted follow-up refusal, read on the conversation's item."""
        turn = self._stay(query, focus)
        if not turn.hits:
            return False
        found = self._read(query, turn)[2]  # as any follow-up on the item is read: with its quote
        return self.follow_refusal.decide(follow_evidence(self.words, query.text, query.intent.explicit, found))[0]

    def route_evidence(self, query: Query, hits: list[ItemHit]) -> tuple[Evidence, list[select.Scored]]:
        """What speaks for the leading item of a routing question (as for any question, its
        excerpt read from the 实施依据 that gives the office its power), and that item's excerpt
        candidates, scored."""
        ask = _as_basis(query.intent)
        ranked = self.candidates_of(query, ask, hits)
        found = gather(self.words, self.retriever, query.text, hits, ranked)
        if "dense" not in found.values:
            return found, ranked
        # How close the matter comes to any office's item, not only to the leader's: over a city's
        # lists, the leader is chosen by both signals and the closest text may be another office's.
        closest = max(best_cosine(self.retriever, query.text, h) for h in hits[:routing.CLOSEST])
        base = self.retriever.index.manifest.get("probe")
        dense = max(found.values["dense"], probe.place(closest, base))
        values = {**found.values, "dense": dense, "office_run": self._office_run(hits)}
        vector = self.retriever.query_vectors([query.text])
        duties = self.words.elsewhere(self.retriever)
        other = duties.closest(None if vector is None else vector[0], routed=True)
        if other is not None:  # measured against the closest item, with the duties read as who handles them
            values["elsewhere"] = probe.place(other, base) - dense
            # The same reading of the served offices' usual duties: a matter put in plain words (二手房过户)
            # can sit far from every item's wording and still be a served office's (不动产登记). On
            # the routing tuning questions asked alone (out of fold, five folds, five seeds), the
            # routing refusal told held from unheld matters with AUC 0.950 without this and 0.964 with
            # it; at 90 % of unheld matters refused, held ones refused fell from 0.130 to 0.080.
            mine = duties.closest(vector[0], routed=True, of_served=True)  # a vector: ``other`` was read
            if mine is not None:
                values["served"] = probe.place(mine, base) - probe.place(other, base)
        return Evidence(values), ranked

    def kin(self, a: str, b: str) -> tuple[float, float, float]:
        """How alike items ``a`` and ``b`` are (routing.kinship)."""
        item_a, item_b = self.catalogue.items[a], self.catalogue.items[b]
        return routing.kinship(self.catalogue.name(item_a), item_a.refs, self.catalogue.name(item_b), item_b.refs)

    def _office_run(self, hits: list[ItemHit]) -> float:
        """How many of the leading items are the leading office's before another office's item
        comes, as a share of the SPLIT_DEPTH items the re-ranker reads: a matter an office holds
        gathers its items, while one no office holds draws a scatter of near misses."""
        found = routing.ratios(hits[:routing.SPLIT_DEPTH], self.catalogue.list_name)
        return (found[1][3] if len(found) > 1 else routing.SPLIT_DEPTH) / routing.SPLIT_DEPTH

    def _route(self, query: Query, focus: tuple[str, ...], notices: tuple[str, ...], earlier: str) -> Answer:
        """Which offices hold the matter: each named with its item and the clause that gives it
        the power; refused, naming no office, when the evidence says no list holds it."""
        text, warning = query.text, self.retriever.warning
        hits, follows, readings = self.route_hits(query, focus, earlier)
        if query.intent.asks_several:
            hits = self._each_office(query.text, hits)
        nobody = answer.NO_OFFICE.format(n=len(self.served_offices()))
        if not hits:
            return answer.refuse(text, [], nobody, warning=warning, notices=notices)
        evidence, leading = self.route_evidence(query, hits)
        refuse, _, p = self.routing_policy.decide(evidence)
        if refuse and not follows:  # a follow-up's matter is the one the conversation already found
            return replace(answer.refuse(text, hits, nobody, warning=warning, notices=notices),
                           evidence=evidence.values, probability=p)
        ask = _as_basis(query.intent)
        chosen = routing.offices(hits, self.catalogue.list_name, self.routing, query.intent.asks_several, readings,
                                 self.kin)
        # The leading item's candidates are scored already; each other office's item is scored here.
        excerpts = [select.choose(leading if hit is hits[0] else self.candidates_of(query, ask, [hit]), 1)
                    for _, hit in chosen]
        result = answer.route(self.catalogue, text, hits, chosen, excerpts, ask, warning=warning, notices=notices)
        # Never called sure: on the routing tuning sets the evidence told a right office from a wrong
        # one too poorly (answers it called sure were right 0.29–0.75 of the time).
        return replace(result, notices=(*result.notices, answer.NOTICE), confidence="likely",
                       evidence=evidence.values, probability=p)

    def _each_office(self, text: str, hits: list[ItemHit]) -> list[ItemHit]:
        """``hits`` with the best item of each served office they lack, when the question is
        answered from the few offices it names (林草局来查还是应急管理局来查): one office's items can
        fill every place searched, and the other must be answered too."""
        scope = self.retriever.scope
        if not scope or len(scope) > routing.MAX_OFFICES:
            return hits
        have = {routing.list_of(h.item_key) for h in hits}
        extra = [found[0] for lid in sorted(scope - have)
                 if (found := self.retriever.scoped(frozenset({lid})).search(text, 1))]
        return [*hits, *extra]

    def candidates_of(self, query: Query, ask: intent.Intent, hits: list[ItemHit]) -> list[select.Scored]:
        """``candidates`` for the first of ``hits``, found by search (no article named)."""
        return self.candidates(query, ask, Turn(hits, (hits[0].item_key,), ask, list(query.expanded), None, None))

    def candidates(self, query: Query, ask: intent.Intent, turn: Turn) -> list[select.Scored]:
        """Every excerpt candidate of the leading item, scored (best first)."""
        item = self.catalogue.items[turn.hits[0].item_key]
        words = {t: self.words.idf(t) for t in query.expanded if len(t) > 1}
        earlier = {t: self.words.idf(t) for t in self.words.matter(turn.earlier) if t not in words}
        ctx = select.Context(
            intent=ask, words=words, pairs=select.pairs_of(query.text),
            cosines=self.retriever.chunk_cosines(query.text, item.key), fields=self.field_probs(query.text),
            chunks=tuple(self.retriever.chunks_of(item.key)),
            cited=tuple(r.span for r in item.refs if r.role == "cited"), earlier=earlier,
            conditions=select.conditions(query.text))
        source = self.catalogue.source(item)
        pool = select.pool(item, source, ctx, must_contain=turn.article_span)
        if query.code is not None:
            # The code the question gives tells its asker nothing quoted back (这个编码是哪个事项: the
            # name answers; 编码 and a column named 地方权力编码 only point at the item).
            pool = [c for c in pool if query.code not in c.span.of(source.text)] or pool
        return select.rank(pool, self.excerpt_weights)

    @staticmethod
    def asked(turn: Turn) -> intent.Intent:
        """The field the cue words ask for; with none, the field where the question matched best."""
        ask = turn.intent
        if not ask.explicit and turn.article_span is None and turn.hits and turn.hits[0].chunks:
            where = turn.hits[0].chunks[0].chunk.field
            if where in ("责任事项", "追责情形"):
                ask = replace(ask, aspect="procedure" if where == "责任事项" else "accountability", column=where)
        return ask

    def _field_read(self, ask: intent.Intent, text: str, names_code: bool = False) -> intent.Intent:
        """The column the field model reads from the question's meaning, instead of the one its
        cue words name, when the model is sure of its own and gives theirs almost no chance
        (执法人员 cues a procedure; 执法人员通风报信要担什么责任 asks what the official risks).
        ``names_code``: the question names a power code (Query.code)."""
        if ask.article is not None or self.field_model is None:
            return ask
        field = self.overrule.applies(self.field_probs(text), ask.column)
        if field is None or (field == "地方权力编码" and names_code):
            return ask  # a question naming a code is not asking for it
        aspect = FIELD_ASPECTS[field]
        if field == "实施依据":
            # As if no cue had named a field: the fine, or the basis when the question asks for one.
            aspect = "basis" if ask.asks_law or ask.asks_article else "fine"
            return replace(ask, aspect=aspect, column=field, explicit=False, step=None)
        return replace(ask, aspect=aspect, column=field, explicit=True,
                       step=ask.step if aspect == "procedure" else None)

    def field_probs(self, text: str) -> dict[str, float]:
        """The field model's probability of each field being asked ({} without it or a model); read
        twice a question (to overrule the cue words, then by the excerpt), computed once."""
        if self.field_model is None:
            return {}
        model, cache = self._field_probs
        if model is not self.field_model:
            cache = {}
            self._field_probs = (self.field_model, cache)
        found = cache.get(text)
        if found is None:
            vectors = self.retriever.query_vectors([text])
            found = {} if vectors is None else self.field_model.probs(vectors[0], text)
            if len(cache) >= 256:
                cache.clear()
            cache[text] = found
        return found

    def item_features(self, text: str, tokens: Sequence[str], depth: int = rerank.DEPTH,
                      dense_weight: float | None = None) -> tuple[list[ItemHit], list[tuple[float, ...]]]:
        """The first ``depth`` items as retrieved, with their re-ranking features."""
        hits = self.retriever.search(text, depth, dense_weight)
        words = {t: self.words.idf(t) for t in tokens if len(t) > 1}
        return hits, rerank.features(text, words, select.pairs_of(text), hits, self._kinds, self._basis)

    def _basis(self, key: str) -> str:
        item = self.catalogue.items[key]
        return item.value(self.catalogue.source(item), "实施依据") if "实施依据" in item.fields else ""

    def reranked(self, text: str, tokens: Sequence[str], depth: int = rerank.DEPTH,
                 dense_weight: float | None = None) -> list[ItemHit]:
        hits, vectors = self.item_features(text, tokens, depth, dense_weight)
        return rerank.rerank(hits, vectors, self.item_weights)

    def reranked_read(self, text: str, tokens: Sequence[str], depth: int = rerank.DEPTH,
                      dense_weight: float | None = None) -> tuple[list[ItemHit], routing.Readings]:
        """``reranked``, with each re-ranked item's score and features (what routing and a follow-up
        naming a sibling compare); each item is scored once."""
        hits, vectors = self.item_features(text, tokens, depth, dense_weight)
        scores = rerank.scores(vectors, self.item_weights)
        readings = {h.item_key: (score, x) for h, score, x in zip(hits, scores, vectors, strict=False)}
        return rerank.ordered(hits, scores), readings

    def _empty_column(self, turn: Turn) -> str | None:
        """The column asked for is empty in the leading item (or holds only a placeholder, /): the
        list does not say."""
        column = turn.intent.column
        if not turn.intent.explicit or column == "承办机构" or not turn.hits:
            return None  # an empty 承办机构 falls back to 实施主体
        item = self.catalogue.items[turn.hits[0].item_key]
        field = item.fields.get(column)
        if field is None or not select.blank(field.span.of(self.catalogue.source(item).text)):
            return None
        return f"第{item.seq}项「{self.catalogue.name(item)}」的“{column}”一栏为空，清单没有给出。"

    def _sum_unstated(self, query: Query, turn: Turn, ranked: list[select.Scored],
                      history: Sequence[dict] | None) -> str | None:
        """A sum asked that is no penalty's (补偿费一亩给多少钱, 最低工资标准是多少钱), when the leading
        item states no sum but a penalty's: the list does not say. A question that names a penalty,
        or follows one that did (货值金额超过一万的话呢), asks for the fine; one whose item states
        another sum anywhere (最高奖的金额超过五万元) is answered from it."""
        if query.intent.last_kind != "money" or not ranked or not turn.hits:
            return None
        asked = f"{query.text}\n{earlier_matter(history, FOLLOW_TURNS)}"
        if any(w in asked for w in PENALTY_WORDS):
            return None
        text = self.catalogue.source(self.catalogue.items[turn.hits[0].item_key]).text
        if any(select.states_sum(c.span.of(text)) for c in ranked):
            return None
        fined = "；清单里的金额是罚款的数额" if select.states_penalty_sum(ranked[0].span.of(text)) else ""
        return f"清单没有给出所问款项的数额{fined}。"

    def _duration_unstated(self, query: Query, turn: Turn, ranked: list[select.Scored]) -> str | None:
        """A length of time asked (多少个工作日内发证) where no candidate of the leading item states
        one in figures: the list does not say."""
        if query.intent.last_kind != "time" or not ranked or not turn.hits:
            return None
        if not any(c in query.text for c in DURATION_CUES):
            return None
        text = self.catalogue.source(self.catalogue.items[turn.hits[0].item_key]).text
        if any(select.states_duration(c.span.of(text)) for c in ranked):
            return None
        return "清单没有给出所问的期限。"

    def _uncited_law(self, laws: tuple[str, ...]) -> str | None:
        """The first statute the question names that no list names, or None."""
        for law in laws:
            name = intent.LAW_ALIASES.get(law, law).removeprefix("中华人民共和国")
            if not any(name in t or _subsequence(name, t) or _one_off(name, t) for t in self._titles):
                return law
        return None

    def _focus(self, history: Sequence[dict] | None) -> tuple[str, ...]:
        """The item the conversation is about: the one the assistant's last answer was about
        (its 理解为 line). Only a history with no answer of the assistant's is re-read from the
        user's turns."""
        answers = _turns(history, "assistant")
        if answers:
            found = self._answered_item(answers[-1])
            if found:
                return found
        # No answer named an item (none yet, or the last one was a refusal): the user's turns.
        focus: tuple[str, ...] = ()
        for earlier in _turns(history, "user")[-HISTORY_TURNS:]:
            try:
                focus = self._resolve(self.understander.understand(clean(earlier)[0]), focus).focus or focus
            except BadQueryError:
                continue
        return focus

    def _answered_item(self, reply: str) -> tuple[str, ...]:
        m = _UNDERSTOOD.search(reply)
        if m is None:
            return ()
        label = _unescape(m.group(1)) if m.group(1) else None
        seq, name = _unescape(m.group(2)), _unescape(m.group(3))
        found = [i.key for i in self.catalogue.items_by_seq.get(seq, ()) if self.catalogue.name(i) == name
                 and (label is None or self.catalogue.label(i) == label)]
        return tuple(found[:1])

    def _resolve(self, query: Query, focus: tuple[str, ...], earlier: str = "") -> Turn:
        """How the leading item is found: a rule's refusal, a code or article named, the
        conversation's item, or search. ``earlier``: the conversation's user turns before this one
        (read with a follow-up, see ``_moved``)."""
        text, ask, tokens = query.text, query.intent, list(query.expanded)
        if intent.is_new_topic(text) or ask.small_talk:
            focus = ()
        refusal = self._rule_refusal(ask)
        if refusal is not None:
            return Turn([], (), ask, tokens, None, refusal)
        code = query.code
        if code is not None:
            owners = [k for k in self.catalogue.by_code.get(code, ()) if self._in_scope(k)]
            if owners:
                found = self.retriever.search(text, K)
                place = _retrieved(found)
                hits = self._rerank(found, sorted(owners, key=place.__getitem__))
                return Turn(hits, (hits[0].item_key,), ask, tokens, None, None, "code")
            return Turn([], (), ask, tokens, None, f"清单中没有编码为 {code} 的事项。")
        if ask.article is not None:
            found = self.retriever.search(text, K)
            located = self._by_article(ask, _retrieved(found))
            if located and ask.article.item is not None:
                # 第六十九条第（二）项: the items whose text lists that case lead, quoted at it.
                cased = [(k, span, self._case(k, span, ask.article.item)) for k, span in located]
                located = ([(k, case) for k, _, case in cased if case is not None]
                           + [(k, span) for k, span, case in cased if case is None])
            if located:
                hits = self._rerank(found, [k for k, _ in located])
                # The quote comes from the article asked (or the case of it asked), whatever the
                # question asks of it (the item may cite other articles, of other laws too), unless
                # it asks for another column (听证 within how many days: 责任事项).
                on_basis = not ask.explicit or ask.column == "实施依据"
                span = self._extent(hits[0].item_key, located[0][1]) if on_basis else None
                return Turn(hits, (hits[0].item_key,), ask, tokens, span, None, "article")
            return Turn([], (), ask, tokens, None,
                        f"清单中没有事项引用第{ask.article.article}条"
                        + (f"（{ask.article.law_hint}）" if ask.article.law_hint else "") + "。")
        if not focus:
            hits = self.reranked(text, tokens)[:K]
            return Turn(hits, (hits[0].item_key,) if hits else (), ask, tokens, None, None)
        follows = self._follows(text, self.words.matter(text), focus) or self._about_its_people(ask, text, focus[0])
        conversation = self._conversation(query, earlier)
        named = self.reranked_read(f"{self.catalogue.name(self.catalogue.items[focus[0]])} {text}", tokens)
        turn = self._by_rules(query, focus, follows, conversation, named)
        return self._voted(turn, query, focus, follows, conversation, named[0])

    def _by_rules(self, query: Query, focus: tuple[str, ...], follows: bool, conversation: list[ItemHit] | None,
                  named: tuple[list[ItemHit], routing.Readings]) -> Turn:
        """The conversation's rules: a follow-up stays on its item, or moves where the whole
        conversation leads, or to the item holding the penalty or the step asked; a question naming
        a matter of its own is searched."""
        text, ask, tokens = query.text, query.intent, list(query.expanded)
        moved = self._moved(query, focus, conversation)
        if follows:
            if moved is not None:
                return moved
            if not self._has_penalty(text, focus[0]):
                return self._penalty_of(query, focus, named[0])
            if self._has_step(ask, focus[0]):
                return self._stay(query, focus, named)
        if moved is not None:
            # It names a matter of its own: the main policy reads it, not the follow-up refusal.
            return replace(moved, route="search")
        hits = self.reranked(text, tokens)[:K]
        return Turn(hits, (hits[0].item_key,) if hits else (), ask, tokens, None, None)

    def _voted(self, turn: Turn, query: Query, focus: tuple[str, ...], follows: bool,
               conversation: list[ItemHit] | None, named: list[ItemHit]) -> Turn:
        """The rules' turn, or the same turn led by the item the fitted vote between the readings
        prefers (answering/follow_vote.py); its route stays the rules' (which refusal reads it)."""
        if not turn.hits:
            return turn
        by_conversation = conversation[0].item_key if conversation else None
        by_name = named[0].item_key if named else None
        keys = {turn.hits[0].item_key, focus[0], by_conversation, by_name} - {None}
        held = {k: self._has_penalty(query.text, k) for k in keys}
        steps = {k: self._has_step(query.intent, k) for k in keys}
        offered = follow_vote.candidates(turn.hits[0].item_key, focus[0], by_conversation, by_name, follows, held,
                                         steps)
        pick = offered[self.follow_vote.choose(offered)].key
        if pick == turn.hits[0].item_key:
            return turn
        # The reading that found it; the conversation's item may be in none (_rerank then finds it).
        source = next((hits for hits in (conversation or [], named, turn.hits)
                       if any(h.item_key == pick for h in hits)), turn.hits)
        return replace(turn, hits=self._rerank(source, [pick])[:K], focus=(pick,))

    def _follows(self, text: str, matter: list[str], focus: tuple[str, ...]) -> bool:
        """A follow-up names no matter of its own. Only words the lists use and few items
        share can name one (第几条, 的话, 最多 are how a question is put; 情节严重, 罚款 are
        everywhere; 权力, 类型 name a column). With none, it follows; with some, it stays on the
        focus item when that item holds them: half of their weight after 那/这个/呢, nearly all
        without."""
        specific = self._specific(matter)
        if not specific:
            return True
        body = self.words.text(self.catalogue.items[focus[0]])
        total = sum(self.words.idf(t) for t in specific)
        held = sum(self.words.idf(t) for t in specific if t in body) / total if total else 0.0
        marked = intent.has_follow_up_marker(text)
        return held >= (self.follow.with_marker if marked else self.follow.without_marker)

    def _has_step(self, ask: intent.Intent, key: str) -> bool:
        """Whether the item's duties hold the procedure step asked for (立案以后要做什么 after an
        inspection item that has no 立案 step asks about the items that have one)."""
        if ask.step is None:
            return True
        cues = dict(intent.STEPS)[ask.step]
        body = self.words.text(self.catalogue.items[key])
        return any(c in body for c in cues)

    def _about_its_people(self, ask: intent.Intent, text: str, key: str) -> bool:
        """那…负责的科长本人呢 after an answer whose item fines the people in charge: the words
        that say who (技术主管, 科长, 老板) name a person of that matter, not a matter of their own."""
        if not (ask.about_manager and intent.has_follow_up_marker(text)):
            return False
        return any(w in self.words.text(self.catalogue.items[key]) for w in MANAGER_TERMS)

    def _has_penalty(self, text: str, key: str) -> bool:
        """Whether the item can answer a question about a penalty: true unless one is named (罚多少,
        怎么处罚) and neither the item's name nor its basis speaks of one (a licence or an
        inspection item: 罚多少 after 出租车驾驶员从业资格证核发 asks about the penalty item). The
        word itself, not the money or sanction cues: 最多能租几天 and 协调不下来怎么办 ask the item."""
        if "罚" not in text:
            return True
        item = self.catalogue.items[key]
        src = self.catalogue.source(item)
        held = "".join(item.value(src, c) for c in ("事项名称", "实施依据") if c in item.fields)
        return "罚" in held

    def _extent(self, key: str, at: Span) -> Span:
        """From ``at`` (an article's heading, or one case of it) to where the item's 实施依据
        cites its next article, or to the case's end."""
        item = self.catalogue.items[key]
        field = item.fields.get("实施依据")
        if field is None or not field.span.start <= at.start < field.span.end:
            return at
        text = self.catalogue.source(item).text
        if text[at.start] in "（(第" and not _ARTICLE_HEAD.match(text, at.start):
            return at  # a case (（二）…；): it is its own extent
        later = [r.span.start for r in item.refs if r.role == "cited" and r.span.start > at.start]
        return Span(at.start, min(later, default=field.span.end))

    def _case(self, key: str, heading: Span, number: int) -> Span | None:
        """The case numbered ``number`` that the article at ``heading`` lists in the item's
        实施依据 (（二）…的；, (2)…, 第二项…), up to its closing punctuation; None when not there."""
        item = self.catalogue.items[key]
        field = item.fields.get("实施依据")
        if field is None:
            return None
        text = self.catalogue.source(item).text
        body = text[heading.start:field.span.end]
        cn = to_chinese(number) if 0 < number < 10_000 else str(number)
        # The case as listed, （二）; only then as named, 第二项 (headings name it too: 第九十四条第二项：).
        m = (re.search(rf"(?<!第)[（(](?:{cn}|{number})[)）]", body)
             or re.search(rf"第[（(]?(?:{cn}|{number})[)）]?项", body))
        if m is None:
            return None
        after = body[m.end():]
        end = re.search(r"[；;。\n]|[（(](?:[一二三四五六七八九十]+|\d+)[)）]", after)
        # The case closes at its own 。 or ；, or where the next case or line begins.
        length = len(after) if end is None else end.end() if end.group()[0] in "；;。" else end.start()
        return Span(heading.start + m.start(), heading.start + m.end() + length)

    def _penalty_of(self, query: Query, focus: tuple[str, ...], named: list[ItemHit]) -> Turn:
        """A penalty asked after an item that holds none: the items the focus item's matter and
        the question lead to (``named``), those that speak of a penalty first."""
        hits = [h for h in named if h.item_key != focus[0]]
        hits.sort(key=lambda h: not self._has_penalty(query.text, h.item_key))  # stable
        return Turn(hits[:K], (hits[0].item_key,) if hits else (), query.intent, list(query.expanded), None, None,
                    "follow")

    def _specific(self, matter: Sequence[str]) -> list[str]:
        """The words of ``matter`` that name a particular matter: words the lists use, that name no
        column and that few items share (个人, 情节严重, 罚款 are everywhere)."""
        return maximal([t for t in matter if t in self.words.vocab and t not in self.words.field_words
                        and t not in COMMON_WORDS and not self.words.generic(t, self.follow.generic_share)])

    def _in_scope(self, item_key: str) -> bool:
        scope = self.retriever.scope
        return not scope or item_key.split("#", 1)[0] in scope

    def _by_article(self, ask: intent.Intent, retrieved: dict[str, int]) -> list[tuple[str, Span]]:
        """Items citing the article asked for (exact number), cited before cross-referenced;
        within each, items the search retrieved first, in its order, then list order."""
        assert ask.article is not None
        refs = [(k, r) for k, r in self.catalogue.by_article.get(ask.article.article, ()) if self._in_scope(k)]
        hint = ask.article.law_hint
        if hint:
            titled = [(k, r) for k, r in refs if intent.names_law(hint, r.law)]
            refs = titled or [(k, r) for k, r in refs if intent.names_law(hint, r.law, short=True)]
        found: list[tuple[int, str, Span]] = []
        done: set[str] = set()
        for key, ref in refs:
            if key in done:
                continue
            # An item counts once, by its first reference to the article (as cited in it).
            done.add(key)
            if ask.article.paragraph is not None:
                # 第二十四条第一款 names a paragraph: refs to that paragraph first.
                rank = 0 if ref.paragraph == ask.article.paragraph else 2
            else:
                rank = 0 if ref.role == "cited" else 1
            found.append((rank, key, ref.span))
        found.sort(key=lambda f: (f[0], retrieved[f[1]]))
        return [(key, span) for _, key, span in found]

    def _rerank(self, hits: list[ItemHit], first: list[str]) -> list[ItemHit]:
        """Put the given items first, in their order, keeping the rest of the ranking."""
        first = first[:K]  # an article cited by thousands of items: the answer shows K
        by_key = {h.item_key: h for h in hits}
        missing = [k for k in first if k not in by_key]
        if missing:
            extra = self.retriever.search(" ".join(self.catalogue.name(self.catalogue.items[k])
                                                   for k in missing), K)
            by_key.update({h.item_key: h for h in extra if h.item_key in missing})
            # Items the search did not reach still lead: they are what the question names.
            by_key.update({k: ItemHit(item_key=k, seq=self.catalogue.items[k].seq,
                                      name=self.catalogue.name(self.catalogue.items[k]), score=0.0,
                                      scores={}, ranks={}, chunks=())
                           for k in missing if k not in by_key})
        head = [by_key[k] for k in first]
        return head + [h for h in hits if h.item_key not in first]


_GAPS = re.compile(r"，{2,}")
MATTER_CHARS = 4  # Han characters a question must keep without its office to be searched so

_ARTICLE_HEAD = re.compile(rf"第(?:[0-9]+|[{NUMERAL_CHARS}]+)条")


def _as_basis(ask: intent.Intent) -> intent.Intent:
    """A routing question read as asking for the 实施依据 that gives an office its power: the
    article that speaks of the matter, not the law's title (the citation under the quote names it)."""
    return replace(ask, aspect="basis", column="实施依据", explicit=True, asks_article=True, asks_law=False)


EARLIER_CHARS = 500  # of each earlier user turn, read as the matter a follow-up points back to
# A follow-up's excerpt reads the user's last two turns: the one before a bare follow-up (是先警告吗)
# is where the conduct was told.
FOLLOW_TURNS = 2


def earlier_matter(history: Sequence[dict] | None, turns: int = 1) -> str:
    """The user's previous ``turns`` turns, cleaned and read as a question is read (a follow-up's
    matter); a turn that is no question (empty, only control characters) is left out."""
    out = []
    for turn in _turns(history, "user")[-turns:]:
        try:
            out.append(normalise(clean(turn[:EARLIER_CHARS])[0])[0])
        except BadQueryError:
            continue
    return "\n".join(out)


def _retrieved(hits: list[ItemHit]) -> defaultdict[str, int]:
    """Each retrieved item's place; items not retrieved come after, all equal."""
    return defaultdict(lambda: len(hits), {h.item_key: n for n, h in enumerate(hits)})


_TITLE = re.compile(r"《([^《》]{2,40})》")
# The line to_markdown writes first: **理解为**：第72项「name」 · field · aspect
_UNDERSTOOD = re.compile(r"理解为\*\*：(?:〔(.+?)〕)?第(.+?)项「(.+?)」 · ")
_MD_ESCAPE = re.compile(r"\\(.)")


def _unescape(text: str) -> str:
    return html.unescape(_MD_ESCAPE.sub(r"\1", text))


def _subsequence(short: str, long: str) -> bool:
    """``short``'s characters in order within ``long`` (特种设备法 ~ 特种设备安全法)."""
    it = iter(long)
    return all(ch in it for ch in short)


def _one_off(name: str, title: str) -> bool:
    """``name`` is a stretch of ``title`` with one character mistyped (网络完全法 ~ 网络安全法): a
    typo is not another law. Short names are left alone (合同法 is not 合伙法)."""
    n = len(name)
    return n >= 4 and any(sum(a != b for a, b in zip(name, title[i:i + n], strict=True)) == 1
                          for i in range(len(title) - n + 1))


HISTORY_MESSAGES = 64
HISTORY_CHARS = 20_000


def _turns(history: Sequence[dict] | None, role: str) -> list[str]:
    """The text of each message of ``role``; anything that is not a list of role/content
    messages counts as no history."""
    if not isinstance(history, (list, tuple)):
        return []
    # Only the recent turns, each cut short: a history of thousands of turns, or of a megabyte
    # each, costs no more than a short one.
    recent = history[-HISTORY_MESSAGES:]
    return [m["content"][:HISTORY_CHARS] for m in recent if isinstance(m, dict) and m.get("role") == role
            and isinstance(m.get("content"), str)]

"""Fit the refusal policy by k-fold cross-validation on the tuning sets.

Each tuning question is asked once with a policy that never refuses; what the
policy would read (the evidence) and whether the answer was right are kept. Then,
per fold, a logistic model and two thresholds are fitted on the other folds and
applied to this one: the cross-validated figures are those of the held-out folds.
The final policy is fitted on every question. Report sets are never read here.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.answering.clean import clean
from assistant.answering.policy import (
    FEATURES,
    FOLLOW_FEATURES,
    NEVER_REFUSE,
    SHAPE_FEATURES,
    SURE_IN_SCOPE,
    Evidence,
    FollowRefusal,
    Logistic,
    RefusalPolicy,
    fit_logistic,
)
from assistant.errors import BadQueryError
from assistant.evaluation.score import replay
from assistant.evaluation.sets import EvalSet, open_assistant

# Targets the thresholds are chosen for (the acceptance figures, with room):
MAX_FALSE_REFUSALS = 0.02  # share of answerable questions refused, on the fitting folds
# The main policy's budget. Held out by whole lists (nine lists, 321 follow-ups that stay on an item),
# 2 % refused 47 of 74 unanswerable follow-ups and 3 of 247 answerable ones; 1 % 42 and 1; 3 % 49
# and 4 (eval/calibrate.py prints these each run).
FOLLOW_MAX_FALSE_REFUSALS = MAX_FALSE_REFUSALS
FOLLOW_BUDGETS = (0.0, 0.01, 0.02, 0.03)  # printed by eval/calibrate.py, so the choice can be checked
SURE_PRECISION = 0.95  # on out-of-fold probabilities (cuts on in-sample ones needed 0.98 to reach 0.92 held out)
# The precision above a cut is an estimate from a few dozen answers: the cut needs its lower bound
# (Wilson, this many standard errors) at SURE_PRECISION, not its point value. With the point value
# the cross-validated sure answers were right 0.958 of the time pooled, but two folds of five fell to
# 0.90 and 0.89 (6 % of wrong answers marked sure in one); and on 60 rows of features that carry no
# signal, the top two or three out-of-fold answers set cuts that called 2–15 % of new rows sure. At
# one standard error a cut needs 19 answers in a row right, or more with a wrong one among them.
SURE_Z = 1.0
# ... or more, when fewer do not hold on sets a fit has not seen: the smallest of these under which
# the answers called sure with each tuning set held out in turn are right SURE_PRECISION of the time
# (or none is called sure). With one standard error, held out by set, they were right 0.83–0.87.
# In quarter steps: on the tuning rows after the short-cell candidates came, 2.0 called 0.057 of the
# wrong answers sure and the next step, 3.0, called 5 answers of 939 sure; 2.25 held (0.035).
SURE_ZS = (1.0, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5, 2.75, 3.0)
# ... and under which, held out the same way, at most this share of the wrong answers is called sure
# (the second figure: a cut right 0.973 of the time still called 0.051 of them sure).
MAX_WRONG_SURE = 0.05
L2 = 1.0
INNER_FOLDS = 5  # inside each fit: the folds whose held-out probabilities place the cuts
# ... unless the rows come from at least this many sets: then each set is a fold, so a cut is placed
# on probabilities from models that never saw that writer's questions, as a new question will be.
# (With random folds the seed's tuning questions, written against the rules, looked easy enough to
# call its answers sure.)
INNER_SETS = 3


@dataclass(frozen=True, slots=True)
class Row:
    set_name: str
    qid: str
    features: tuple[float, ...]
    answerable: bool
    item_right: bool  # the leading item is a gold item
    quote_right: bool  # and the primary quote holds the answer


DENSE_WEIGHTS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


@dataclass(frozen=True, slots=True)
class Ranked:
    """One answerable tuning question: whether the gold item leads, per dense weight."""

    set_name: str
    qid: str
    first: tuple[bool, ...]  # by DENSE_WEIGHTS


def collect_fusion(sets: Sequence[EvalSet], embedder: Any) -> list[Ranked]:
    """Retrieval alone, for single-turn answerable questions, at every dense weight."""
    out = []
    for s, assistant, asked in _each(sets, embedder):
        questions = [q for q in asked if q["gold_items"] and not q.get("turns")]
        firsts: dict[str, list[bool]] = {q["id"]: [] for q in questions}
        for w in DENSE_WEIGHTS:
            assistant.retriever.dense_weight = w
            for q in questions:
                hits = assistant.retriever.search(assistant.understander.understand(q["question"]).text, 1)
                firsts[q["id"]].append(bool(hits) and hits[0].seq in q["gold_items"])
        out += [Ranked(s.name, qid, tuple(f)) for qid, f in firsts.items()]
    return out


def _each(sets: Sequence[EvalSet], embedder: Any, dense_weight: float | None = None,
          **options: Any) -> Iterator[tuple[EvalSet, Any, list[dict[str, Any]]]]:
    """Each available set with an assistant that never refuses by evidence (the stage being fitted
    must see every answer) and its questions."""
    from assistant.evaluation.score import load_questions

    fields = options.pop("field_model", None)
    overrule = options.pop("overrule", None)
    for s in sets:
        if not s.available:
            continue
        assistant = open_assistant(s, embedder, policy=NEVER_REFUSE, **options)
        if dense_weight is not None:
            assistant.retriever.dense_weight = dense_weight
        if fields is not None:
            assistant.field_model = fields
        if overrule is not None:
            assistant.overrule = overrule
        yield s, assistant, load_questions(s.questions)


def _folds(rows: Sequence[Any], folds: int, seed: int) -> list[list[Any]]:
    order = list(rows)
    random.Random(seed).shuffle(order)
    return [order[i::folds] for i in range(folds)]


def splits(parts: Sequence[Sequence[Any]]) -> Iterator[tuple[list[Any], Sequence[Any]]]:
    """(fitting rows, held-out rows) for each fold of ``parts``."""
    for i, held in enumerate(parts):
        yield [r for j, part in enumerate(parts) if j != i for r in part], held


def fit_fusion(rows: Sequence[Ranked]) -> float:
    """The dense weight with most gold items first (ties: the one nearest 0.5)."""
    counts = [sum(r.first[i] for r in rows) for i in range(len(DENSE_WEIGHTS))]
    best = max(range(len(DENSE_WEIGHTS)), key=lambda i: (counts[i], -abs(DENSE_WEIGHTS[i] - 0.5)))
    return DENSE_WEIGHTS[best]


def cross_validate_fusion(rows: Sequence[Ranked], folds: int = 5, seed: int = 13) -> list[dict[str, float]]:
    out = []
    for train, held in splits(_folds(rows, folds, seed)):
        w = fit_fusion(train)
        k = DENSE_WEIGHTS.index(w)
        out.append({"dense_weight": w, "item_first": round(sum(r.first[k] for r in held) / max(1, len(held)), 3),
                    "at_0.5": round(sum(r.first[DENSE_WEIGHTS.index(0.5)] for r in held) / max(1, len(held)), 3)})
    return out


def collect(sets: Sequence[EvalSet], embedder: Any, dense_weight: float | None = None,
            excerpt_weights: Any = None, item_weights: Any = None, field_model: Any = None,
            overrule: Any = None) -> list[Row]:
    """Rows for the questions the policy decides (found by search, not refused by a rule)."""
    rows = []
    for s, assistant, questions in _each(sets, embedder, dense_weight, excerpt_weights=excerpt_weights,
                                         item_weights=item_weights, field_model=field_model, overrule=overrule):
        for q in questions:
            history = replay(assistant.ask, q)
            a = assistant.ask(q["question"], history)
            if a.refused or not a.evidence or q.get("turns") or _by_number(assistant, q["question"]):
                continue  # a rule decided, a follow-up (the conversation names the item), or a number did
            top = a.hits[0].seq if a.hits else None
            primary = a.primary.text if a.primary is not None else ""
            item_right = bool(q["gold_items"]) and top in q["gold_items"]
            rows.append(Row(s.name, q["id"], tuple(Evidence(a.evidence).vector()), bool(q["gold_items"]),
                            item_right, item_right and q["must_quote"] in primary))
    return rows


def _by_number(assistant: Any, question: str) -> bool:
    """Whether the item was found by the article or power code the question names: such answers are
    never refused by the policy and never called sure, so they place neither cut."""
    try:
        query = assistant.understander.understand(clean(question)[0])
    except BadQueryError:
        return False
    return query.code is not None or query.intent.article is not None


def fit(rows: Sequence[Row], provenance: str = "", max_false_refusals: float = MAX_FALSE_REFUSALS,
        inner_folds: int = INNER_FOLDS, by_set: bool = True, sure_z: float = SURE_Z) -> RefusalPolicy:
    """``in_scope`` learns answerable vs unanswerable; ``right`` learns whether the leading item's
    primary quote holds the answer (never, for a question no list answers). Both models are fitted on all
    ``rows``; the two cuts are chosen on out-of-fold probabilities (each row scored by models fitted
    without it), which are as sure as a new question's: a model's probabilities on its own fitting
    rows are surer, and cuts chosen on them called wrong answers sure on new questions."""
    in_scope, right = _models(rows)
    # The refusal cut from random folds: held out by set it refused far fewer unanswerable questions
    # (cross-validated 0.56 against 0.69) for no fewer answerable ones refused.
    oof_in, _ = _out_of_fold(rows, inner_folds, (in_scope, right), by_set=False)
    _, oof_right = _out_of_fold(rows, inner_folds, (in_scope, right), by_set=by_set)
    answerable = [i for i, r in enumerate(rows) if r.answerable]
    refuse_below = _refuse_below([oof_in[i] for i in answerable], max_false_refusals)
    answered = [i for i, r in enumerate(rows) if oof_in[i] >= max(refuse_below, SURE_IN_SCOPE)]
    sure_at = _sure_at([rows[i] for i in answered], [oof_right[i] for i in answered], sure_z)
    return RefusalPolicy(in_scope, right, refuse_below, sure_at, provenance)


_SHAPE = tuple(f in SHAPE_FEATURES for f in FEATURES)


def _scope_view(features: tuple[float, ...]) -> tuple[float, ...]:
    """The features ``in_scope`` reads: the answer's shape set to 0 (a constant column fits to 0)."""
    return tuple(0.0 if shape else v for shape, v in zip(_SHAPE, features, strict=True))


def _models(rows: Sequence[Row]) -> tuple[Logistic, Logistic]:
    in_scope = fit_logistic([_scope_view(r.features) for r in rows], [int(r.answerable) for r in rows], l2=L2,
                            balanced=True)
    # ``right`` learns from every row, an unanswerable question's answer being wrong, as the sure cut
    # counts it. Fitted on answerable questions only, it never saw what a wrong answer to a question
    # no list answers looks like: on the eighth session's rows, each tuning set held out in turn, its
    # sure answers were right 0.87 of the time at one standard error (3 % of answers); learning from
    # every row, 0.96 (5 %).
    right = fit_logistic([r.features for r in rows], [int(r.quote_right) for r in rows], l2=L2)
    return in_scope, right


def _out_of_fold(rows: Sequence[Row], folds: int, everything: tuple[Logistic, Logistic], by_set: bool = True
                 ) -> tuple[list[float], list[float]]:
    """Each row's in-scope and right probabilities from models fitted on the other folds: each set
    held out in turn when ``by_set`` and there are INNER_SETS sets or more, else ``folds`` folds
    stratified by answerability. A fold whose training rows lack a class is scored by
    ``everything``, the models of all rows."""
    names = sorted({r.set_name for r in rows})
    if by_set and len(names) >= INNER_SETS:
        fold_of = {i: names.index(r.set_name) for i, r in enumerate(rows)}
        folds = len(names)
    else:
        order = sorted(range(len(rows)), key=lambda i: (rows[i].answerable, random.Random(i + 7).random()))
        fold_of = {i: n % folds for n, i in enumerate(order)}
    p_in, p_right = [0.0] * len(rows), [0.0] * len(rows)
    for k in range(folds):
        train = [r for i, r in enumerate(rows) if fold_of[i] != k]
        usable = (len({r.answerable for r in train}) == 2
                  and len({r.quote_right for r in train if r.answerable}) == 2)
        in_scope, right = _models(train) if usable else everything
        for i, r in enumerate(rows):
            if fold_of[i] == k:
                p_in[i], p_right[i] = in_scope(_evidence(r)), right(_evidence(r))
    return p_in, p_right


def _evidence(r: Row) -> Evidence:
    return Evidence(dict(zip(FEATURES, r.features, strict=True)))


def _refuse_below(answerable_ps: list[float], max_false_refusals: float = MAX_FALSE_REFUSALS) -> float:
    """The highest cut that refuses at most ``max_false_refusals`` of the answerable questions,
    so it refuses as many unanswerable ones as that allows."""
    ps = sorted(answerable_ps)
    allowed = int(max_false_refusals * len(ps))
    return ps[allowed] if allowed < len(ps) else 0.0


def wilson_lower(good: int, n: int, z: float) -> float:
    """The Wilson score interval's lower end for ``good`` successes in ``n`` trials."""
    if n <= 0:
        return 0.0
    p = good / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - spread) / (1 + z * z / n)


def _sure_at(rows: Sequence[Row], ps: Sequence[float], z: float = SURE_Z) -> float:
    """The lowest cut whose answers (unanswerable questions answered count as wrong) are right
    at least SURE_PRECISION of the time (the Wilson lower bound at ``z`` standard errors)."""
    sure_at = 1.0
    ranked = sorted(zip(ps, rows, strict=True), key=lambda pr: -pr[0])
    good = 0
    for n, (p, r) in enumerate(ranked, start=1):
        good += r.quote_right
        if wilson_lower(good, n, z) >= SURE_PRECISION:
            sure_at = p
    return sure_at


def figures(rows: Sequence[Row], policy: RefusalPolicy) -> dict[str, float | None]:
    return _shares([(r, *policy.decide(_evidence(r))) for r in rows])


def fit_sure_z(rows: Sequence[Row]) -> tuple[float, dict[str, float | None]]:
    """The first of SURE_ZS whose policies, fitted with each set held out in turn, call only
    answers sure that are shown right SURE_PRECISION of the time (the Wilson lower bound of the
    held-out sure answers, at the same number of standard errors) and call at most MAX_WRONG_SURE of
    the wrong answers sure, with those held-out figures.

    Their point share is not enough: a fit whose held-out sure answers were 6 of 6 right (one
    standard error; 1.4 % of the answers) called 9 report answers sure, 7 of them right."""
    for z in SURE_ZS:
        held = held_out_by_set(rows, z)
        n, good = int(held["sure_answers"] or 0), int(held["sure_right_answers"] or 0)
        if n == 0 or (wilson_lower(good, n, z) >= SURE_PRECISION
                      and float(held.get("wrong_marked_sure") or 0.0) <= MAX_WRONG_SURE):
            return z, held
    return SURE_ZS[-1], held


def held_out_by_set(rows: Sequence[Row], sure_z: float = SURE_Z) -> dict[str, float | None]:
    """The figures over all rows, each decided by the policy fitted without its own set (pooled by
    question, not averaged by set)."""
    decided = []
    for name in sorted({r.set_name for r in rows}):
        train = [r for r in rows if r.set_name != name]
        if not any(r.item_right for r in train) or all(r.item_right for r in train):
            continue
        policy = fit(train, sure_z=sure_z)
        decided += [(r, *policy.decide(_evidence(r))) for r in rows if r.set_name == name]
    return _shares(decided)


def _shares(decided: Sequence[tuple[Row, bool, str]]) -> dict[str, float | None]:
    ans = [d for d in decided if d[0].answerable]
    unans = [d for d in decided if not d[0].answerable]
    answered = [d for d in decided if not d[1]]
    sure = [d for d in answered if d[2] == "sure"]
    wrong = [d for d in answered if not d[0].quote_right]

    def share(part: int, whole: int) -> float | None:
        return round(part / whole, 3) if whole else None

    return {"unanswerable_refused": share(sum(d[1] for d in unans), len(unans)),
            "answerable_refused": share(sum(d[1] for d in ans), len(ans)),
            "sure_right": share(sum(d[0].quote_right for d in sure), len(sure)),
            "wrong_marked_sure": share(sum(d[2] == "sure" for d in wrong), len(wrong)),
            "sure_share": share(len(sure), len(answered)),
            "sure_answers": len(sure), "sure_right_answers": sum(d[0].quote_right for d in sure)}


def cross_validate(rows: Sequence[Row], folds: int = 5, seed: int = 13, by_set: bool = False
                   ) -> list[dict[str, float | None]]:
    """Per-fold figures of policies fitted on the other folds (folds stratified by answerability,
    or with ``by_set`` each set held out in turn, as a report set is)."""
    parts: list[list[Row]]
    if by_set:
        parts = [[r for r in rows if r.set_name == name] for name in sorted({r.set_name for r in rows})]
    else:
        order = _folds(rows, 1, seed)[0]
        order.sort(key=lambda r: r.answerable)  # stable: shuffled within each group, dealt round the folds
        parts = [order[i::folds] for i in range(folds)]
    out = []
    for train, held in splits(parts):
        if not held or not any(r.item_right for r in train) or all(r.item_right for r in train):
            continue
        out.append(figures(held, fit(train)))
    return out


def pooled_folds(per_fold: list[dict[str, float | None]]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for key in ("unanswerable_refused", "answerable_refused", "sure_right", "wrong_marked_sure", "sure_share"):
        vals = [f[key] for f in per_fold if f[key] is not None]
        out[key] = round(sum(vals) / len(vals), 3) if vals else None  # type: ignore[arg-type]
    return out


@dataclass(frozen=True, slots=True)
class Choice:
    """One answered tuning question whose leading item is right: its excerpt candidates'
    features, which of them hold the answer, and their lengths (ties go to the shorter)."""

    set_name: str
    qid: str
    features: tuple[tuple[float, ...], ...]
    holds: tuple[bool, ...]
    lengths: tuple[int, ...]


def collect_excerpts(sets: Sequence[EvalSet], embedder: Any, dense_weight: float | None = None,
                     item_weights: Any = None, field_model: Any = None) -> list[Choice]:
    out = []
    for s, assistant, questions in _each(sets, embedder, dense_weight, item_weights=item_weights,
                                         field_model=field_model):
        for q in questions:
            if not q["gold_items"]:
                continue
            history = replay(assistant.ask, q)
            a, ranked = assistant.explain(q["question"], history)
            if a.refused or not a.hits or a.hits[0].seq not in q["gold_items"] or not ranked:
                continue
            text = assistant.catalogue.source(assistant.catalogue.items[a.hits[0].item_key]).text
            holds = tuple(q["must_quote"] in c.span.of(text) for c in ranked)
            if any(holds):
                out.append(Choice(s.name, q["id"], tuple(c.features for c in ranked), holds,
                                  tuple(len(c.span) for c in ranked)))
    return out


def excerpt_hits(choices: Sequence[Choice], weights: Sequence[float]) -> int:
    import numpy as np

    w = np.asarray(weights)
    hits = 0
    for c in choices:
        scores = np.asarray(c.features) @ w - 1e-6 * np.asarray(c.lengths)
        hits += c.holds[int(np.argmax(scores))]
    return hits


GRID = (-4.0, -2.0, -1.0, -0.5, -0.2, -0.1, -0.05, 0.0, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0)


def fit_excerpt(choices: Sequence[Choice], start: Sequence[float], rounds: int = 3,
                free: Sequence[int] | None = None) -> tuple[float, ...]:
    """Coordinate ascent on the number of questions whose best candidate holds the answer; only the
    weights at ``free`` move when given (the others stay as in ``start``)."""
    w = list(start)
    best = excerpt_hits(choices, w)
    for _ in range(rounds):
        improved = False
        for i in range(len(w)) if free is None else free:
            for v in GRID:
                trial = [*w[:i], v, *w[i + 1:]]
                got = excerpt_hits(choices, trial)
                if got > best:
                    best, w, improved = got, trial, True
        if not improved:
            break
    return tuple(w)


# The L2 penalties the listwise fit chooses among (inner folds), on standardized features.
LISTWISE_L2S = (0.01, 0.03, 0.1, 0.3, 1.0)
LISTWISE_SCALE = 8.0  # the largest weight after the fit: the top of GRID, where coordinate ascent goes on


def fit_listwise(choices: Sequence[Choice], l2: float) -> tuple[float, ...]:
    """Weights under which each question's gold candidates take the most probability (a softmax
    over its candidates), with an L2 penalty on standardized features. A smooth stand-in for the
    number of hits: every weight moves at once, where coordinate ascent moves one grid step at a
    time and stops at the first ridge. Scaled so the largest weight is LISTWISE_SCALE."""
    import numpy as np
    from scipy.optimize import minimize
    from scipy.special import logsumexp

    width = len(choices[0].features[0])
    depth = max(len(c.features) for c in choices)
    x = np.zeros((len(choices), depth, width))
    valid = np.zeros((len(choices), depth), dtype=bool)
    gold = np.zeros((len(choices), depth), dtype=bool)
    for n, c in enumerate(choices):
        x[n, :len(c.features)] = c.features
        valid[n, :len(c.features)] = True
        gold[n, :len(c.holds)] = c.holds
    flat = x[valid]
    mean, spread = flat.mean(axis=0), flat.std(axis=0)
    spread[spread == 0.0] = 1.0  # a constant feature: its weight stays at 0 under the penalty
    z = np.where(valid[..., None], (x - mean) / spread, 0.0)

    def loss(w: Any) -> tuple[float, Any]:
        s = z @ w
        every = np.where(valid, s, -np.inf)
        right = np.where(gold, s, -np.inf)
        whole, held = logsumexp(every, axis=1), logsumexp(right, axis=1)
        gap = np.exp(every - whole[:, None]) - np.exp(right - held[:, None])
        value = float(np.mean(whole - held)) + 0.5 * l2 * float(w @ w)
        return value, np.einsum("nd,ndk->k", gap, z) / len(choices) + l2 * w

    w = minimize(loss, np.zeros(width), jac=True, method="L-BFGS-B").x / spread
    top = float(np.max(np.abs(w)))
    return tuple(round(float(v) * LISTWISE_SCALE / top, 4) for v in w) if top else tuple(0.0 for _ in w)


def fit_rerank(choices: Sequence[Choice], start: Sequence[float], folds: int = 5, seed: int = 13
               ) -> tuple[float, ...]:
    """The re-ranker's weights: the listwise fit, its penalty the one whose held-out hits are most
    over inner folds, then coordinate ascent on hits from there (from ``start`` alone when there
    are too few questions to fold)."""
    if len(choices) < 2 * folds:
        return fit_excerpt(choices, start)

    def held_hits(l2: float) -> int:
        return sum(excerpt_hits(held, fit_listwise(train, l2)) for train, held in splits(_folds(choices, folds, seed)))

    l2 = max(LISTWISE_L2S, key=lambda v: (held_hits(v), v))  # ties: the stronger penalty
    return fit_excerpt(choices, fit_listwise(choices, l2))


def cross_validate_excerpt(choices: Sequence[Choice], start: Sequence[float], folds: int = 5,
                           seed: int = 13, label: str = "quote_holds",
                           fit: Callable[[Sequence[Choice]], Sequence[float]] | None = None
                           ) -> list[dict[str, float]]:
    """Per fold: the held-out share of hits of the weights ``fit`` (coordinate ascent from
    ``start`` when None) finds on the other folds, and of ``start`` itself."""
    out = []
    for train, held in splits(_folds(choices, folds, seed)):
        w = fit(train) if fit is not None else fit_excerpt(train, start)
        n = max(1, len(held))
        out.append({label: round(excerpt_hits(held, w) / n, 3),
                    "start_weights": round(excerpt_hits(held, start) / n, 3)})
    return out


def collect_items(sets: Sequence[EvalSet], embedder: Any, dense_weight: float | None = None) -> list[Choice]:
    """Single-turn answerable tuning questions whose item is found by search (not by a code or an
    article they name) and whose gold item is among the first rerank.DEPTH:
    each retrieved item's re-ranking features, and which are gold (earlier places win ties)."""
    out = []
    for s, assistant, questions in _each(sets, embedder, dense_weight):
        for q in questions:
            if not q["gold_items"] or q.get("turns"):
                continue
            query = assistant.searched(q["question"])
            if query is None:
                continue
            hits, vectors = assistant.item_features(query.text, query.expanded)
            holds = tuple(h.seq in q["gold_items"] for h in hits)
            if any(holds):
                out.append(Choice(s.name, q["id"], tuple(vectors), holds, tuple(range(len(hits)))))
    return out


FOLLOW_GRID = tuple((g, w, wo) for g in (0.05, 0.1, 0.2, 0.5) for w in (0.3, 0.5, 0.7) for wo in (0.6, 0.8, 1.0))


def collect_follow_ups(sets: Sequence[EvalSet], embedder: Any, **options: Any) -> list[tuple[str, tuple[bool, ...]]]:
    """For each answerable tuning question with earlier turns: whether its gold item leads,
    under every FOLLOW_GRID setting (the conversation replayed each time)."""
    from assistant.answering.policy import FollowUp

    out = []
    for s, assistant, questions in _each(sets, embedder, **options):
        for q in questions:
            if not q["gold_items"] or not q.get("turns"):
                continue
            firsts = []
            for g, w, wo in FOLLOW_GRID:
                assistant.follow = FollowUp(g, w, wo)
                a = assistant.ask(q["question"], replay(assistant.ask, q))
                firsts.append(bool(a.hits) and a.hits[0].seq in q["gold_items"])
            out.append((f"{s.name}:{q['id']}", tuple(firsts)))
    return out


def fit_follow_up(rows: Sequence[tuple[str, tuple[bool, ...]]]) -> tuple[float, float, float]:
    """The setting with most gold items first; ties go to the one nearest the unfitted default."""
    default = (0.1, 0.5, 0.8)
    counts = [sum(r[1][i] for r in rows) for i in range(len(FOLLOW_GRID))]
    best = max(range(len(FOLLOW_GRID)),
               key=lambda i: (counts[i], -sum(abs(a - b) for a, b in zip(FOLLOW_GRID[i], default, strict=True))))
    return FOLLOW_GRID[best]


def cross_validate_follow_up(rows: Sequence[tuple[str, tuple[bool, ...]]], folds: int = 5,
                             seed: int = 13) -> list[dict[str, Any]]:
    default = FOLLOW_GRID.index((0.1, 0.5, 0.8))
    out = []
    for train, held in splits(_folds(rows, folds, seed)):
        k = FOLLOW_GRID.index(fit_follow_up(train))
        n = max(1, len(held))
        out.append({"setting": FOLLOW_GRID[k], "follow_up_first": round(sum(r[1][k] for r in held) / n, 3),
                    "unfitted": round(sum(r[1][default] for r in held) / n, 3)})
    return out


@dataclass(frozen=True, slots=True)
class VoteRow:
    """One answerable tuning follow-up: the items its readings offered (answering/follow_vote.py),
    each one's features, and which are its gold item."""

    key: str  # set:id
    list_name: str  # held-out folds are whole lists
    features: tuple[tuple[float, ...], ...]
    gold: tuple[bool, ...]


class _Offered:
    """Stands in for the vote while collecting: keeps what was offered and lets the rules decide."""

    def __init__(self) -> None:
        self.candidates: list[Any] | None = None

    def choose(self, candidates: Sequence[Any]) -> int:
        self.candidates = list(candidates)
        return 0


def collect_follow_votes(sets: Sequence[EvalSet], embedder: Any, **options: Any) -> list[VoteRow]:
    """Each answerable tuning question asked after earlier turns on an item: the candidates the
    follow-up's readings offered (the rules' choice first) and which of them is gold."""
    out = []
    for s, assistant, questions in _each(sets, embedder, **options):
        offered = _Offered()
        assistant.follow_vote = offered
        for q in questions:
            if not q["gold_items"] or not q.get("turns"):
                continue
            history = replay(assistant.ask, q)
            offered.candidates = None  # the earlier turns were voted on too: only this one counts
            assistant.ask(q["question"], history)
            if not offered.candidates:
                continue
            gold = tuple(assistant.catalogue.items[c.key].seq in q["gold_items"] for c in offered.candidates)
            out.append(VoteRow(f"{s.name}:{q['id']}", s.list_name,
                               tuple(c.vector() for c in offered.candidates), gold))
    return out


def vote_hits(rows: Sequence[VoteRow], weights: Sequence[float]) -> int:
    """Follow-ups whose best-scored candidate is gold (ties: the earlier, the rules' choice first)."""
    return excerpt_hits(_vote_choices(rows), weights)


def _vote_choices(rows: Sequence[VoteRow]) -> list[Choice]:
    return [Choice(r.list_name, r.key, r.features, r.gold, tuple(range(len(r.gold)))) for r in rows]


def fit_follow_vote(rows: Sequence[VoteRow], start: Sequence[float], folds: int = 5, seed: int = 13
                    ) -> tuple[float, ...]:
    """The vote's weights: a conditional logit over each follow-up's candidates (fit_listwise), its
    penalty the one with most held-out hits over inner folds (ties: the stronger). Follow-ups no
    candidate answers teach nothing and are left out; with too few to fold, ``start`` stands."""
    usable = [c for c in _vote_choices(rows) if any(c.holds) and len(c.holds) > 1]
    if len(usable) < 2 * folds:
        return tuple(start)

    def held_hits(l2: float) -> int:
        return sum(excerpt_hits(held, fit_listwise(train, l2)) for train, held in splits(_folds(usable, folds, seed)))

    l2 = max(LISTWISE_L2S, key=lambda v: (held_hits(v), v))
    return fit_listwise(usable, l2)


def cross_validate_follow_vote(rows: Sequence[VoteRow], start: Sequence[float]) -> list[dict[str, Any]]:
    """Per list, its follow-ups' gold items first under a vote fitted on the other lists', beside
    the rules' choice (``start``): a new office's list is a list held out."""
    out = []
    for name in sorted({r.list_name for r in rows}):
        held = [r for r in rows if r.list_name == name]
        weights = fit_follow_vote([r for r in rows if r.list_name != name], start)
        out.append({"list": name, "follow_ups": len(held), "rules": vote_hits(held, start),
                    "vote": vote_hits(held, weights), "weights": list(weights)})
    return out


@dataclass(frozen=True, slots=True)
class FollowRow:
    key: str  # set:id
    list_name: str  # the list the set is asked over: held-out folds are whole lists
    features: tuple[float, ...]  # policy.FOLLOW_FEATURES
    unanswerable: bool


def collect_follow_refusal(sets: Sequence[EvalSet], embedder: Any, follow: Any = None,
                           **options: Any) -> list[FollowRow]:
    """Each tuning question asked after earlier turns that stays on the conversation's item (no
    rule refused it): its follow-up evidence, and whether no list answers it."""
    out = []
    for s, assistant, questions in _each(sets, embedder, **options):
        assistant.follow_refusal = FollowRefusal()
        if follow is not None:
            assistant.follow = follow
        for q in questions:
            if not q.get("turns"):
                continue
            a = assistant.ask(q["question"], replay(assistant.ask, q))
            if a.refused or "follow_marker" not in a.evidence:
                continue
            out.append(FollowRow(f"{s.name}:{q['id']}", s.list_name,
                                 tuple(float(a.evidence.get(f, 0.0)) for f in FOLLOW_FEATURES), not q["gold_items"]))
    return out


def fit_follow_refusal(rows: Sequence[FollowRow], provenance: str = "",
                       max_false_refusals: float = FOLLOW_MAX_FALSE_REFUSALS,
                       inner_folds: int = INNER_FOLDS) -> FollowRefusal:
    """The follow-up refusal: a class-balanced logistic model on all ``rows``, its cut the lowest
    that refuses at most ``max_false_refusals`` of the answerable follow-ups, placed on out-of-fold
    probabilities (as for the main policy: in-sample ones are surer than a new question's)."""
    def model(train: Sequence[FollowRow]) -> Logistic:
        return fit_logistic([r.features for r in train], [int(r.unanswerable) for r in train], l2=L2,
                            balanced=True, names=FOLLOW_FEATURES)

    if len({r.unanswerable for r in rows}) < 2:
        return FollowRefusal(provenance=provenance or "uncalibrated")
    everything = model(rows)
    order = sorted(range(len(rows)), key=lambda i: (rows[i].unanswerable, random.Random(i + 7).random()))
    fold_of = {i: n % inner_folds for n, i in enumerate(order)}
    oof = [0.0] * len(rows)
    for k in range(inner_folds):
        train = [r for i, r in enumerate(rows) if fold_of[i] != k]
        m = model(train) if len({r.unanswerable for r in train}) == 2 else everything
        for i, r in enumerate(rows):
            if fold_of[i] == k:
                oof[i] = m(_follow_evidence(r))
    answerable = sorted((oof[i] for i, r in enumerate(rows) if not r.unanswerable), reverse=True)
    allowed = int(max_false_refusals * len(answerable))
    cut = answerable[allowed] if allowed < len(answerable) else 0.0
    return FollowRefusal(everything, min(1.0, max(0.0, cut)), provenance)


def _follow_evidence(r: FollowRow) -> Evidence:
    return Evidence(dict(zip(FOLLOW_FEATURES, r.features, strict=True)))


def cross_validate_follow_refusal(rows: Sequence[FollowRow],
                                  max_false_refusals: float = FOLLOW_MAX_FALSE_REFUSALS) -> list[dict[str, Any]]:
    """Per list, its follow-ups refused by a refusal fitted on the other lists' (a list's own words
    are what the features count, so a list held out is what a new office's list will be): counts,
    since a list holds only a few unanswerable follow-ups."""
    out = []
    for name in sorted({r.list_name for r in rows}):
        train = [r for r in rows if r.list_name != name]
        held = [r for r in rows if r.list_name == name]
        refusal = fit_follow_refusal(train, max_false_refusals=max_false_refusals)
        refused = [refusal.decide(_follow_evidence(r))[0] for r in held]
        out.append({"list": name, "unanswerable": sum(r.unanswerable for r in held),
                    "unanswerable_refused": sum(f for f, r in zip(refused, held, strict=True) if r.unanswerable),
                    "answerable": sum(not r.unanswerable for r in held),
                    "answerable_refused": sum(f for f, r in zip(refused, held, strict=True) if not r.unanswerable)})
    return out


@dataclass(frozen=True)
class FieldRow:
    set_name: str
    qid: str
    text: str  # the question as understood: what the assistant embeds and reads
    vector: tuple[float, ...]
    field: str  # the gold field
    rule: str  # the column the cue words name


FIELD_C = (0.03, 0.1, 0.3, 1.0)


def collect_fields(sets: Sequence[EvalSet], embedder: Any) -> list[FieldRow]:
    """Answerable tuning questions with a gold field, their query vectors and the cue words' column."""
    out = []
    for s, assistant, questions in _each(sets, embedder):
        for q in questions:
            if not q["gold_items"] or not q.get("gold_field"):
                continue
            query = assistant.understander.understand(q["question"])
            vectors = assistant.retriever.query_vectors([query.text])
            if vectors is None:
                continue
            out.append(FieldRow(s.name, q["id"], query.text, tuple(float(v) for v in vectors[0]),
                                q["gold_field"], query.intent.column))
    return out


def _field_accuracy(model: Any, rows: Sequence[FieldRow]) -> float:
    right = 0
    for r in rows:
        probs = model.probs(r.vector, r.text)
        right += bool(probs) and max(probs, key=probs.__getitem__) == r.field
    return right / max(1, len(rows))


def cross_validate_fields(rows: Sequence[FieldRow], model_name: str, folds: int = 5, seed: int = 13
                          ) -> tuple[list[dict[str, float]], float, dict[str, Any]]:
    """Per fold, the field model fitted on the other folds (its strength chosen among FIELD_C by the
    same folds' accuracy): held-out accuracy beside the cue words'. Also the out-of-fold model of
    each question's text, for the stages fitted after it (they must see what a new question gets)."""
    from assistant.answering.field_model import fit

    parts = _folds(rows, folds, seed)

    def fold_models(c: float) -> list[Any]:
        return [fit([r.vector for r in train], [r.field for r in train], model_name, c=c)
                for train, _ in splits(parts)]

    scored = {}
    for c in FIELD_C:
        models = fold_models(c)
        scored[c] = (sum(_field_accuracy(m, held) * len(held) for m, held in zip(models, parts, strict=True))
                     / max(1, len(rows)), models)
    best = max(FIELD_C, key=lambda c: (scored[c][0], -abs(c - 0.3)))
    models = scored[best][1]
    out = [{"field_model": round(_field_accuracy(m, held), 3),
            "cue_words": round(sum(r.rule == r.field for r in held) / max(1, len(held)), 3)}
           for m, held in zip(models, parts, strict=True)]
    by_text = {r.text: m for m, held in zip(models, parts, strict=True) for r in held}
    return out, best, by_text


@dataclass(frozen=True)
class OverruleRow:
    """An answerable tuning question the field model could overrule the cue words on: its
    probability of its own field and of the cue words' one, and whether the primary quote holds
    the answer without the overrule and with it."""

    qid: str
    top: float
    theirs: float
    held: tuple[bool, bool]


OVERRULE_SURE = (0.7, 0.8, 0.9, 0.95, 1.01)  # 1.01: never
OVERRULE_UNLIKELY = (0.02, 0.05, 0.1, 0.2)


def collect_overrules(sets: Sequence[EvalSet], embedder: Any, **options: Any) -> list[OverruleRow]:
    """Each answerable tuning question answered twice where the loosest setting would overrule
    (``options`` as for the assistant, ``field_model`` the out-of-fold stand-in)."""
    from assistant.answering.field_model import Overrule

    never, always = Overrule(1.01, 0.0), Overrule(0.0, 1.0)
    loosest = Overrule(min(OVERRULE_SURE), max(OVERRULE_UNLIKELY))
    out = []
    for s, assistant, questions in _each(sets, embedder, **options):
        for q in questions:
            if not q["gold_items"]:
                continue
            history = replay(assistant.ask, q)
            query = assistant.understander.understand(q["question"])
            probs = assistant.field_probs(query.text)
            column = assistant.asked(assistant._resolve(query, assistant._focus(history))).column
            if not probs or loosest.applies(probs, column) is None:
                continue
            held = []
            for setting in (never, always):
                assistant.overrule = setting
                a = assistant.ask(q["question"], history)
                held.append(bool(a.hits) and a.hits[0].seq in q["gold_items"] and a.primary is not None
                            and q["must_quote"] in a.primary.text)
            out.append(OverruleRow(f"{s.name}:{q['id']}", max(probs.values()), probs.get(column, 0.0),
                                   (held[0], held[1])))
    return out


def _overrule_gain(rows: Sequence[OverruleRow], sure: float, unlikely: float) -> int:
    return sum(r.held[1 if r.top >= sure and r.theirs <= unlikely else 0] for r in rows)


def fit_overrule(rows: Sequence[OverruleRow]) -> tuple[float, float]:
    """The setting with most quotes holding the answer (ties: the stricter one)."""
    return max(((s, u) for s in OVERRULE_SURE for u in OVERRULE_UNLIKELY),
               key=lambda su: (_overrule_gain(rows, *su), su[0], -su[1]))


def cross_validate_overrule(rows: Sequence[OverruleRow], folds: int = 5, seed: int = 13) -> list[dict[str, Any]]:
    out = []
    for train, held in splits(_folds(rows, folds, seed)):
        setting = fit_overrule(train)
        out.append({"setting": setting, "quote_holds": _overrule_gain(held, *setting),
                    "never": _overrule_gain(held, 1.01, 0.0), "questions": len(held)})
    return out

"""Fit the routing constants on the routing tuning sets, by k-fold cross-validation.

Three things are fitted, in order: the routing search's dense weight (most questions whose
first office is right), when a second office is named (a logistic split model over how each other
office's best item compares with the leader, and its cut; ``split_ratio`` and ``depth`` as the
fallback rule), each chosen for most held matters whose offices are all named, less a cost for each
office named that does not hold it, and the routing refusal policy
(the same logistic evidence model as for any question, fitted on routing questions, where a
matter no office holds is the unanswerable case). eval/calibrate.py runs it; report sets are
never read.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.answering import routing
from assistant.answering.dialogue import earlier_matter
from assistant.answering.policy import NEVER_REFUSE, Evidence, Logistic, RefusalPolicy, fit_logistic
from assistant.evaluation import calibration
from assistant.evaluation.score import load_questions, replay
from assistant.evaluation.sets import EvalSet, open_assistant

DENSE_WEIGHTS = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
RATIOS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0, 2.0)
DEPTHS = (2, 3, 5, 10, 20)
# Share of held matters the routing policy may refuse on the fitting folds: a refused held matter
# costs one question, as a named office for a matter nobody holds does.
MAX_FALSE_REFUSALS = 0.1
# What the routing refusal reads: with a few dozen routing questions to fit on, a model of every
# evidence feature fits noise (cross-validated, it refused a quarter of held matters). The run of
# the leading office's items and the share of the question's words the lists use were added when
# each, read with the other, raised held matters' first office right and unheld ones refused; the
# share of the question's weight the leading item and its name hold, when 350 questions to fit on
# made them pay (5-fold, three seeds: unheld refused 0.754 → 0.795, held refused 0.100 → 0.095).
# The served offices' usual duties against the unserved ones' (``served``) were added when, on
# the routing tuning questions asked alone, they told held from unheld matters better (see
# Assistant.route_evidence).
FEATURES = ("dense", "dense_margin", "elsewhere", "office_run", "coverage", "idf_share", "name_share", "served")


@dataclass(frozen=True, slots=True)
class RouteRow:
    """One routing tuning question, per dense weight: the offices as ranked (office list id,
    score relative to the leader, place) and the evidence the refusal policy reads."""

    qid: str
    gold: frozenset[str]
    follow_up: bool
    offices: tuple[tuple[tuple[str, float, int], ...], ...]  # by DENSE_WEIGHTS
    evidence: tuple[tuple[float, ...], ...]  # by DENSE_WEIGHTS
    # By DENSE_WEIGHTS: each office after the first, with its routing.SPLIT_FEATURES (None beyond reach).
    split: tuple[tuple[tuple[str, tuple[float, ...] | None], ...], ...] = ()

    @property
    def held(self) -> bool:
        return bool(self.gold)


def collect(sets: Sequence[EvalSet], embedder: Any) -> list[RouteRow]:
    rows = []
    for s in sets:
        if s.task != "routing" or not s.available:
            continue
        assistant = open_assistant(s, embedder, policy=NEVER_REFUSE)
        assistant.routing_policy = NEVER_REFUSE
        for q in load_questions(s.questions):
            history = replay(assistant.ask, q)
            focus = assistant._focus(history)
            earlier = earlier_matter(history)
            query = assistant.understander.understand(q["question"])
            offices, evidence, split = [], [], []
            for w in DENSE_WEIGHTS:
                assistant.routing = routing.RoutingWeights(2.0, 1, w)
                hits, _, readings = assistant.route_hits(query, focus, earlier)
                found = routing.ratios(hits, lambda lid: lid)
                offices.append(tuple((lid, round(r, 4), n) for lid, _, r, n in found))
                evidence.append(tuple(assistant.route_evidence(query, hits)[0].vector()))
                values = routing.split_values(found, readings, assistant.kin)
                split.append(tuple((f[0], None if v is None else tuple(v[n] for n in routing.SPLIT_FEATURES))
                                   for f, v in zip(found[1:], values, strict=True)))
            rows.append(RouteRow(f"{s.name}:{q['id']}", frozenset(q.get("gold_offices") or ()),
                                 bool(q.get("turns")), tuple(offices), tuple(evidence), tuple(split)))
    return rows


def named(row: RouteRow, k: int, weights: routing.RoutingWeights) -> list[str]:
    """The offices ``weights`` name, as ``routing.offices`` decides: the first, then the others the
    split model (or, without one, the ratio rule) names."""
    found = row.offices[k]
    if weights.split_model is not None and row.split:
        return [lid for lid, r, n in found[:1]] + [
            lid for lid, v in row.split[k]
            if weights.names_by_model(None if v is None else dict(zip(routing.SPLIT_FEATURES, v, strict=True)))]
    return [lid for lid, r, n in found[:1]] + [lid for lid, r, n in found[1:] if weights.names_by_ratio(r, n)]


def fit_weight(rows: Sequence[RouteRow]) -> int:
    """Index of the dense weight with most held matters' first office right (ties: nearest 0.7)."""
    held = [r for r in rows if r.held]
    counts = [sum(r.offices[k][0][0] in r.gold for r in held if r.offices[k]) for k in range(len(DENSE_WEIGHTS))]
    return max(range(len(DENSE_WEIGHTS)), key=lambda k: (counts[k], -abs(DENSE_WEIGHTS[k] - 0.7)))


# What naming an office that does not hold the matter costs, against naming every one that does:
# an extra office is shown with its own clause, which the reader can see does not fit; a missing
# one leaves the reader not knowing that a second office holds part of the matter.
EXTRA_OFFICE_COST = 0.5


def _gain(held: Sequence[RouteRow], names_of: Any) -> float:
    """Held matters whose offices are all named, less EXTRA_OFFICE_COST for each office named that
    does not hold it."""
    total = 0.0
    for r in held:
        names = set(names_of(r))
        total += (r.gold <= names) - EXTRA_OFFICE_COST * len(names - r.gold)
    return total


def fit_split(rows: Sequence[RouteRow], k: int) -> tuple[float, int]:
    """(ratio, depth) of the fallback rule with the most ``_gain``; ties go to naming fewer."""
    held = [r for r in rows if r.held]
    return max(((ratio, depth) for ratio in RATIOS for depth in DEPTHS),
               key=lambda rd: (_gain(held, lambda r: named(r, k, routing.RoutingWeights(*rd))), rd[0], -rd[1]))


SPLIT_CUTS = tuple(round(0.05 * i, 2) for i in range(2, 19))
SPLIT_L2 = 1.0


def fit_split_model(rows: Sequence[RouteRow], k: int) -> tuple[Logistic | None, float]:
    """The split model (each other office within reach, labelled by whether it holds the matter)
    and its cut with the most ``_gain``; ties go to naming fewer. None without both labels."""
    held = [r for r in rows if r.held and r.split]
    x = [v for r in held for _, v in r.split[k] if v is not None]
    y = [int(lid in r.gold) for r in held for lid, v in r.split[k] if v is not None]
    if len(set(y)) < 2:
        return None, 0.5
    model = fit_logistic(x, y, l2=SPLIT_L2, names=routing.SPLIT_FEATURES)
    cut = max(SPLIT_CUTS, key=lambda c: (_gain(held, lambda r: named(
        r, k, routing.RoutingWeights(2.0, 1, split_model=model, split_above=c))), c))
    return model, cut


def _kept(vector: tuple[float, ...]) -> tuple[float, ...]:
    """The evidence with the features the routing policy does not read set to 0 (their coefficients
    then fit to 0: a constant column says nothing)."""
    return tuple(v if f in FEATURES else 0.0 for f, v in zip(calibration.FEATURES, vector, strict=True))


def fit_policy(rows: Sequence[RouteRow], k: int, provenance: str = "") -> RefusalPolicy:
    crows = [calibration.Row("routing", r.qid, _kept(r.evidence[k]), r.held,
                             r.held and bool(r.offices[k]) and r.offices[k][0][0] in r.gold,
                             r.held and bool(r.offices[k]) and r.offices[k][0][0] in r.gold)
             for r in rows if not r.follow_up]
    return calibration.fit(crows, provenance, max_false_refusals=MAX_FALSE_REFUSALS)


def fit(rows: Sequence[RouteRow], provenance: str = "") -> tuple[routing.RoutingWeights, RefusalPolicy]:
    k = fit_weight(rows)
    ratio, depth = fit_split(rows, k)
    model, above = fit_split_model(rows, k)
    return (routing.RoutingWeights(ratio, depth, DENSE_WEIGHTS[k], provenance, model, above),
            fit_policy(rows, k, provenance))


def figures(rows: Sequence[RouteRow], weights: routing.RoutingWeights,
            policy: RefusalPolicy) -> dict[str, float | None]:
    k = DENSE_WEIGHTS.index(weights.dense_weight) if weights.dense_weight in DENSE_WEIGHTS else 0

    def refused(r: RouteRow) -> bool:
        return not r.follow_up and policy.decide(Evidence(dict(zip(calibration.FEATURES, r.evidence[k],
                                                                   strict=True))))[0]

    held = [r for r in rows if r.held]
    split = [r for r in held if len(r.gold) > 1]
    unheld = [r for r in rows if not r.held]
    names = {r.qid: set(named(r, k, weights)) for r in held}

    def share(ok: int, n: int) -> float | None:
        return round(ok / n, 3) if n else None

    return {"office_first": share(sum(not refused(r) and r.offices[k][0][0] in r.gold for r in held), len(held)),
            "split_all_named": share(sum(not refused(r) and r.gold <= names[r.qid] for r in split), len(split)),
            "extra_offices": share(sum(len(names[r.qid] - r.gold) for r in held if not refused(r)), len(held)),
            "unheld_refused": share(sum(refused(r) for r in unheld), len(unheld)),
            "held_refused": share(sum(refused(r) for r in held), len(held))}


def cross_validate(rows: Sequence[RouteRow], folds: int = 5, seed: int = 13) -> list[dict[str, Any]]:
    order = list(rows)
    random.Random(seed).shuffle(order)
    order.sort(key=lambda r: (r.held, len(r.gold)))  # each kind dealt round the folds
    parts = [order[i::folds] for i in range(folds)]
    out = []
    for train, held_out in calibration.splits(parts):
        weights, policy = fit(train)
        out.append({"dense_weight": weights.dense_weight, "split_ratio": weights.split_ratio,
                    "depth": weights.depth, "split_above": weights.split_above, **figures(held_out, weights, policy)})
    return out


def mean(per_fold: list[dict[str, Any]]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for key in ("office_first", "split_all_named", "extra_offices", "unheld_refused", "held_refused"):
        vals = [f[key] for f in per_fold if f.get(key) is not None]
        out[key] = round(sum(vals) / len(vals), 3) if vals else None
    return out

"""Fit every constant of the refusal policy by k-fold cross-validation on the tuning sets.

    .venv/bin/python eval/calibrate.py [--sets eval/sets.json] [--folds 5] [--write]

Prints the per-fold (held-out) figures and their mean, then the policy fitted on all
tuning questions; --write stores it in assistant/answering/calibration.json, where
RefusalPolicy.fitted() reads it. Report sets are never read.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import time
from pathlib import Path

from assistant import paths
from assistant.answering.policy import CALIBRATION, fitting_from
from assistant.answering.policy import calibration as calibration_of
from assistant.evaluation import calibration
from assistant.evaluation.sets import load_sets

ROUTING_SECTIONS = ("routing", "routing_policy")
POLICY_SECTIONS = ("policy", "cross_validated", "folds", "held_out_by_set")
COUNTS = ("unanswerable", "unanswerable_refused", "answerable", "answerable_refused")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sets", default=str(paths.ROOT / "eval" / "sets.json"))
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--write", action="store_true", help="store the fitted policy as the default")
    p.add_argument("--out", help="write the policy here instead of the package default")
    p.add_argument("--fake-embedder", action="store_true", help="hashing embedder (smoke test only)")
    p.add_argument("--rows", help="also write the policy's rows (evidence and labels) here, as JSON lines")
    p.add_argument("--routing-only", action="store_true",
                   help="fit only the routing constants, keeping the other sections of the calibration")
    p.add_argument("--fields-only", action="store_true",
                   help="fit only the field model, keeping the other sections of the calibration")
    p.add_argument("--policy-only", action="store_true",
                   help="fit only the refusal policy of questions about a matter (its evidence read with the "
                        "calibration's other sections as they are), keeping the other sections")
    p.add_argument("--excerpt-only", metavar="FEATURE", action="append", default=[],
                   help="refit only this excerpt feature's weight (repeatable), from the served weights, with "
                        "the other sections as they are; prints its cross-validated hits")
    p.add_argument("--follow-refusal-only", action="store_true",
                   help="fit only the refusal of follow-ups that stay on the conversation's item (read with the "
                        "calibration's other sections as they are), keeping the other sections")
    args = p.parse_args(argv)
    if args.routing_only + args.fields_only + args.policy_only + bool(args.excerpt_only) \
            + args.follow_refusal_only > 1:
        p.error("--routing-only, --fields-only, --policy-only, --excerpt-only and --follow-refusal-only fit "
                "different sections: give one")
    every = load_sets(Path(args.sets), roles=("tuning",))
    sets = [s for s in every if s.task == "answer"]
    if args.fake_embedder:
        from assistant.index.embed import HashingEmbedder

        embedder = HashingEmbedder()
    else:
        from assistant.service import make_embedder

        embedder = make_embedder()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=paths.ROOT).stdout.strip() or "unknown"
    changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "assistant", "eval",
                              ":!assistant/answering/calibration.json"],
                             capture_output=True, text=True, cwd=paths.ROOT).stdout.strip()
    if changed:  # the fit ran on code or sets not yet committed: the provenance says so
        commit += " with uncommitted changes"
    target = Path(args.out) if args.out else CALIBRATION if args.write else None
    # The kept constants are the target's, or the package default's when the target is new.
    source = target if target is not None and target.exists() else CALIBRATION
    if args.routing_only:  # routing is fitted last, on the answer constants already in the file
        start = {k: v for k, v in calibration_of(source).items() if k not in ROUTING_SECTIONS}
        with fitting_from(start) as fitted:
            fitted.update(fit_routing([s for s in every if s.task == "routing"], embedder, args.folds, commit))
        if set(fitted) & set(ROUTING_SECTIONS):
            _write(target, fitted)
        return 0
    if args.fields_only:
        # The field model reads the question's vector alone, so it is refitted on new questions
        # without the stages after it; they read its probabilities as they are (eval/README.md
        # measures the whole stack refitted beside it).
        kept = dict(calibration_of(source))
        with fitting_from({k: v for k, v in kept.items() if k != "field_model"}):
            section = fit_fields(sets, embedder, args.folds, commit)[1]
        if section:
            kept.update(section)  # in the place the section had: the file's diff is the model alone
            _write(target, kept)
        return 0
    if args.excerpt_only:
        # A new excerpt feature is weighed on its own, the others as served: a whole refit moves
        # every stage after it too (eval/README.md, twenty-eighth session).
        kept = dict(calibration_of(source))
        with fitting_from(dict(kept)):
            section = fit_excerpt_features(sets, embedder, commit, args.excerpt_only)
        kept.update(section)
        _write(target, kept)
        return 0
    if args.follow_refusal_only:
        kept = dict(calibration_of(source))
        provenance = _on_the_sets("--follow-refusal-only", sets, commit) + "; the other sections as served"
        with fitting_from({k: v for k, v in kept.items() if k != "follow_refusal"}):
            kept.update(fit_follow_refusal(sets, embedder, provenance))
        _write(target, kept)
        return 0
    if args.policy_only:  # the policy is fitted last among the answer stages, on those in the file
        kept = dict(calibration_of(source))
        with fitting_from({k: v for k, v in kept.items() if k not in POLICY_SECTIONS}):
            sections = fit_policy(sets, embedder, args.folds, commit, Path(args.rows) if args.rows else None)
        kept.update(sections)
        _write(target, kept)
        return 0
    # Every stage starts from the code's unfitted values plus the stages fitted before it in this
    # run, never from the calibration file, so the same code and sets give the same fit.
    with fitting_from({}) as fitted:
        fit_answers(sets, embedder, args.folds, commit, fitted, Path(args.rows) if args.rows else None)
        fitted.update(fit_routing([s for s in every if s.task == "routing"], embedder, args.folds, commit))
    _write(target, fitted)
    return 0


def _on_the_sets(how: str, sets: list, commit: str) -> str:
    """A section's provenance: the run (``how``), the tuning sets it read, the commit and the day."""
    return (f"eval/calibrate.py {how} on the tuning sets ({', '.join(s.name for s in sets if s.available)}), "
            f"commit {commit}, {time.strftime('%Y-%m-%d')}")


def _write(target: Path | None, fitted: dict) -> None:
    """The calibration file ``target`` (nothing without one: the fit was printed only)."""
    if target is None:
        return
    target.write_text(json.dumps(fitted, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written: {target}")


def fit_answers(sets: list, embedder: object, folds: int, commit: str, fitted: dict,
                rows_out: Path | None = None) -> None:
    """Fusion, re-ranking, field model, excerpt, overrule, follow-ups, the follow-up vote, follow-up
    refusal and the refusal policy, in that order; each stage's section goes into ``fitted`` before the next runs."""
    ranked = calibration.collect_fusion(sets, embedder)
    fusion_folds = calibration.cross_validate_fusion(ranked, folds=folds)
    for n, f in enumerate(fusion_folds, start=1):
        print(f"fusion fold {n}: dense weight {f['dense_weight']} → item first {f['item_first']} "
              f"(0.5 would give {f['at_0.5']})")
    dense_weight = calibration.fit_fusion(ranked)
    print(f"fusion: dense weight {dense_weight} on all {len(ranked)} single-turn answerable questions")
    fitted["fusion"] = {"dense_weight": dense_weight, "folds": fusion_folds}
    from assistant.answering import rerank
    from assistant.answering.select import DEFAULT, FEATURES, ExcerptWeights

    provenance = _on_the_sets(f"--folds {folds}", sets, commit)
    items = calibration.collect_items(sets, embedder, dense_weight)
    keep = rerank.KEEP_ORDER.weights
    item_folds = calibration.cross_validate_excerpt(items, keep, folds=folds, label="item_first")
    # The listwise start (calibration.fit_rerank) is printed, not used: it gains on this stage held
    # out, but the whole stack refitted on it was no better on the tuning sets (eval/README.md).
    listwise = calibration.cross_validate_excerpt(items, keep, folds=folds, label="item_first",
                                                  fit=lambda train: calibration.fit_rerank(train, keep))
    for n, (f, lw) in enumerate(zip(item_folds, listwise, strict=True), start=1):
        f["listwise_start"] = lw["item_first"]
        print(f"rerank fold {n}: item first {f['item_first']} (listwise start {lw['item_first']}, "
              f"retrieval order {f['start_weights']})")
    item_weights = calibration.fit_excerpt(items, keep)
    print(f"rerank weights on all {len(items)} questions whose gold item is in the first {rerank.DEPTH}: "
          + ", ".join(f"{k} {v}" for k, v in zip(rerank.FEATURES, item_weights, strict=True)))
    fitted["rerank"] = {"features": list(rerank.FEATURES), "weights": list(item_weights),
                        "provenance": provenance, "folds": item_folds}
    reranker = rerank.ItemWeights(item_weights, provenance="calibrating")
    fields, field_section = fit_fields(sets, embedder, folds, commit)
    fitted.update(field_section)
    choices = calibration.collect_excerpts(sets, embedder, dense_weight, reranker, field_model=fields)
    excerpt_folds = calibration.cross_validate_excerpt(choices, DEFAULT.weights, folds=folds)
    for n, f in enumerate(excerpt_folds, start=1):
        print(f"excerpt fold {n}: quote holds the answer {f['quote_holds']} (unfitted weights {f['start_weights']})")
    weights = calibration.fit_excerpt(choices, DEFAULT.weights)
    print(f"excerpt weights on all {len(choices)} questions whose leading item is right: "
          + ", ".join(f"{k} {v}" for k, v in zip(FEATURES, weights, strict=True)))
    fitted["excerpt"] = {"features": list(FEATURES), "weights": list(weights), "provenance": provenance,
                         "folds": excerpt_folds}
    excerpt = ExcerptWeights(weights, provenance="calibrating")
    overrule, overrule_section = fit_overrule(sets, embedder, dense_weight, excerpt, reranker, fields, folds,
                                              commit)
    fitted.update(overrule_section)
    follow_rows = calibration.collect_follow_ups(sets, embedder, excerpt_weights=excerpt, item_weights=reranker,
                                                 field_model=fields, overrule=overrule)
    follow_folds = calibration.cross_validate_follow_up(follow_rows, folds=folds)
    for n, f in enumerate(follow_folds, start=1):
        print(f"follow-up fold {n}: setting {f['setting']} → item first {f['follow_up_first']} "
              f"(unfitted {f['unfitted']})")
    generic_share, with_marker, without_marker = calibration.fit_follow_up(follow_rows)
    print(f"follow-up on all {len(follow_rows)} answerable follow-ups: generic share {generic_share}, "
          f"with a marker {with_marker}, without {without_marker}")
    fitted["follow_up"] = {"generic_share": generic_share, "with_marker": with_marker,
                           "without_marker": without_marker, "provenance": provenance, "folds": follow_folds}
    from assistant.answering.follow_vote import FEATURES as VOTE_FEATURES
    from assistant.answering.follow_vote import RULES_STAND

    votes = calibration.collect_follow_votes(sets, embedder, excerpt_weights=excerpt, item_weights=reranker,
                                             field_model=fields, overrule=overrule)
    vote_lists = calibration.cross_validate_follow_vote(votes, RULES_STAND.weights)
    for f in vote_lists:
        print(f"follow-up vote, {f['list']} held out: gold first {f['vote']}/{f['follow_ups']} "
              f"(the rules alone {f['rules']}), weights {f['weights']}")
    vote_total = {k: sum(f[k] for f in vote_lists) for k in ("follow_ups", "rules", "vote")}
    vote = calibration.fit_follow_vote(votes, RULES_STAND.weights)
    print(f"follow-up vote on all {len(votes)} answerable follow-ups on an item: "
          + ", ".join(f"{k} {v}" for k, v in zip(VOTE_FEATURES, vote, strict=True))
          + f"; each list held out {vote_total['vote']}/{vote_total['follow_ups']} "
            f"(the rules alone {vote_total['rules']})")
    fitted["follow_vote"] = {"features": list(VOTE_FEATURES), "weights": list(vote), "provenance": provenance,
                             "lists_held_out": vote_lists, "cross_validated": vote_total}
    from assistant.answering.policy import FollowUp

    fitted.update(fit_follow_refusal(sets, embedder, provenance, FollowUp(generic_share, with_marker, without_marker),
                                     excerpt_weights=excerpt, item_weights=reranker, field_model=fields,
                                     overrule=overrule))
    fitted.update(fit_policy(sets, embedder, folds, commit, rows_out, dense_weight=dense_weight,
                             excerpt_weights=excerpt, item_weights=reranker, field_model=fields, overrule=overrule))


def fit_follow_refusal(sets: list, embedder: object, provenance: str, follow: object = None,
                       **stages: object) -> dict[str, object]:
    """The follow-up refusal's section, on the follow-ups that stay on the conversation's item, read
    with ``stages`` (none: the calibration's), each list held out in turn at each budget."""
    staying = calibration.collect_follow_refusal(sets, embedder, follow, **stages)
    for budget in calibration.FOLLOW_BUDGETS:
        per_list = calibration.cross_validate_follow_refusal(staying, budget)
        total = {k: sum(f[k] for f in per_list) for k in COUNTS}
        print(f"follow-up refusal at {budget:.0%} of answerable follow-ups, each list held out: "
              + "; ".join(f"{f['list']} {f['unanswerable_refused']}/{f['unanswerable']} unanswerable, "
                          f"{f['answerable_refused']}/{f['answerable']} answerable" for f in per_list)
              + f" → {total['unanswerable_refused']}/{total['unanswerable']}, "
                f"{total['answerable_refused']}/{total['answerable']}")
    staying_folds = calibration.cross_validate_follow_refusal(staying)
    staying_total = {k: sum(f[k] for f in staying_folds) for k in COUNTS}
    print(f"follow-up refusal, cross-validated over {len(staying)} follow-ups that stay on the item: "
          + ", ".join(f"{k} {v}" for k, v in staying_total.items()))
    follow_refusal = calibration.fit_follow_refusal(staying, provenance)
    print("follow-up refusal fitted on all: " + json.dumps(follow_refusal.to_json(), ensure_ascii=False))
    return {"follow_refusal": {**follow_refusal.to_json(), "folds": staying_folds, "cross_validated": staying_total}}


def fit_policy(sets: list, embedder: object, folds: int, commit: str, rows_out: Path | None = None,
               **stages: object) -> dict[str, object]:
    """The refusal policy's sections, on the evidence of the tuning questions it decides, read with
    ``stages`` (the stages fitted before it in this run; none: the calibration's)."""
    rows = calibration.collect(sets, embedder, **stages)  # type: ignore[arg-type]
    print(f"{len(rows)} tuning questions decided by the policy "
          f"({sum(r.answerable for r in rows)} answerable, {sum(not r.answerable for r in rows)} not), "
          f"sets: {', '.join(s.name for s in sets if s.available)}")
    if rows_out is not None:  # for looking into the policy's fit without collecting again
        rows_out.write_text("".join(json.dumps(dataclasses.asdict(r), ensure_ascii=False) + "\n" for r in rows),
                            encoding="utf-8")
    per_fold = calibration.cross_validate(rows, folds=folds)
    for n, f in enumerate(per_fold, start=1):
        print(f"fold {n}: " + "  ".join(f"{k} {v}" for k, v in f.items()))
    print("cross-validated mean: " + "  ".join(f"{k} {v}" for k, v in calibration.pooled_folds(per_fold).items()))
    sure_z, by_set = calibration.fit_sure_z(rows)
    print(f"each set held out in turn (as a report set is), pooled, sure cut at {sure_z} standard errors: "
          + "  ".join(f"{k} {v}" for k, v in by_set.items()))
    provenance = (f"eval/calibrate.py --folds {folds} on {len(rows)} tuning questions "
                  f"({', '.join(s.name for s in sets if s.available)}), commit {commit}, "
                  f"{time.strftime('%Y-%m-%d')}")
    policy = calibration.fit(rows, f"{provenance}, sure cut at {sure_z} standard errors", sure_z=sure_z)
    print("fitted on all: " + json.dumps(policy.to_json(), ensure_ascii=False))
    print("in-sample: " + "  ".join(f"{k} {v}" for k, v in calibration.figures(rows, policy).items()))
    return {"policy": policy.to_json(), "cross_validated": calibration.pooled_folds(per_fold), "folds": per_fold,
            "held_out_by_set": by_set}


def fit_fields(sets: list, embedder: object, folds: int, commit: str) -> tuple[object, dict[str, object]]:
    """The field model, cross-validated then fitted on all tuning questions with a gold field, and
    the stand-in the later stages are fitted with (each question read out of fold)."""
    from assistant.answering import field_model

    rows = calibration.collect_fields(sets, embedder)
    if len({r.field for r in rows}) < 2:
        return None, {}
    per_fold, c, by_text = calibration.cross_validate_fields(rows, embedder.name, folds=folds)
    for n, f in enumerate(per_fold, start=1):
        print(f"field fold {n}: field model {f['field_model']} (cue words {f['cue_words']})")
    mean = {k: round(sum(f[k] for f in per_fold) / len(per_fold), 3) for k in per_fold[0]}
    provenance = (f"eval/calibrate.py --folds {folds} on {len(rows)} tuning questions with a gold field, C={c}, "
                  f"commit {commit}, {time.strftime('%Y-%m-%d')}")
    fitted = field_model.fit([r.vector for r in rows], [r.field for r in rows], embedder.name, c=c,
                             provenance=provenance)
    print(f"field model on all {len(rows)} (C={c}): cross-validated accuracy {mean['field_model']}, "
          f"cue words {mean['cue_words']}")
    return (field_model.PerQuestion(by_text, fitted),
            {"field_model": {**fitted.to_json(), "folds": per_fold, "cross_validated": mean}})


def fit_excerpt_features(sets: list, embedder: object, commit: str, names: list[str]) -> dict:
    """The excerpt weights with only those of ``names`` refitted (coordinate ascent from the served
    weights), checked with each list held out in turn: a new office's list is a list held out."""
    from assistant.answering.select import FEATURES, ExcerptWeights

    unknown = sorted(set(names) - set(FEATURES))
    if unknown:
        raise SystemExit(f"no excerpt feature {', '.join(unknown)}; the features are {', '.join(FEATURES)}")
    free = [FEATURES.index(n) for n in names]
    served = ExcerptWeights.fitted().weights
    choices = calibration.collect_excerpts(sets, embedder)
    lists = {s.name: s.list_name for s in sets}
    held_out = []
    for name in sorted({lists[c.set_name] for c in choices}):
        held = [c for c in choices if lists[c.set_name] == name]
        w = calibration.fit_excerpt([c for c in choices if lists[c.set_name] != name], served, free=free)
        held_out.append({"list": name, "questions": len(held), "served": calibration.excerpt_hits(held, served),
                         "refitted": calibration.excerpt_hits(held, w),
                         "weights": {n: w[i] for n, i in zip(names, free, strict=True)}})
        print(f"held out {name}: {held_out[-1]}")
    before = sum(h["served"] for h in held_out)
    after = sum(h["refitted"] for h in held_out)
    weights = calibration.fit_excerpt(choices, served, free=free)
    print(f"each list held out: quotes holding the answer {before} → {after} of {len(choices)}; on all: "
          + ", ".join(f"{n} {weights[i]}" for n, i in zip(names, free, strict=True)))
    provenance = (_on_the_sets("--excerpt-only " + " --excerpt-only ".join(names), sets, commit)
                  + "; the other weights as served")
    return {"excerpt": {"features": list(FEATURES), "weights": list(weights), "provenance": provenance,
                        "held_out_lists": held_out}}


def fit_overrule(sets: list, embedder: object, dense_weight: float, excerpt: object, reranker: object,
                 fields: object, folds: int, commit: str) -> tuple[object, dict[str, object]]:
    """When the field model's column replaces the cue words' (see field_model.Overrule)."""
    from assistant.answering.field_model import Overrule

    if fields is None:
        return None, {}
    rows = calibration.collect_overrules(sets, embedder, dense_weight=dense_weight, excerpt_weights=excerpt,
                                         item_weights=reranker, field_model=fields)
    per_fold = calibration.cross_validate_overrule(rows, folds=folds)
    for n, f in enumerate(per_fold, start=1):
        print(f"overrule fold {n}: setting {f['setting']} → quote holds {f['quote_holds']} of {f['questions']} "
              f"(never overruling: {f['never']})")
    sure, unlikely = calibration.fit_overrule(rows)
    provenance = (f"eval/calibrate.py --folds {folds} on {len(rows)} tuning questions the field model could "
                  f"overrule, commit {commit}, {time.strftime('%Y-%m-%d')}")
    print(f"overrule on all {len(rows)}: sure {sure}, unlikely {unlikely}")
    fitted = Overrule(sure, unlikely, provenance)
    return fitted, {"field_overrule": {**fitted.to_json(), "folds": per_fold}}


def fit_routing(sets: list, embedder: object, folds: int, commit: str) -> dict[str, object]:
    """The routing sections (search weight, split, refusal policy), cross-validated then fitted on
    all routing tuning questions; {} without a routing tuning set."""
    from assistant.evaluation import routing_fit

    rows = routing_fit.collect(sets, embedder)
    if not rows:
        return {}
    per_fold = routing_fit.cross_validate(rows, folds=folds)
    for n, f in enumerate(per_fold, start=1):
        print(f"routing fold {n}: " + "  ".join(f"{k} {v}" for k, v in f.items()))
    print("routing cross-validated mean: " + "  ".join(f"{k} {v}" for k, v in routing_fit.mean(per_fold).items()))
    provenance = (f"eval/calibrate.py --folds {folds} on {len(rows)} routing tuning questions "
                  f"({', '.join(s.name for s in sets if s.available)}), commit {commit}, {time.strftime('%Y-%m-%d')}")
    weights, policy = routing_fit.fit(rows, provenance)
    print("routing fitted on all: " + json.dumps(weights.to_json(), ensure_ascii=False)
          + "  in-sample: " + json.dumps(routing_fit.figures(rows, weights, policy)))
    return {"routing": {**weights.to_json(), "folds": per_fold, "cross_validated": routing_fit.mean(per_fold)},
            "routing_policy": policy.to_json()}


if __name__ == "__main__":
    sys.exit(main())

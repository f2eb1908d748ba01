"""When to answer and how sure to say it is: one fitted policy, one probability.

The evidence for the leading item (``Evidence``) is reduced to features that mean
the same on a list of 7 items and of 3,000: the dense cosine (one model, one
scale), its margin over the next item, the share of the question's weight (IDF)
that the item's own text holds and that its name holds, the share of the question's
words the lists use at all (by count, and by weight never used), whether both signals
put the item first, whether the question's nouns are all foreign to the lists, and
for the best excerpt: its score margin, whether it states the kind of answer asked
for, and how much of the question it holds; over several offices' lists, how many of the
leading items are the leading office's before another office's item comes. A logistic
model turns them into the probability that the leading item answers the question;
``refuse_below`` and ``sure_at`` cut it. All numbers are written by ``eval/calibrate.py``
(k-fold cross-validated on the tuning sets) into ``calibration.json`` beside this file.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import operator
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

FEATURES = ("dense", "dense_margin", "idf_share", "coverage", "agree", "unknown_nouns", "name_share",
            "foreign_share", "topic_foreign", "excerpt_margin", "excerpt_kind", "excerpt_overlap", "service_cue",
            "elsewhere", "office_run", "served", "item_gap", "excerpt_share", "field_length", "field_prob")
# How the answer is shaped (evidence._answer_shape): read by ``right`` only. They tell whether the
# quote is right, not whether the lists hold an answer; read by ``in_scope`` too, they cost it
# unanswerable questions refused (each tuning set held out: 0.702 → 0.667).
SHAPE_FEATURES = ("item_gap", "excerpt_share", "field_length", "field_prob")
CALIBRATION = Path(__file__).with_name("calibration.json")
LEVELS = {"sure": "确定", "likely": "可能相关"}
# in_scope is fitted class-balanced, so 0.5 is where answerable and unanswerable weigh the same:
# an answer on the unanswerable side of it is never called sure, however good its excerpt looks.
SURE_IN_SCOPE = 0.5


# While eval/calibrate.py fits, the package reads the sections fitted so far in this run instead of
# the file, so a fit never depends on the calibration it starts from.
_fitting: dict[str, Any] | None = None


@contextlib.contextmanager
def fitting_from(sections: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Within the block, ``calibration()`` of the package file is ``sections`` (the caller adds each
    stage's fit to it as it goes); values not in it are the code's unfitted defaults."""
    global _fitting
    before, _fitting = _fitting, sections
    try:
        yield sections
    finally:
        _fitting = before


def calibration(path: Path = CALIBRATION) -> Mapping[str, Any]:
    """What eval/calibrate.py wrote, read once per version of the file ({} when absent or unreadable);
    every fitted value (policy, fusion, weights, follow-ups) is a section of it."""
    if _fitting is not None and path == CALIBRATION:
        return _fitting
    try:
        return _read(path, path.stat().st_mtime_ns)
    except OSError:
        return {}


@functools.lru_cache(maxsize=4)
def _read(path: Path, _version: int) -> Mapping[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True, slots=True)
class Evidence:
    """What speaks for the leading item, feature name → value (see FEATURES)."""

    values: Mapping[str, float]

    def vector(self) -> list[float]:
        return [float(self.values.get(f, 0.0)) for f in FEATURES]


@dataclass(frozen=True, slots=True)
class Logistic:
    """p = sigmoid(bias + Σ coef·(x − mean)/scale) over ``names`` (FEATURES unless said).
    Validated on construction."""

    coef: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    names: tuple[str, ...] = FEATURES

    def __post_init__(self) -> None:
        n = len(self.names)
        if not (len(self.coef) == len(self.mean) == len(self.scale) == n):
            raise ValueError(f"a model needs {n} coefficients, means and scales for {', '.join(self.names)}")
        if any(s <= 0 for s in self.scale):
            raise ValueError("scales must be positive")

    def __call__(self, evidence: Evidence) -> float:
        # A feature the evidence lacks (no dense score without a model) is read at its mean:
        # it then neither speaks for nor against the answer.
        x = [float(evidence.values.get(f, m)) for f, m in zip(self.names, self.mean, strict=True)]
        z = self.bias + sum(c * (v - m) / s for c, v, m, s in zip(self.coef, x, self.mean, self.scale, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict[str, object]:
        return {"coef": list(self.coef), "bias": self.bias, "mean": list(self.mean), "scale": list(self.scale)}

    @classmethod
    def from_json(cls, data: Mapping[str, object], names: tuple[str, ...] = FEATURES) -> Logistic:
        def floats(key: str) -> tuple[float, ...]:
            return tuple(float(v) for v in data[key])  # type: ignore[attr-defined]

        return cls(floats("coef"), float(data["bias"]), floats("mean"), floats("scale"),  # type: ignore[arg-type]
                   names)


@dataclass(frozen=True, slots=True)
class RefusalPolicy:
    """Two readings of one evidence: ``in_scope`` (the lists hold an answer to this question at
    all) decides refusal under ``refuse_below``; ``right`` (the leading item's quote answers it)
    gives the confidence level, "sure" from ``sure_at``."""

    in_scope: Logistic
    right: Logistic
    refuse_below: float
    sure_at: float
    provenance: str = ""
    features: tuple[str, ...] = field(default=FEATURES)

    def __post_init__(self) -> None:
        if not (0.0 <= self.refuse_below <= 1.0 and 0.0 <= self.sure_at <= 1.0):
            raise ValueError(f"thresholds must lie in [0, 1], got {self.refuse_below} and {self.sure_at}")

    def probability(self, evidence: Evidence) -> float:
        return self.in_scope(evidence)

    def decide(self, evidence: Evidence) -> tuple[bool, str, float]:
        """(refuse, confidence level, probability that the lists hold the answer). "sure" needs
        both readings: the lists likely hold an answer (in_scope ≥ SURE_IN_SCOPE) and this one is it."""
        p = self.in_scope(evidence)
        sure = p >= SURE_IN_SCOPE and self.right(evidence) >= self.sure_at
        return p < self.refuse_below, "sure" if sure else "likely", p

    def to_json(self) -> dict[str, object]:
        return {"features": list(self.features), "in_scope": self.in_scope.to_json(), "right": self.right.to_json(),
                "refuse_below": self.refuse_below, "sure_at": self.sure_at, "provenance": self.provenance}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> RefusalPolicy:
        features = tuple(data.get("features", FEATURES))  # type: ignore[arg-type]
        if features != FEATURES[:len(features)]:
            raise ValueError(f"calibration is for features {features}, this code uses {FEATURES}")
        return cls(_widened(data["in_scope"], len(features)), _widened(data["right"], len(features)),  # type: ignore[arg-type]
                   float(data["refuse_below"]), float(data["sure_at"]),  # type: ignore[arg-type]
                   str(data.get("provenance", "")))

    @classmethod
    def fitted(cls, path: Path = CALIBRATION, section: str = "policy") -> RefusalPolicy:
        """The policy written by eval/calibrate.py (or the never-refusing one when absent).
        ``section``: "policy" for questions about a matter, "routing_policy" for which office
        holds one (fitted on routing questions over several offices' lists); a missing routing
        section falls back to the main policy."""
        data = calibration(path)
        found = data.get(section) or data.get("policy")
        try:
            return cls.from_json(found) if isinstance(found, Mapping) else NEVER_REFUSE
        except (KeyError, ValueError, TypeError):
            return NEVER_REFUSE


def _widened(data: Mapping[str, Any], fitted: int) -> Logistic:
    """A model fitted on the first ``fitted`` FEATURES, reading those added since as carrying no
    weight (coefficient 0) until the next fit: its answers stay what they were."""
    extra = len(FEATURES) - fitted
    if extra == 0:
        return Logistic.from_json(data)
    if any(len(data[k]) != fitted for k in ("coef", "mean", "scale")):
        raise ValueError(f"a model of {fitted} features has {len(data['coef'])} coefficients")
    return Logistic.from_json({"coef": [*data["coef"], *[0.0] * extra], "bias": data["bias"],
                               "mean": [*data["mean"], *[0.0] * extra], "scale": [*data["scale"], *[1.0] * extra]})


# Answers everything and is never sure: what calibration runs the sets with.
_FLAT = Logistic((0.0,) * len(FEATURES), 0.0, (0.0,) * len(FEATURES), (1.0,) * len(FEATURES))
NEVER_REFUSE = RefusalPolicy(_FLAT, _FLAT, refuse_below=0.0, sure_at=1.0, provenance="uncalibrated")


def fit_logistic(x: Sequence[Sequence[float]], y: Sequence[int], *, l2: float = 1.0,
                 iterations: int = 50, balanced: bool = False, names: tuple[str, ...] = FEATURES) -> Logistic:
    """An L2-regularised logistic regression (Newton's method on standardised features).
    ``balanced`` weighs each class by the inverse of its size, so a rare class (the few
    unanswerable questions) shapes the boundary as much as the common one. Pure numpy."""
    import numpy as np

    X = np.asarray(x, dtype=np.float64)
    Y = np.asarray(y, dtype=np.float64)
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-9] = 1.0
    Z = np.hstack([np.ones((len(X), 1)), (X - mean) / scale])
    w = np.zeros(Z.shape[1])
    sample = np.ones(len(Y))
    if balanced and 0 < Y.sum() < len(Y):
        sample = np.where(Y > 0, len(Y) / (2 * Y.sum()), len(Y) / (2 * (len(Y) - Y.sum())))
    reg = np.eye(Z.shape[1]) * l2
    reg[0, 0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(Z @ w, -30, 30)))
        grad = Z.T @ (sample * (p - Y)) + reg @ w
        hess = Z.T @ (Z * (sample * p * (1 - p))[:, None]) + reg
        step = np.linalg.solve(hess + 1e-9 * np.eye(len(w)), grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return Logistic(tuple(w[1:].tolist()), float(w[0]), tuple(mean.tolist()), tuple(scale.tolist()), names)


def fitted_dense_weight(path: Path = CALIBRATION, default: float = 0.5) -> float:
    """The fusion weight of the dense signal written by eval/calibrate.py."""
    try:
        w = float(calibration(path)["fusion"]["dense_weight"])
    except (KeyError, ValueError, TypeError):
        return default
    return w if 0.0 <= w <= 1.0 else default


@dataclass(frozen=True, slots=True)
class LinearWeights:
    """One weight per feature of ``NAMES`` (a subclass names them), scored as a dot product;
    written by eval/calibrate.py. Validated on construction."""

    weights: tuple[float, ...]
    provenance: str = ""
    NAMES: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        if len(self.weights) != len(self.NAMES):
            raise ValueError(f"need {len(self.NAMES)} weights for {', '.join(self.NAMES)}, got {len(self.weights)}")

    def score(self, x: Sequence[float]) -> float:
        if len(x) != len(self.weights):
            raise ValueError(f"need {len(self.weights)} features, got {len(x)}")
        # map over a generator: the same sum in the same order, read some 70 times a question.
        return sum(map(operator.mul, self.weights, x))


def fitted_weights(section: str, features: Sequence[str], path: Path = CALIBRATION
                   ) -> tuple[tuple[float, ...], str] | None:
    """The weights and provenance eval/calibrate.py wrote under ``section`` for exactly these
    features, or None (absent, unreadable, or fitted for other features)."""
    try:
        data = calibration(path)[section]
        if tuple(data["features"]) != tuple(features):
            return None
        return tuple(float(w) for w in data["weights"]), str(data.get("provenance", ""))
    except (KeyError, ValueError, TypeError):
        return None


# What a question asked after an answer is read by, to tell a follow-up on that answer's item
# (罚多少, 那单位呢) from a question about something else (今天天气怎么样, 那办护照呢).
# How much closer it comes to the usual duties of an office whose list is not served (``elsewhere``: 那办护照呢,
# 社保卡丢了去哪补) than to the conversation's item: with it, the follow-ups of each list held out were refused
# 33 of 56 unanswerable, 6 of 338 answerable (without, 28 and 8). And the share of the question's weight the
# quote chosen on the item holds (``excerpt_overlap``: 那行政复议呢 finds nothing of its own there): each list
# held out, 36 of 62 unanswerable and 8 of 421 answerable refused, without it 32 and 10 (twenty-ninth session,
# the one gain of five answer features tried).
FOLLOW_FEATURES = ("foreign_chars", "foreign_word_share", "asks_field", "follow_marker", "unknown_nouns",
                   "coverage", "dense", "elsewhere", "excerpt_overlap")


@dataclass(frozen=True, slots=True)
class FollowRefusal:
    """When a question that stays on the conversation's item is refused instead: ``model`` gives
    the probability that it asks something no list answers; above ``refuse_above`` it is refused.
    Fitted by eval/calibrate.py on the tuning sets' follow-ups; without a fit it never refuses."""

    model: Logistic | None = None
    refuse_above: float = 1.0
    provenance: str = "uncalibrated"

    def __post_init__(self) -> None:
        if not 0.0 <= self.refuse_above <= 1.0:
            raise ValueError(f"refuse_above must lie in [0, 1], got {self.refuse_above}")
        if self.model is not None and self.model.names != FOLLOW_FEATURES:
            raise ValueError(f"a follow-up model reads {FOLLOW_FEATURES}, got {self.model.names}")

    def decide(self, evidence: Evidence) -> tuple[bool, float]:
        """(refuse, probability that nothing in the lists answers it)."""
        if self.model is None:
            return False, 0.0
        p = self.model(evidence)
        return p > self.refuse_above, p

    def to_json(self) -> dict[str, object]:
        return {"features": list(FOLLOW_FEATURES), "model": self.model.to_json() if self.model else None,
                "refuse_above": self.refuse_above, "provenance": self.provenance}

    @classmethod
    def fitted(cls, path: Path = CALIBRATION) -> FollowRefusal:
        try:
            data = calibration(path)["follow_refusal"]
            if tuple(data["features"]) != FOLLOW_FEATURES or data["model"] is None:
                return cls()
            return cls(Logistic.from_json(data["model"], FOLLOW_FEATURES), float(data["refuse_above"]),
                       str(data.get("provenance", "")))
        except (KeyError, ValueError, TypeError):
            return cls()


@dataclass(frozen=True, slots=True)
class FollowUp:
    """When a question stays on the item of the conversation (answering/dialogue.py ``_follows``):
    ``generic_share``: a word in at least this share of items names no particular matter;
    ``with_marker`` / ``without_marker``: the share of the question's own specific words (by IDF)
    the focus item must hold to stay on it, after 那/这个/呢 and without one."""

    generic_share: float = 0.1
    with_marker: float = 0.5
    without_marker: float = 0.8
    provenance: str = "uncalibrated"

    def __post_init__(self) -> None:
        for name in ("generic_share", "with_marker", "without_marker"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must lie in [0, 1], got {getattr(self, name)}")

    @classmethod
    def fitted(cls, path: Path = CALIBRATION) -> FollowUp:
        try:
            data = calibration(path)["follow_up"]
            return cls(float(data["generic_share"]), float(data["with_marker"]), float(data["without_marker"]),
                       str(data.get("provenance", "")))
        except (KeyError, ValueError, TypeError):
            return cls()

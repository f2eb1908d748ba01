"""Which column a question asks for, read from its meaning: a softmax over the query's vector.

The cue words of ``intent`` name the column when the question uses them (罚多少, 哪个科室); a new
phrasing (要担什么责任, 由哪个单位来罚) often uses none. The query is embedded for retrieval
anyway, so a linear model over that vector gives every column a probability at no extra cost.
It is fitted by ``eval/calibrate.py`` on the tuning questions' gold fields (cross-validated there)
and stored in ``calibration.json`` with the model it was fitted for: vectors of another model mean
nothing to it, so it is then not used. The excerpt choice reads the probability as one feature.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answering.policy import CALIBRATION, calibration


@dataclass(frozen=True)
class FieldModel:
    """p(field | question) = softmax(coef · (vector − mean) / scale + bias)."""

    fields: tuple[str, ...]
    coef: np.ndarray  # (fields, dimensions)
    bias: np.ndarray  # (fields,)
    mean: np.ndarray  # (dimensions,)
    scale: np.ndarray  # (dimensions,)
    model: str  # the embedding model whose vectors it reads
    provenance: str = ""

    def __post_init__(self) -> None:
        f, d = self.coef.shape
        if f != len(self.fields) or self.bias.shape != (f,) or self.mean.shape != (d,) or self.scale.shape != (d,):
            raise ValueError("field model: coefficients, bias, mean and scale do not agree in shape")
        if (self.scale <= 0).any():
            raise ValueError("field model: scales must be positive")

    @property
    def dimensions(self) -> int:
        return int(self.coef.shape[1])

    def probs(self, vector: np.ndarray, text: str = "") -> dict[str, float]:
        """Each field's probability for a query vector ({} for a vector of another size); ``text`` is
        for stand-ins that pick a model per question, this one reads the vector alone."""
        if np.size(vector) != self.dimensions:
            return {}
        z = self.coef @ ((np.asarray(vector, np.float64).reshape(-1) - self.mean) / self.scale) + self.bias
        z = np.exp(z - z.max())
        return dict(zip(self.fields, (z / z.sum()).tolist(), strict=True))

    def to_json(self) -> dict[str, Any]:
        return {"fields": list(self.fields), "model": self.model, "provenance": self.provenance,
                "bias": _rounded(self.bias), "mean": _rounded(self.mean), "scale": _rounded(self.scale),
                "coef": [_rounded(row) for row in self.coef]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FieldModel:
        return cls(tuple(str(f) for f in data["fields"]), np.asarray(data["coef"], np.float64),
                   np.asarray(data["bias"], np.float64), np.asarray(data["mean"], np.float64),
                   np.asarray(data["scale"], np.float64), str(data["model"]), str(data.get("provenance", "")))

    @classmethod
    def fitted(cls, model: str, path: Path = CALIBRATION) -> FieldModel | None:
        """The stored model when it was fitted for ``model``'s vectors, else None."""
        try:
            found = cls.from_json(calibration(path)["field_model"])
        except (KeyError, ValueError, TypeError):
            return None
        return found if found.model == model else None


# Which aspect the excerpt choice reads for a field the model overrules the cue words with. 实施依据
# holds both the fine and the basis: "fine", the reading of a question no cue word names a field
# for (a step word in passing, 企业根本没执行, is no question about the 执行 step).
FIELD_ASPECTS = {"追责情形": "accountability", "责任事项": "procedure", "承办机构": "who", "实施主体": "who",
                 "权力事项类型": "type", "办事层级": "level", "地方权力编码": "code", "实施依据": "fine"}


@dataclass(frozen=True, slots=True)
class Overrule:
    """The field model's column replaces the cue words' when it gives its own at least ``sure`` and
    theirs at most ``unlikely``; fitted by eval/calibrate.py (``sure`` above 1: never)."""

    sure: float = 0.9
    unlikely: float = 0.05
    provenance: str = "uncalibrated"

    def applies(self, probs: Mapping[str, float], column: str) -> str | None:
        """The field that replaces ``column``, or None."""
        if not probs:
            return None
        field, p = max(probs.items(), key=lambda fp: fp[1])
        if field == column or field not in FIELD_ASPECTS or p < self.sure or probs.get(column, 0.0) > self.unlikely:
            return None
        return field

    @classmethod
    def fitted(cls, path: Path = CALIBRATION) -> Overrule:
        try:
            data = calibration(path)["field_overrule"]
            return cls(float(data["sure"]), float(data["unlikely"]), str(data.get("provenance", "")))
        except (KeyError, ValueError, TypeError):
            return cls()

    def to_json(self) -> dict[str, Any]:
        return {"sure": self.sure, "unlikely": self.unlikely, "provenance": self.provenance}


def _rounded(values: np.ndarray) -> list[float]:
    return [round(float(v), 5) for v in values]


def fit(vectors: np.ndarray, labels: Sequence[str], model: str, *, c: float = 0.3,
        provenance: str = "") -> FieldModel:
    """A multinomial logistic regression (scikit-learn's, L2 with strength 1/``c``) on standardised
    vectors, each field weighing as much as any other (class-balanced): most tuning questions ask
    for 实施依据, and fitted plainly the model learnt to say 实施依据 to the rest (out of fold on the
    tuning sets, the other fields were read right 0.75 of the time plainly, 0.80 balanced; 实施依据
    0.98 and 0.94). Calibration only: serving applies the stored numbers with numpy."""
    from sklearn.linear_model import LogisticRegression

    fields = tuple(sorted(set(labels)))
    if not fields:
        raise ValueError("a field model needs questions with a gold field")
    x = np.asarray(vectors, np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    if len(fields) == 1:  # every question asked for the same field: it is the only answer
        return FieldModel(fields, np.zeros((1, x.shape[1])), np.zeros(1), mean, scale, model, provenance)
    fitted = LogisticRegression(C=c, max_iter=5000, class_weight="balanced").fit(
        (x - mean) / scale, [fields.index(f) for f in labels])
    coef, bias = fitted.coef_, fitted.intercept_
    if len(fields) == 2:  # scikit-learn keeps one row for two classes: the softmax needs both
        coef, bias = np.vstack([-coef / 2, coef / 2]), np.array([-bias[0] / 2, bias[0] / 2])
    return FieldModel(fields, coef, bias, mean, scale, model, provenance)


@dataclass(frozen=True)
class PerQuestion:
    """Calibration's stand-in: each tuning question read by the model fitted without its fold
    (out-of-fold probabilities, as a new question meets them), others by ``default``."""

    by_text: Mapping[str, FieldModel]
    default: FieldModel

    def probs(self, vector: np.ndarray, text: str = "") -> dict[str, float]:
        return self.by_text.get(text, self.default).probs(vector, text)

"""Where a list's dense scores lie: a baseline measured on the index itself at build time.

Cosines of one model differ from list to list (a list of long legal clauses scores every
question higher than a list of short names). Two fixed references make them comparable:
the mean best cosine of questions about nothing a 权责清单 holds (``OFF_TOPIC``), and the
mean best cosine of the list's own item names (``on``, what a question naming its matter
scores). A score is then read as its place between the two.
"""

from __future__ import annotations

import numpy as np

from assistant.index.dense import DenseIndex
from assistant.index.embed import Embedder

# Everyday questions no power-and-responsibility list answers, of every length and kind.
OFF_TOPIC = ("明天天气怎么样", "个人所得税怎么交", "高考成绩什么时候出", "附近有什么好吃的", "怎么办理护照",
             "医院挂号怎么预约", "房贷利率是多少", "孩子上学怎么报名", "火车票怎么退", "手机丢了怎么办",
             "公积金怎么提取", "社保怎么转移", "驾照到期怎么换", "结婚登记需要什么", "失业金怎么领",
             "哪里可以打疫苗", "电费怎么交", "小区停车位怎么租", "养老金怎么算", "离婚财产怎么分")
ON_TOPIC_SAMPLE = 20  # item names, spread evenly over the lists
VERSION = 1


def baseline(dense: DenseIndex, embedder: Embedder, names: list[str]) -> dict[str, float]:
    """{"off": mean best cosine of OFF_TOPIC, "on": mean best cosine of sampled item names}."""
    step = max(1, len(names) // ON_TOPIC_SAMPLE)
    sample = names[::step][:ON_TOPIC_SAMPLE]

    def best(texts: list[str]) -> float:
        if not texts:
            return 0.0
        vectors = embedder.encode(list(texts), "query")
        return float(np.mean([dense.search_vectors(v, 1)[1][:1].max(initial=0.0) for v in vectors]))

    return {"off": round(best(list(OFF_TOPIC)), 6), "on": round(best(sample), 6), "version": VERSION}


def place(score: float, base: dict[str, float] | None) -> float:
    """0 at the off-topic mean, 1 at the item-name mean (unbounded either way)."""
    if not base or base.get("on", 0.0) <= base.get("off", 0.0):
        return score
    return (score - base["off"]) / (base["on"] - base["off"])

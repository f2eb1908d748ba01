"""jieba's part-of-speech tables read from its pickles: the same tables, the same tags."""

import json
import subprocess
import sys

from assistant import paths

SAMPLE = ["网吧接纳未成年人进入怎么处罚", "有人在药店用医保卡刷生活用品", "樓下網吧通宵", "攻机者藏匿于暗网"]

FAST = """
import json, sys, importlib.util
from pathlib import Path
from assistant.answering import tags
m = tags.posseg()
import jieba
same = []
for name in tags.TABLES:
    seeded = sys.modules["jieba.posseg." + name]
    source = Path(jieba.__file__).parent / "posseg" / (name + ".py")
    spec = importlib.util.spec_from_file_location("own_" + name, source)
    own = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(own)
    same.append([seeded.__file__.endswith(".p"), seeded.P == own.P])
print(json.dumps({"tables": same, "tags": [tags.cut(t) for t in json.loads(sys.argv[1])]}, ensure_ascii=False))
"""
PLAIN = """
import json, sys
import jieba.posseg
tagged = [[(p.word, p.flag) for p in jieba.posseg.lcut(t)] for t in json.loads(sys.argv[1])]
print(json.dumps(tagged, ensure_ascii=False))
"""


def _run(code: str) -> object:
    done = subprocess.run([sys.executable, "-c", code, json.dumps(SAMPLE, ensure_ascii=False)], cwd=paths.ROOT,
                          capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_tables_from_the_pickles_equal_jiebas_own_and_tag_alike() -> None:
    fast, plain = _run(FAST), _run(PLAIN)
    assert fast["tables"] == [[True, True]] * 4  # each table seeded from its pickle, equal to the module's
    assert fast["tags"] == plain
    assert any(flag.startswith("n") for pairs in plain for _, flag in pairs)

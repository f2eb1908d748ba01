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
tagged = [[(p.word, p.flag) for p in jieba.posseg.lcut(t, HMM=False)] for t in json.loads(sys.argv[1])]
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


MID_IMPORT = """
import importlib.util, sys, threading, time
from assistant.answering import tags
import jieba

spec = importlib.util.find_spec("jieba.posseg")
own_exec = spec.loader.exec_module
go = threading.Event()

def held_exec(module):  # the module sits in sys.modules, half-imported, until go is set
    go.wait(30)
    own_exec(module)

spec.loader.exec_module = held_exec
importer = threading.Thread(target=lambda: importlib.import_module("jieba.posseg"))
importer.start()
while "jieba.posseg" not in sys.modules:
    time.sleep(0.01)
got = []
asker = threading.Thread(target=lambda: got.append(hasattr(tags.posseg(), "lcut")))
asker.start()
asker.join(1.0)
go.set()
asker.join(30)
importer.join(30)
print(got[0])
"""


def test_a_question_during_the_warm_up_import_waits_for_the_tagger() -> None:
    # The start-up warm-up imports jieba.posseg in a thread; a first question arriving meanwhile
    # once got the half-imported module and failed with "has no attribute 'lcut'".
    done = subprocess.run([sys.executable, "-c", MID_IMPORT], cwd=paths.ROOT, capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip().splitlines()[-1] == "True"

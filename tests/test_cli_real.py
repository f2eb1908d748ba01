"""The retrieval CLI with the real model, as a user runs it."""

import json
import os
import subprocess
import sys

import pytest

from assistant import paths

pytestmark = pytest.mark.slow


def _run(*args: str) -> str:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True,
                          env=env, cwd=paths.ROOT, timeout=600, check=True)
    return done.stdout


def test_build_search_ask_doctor(real_model_path) -> None:
    out = _run("build")
    assert "index" in out and "chunks" in out
    data = json.loads(_run("search", "数据存到国外了怎么处理", "--k", "3", "--json"))
    assert data["hits"][0]["item"] == "76" and set(data["hits"][0]["scores"]) >= {"dense", "lexical"}
    answer = json.loads(_run("ask", "不让用户实名注册会被怎么罚？", "--json"))
    assert answer["ranked_items"][0] == "72" and not answer["refused"]
    q = answer["quotes"][0]
    text = (paths.ROOT / q["source"]).read_text(encoding="utf-8")
    assert text[q["start"]:q["end"]] == q["text"]
    doctor = json.loads(_run("doctor", "--json"))
    assert doctor["model"]["dimension"] == 384 and doctor["index"]["status"] == "ok"
    assert doctor["corpus"]["items"] == 14


def test_a_process_that_ends_while_the_model_loads_exits_cleanly(real_model_path) -> None:
    """The model begins loading in the background; a command that never needs it (a lexical search)
    can end first. Killed mid-build at exit, ONNX Runtime aborted the process (exit 134) in about a
    quarter of such exits; twelve exits at different moments of the build catch it almost surely."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    for wait in (0.6, 0.9, 1.2, 1.5) * 3:
        code = ("import time\nfrom assistant.service import make_embedder\n"
                f"make_embedder().prefetch()\ntime.sleep({wait})")
        done = subprocess.run([sys.executable, "-c", code], cwd=paths.ROOT, env=env, capture_output=True, timeout=300)
        assert done.returncode == 0, (wait, done.stderr[-500:])

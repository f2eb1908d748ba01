"""The README's Python example runs as documented."""

import re

import pytest

from assistant import paths

pytestmark = pytest.mark.slow


def test_readme_python_example_runs(real_assistant, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "load_assistant" in b]
    import assistant

    monkeypatch.setattr(assistant, "load_assistant", lambda: real_assistant, raising=False)
    exec(compile(block, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "72 实施依据 中华人民共和国网络安全法 第六十一条" in out
    assert "第72项「对未提供实名制身份的处罚」 · 实施依据 · 对直接负责的主管人员的罚款" in out

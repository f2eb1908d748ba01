"""Clean a question before anything reads it: text in, text out, with notices."""

from __future__ import annotations

import re
import unicodedata

from assistant.errors import BadQueryError

MAX_QUERY = 500
MAX_INPUT = 20_000
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")


def clean(message: object) -> tuple[str, tuple[str, ...]]:
    """Remove control characters, fold whitespace, cap the length.

    HTML in a question stays as typed: it is text, escaped wherever shown.

    Raises:
        BadQueryError: nothing left to ask.
    """
    text = "" if message is None else str(message)
    notices: list[str] = []
    if len(text) > MAX_INPUT:  # cut before any pass over the text: a megabyte costs what 20 kB do
        text = text[:MAX_INPUT]
    # Lone surrogates (undecodable bytes read with surrogateescape, broken UTF-16) are not text:
    # every library after this one would raise on them.
    valid = _SURROGATE.sub("\ufffd", text)
    if valid != text:
        text = valid
        notices.append("问题中有无法识别的字符，已替换为“\ufffd”。")
    stripped = _CONTROL.sub("", text)
    if stripped != text:
        notices.append("已去除问题中的控制字符。")
    text = " ".join(unicodedata.normalize("NFC", stripped).split())
    if not text:
        raise BadQueryError("请输入一个问题，例如：“不让用户实名注册会被怎么罚？”")
    if len(text) > MAX_QUERY:
        text = text[:MAX_QUERY]
        notices.append(f"问题超过{MAX_QUERY}字，只按前{MAX_QUERY}字检索。")
    return text, tuple(notices)

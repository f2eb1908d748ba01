"""Chinese numerals as used in article numbers (第一百零八条) and fine amounts."""

from __future__ import annotations

import re

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
           "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG = {"万": 10_000, "亿": 100_000_000}
NUMERAL_CHARS = "".join(_DIGITS) + "".join(_UNITS) + "".join(_BIG)


def to_int(numeral: str) -> int:
    """``"一百零八"`` -> 108, ``"十"`` -> 10, ``"61"`` -> 61.

    Raises:
        ValueError: on an empty string or a character that is not a numeral.
    """
    numeral = numeral.strip()
    if not numeral:
        raise ValueError("empty numeral")
    if numeral.isascii() and numeral.isdigit():
        return int(numeral)
    total = section = digit = 0
    for ch in numeral:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            section += (digit or 1) * _UNITS[ch]
            digit = 0
        elif ch in _BIG:
            total += (section + digit) * _BIG[ch]
            section = digit = 0
        else:
            raise ValueError(f"not a Chinese numeral: {numeral!r}")
    return total + section + digit


_ARABIC = re.compile(r"^([0-9]+(?:\.[0-9]+)?)([十百千万亿]*)$")


def amount(text: str) -> float:
    """A sum as lists write it: ``"5000"``, ``"1万"``, ``"1.5万"``, ``"五千"``, ``"二十万"`` -> its value.

    Raises:
        ValueError: on anything else.
    """
    text = text.strip().replace(",", "").replace("，", "")
    m = _ARABIC.match(text)
    if m:
        value = float(m.group(1))
        for unit in m.group(2):
            value *= {**_UNITS, **_BIG}[unit]
        return value
    return float(to_int(text))


def to_chinese(n: int) -> str:
    """108 -> ``"一百零八"``; 10 -> ``"十"``; for 1..9999, as statutes write them."""
    if not 0 < n < 10_000:
        raise ValueError(f"out of range: {n}")
    digits = "零一二三四五六七八九"
    out = []
    units = [(1000, "千"), (100, "百"), (10, "十"), (1, "")]
    zero_pending = False
    for value, unit in units:
        d, n = divmod(n, value)
        if d:
            if zero_pending:
                out.append("零")
            out.append(digits[d] + unit)
            zero_pending = False
        elif out:
            zero_pending = True
    text = "".join(out)
    return text[1:] if text.startswith("一十") else text

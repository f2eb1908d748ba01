"""What a question asks for: which field, which procedure step, which article.

Only recognition lives here; nothing is answered. Cue words are how staff
and trainees ask, mapped to the list's columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.corpus.numerals import NUMERAL_CHARS, to_int

# (aspect, column, cue words), checked in order: the first aspect whose cue
# appears wins, so narrow questions (编码) beat broad ones (处罚).
ASPECTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("code", "地方权力编码", ("编码", "编号", "代码")),
    ("type", "权力事项类型", ("什么类型", "哪类", "哪一类", "权力类型", "事项类型", "属于什么权力",
                          "什么权力")),
    ("level", "办事层级", ("层级", "哪一级", "哪级", "几级", "哪个级别")),
    ("accountability", "追责情形", ("追责", "问责", "失职", "玩忽职守", "滥用职权", "徇私舞弊", "渎职",
                                  "行政处分", "工作人员")),
    ("who", "承办机构", ("哪个科", "什么科", "科室", "承办", "哪个部门办", "谁办", "谁管", "谁来管",
                       "谁负责", "谁来罚", "谁来处罚", "谁处罚", "实施主体", "哪个部门", "谁来")),
    ("procedure", "责任事项", ("立案", "调查", "取证", "听证", "约谈", "决定书", "送达", "强制执行", "执行",
                             "谁来决定", "不履行处罚", "法院", "催告书", "告知当事人",
                             "催告", "陈述", "申辩", "几天", "几日", "多少天", "多久", "期限", "几个人",
                             "多少人", "执法人员", "集体讨论", "出示", "黑名单", "移送", "不予立案",
                             "步骤", "加重处罚", "笔录")),
    ("basis", "实施依据", ("依据", "哪条", "哪一条", "哪部法", "什么法", "法条", "条款", "根据什么", "哪部")),
    ("fine", "实施依据", ("罚款", "罚多少", "罚金", "多少钱", "处罚", "怎么罚", "罚", "后果", "处理",
                        "怎么办", "咋办", "会怎样", "会咋样")),
)
# Generic endings ("…怎么办") that say little about which field is asked:
# any specific cue elsewhere in the question wins over them.
WEAK_CUES = frozenset(("怎么办", "咋办", "会怎样", "会咋样", "处理", "后果"))
# Procedure steps as the list numbers them, with the words that ask for each.
# Checked in this order, so 送达 in "处罚决定书多久送达" wins over 决定.
STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("立案", ("立案", "移送", "投诉", "案件来源")),
    ("调查取证", ("调查", "取证", "几个人", "多少人", "执法证", "出示", "证据")),
    ("听证", ("听证", "约谈", "笔录")),
    ("送达", ("送达", "不在场", "交付")),
    ("执行", ("执行", "催告", "强制", "陈述", "申辩", "不履行", "加重")),
    ("决定", ("决定", "集体讨论", "负责人审查")),
)
FOLLOW_UP_MARKERS = ("呢", "那", "这个", "那个", "它", "该项", "这一项", "这项", "此项", "上面", "刚才")
NEW_TOPIC_MARKERS = ("换个问题", "换个话题", "另外问", "再问个", "另一个问题")
# Asking how to obtain something: lists of penalties and inspections hold no
# application procedures; only 许可/备案/登记 items would.
APPLICATION_CUES = ("申请", "怎么办理", "如何办理", "备案", "材料", "手续", "年检", "怎么办证", "如何取得",
                    "报名")
# Facts no column of a 权责清单 holds: where, when, whom to call, who holds office.
OUT_OF_SCOPE_CUES = ("地址", "办公地点", "在哪儿办公", "去哪", "电话", "联系方式", "官网", "网址", "几点",
                     "上班", "下班", "主任是谁", "领导是谁", "怎么举报", "如何举报", "举报电话", "怎么解封", "测评机构")
# Words that frame a question without naming its matter.
FRAME_WORDS = ("属于", "规定", "要求", "内容", "情况", "需要", "应该", "应当", "哪些", "事项", "这一项",
               "情形", "具体", "标准", "是否", "有没有", "还有", "什么样")
_CODE = re.compile(r"[0-9A-Z]{15,}")
APPLICATION_TYPES = ("行政许可", "行政确认", "行政登记", "公共服务")

_NUM = f"(?:[0-9]+|[{NUMERAL_CHARS}]+)"
_ARTICLE = re.compile(
    rf"(?:《?(?P<law>[\u4e00-\u9fff]{{2,20}}?)》?)?第(?P<num>{_NUM})条(?:第(?P<para>{_NUM})款)?")
_LAW_ALIASES = {"网络安全法": "网络安全法", "网安法": "网络安全法", "规定": "互联网新闻信息服务管理规定",
                "新闻信息服务管理规定": "互联网新闻信息服务管理规定", "办法": "互联网信息服务管理办法",
                "信息服务管理办法": "互联网信息服务管理办法"}


@dataclass(frozen=True, slots=True)
class ArticleAsk:
    article: int
    law_hint: str | None  # a fragment of the law's title, or None when unnamed
    paragraph: int | None = None


@dataclass(frozen=True, slots=True)
class Intent:
    aspect: str
    column: str
    explicit: bool  # a cue word named the field; otherwise the default
    step: str | None
    article: ArticleAsk | None
    about_manager: bool  # asks about the 主管人员 / 直接责任人员 rather than the unit
    application: bool
    asks_law: bool = False  # which law, not which article
    asks_time: bool = False  # a deadline: 几天, 多久
    asks_count: bool = False  # how many people
    out_of_scope: bool = False  # asks for a fact no column holds (address, phone, office hours)


def articles(text: str) -> list[ArticleAsk]:
    out = []
    for m in _ARTICLE.finditer(text):
        law = m.group("law") or ""
        hint = next((full for alias, full in _LAW_ALIASES.items() if law.endswith(alias)), None)
        para = to_int(m.group("para")) if m.group("para") else None
        out.append(ArticleAsk(to_int(m.group("num")), hint, para))
    return out


def recognise(text: str) -> Intent:
    """The aspect whose longest cue in the text is longest wins (ties: the earlier
    aspect), so "谁来决定" asks about a procedure step, not about who."""
    found = articles(text)
    aspect, column, explicit = "fine", "实施依据", False
    longest = 0
    for name, col, cues in ASPECTS:
        length = max((1 if c in WEAK_CUES else len(c) for c in cues if c in text), default=0)
        if length > longest:
            aspect, column, explicit, longest = name, col, True, length
    if _CODE.search(text.upper()):
        aspect, column, explicit = "code", "地方权力编码", True
    if aspect == "fine" and found and not any(c in text for c in ("罚款", "罚多少", "多少钱", "后果", "怎么罚")):
        aspect = "basis"
    if aspect == "who" and any(c in text for c in ("主体", "谁来罚", "谁处罚", "谁来处罚", "谁负责")):
        column = "实施主体"
    step = None
    if aspect == "procedure":
        step = next((s for s, cues in STEPS if any(c in text for c in cues)), None)
    return Intent(aspect=aspect, column=column, explicit=explicit, step=step,
                  article=found[0] if found else None,
                  about_manager=any(w in text for w in ("主管人员", "直接责任人员", "负责人", "个人")),
                  application=not explicit and any(c in text for c in APPLICATION_CUES),
                  asks_law=any(c in text for c in ("哪部法", "什么法", "哪个法", "哪部", "什么规定")),
                  asks_time=any(c in text for c in ("几天", "几日", "多少天", "多久", "期限", "几个工作日",
                                                    "多长时间", "什么时候")),
                  asks_count=any(c in text for c in ("几个人", "多少人", "几人", "人数")),
                  out_of_scope=any(c in text for c in OUT_OF_SCOPE_CUES))


def code(text: str) -> str | None:
    """A power code (地方权力编码) named in the question, as written in lists."""
    m = _CODE.search(text.upper())
    return m.group() if m else None


def is_new_topic(text: str) -> bool:
    return any(m in text for m in NEW_TOPIC_MARKERS)


def has_follow_up_marker(text: str) -> bool:
    return any(m in text for m in FOLLOW_UP_MARKERS)


def cue_words() -> set[str]:
    """Every cue word: what remains of a question without them is its matter."""
    words = {c for _, _, cues in ASPECTS for c in cues}
    words |= {c for _, cues in STEPS for c in cues}
    words |= {column for _, column, _ in ASPECTS}
    return words | set(FOLLOW_UP_MARKERS) | set(NEW_TOPIC_MARKERS) | set(FRAME_WORDS)

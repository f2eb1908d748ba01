"""How users say it → how lists say it. Applied to lexical queries only.

Each entry maps a word a staff member types to the wording 权责清单 use
for the same thing. It is a vocabulary of the domain, not of any one list
or question: it must hold for every list in these columns.
"""

from __future__ import annotations

from collections.abc import Callable

COLLOQUIAL: dict[str, str] = {
    "实名": "真实身份信息",
    "实名制": "真实身份信息",
    "身份证": "真实身份信息",
    "国外": "境外",
    "海外": "境外",
    "出境": "境外",
    # An app's operator is a 网络运营者; app stores are 应用软件下载服务提供者.
    "app": "网络运营者",
    "应用商店": "应用软件下载服务提供者",
    "应用市场": "应用软件下载服务提供者",
    "网站": "网络运营者 网站",
    "平台": "网络运营者",
    "病毒": "恶意程序 计算机病毒",
    "木马": "恶意程序",
    "后门": "恶意程序",
    "补丁": "补救措施 漏洞",
    "罚": "罚款 处罚",
    "罚钱": "罚款",
    "罚多少": "罚款",
    "处罚": "处罚 罚款",
    "删帖": "消除 停止传输",
    "删除": "消除",
    "删": "消除",
    "谣言": "散布谣言",
    "黄色": "淫秽 色情",
    "色情": "淫秽 色情",
    "赌博": "赌博",
    "新闻": "新闻信息",
    "资讯": "新闻信息",
    "许可证": "许可",
    "执照": "许可 营业执照",
    "没证": "未经许可",
    "无证": "未经许可",
    "个人信息": "个人信息",
    "隐私": "个人信息",
    "数据": "网络数据",
    "检查": "监督检查",
    "不配合": "拒绝 阻碍",
    "拒绝": "拒绝 阻碍",
    "认证": "网络安全认证",
    "检测": "检测 风险评估",
    "评估": "风险评估",
    "审查": "安全审查",
    "采购": "采购金额 网络产品",
    "网信办": "互联网信息办",
    "网信": "互联网信息",
    "科室": "承办机构",
    "部门": "实施主体 承办机构",
    "负责": "实施主体 承办机构",
    "编码": "地方权力编码",
    "编号": "地方权力编码",
    "追责": "追究 责任",
    "问责": "追究 责任",
    "失职": "玩忽职守",
    "渎职": "玩忽职守 滥用职权",
    "几天": "日内 工作日",
    "多少天": "日内 工作日",
    "期限": "日内 工作日",
    "几个人": "不得少于两人",
    "人数": "不得少于两人",
}


def expand(text: str, tokenize: Callable[[str], list[str]]) -> list[str]:
    """The text's tokens, then the list wording of every colloquial word found in
    it, tokenized alike. Words are found as substrings, so a segmentation that
    splits 应用商店 does not hide it."""
    out = tokenize(text)
    lowered = text.lower()
    for word, phrase in COLLOQUIAL.items():
        if word in lowered:
            out += [t for t in tokenize(phrase) if t not in out]
    return out


def known(word: str) -> bool:
    return word.lower() in COLLOQUIAL

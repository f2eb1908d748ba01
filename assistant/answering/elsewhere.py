"""What other offices commonly handle: evidence that a question belongs to an office not served here.

A question about a matter no served list holds (酒驾 over a city's lists that include no 公安局,
网吧接纳未成年人 over a 网信办 list) still finds some item closest to it, often with a fair cosine,
and the evidence about that item alone cannot tell a near miss from a held matter. What tells them
apart is a text it comes closer to: the duties of an office whose list is not served. Each entry
below is a kind of office found in most Chinese cities, named by the words its office name holds,
with the matters it typically handles in plain words. An entry whose office is served (a served
list's office name holds one of its words) is left out, so a city serving its 公安局 list is never
told that 酒驾 belongs elsewhere.

The duties only ever count as evidence for refusing; no answer names an office that no served list
names (issue: a routing answer never guesses an office).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.errors import ModelUnavailableError
from assistant.index.embed import Embedder


@dataclass(frozen=True, slots=True)
class Office:
    names: tuple[str, ...]  # words of the office's name (any one of them marks it as served)
    duties: str


OFFICES: tuple[Office, ...] = (
    Office(("网信", "互联网信息"),
           "网络安全，网站和APP收集使用个人信息，网络信息内容，互联网新闻信息服务，网络实名制"),
    Office(("市场监督", "市场监管", "工商", "质量技术监督", "食品药品"),
           "营业执照登记，食品安全，产品质量，电梯锅炉等特种设备，价格和计量，假冒伪劣商品，消费投诉，广告，药品化妆品医疗器械"),
    Office(("文化", "旅游", "广电", "广播电视", "体育"),
           "网吧和歌舞娱乐场所，营业性演出，旅行社和导游，文物保护，出版物，广播电视，体育经营活动"),
    Office(("住房", "城乡建设", "建设局", "建设委员会"),
           "建筑工程施工许可和质量安全，房地产开发，物业管理，房屋租赁，城镇燃气，城市绿化，建筑企业资质，住宅装修"),
    Office(("应急管理", "安全生产监督"),
           "安全生产事故，危险化学品，烟花爆竹经营，矿山和工贸企业安全生产，防灾减灾救灾"),
    Office(("生态环境", "环境保护"),
           "废气废水排放，固体废物和危险废物，环境影响评价，建筑施工噪声，辐射安全，排污许可"),
    Office(("交通运输", "交通局"),
           "道路客运和货运，出租车和网约车，公路路政，机动车驾驶员培训，机动车维修，港口航道"),
    Office(("农业", "农村", "畜牧", "兽医"),
           "种子农药化肥，动物防疫检疫，生猪屠宰，农业机械，渔业，农村宅基地，农产品质量"),
    Office(("自然资源", "国土", "规划", "测绘"),
           "土地使用和占用耕地，采矿和探矿许可，不动产登记，建设工程规划许可，测绘，地质灾害，古生物化石"),
    Office(("人力资源", "社会保障", "人社", "劳动"),
           "拖欠工资，劳动合同，社会保险登记和缴费，工伤认定，职业技能培训，人力资源服务机构，使用童工"),
    Office(("医疗保障", "医保"),
           "医保基金使用，医保报销，定点医药机构，骗取医保，药品和医用耗材集中采购，医疗救助"),
    Office(("消防",),
           "消防安全检查，疏散通道和安全出口，消防设施和灭火器材，公众聚集场所投入使用前检查，电动自行车违规充电"),
    Office(("发展和改革", "发展改革", "发改"),
           "投资项目审批核准备案，政府定价，招标投标监督，石油天然气管道保护，节能审查，粮食储备"),
    Office(("财政",),
           "会计违法，政府采购，财政资金使用，代理记账机构，行政事业单位国有资产"),
    Office(("林业", "草原", "林草"),
           "林木采伐，野生动植物保护，草原保护，湿地，自然保护地，林木种苗，森林防火"),
    Office(("商务",),
           "成品油零售经营，二手车交易市场，报废机动车回收，单用途商业预付卡，对外贸易经营，拍卖和典当"),
    Office(("人防", "人民防空", "国防动员"),
           "人民防空工程，防空地下室，防空警报设施"),
    Office(("档案",),
           "档案管理，档案丢失损毁，档案馆"),
    Office(("统计",),
           "统计调查，普查，统计数据造假"),
    Office(("科学技术", "科技"),
           "科技计划项目，技术合同认定登记，科学技术奖励，科研诚信"),
    Office(("机关事务",),
           "公务用车，党政机关办公用房，公共机构节能"),
    Office(("宣传部", "新闻出版", "电影"),
           "印刷经营许可，新闻出版管理，电影放映"),
    Office(("公安",),
           "治安管理，打架斗殴和盗窃报警，刑事案件，户口和身份证，出入境和护照，机动车登记和驾驶证，酒后驾驶，道路交通事故，社会生活噪声扰民，养犬登记"),
    Office(("税务",),
           "纳税申报，发票，偷税漏税，个人所得税，税收减免"),
    Office(("法院", "检察"),
           "起诉和打官司，离婚诉讼，欠款纠纷，判决执行，判刑坐牢"),
    Office(("教育",),
           "中小学招生入学，学校收费，教师师德，校外培训机构，学生在校安全，幼儿园"),
    Office(("卫生健康", "卫健", "卫生局"),
           "医院和诊所的医疗服务，医疗事故，医生执业，传染病防控，疫苗接种，公共场所卫生，职业病诊断"),
    Office(("民政",),
           "婚姻登记，低保和特困救助，养老机构，殡葬，社会组织登记，残疾人和孤儿补贴"),
    Office(("金融", "银行", "保险监督"),
           "银行存款贷款，信用卡，保险理赔，网络借贷和暴力催收，非法集资，证券股票，理财产品"),
    Office(("邮政",),
           "快递丢件和延误，快递企业经营许可，邮件寄递"),
    Office(("烟草",),
           "卷烟零售许可证，无证卖烟，假烟"),
    Office(("海关",),
           "进出境物品申报，走私，进口货物检验检疫"),
    Office(("公积金",),
           "住房公积金提取和贷款，单位缴存公积金"),
    Office(("城市管理", "城管", "综合行政执法"),
           "占道经营，违法建设和私搭乱建，小广告，渣土车抛撒，户外广告，市容环境卫生，生活垃圾分类"),
    Office(("司法",),
           "律师执业，公证，法律援助，人民调解，社区矫正"),
    Office(("水利", "水务"),
           "河道采砂，取水许可，水土保持，防汛抗旱，水库"),
    Office(("气象",),
           "天气预报，气象灾害预警，防雷装置检测"),
    Office(("退役军人",),
           "退役军人安置，优抚，烈士褒扬"),
    Office(("纪律检查", "监察委", "纪委"),
           "公职人员违纪违法，贪污受贿，公款吃喝"),
    Office(("信访",),
           "信访和上访"),
    Office(("供电", "供水", "燃气公司", "热力"),
           "停电停水，电费水费燃气费，电表水表，冬季供暖"),
    Office(("街道", "社区", "居委会"),
           "邻里纠纷调解，居住证明，物业纠纷和物业费"),
)


def _is_served(office: Office, names: Sequence[str]) -> bool:
    return any(word in name for word in office.names for name in names)


def unserved(served_names: Iterable[str]) -> tuple[Office, ...]:
    """The offices none of ``served_names`` (the served lists' office names) is."""
    names = [n for n in served_names if n]
    return tuple(o for o in OFFICES if not _is_served(o, names))


def served(served_names: Iterable[str]) -> tuple[Office, ...]:
    """The offices one of ``served_names`` is (those with an entry here)."""
    names = [n for n in served_names if n]
    return tuple(o for o in OFFICES if _is_served(o, names))


# A duty as the answer to "which office handles this" (routed=True). A bare duty (户口和身份证) is a
# short passage, and short passages score lower than a list's long clauses whatever the question: a
# routing question about 户口 came closer to a served office's item than to 公安's 户口和身份证. Phrased
# as who handles the matter, on the routing tuning questions asked alone, matters no served office
# holds were told from held ones with AUC 0.962 instead of 0.930 (a question about a matter,
# not asking for an office, gained nothing from it: 0.848 against 0.867, so it reads the bare duties).
ROUTED = "关于{duty}的事项由{office}部门负责处理"


class Elsewhere:
    """The cosine of a question with the closest duties of an office not served here, and (for a
    routing question) with the closest usual duties of the offices that are served."""

    def __init__(self, embedder: Embedder | None, served_names: Iterable[str]) -> None:
        names = list(served_names)
        self.embedder = embedder
        self.offices = unserved(names)
        self.served = served(names)
        self._vectors: dict[tuple[bool, bool], np.ndarray] = {}
        self._lock = threading.Lock()

    def duties(self, routed: bool = False, of_served: bool = False) -> list[str]:
        """Each duty of each office on its own: a question about 户口 comes closer to 户口和身份证 than
        to the 公安 entry's whole list of ten matters (on the routing tuning questions asked alone,
        matters no office holds were told from held ones with AUC 0.885 by single duties, 0.853
        by whole entries). ``routed``: each phrased as ROUTED, for a question asking which office.
        ``of_served``: the duties of the served offices instead."""
        return [ROUTED.format(duty=duty, office=o.names[0]) if routed else duty
                for o in self._of(of_served) for duty in o.duties.split("，") if duty]

    def _of(self, of_served: bool) -> tuple[Office, ...]:
        return self.served if of_served else self.offices

    def vectors(self, routed: bool = False, of_served: bool = False) -> np.ndarray | None:
        """The duties' vectors, encoded on first use (a few hundred short passages)."""
        if self.embedder is None or not self._of(of_served):
            return None
        key = (routed, of_served)
        with self._lock:
            if key not in self._vectors:
                try:
                    found = self.embedder.encode(self.duties(routed, of_served), "passage")
                except ModelUnavailableError:
                    return None  # no model: the evidence goes without it, as without dense scores
                self._vectors[key] = np.asarray(found, np.float32)
        return self._vectors[key]

    def closest(self, query_vector: np.ndarray | None, routed: bool = False, of_served: bool = False
                ) -> float | None:
        """The question's best cosine with an unserved office's duties (None without a model);
        ``routed``: with the duties phrased as who handles them, for a question asking which office;
        ``of_served``: with a served office's usual duties (None when no served office has an entry)."""
        if query_vector is None:  # no question vector: the duties are not encoded for nothing
            return None
        found = self.vectors(routed, of_served)
        if found is None:
            return None
        return float((found @ np.asarray(query_vector, np.float32).reshape(-1)).max())

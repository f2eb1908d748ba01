"""Every word the assistant recognises in a question, in one place.

Cue words (how staff ask for a column), procedure-step words, follow-up and
topic markers, facts no column holds, and the colloquial → list wording table.
They describe how any 权责清单 is asked about (its columns' meanings), never the
sentences of one list: a cue that only one list's wording would need does not
belong here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

# (aspect, column, cue words), checked in order: the first aspect whose cue
# appears wins, so narrow questions (编码) beat broad ones (处罚).
ASPECTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("code", "地方权力编码", ("编码", "编号", "代码")),
    ("type", "权力事项类型", ("什么类型", "哪类", "哪一类", "权力类型", "事项类型", "属于什么权力",
                          "什么权力")),
    ("level", "办事层级", ("层级", "哪一级", "哪级", "几级", "哪个级别")),
    ("accountability", "追责情形", ("追责", "问责", "失职", "玩忽职守", "滥用职权", "徇私舞弊", "渎职",
                                  "行政处分", "工作人员", "担责", "受什么处分",
                                  "被追究", "经办人员", "办案人员", "执法人员要")),
    ("who", "承办机构", ("哪个科", "什么科", "科室", "处室", "股室", "承办", "哪个部门办", "谁办", "谁管", "谁来管",
                       "谁负责", "谁来罚", "谁来处罚", "谁处罚", "实施主体", "哪个部门", "谁来")),
    ("procedure", "责任事项", ("立案", "调查", "取证", "听证", "约谈", "决定书", "送达", "强制执行", "执行",
                             "谁来决定", "不履行处罚", "法院", "催告书", "告知当事人",
                             "催告", "陈述", "申辩", "几天", "几日", "多少天", "多久", "期限", "几个人",
                             "多少人", "执法人员", "集体讨论", "出示", "黑名单", "移送", "不予立案",
                             "步骤", "加重处罚", "笔录", "什么程序", "哪些程序", "程序是", "处罚程序", "执法程序",
                             "办案程序", "流程", "逐级", "报到哪")),
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
# A question about what follows a step (立案以后接下来是什么程序, 调查完了下一步做什么, 受理之后还要干什么):
# ``done`` holds the words before the marker, the step already taken; the step asked for is the one
# after it, which the list's own clause order says (answering/select.py reads it there).
AFTER_STEP = re.compile(
    r"(?P<done>[\u4e00-\u9fff]{2,6}?)(?:完了以后|完了之后|完了|完以后|完之后|结束以后|结束之后|结束后|结束了|以后|之后|后|了(?=[，,]?(?:接下来|下一步|然后|接着)))"
    r"(?:[，,]?[^，,。？?！!]{0,8}?(?:接下来|下一步|然后|后面|还要|还得|再|要做什么|做什么|干什么|干啥|什么程序|哪个环节"
    r"|哪一步|什么环节|哪些环节|接着|第二步)|呢)")
# Asking what comes before a step (作出处罚决定之前要先走哪一步): ``ahead`` holds the step named.
BEFORE_STEP = re.compile(
    r"(?P<ahead>[\u4e00-\u9fff]{2,6}?)(?:之前|以前|前)[，,]?[^，,。？?！!]{0,8}?(?:先|哪一步|哪些环节|哪个环节|什么程序|哪些程序"
    r"|什么环节|要走|还有一步|要做什么|得做什么)")
# Characters that point at something said before (这事, 那家店, 它的): a word that opens with one is
# the user's own pointing, never a typo of a list's word (这事 is not 政事).
POINTING_CHARS = frozenset("这那哪该此其它他她我你您")
# Characters of grammar (negation, prepositions, particles, modal verbs): a two-character window
# holding one is two words far more often than one mistyped word (不发 is not the lists' 部发, 被查
# not 备查, 有家药店 not 有奖). And 罚 as typed is what people mean: 办罚, 广告罚 and 人罚 are 网信办罚,
# 虚假广告罚 and 装修人罚, not 办法, 广告法 and 人防.
GRAMMAR_CHARS = frozenset("不没有被是在里要说想给到把跟向按和都就也还能会去很的了得着过吗呢吧啊见连")
NEVER_MISTYPED = frozenset("罚")
FOLLOW_UP_MARKERS = ("呢", "那", "这个", "那个", "它", "该项", "这一项", "这项", "此项", "上面", "刚才", "如果",
                     "要是", "假如", "万一")
NEW_TOPIC_MARKERS = ("换个问题", "换个话题", "另外问", "再问个", "另一个问题")
# Small talk (a greeting or thanks alone, a joke, the weather, tickets, food, who the assistant is):
# said after an answer it is no follow-up on that answer's item, and no list holds it.
SMALL_TALK = re.compile(
    r"^[\s，,。.！!？?~～]*(?:在吗|在不在|你好|您好|哈喽|嗨|好的|好吧|行吧|嗯|谢谢你?|多谢|谢了|明白了|知道了|收到)"
    r"(?:[\s，,。.！!？?~～啊呀哈嘛哦了]|在吗|你好|好的|谢谢你?|明白了|知道了)*$"
    r"|讲个笑话|说个笑话|讲个冷笑话|(?:下雨|刮风|沙尘暴|多少度|气温|冷不冷|热不热)(?:吗|不|没|啊|呢|？|\?|$)"
    r"|(?:(?:订|买|抢)[一两几]?张|帮我(?:订|买|查)|查查)[^，。？]{0,12}?(?:火车票|高铁票|机票)"
    r"|(?:火车票|高铁票|机票)(?:还有|多少钱|怎么买)"
    r"|吃啥|点个?外卖|叫外卖|你是人工|你是机器人|是真人|真人客服|人工还是机器人")
# Asking how to obtain something: lists of penalties and inspections hold no
# application procedures; only 许可/备案/登记 items would.
APPLICATION_CUES = ("申请", "怎么办理", "如何办理", "备案", "材料", "手续", "年检", "怎么办证", "如何取得",
                    "报名")
# How an applicant or a party gets something done (materials, payment, certificates, criteria): a
# service guide's matter, which a 权责清单 rarely states. A policy feature, weighed by calibration.
SERVICE_CUES = (*APPLICATION_CUES, "申领", "缴纳", "账户", "怎么交", "在哪交", "怎么认定", "算不算", "满足哪些条件",
                "多久能批", "要多久", "复议", "诉讼", "分期")
# Facts no column of a 权责清单 holds: where, when, whom to call, who holds office.
OUT_OF_SCOPE_CUES = ("办公地点", "在哪儿办公", "联系方式", "官网", "网址", "几点",
                     "下班", "主任是谁", "领导是谁", "怎么举报", "如何举报", "怎么解封", "测评机构",
                     # Office holders, fees and charges: no column of a 权责清单 holds them.
                     "局长是谁", "科长是谁", "负责人是谁", "工本费", "手续费", "收费标准", "收多少钱",
                     "交多少钱", "费用是多少")
# Where to go to get a matter handled (去哪办, 去哪儿批, 去哪登记, 去哪投诉) asks which office handles
# it, as 找谁 does: the office a list names answers it. Where to go for anything else (去哪交, 去哪玩) does not.
HANDLING_VERBS = ("办", "批", "审批", "登记", "备案", "投诉", "举报", "反映", "申请", "申诉", "申领", "处理", "过户",
                  "认定", "核发", "领", "开", "报案", "立案", "换", "补", "找")
_HANDLING = "|".join(sorted(HANDLING_VERBS, key=len, reverse=True))
_GO_HANDLE = rf"去哪(?:儿|里)?(?:{_HANDLING})"
# Where to go named by a section of the office (去哪个科室办): its 承办机构 answers it. Which 部门 or
# 单位 asks which office, and a single office's list holds nothing on another office's matters.
_UNIT = "科|处室|股室"
# Kinds of fact no column holds, as patterns: where an office sits (在哪办公, 在几楼).
# 电话, 上班 and 去哪 count when asked for, not when said in passing (我打电话举报了…, 标志上没写举报电话,
# 工人没法按每天8小时上班), nor when 去哪 asks where a matter is handled (above).
# An address asked for (地址在哪, 办公地址), not one the matter speaks of (公司搬了新地址，要去办变更吧).
OUT_OF_SCOPE_PATTERNS = (r"在哪(?:儿|里)?办公|在几楼|几号楼|办公室在哪",
                         r"地址(?:在|是|呢|多少)|(?:办公|单位|详细|具体|什么|哪个)地址",
                         r"电话(?:是)?多少|电话号码|打(?:哪个|什么)电话",
                         r"上班(?:吗|不|嘛)|几点.{0,2}上班|有人上班",
                         rf"去哪(?!(?:儿|里)?(?:{_HANDLING}))(?!个(?:{_UNIT}))",
                         # Where a fine is paid in, and the office holders' names (科长叫什么; 这项权力叫什么 is
                         # the item's name, which a list holds).
                         r"银行账户|银行账号|哪个银行|账号是多少",
                         # A person's name, not a name the list holds (那个事项叫什么名字 asks the item's).
                         r"(?:科长|局长|主任|负责人|领导|处长|队长|所长|哪位|工作人员)[^。？?]{0,3}叫什么",
                         # Who holds an office now (现任支队长, 副局长是谁), when an exam or an event is held
                         # (几月报名, 几月几号试鸣), what things cost (学费, 多少钱一斤) and a firm's record
                         # (以前有没有被处罚过): facts of the day, not powers.
                         r"现任|(?:长|主任|书记)是谁",
                         r"几月几[号日]|几月份?(?:报名|考试|举行)|报名时间|(?:在|去|到)哪(?:儿|里)?报名",
                         r"多少钱一(?:斤|公斤|个|件)|学费[^，。？?]{0,6}多少|多少[^，。？?]{0,4}学费",
                         r"(?:有没有|是否|有无)[^，。？?]{0,12}(?:处罚|罚)过")
# Kinds of question a 权责清单 does not settle: how a fine is paid (分期), the deadline to sue
# (诉讼时效; a deadline to sue can be in a list: 收到处理通知之日起十五日内; 复议期限 is REVIEW_TERM_PATTERN), what the
# asker is owed (赔我), counts of past cases (去年一共查了多少家) and how a case will end (能告赢吗).
ADVICE_PATTERNS = (r"分期",
                   r"诉讼时效",
                   # What will happen next year (明年会不会…), not a date in passing (证明年到期, 预计明年6月竣工).
                   r"明年[^，。？?]{0,12}(?:会不会|会|能不能|能否)",
                   r"赔我|赔偿我|给我赔",
                   r"(?:追诉|追责|处罚|追究)时效|过了.{0,6}(?:年|个月|天).{0,6}还(?:能|可以|会|要)(?:追究|追责|罚|处罚|查处|立案)",
                   r"(?:去年|今年|上个月|上半年|下半年|这几年|近几年|历年).{0,12}(?:多少|几家|几起|几个|几次)",
                   r"(?:去年|今年|上个月|上半年|下半年|这几年|近几年|历年)[^，。？?]{0,20}(?:一共|总共|共计|累计)"
                   r"[^，。？?]{0,12}(?:多少|几)",
                   # How a lawsuit, a reconsideration or an arbitration will end (能告赢吗, 胜算, 能撤销吗).
                   r"告(?:得)?赢|打(?:得)?赢|胜算|赢面|(?:能|会)(?:不能|不会)?被?撤销(?:吗|掉)|改判|翻案",
                   # What a person is owed (养老金能领多少, 补贴能补多少, 补偿能拿多少): a benefit, not a power.
                   r"(?:能|可以)(?:领|拿|补|报销|得到)(?:多少|几)")
# Asking which office holds a matter (归哪个部门管, 找谁, 谁来查处): answered, when the lists of
# several offices are served, by the offices whose items hold it. Over one office's list the
# who-cues above ask for its 承办机构 instead.
# Whether two things are one office's (塔吊和起重机的使用登记是在同一个地方办吗): which offices, several of them.
SAME_OFFICE_CUES = ("同一个地方", "同一个部门", "同一个单位", "同一个局", "同一家")
ROUTING_CUES = ("哪个部门", "哪些部门", "哪几个部门", "什么部门", "哪个单位", "什么单位", "哪个机关", "什么机关",
                "哪个机构", "什么机构", "哪家单位", "哪家部门", "哪个局", "哪个口", "哪个衙门", "找谁", "找哪", "归谁",
                "归哪", "该谁", "谁管", "谁来管", "谁负责", "谁来负责", "谁来查", "谁查", "谁来处理", "谁处理",
                "谁来罚", "谁罚", "谁处罚", "谁来处罚", "谁来检查", "谁检查",
                "谁审批", "谁来审批", "谁批", "谁来批", "谁监管", "谁来监管",
                "谁有权", "向哪", "跟谁", "哪里举报", "哪里投诉", "哪儿举报", "哪儿投诉", "哪里反映", "哪儿反映",
                "主管部门", "监管部门", "管理部门", "职能部门", "执法部门", "归口", "管不管",
                "向谁", "经过谁", "经谁", "谁同意", "谁批准", "谁来批准", "谁核发", "谁来办", *SAME_OFFICE_CUES)
# The same asked as patterns: 去哪办, 到哪备案, 投诉到哪, 打给谁, 报给谁, 谁点头 (找那个部门？ is 找哪个
# mistyped), and 打哪个电话投诉 (over a city the office is the answer; over one list it stays a question
# for a phone number, which no column holds).
ROUTING_PATTERNS = (_GO_HANDLE, rf"到哪(?:儿|里)?(?:{_HANDLING})", r"(?:投诉|举报|反映|报告|上报|申请)到哪",
                    r"打哪个电话(?:投诉|举报|反映)", r"(?:打|报|交|上报|报告|反映)给谁", r"谁点头",
                    r"找那个(?:部门|单位|局)[？?]")
# Two offices named, 林草局来查还是应急管理局来查: which of them (a question about several offices too).
WHICH_OF_TWO = r"还是.{1,12}(?:局|部门|支队|委员会|中心)来?(?:查|管|罚|批|办|处理|负责)"
# How a routing question is put (举报, 反映 …) rather than what it is about; and the words by which
# it points back at a matter the user described before (这种事归谁管, 跟他说了不听找谁).
ROUTING_FRAME = ("举报", "投诉", "反映", "查处", "管管", "来管", "处理", "打电话")
# Asking for more than one office (分别找谁, 是找住建还是找消防, 哪些部门能管): a matter in parts.
SEVERAL_OFFICES_CUES = ("分别", "各找", "各自", "还是找", "还是归", "哪些部门", "哪几个部门", "哪些单位", "几个部门",
                        "两个部门", "两种情况", "这两种", "这两个", *SAME_OFFICE_CUES)
ROUTING_BACK = ("这种", "这事", "这件事", "此事", "这类", "他", "她", "这家", "那家", "这样")
# How long one has to seek reconsideration (不服多少天内能申请复议): legal advice, unless a list states it
# (a 诉求渠道 column: 收到决定书之日起六十日内…申请行政复议), which answering/dialogue.py checks.
REVIEW_TERM_PATTERN = (r"复议.{0,12}(?:期限|多少天|几天|多长时间|多久|时效)"
                       r"|(?:期限|多少天|几天|多长时间|多久).{0,8}复议")
# A list stating that term: a time limit and 复议 in one sentence.
REVIEW_TERM_STATED = r"复议[^。；;]{0,40}?[日天月]内|[日天月]内[^。；;]{0,40}?复议"
# Predictions, statistics and advice: a list states powers and duties, not outcomes.
ADVICE_CUES = ("能赢吗", "会赢吗", "胜诉", "判几年", "判多久", "会不会判", "一共查了", "查了几起", "多少起", "多少件",
               "会不会把", "帮我写", "帮我起草", "怎么起诉", "赔多少", "能赔", "赔偿多少", "退票赔钱")
# Words that frame a question without naming its matter.
FRAME_WORDS = ("属于", "规定", "要求", "内容", "情况", "需要", "应该", "应当", "哪些", "事项", "这一项",
               "情形", "具体", "标准", "是否", "有没有", "还有", "什么样", "清单", "一般", "负责", "通常",
               # Whether the office may act (人社能管吗, 能罚吗): how the question is put.
               "能管", "能罚", "管吗",
               # Comparing a quantity (违法所得超过3万呢): a condition on the matter, not a matter.
               "超过", "不足", "不到", "达到", "低于", "高于", "多于", "少于",
               # Where in a procedure (立案以后接下来是什么, 决定之前先走哪一步): the order asked, not a matter.
               "以后", "之后", "接下来", "下一步", "然后", "后面", "之前", "以前", "环节", "哪一步")
# Asking how long / how many: answer kinds that a sentence either states or does not.
TIME_CUES = ("几天", "几日", "多少天", "多久", "期限", "几个工作日", "多长时间", "什么时候", "时限", "期间",
             "几个月", "多少日", "多少个工作日", "几小时", "多少小时", "几年", "多少年", "有效期")
# A time question that asks for a length in figures (多少个工作日), not when or under what term.
DURATION_CUES = ("几天", "几日", "多少天", "多久", "几个工作日", "多长时间", "几个月", "多少日", "多少个工作日",
                 "几小时", "多少小时", "几年", "多少年")
COUNT_CUES = ("几个人", "几人", "人数")  # 多少人: COUNT_ASKED (not 多少人民币)
# Which documents an applicant hands in (要带哪些材料, 需要准备什么材料).
MATERIALS_CUES = ("哪些材料", "什么材料", "啥材料", "材料清单", "要带什么", "要带哪些", "需要准备什么", "需要准备哪些",
                  "要准备什么", "要准备哪些", "交什么材料", "提交什么")
# How many people, said of whom (最少要去几个执法人员, 多少名检查人员): a number word, then a few
# characters naming the people.
COUNT_ASKED = re.compile(r"(?:几|多少)(?:个|名|位)?[\u4e00-\u9fff]{0,4}?(?:人(?!民币)|员)")
# Asking for a sum of money: the answer states one (五万元以上, 2000元以下, 一倍以上).
MONEY_CUES = ("罚多少", "多少钱", "最多", "最高", "上限", "罚款幅度", "罚款区间", "罚款是多少", "罚几", "多少罚款",
              "罚款多少", "起罚", "金额", "数额")
# Words that make a sum asked a penalty's (罚多少, 处分, 没收…): without any, 多少钱 asks for another
# sum (a subsidy, a fee, a wage), which a list states only where its text says so. 处发 is how 处罚 is
# often mistyped; the typo repair leaves it (two characters read alike but for a tone are not repaired).
PENALTY_WORDS = ("罚", "处分", "处理", "没收", "吊销", "后果", "制裁", "惩", "处发")
# Asking what happens to someone (a fine, a sanction, a 处分): the answer states the sanction.
SANCTION_CUES = ("怎么处理", "如何处理", "咋处理", "什么处分", "处分", "什么责任", "怎么罚", "如何处罚", "后果",
                 "会怎样", "会咋样", "怎么办", "咋办", "担什么", "承担")
AMOUNT_CUES = ("罚款", "罚多少", "多少钱", "后果", "怎么罚", "罚金", "罚几", "万元", "元")
# How a list names the people in charge whom a sanction also reaches.
MANAGER_TERMS = ("主管人员", "直接责任人员")
MANAGER_CUES = (*MANAGER_TERMS, "负责人", "个人", "直接负责", "本人")
LAW_CUES = ("哪部法", "什么法", "哪个法", "哪部", "什么规定", "哪些法", "哪个条例", "什么条例", "哪个办法", "哪部规章",
            "什么规章", "哪个规定")
# Asking for the article itself: the answer opens with 第N条.
ARTICLE_CUES = ("哪一条", "哪条", "第几条", "哪一款", "第几款", "哪款", "哪一项", "第几项")
# Which article, asked of the penalty (处罚用的是哪一条) or of the rule broken (违反哪一款, 哪一条禁止的):
# an item cites both kinds, the rule first.
ARTICLE_PENALTY_CUES = ("处罚", "罚", "处理", "处分", "追究", "制裁")
ARTICLE_RULE_CUES = ("禁止", "不得", "不允许", "不准", "违反", "违背", "要求")
# Words that lead into a statute's name in a question (违反《…》, 根据…法).
LAW_LEADS = ("违反", "根据", "依据", "按照", "依照", "适用", "触犯", "关于", "遵守", "出自", "按", "依", "用", "是",
             "了", "在", "的", "和", "与", "及", "或", "里")
# Words before the law an article is asked of (违反网络安全法第六十一条, 那已经违法规定第十四条呢): the
# law's name starts after the last of them. Apart from LAW_LEADS, which reads names anywhere in a
# question; this one is read only from the words just before 第X条.
ARTICLE_LAW_LEADS = ("违反", "违法", "依据", "根据", "按照", "依照", "对照", "适用", "按", "依", "用", "是", "的", "了",
                     "那", "呢", "本")
# 违法, 执法, 依法, 方法 …: a character before 法 that makes it an ordinary word.
NOT_LAW_BEFORE_FA = frozenset("违犯合非执守依方做说用手立司无设想看办算语魔没写玩")
NOT_LAW_WORDS = ("没有", "不", "被", "了", "要", "时", "这", "那")
RULE_TITLE_WORDS = ("管理", "实施", "处罚", "暂行", "若干", "办法", "条例")
QUESTION_WORDS = ("什么", "哪", "怎么", "如何", "啥", "多少", "吗", "几")

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


# Everyday words for what every office's list names in statutory terms (the national wording the
# lists of any city share): the lexical signal finds an item through them. Unlike COLLOQUIAL they do
# not make a word known to every domain: 孩子 or 过期 said of a matter no list holds is still foreign
# to it (counted as known everywhere, they took the refusal's foreign-topic evidence away: fitted on the
# tuning sets with them known, the policy refused 木马程序怎么罚, p 0.53 → 0.03). A word is known only to
# the lists that use its terms (answering/evidence.py: ListWords.known).
EVERYDAY: dict[str, str] = {
    # What someone earned by the conduct is, in the lists' words, 违法所得.
    "挣了": "违法所得", "赚了": "违法所得", "挣到": "违法所得", "赚到": "违法所得", "挣钱": "违法所得",
    "赚钱": "违法所得", "没挣": "没有违法所得", "没赚": "没有违法所得",
    "初中生": "未成年人",
    "高中生": "未成年人",
    "小学生": "未成年人",
    "中学生": "未成年人",
    "小孩": "未成年人",
    "孩子": "未成年人",
    "网咖": "网吧 互联网上网服务营业场所",
    "网吧": "网吧 互联网上网服务营业场所",
    "无照": "无照经营 营业执照",
    "过期": "超过保质期 过期",
    "假货": "假冒 伪劣",
    "缺斤少两": "计量",
    "欠薪": "拖欠 工资",
    "拖欠工资": "拖欠 工资",
    "黑车": "未取得道路运输经营许可",
    "打车软件": "网约车 网络预约出租汽车",
    "网约车": "网约车 网络预约出租汽车",
    "噪音": "噪声",
    "偷排": "排放 污染物",
    "电瓶车": "电动自行车",
    "电动车": "电动自行车",
    "消防通道": "消防车通道 疏散通道",
    "野味": "野生动物",
    "砍树": "采伐 林木",
    "骗保": "骗取 医疗保障基金 社会保险",
    "医保卡": "医疗保障 社会保障卡",
    "房产证": "不动产 登记",
    "房本": "不动产 登记",
    "过户": "不动产 转移登记",
    "鞭炮": "烟花爆竹",
    "炮仗": "烟花爆竹",
    "煤气罐": "燃气 气瓶",
    "液化气": "燃气 液化石油气",
    "狂犬疫苗": "狂犬病 免疫",
    "旅行团": "旅行社 旅游",
    # An official's misconduct as people say it, as every list's 追责情形 words it.
    "好处": "财物 贿赂 利益",
    "红包": "财物 贿赂",
    "回扣": "财物 贿赂",
    "收钱": "收取 费用 财物",
    "拖着": "拖延 贻误",
}


COMMON_WORDS_FILE = Path(__file__).with_name("common_words.txt")


def read_words(path: Path) -> frozenset[str]:
    """One word a line (# starts a comment line)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


# Words most offices' lists use (scripts/common_words.py): how any list speaks of a matter (企业, 材料,
# 结果, 限期), never what one matter is, however few items of one list hold them.
COMMON_WORDS: frozenset[str] = read_words(COMMON_WORDS_FILE)


def expand(text: str, tokens: list[str], tokenize: Callable[[str], list[str]]) -> list[str]:
    """The text's tokens, then the list wording of every colloquial word found in
    it, tokenized alike. Words are found as substrings, so a segmentation that
    splits 应用商店 does not hide it."""
    out = list(tokens)
    lowered = text.lower()
    for word, phrase in (*COLLOQUIAL.items(), *EVERYDAY.items()):
        if word in lowered:
            out += [t for t in tokenize(phrase) if t not in out]
    return out


def known(word: str) -> bool:
    return word.lower() in COLLOQUIAL


def all_words() -> set[str]:
    """Every cue, step, marker and colloquial word: the domain's own vocabulary."""
    words = {c for _, _, cues in ASPECTS for c in cues} | {column for _, column, _ in ASPECTS}
    words |= {c for _, cues in STEPS for c in cues}
    for group in (FOLLOW_UP_MARKERS, NEW_TOPIC_MARKERS, APPLICATION_CUES, OUT_OF_SCOPE_CUES, FRAME_WORDS,
                  TIME_CUES, COUNT_CUES, AMOUNT_CUES, MANAGER_CUES, LAW_CUES):
        words |= set(group)
    words |= set(COLLOQUIAL) | {w for phrase in COLLOQUIAL.values() for w in phrase.split()}
    return words


# The kinds of administrative power lists are published under (the national 权责清单 categories):
# a list holding one 行政给付 among 256 行政处罚 is not misspelling anything.
POWER_TYPES = frozenset(("行政许可", "行政处罚", "行政强制", "行政征收", "行政征用", "行政给付", "行政检查",
                         "行政确认", "行政奖励", "行政裁决", "其他行政权力", "其他权力", "公共服务", "行政备案",
                         "行政监督", "行政指导", "内部审批"))
# The kind of power a question is about, by the core word of 权力事项类型 (行政处罚 → 处罚).
POWER_KIND_CUES: dict[str, tuple[str, ...]] = {
    "处罚": ("罚", "处罚", "处理", "后果", "会怎样", "怎么办", "违反", "没收", "吊销"),
    "许可": ("许可", "审批", "批准", "批文", "办证", "领证", "申请", "核准"),
    "强制": ("查封", "扣押", "强制", "封存"),
    "检查": ("检查", "抽检", "抽查", "抽样", "巡查", "监督检查"),
    "确认": ("确认", "认定", "鉴定"),
    "奖励": ("奖励", "表彰", "奖金"),
    "裁决": ("裁决", "争议"),
    "登记": ("登记", "备案", "注册"),
}

# Acting without the permit, licence or approval the matter needs: one of the commonest splits
# between sibling items (对未取得营业执照从事经营活动的处罚 beside 对未将营业执照置于醒目位置的处罚).
# As a question says it (没办营业执照就开店, 无证, 没经过批准就卖票) and as an item's name does.
LACKS_PERMIT_ASKED = re.compile(
    r"(?:没|未|无)有?(?:办|办理|拿|拿到|取得|领|领取|申请|获得|经过?)(?:任何)?[\u4e00-\u9fff]{0,8}?"
    r"(?:证|照|许可|批准|审批|批|资质|核准)"
    r"|(?:无|没)(?:证|照|牌照|资质|执照|许可)|没有[\u4e00-\u9fff]{0,6}?(?:许可证|执照|资质|许可)"
    r"|未经[\u4e00-\u9fff]{0,4}?(?:批准|许可|审批|核准|同意)|没批|黑网吧")
LACKS_PERMIT_NAMED = re.compile(
    r"未(?:依法)?(?:取得|领取|获得)|未经[^，、]{0,6}?(?:许可|批准|审批|核准|同意)|无证|无照|擅自"
    r"|非法(?:从事|经营|设立)|超越许可|未办理[^，、]{0,8}?许可")

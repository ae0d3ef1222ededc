"""Word lists and patterns the extractor reads: trigger terms, relation and status wording, cue words.

Everything that decides *what* a phrase means lives here as data, so that adding a new phrasing (or its
Chinese form) is a one-line change and the matching code stays generic.
"""

from __future__ import annotations

import re
from typing import Final

# --- pre-filter -----------------------------------------------------------------------------------
# Substrings of every trigger term: a page containing none of them cannot hold a partnership fact.
# Few stems rather than many phrases, because each one costs a scan of the raw page ("sister" stands
# for sister city, town, province, status...; "friend" for friendship and friendly cities). Latin
# stems are matched on the lower-cased page, Chinese ones (simplified and traditional) only on pages
# that are not pure ASCII.
TRIGGER_STEMS_LATIN: Final[tuple[str, ...]] = ("sister", "twin", "friend", "memorand", "intent")
# Stems too common on their own ("partner" in footers, "mou" in "mouse"): each occurrence is checked
# for what must follow it, or for how it is written in the raw page.
TRIGGER_STEMS_CHECKED: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("partner ", ("cit", "town")),
    ("mou", ()),
)
# Shared by both scripts: 妹 (姐妹, 姊妹), 忘 (备忘录, 備忘錄), 意向 (意向书, 意向書).
TRIGGER_STEMS_CJK: Final[tuple[str, ...]] = ("友好", "友城", "妹", "忘", "意向")

# --- relations --------------------------------------------------------------------------------------
# (pattern, relation, strength), matched case-insensitively on text already converted to simplified
# Chinese. Strength says how sure the wording alone makes a city-to-city tie: 1.0 an unambiguous term,
# 0.5 a term that needs a second cue (both places in the sentence). Earlier rows win overlaps.
# A "friendship and cooperation city" (友好合作城市, 友好交流城市) is the preliminary stage before a
# formal tie, so it counts with the memoranda.
RELATION_PATTERNS: Final[tuple[tuple[str, str, float], ...]] = (
    (r"letters? of intent|意向书", "letter_of_intent", 1.0),
    (r"memorand(?:um|a)(?: of understanding)?|\bmou\b|备忘录", "mou", 1.0),
    (r"friend(?:ly|ship)(?: (?:and|&) |-)cooperat(?:ive|ion)(?: cit(?:y|ies)| relations?)"
     r"|friendly[- ]cooperati(?:ve|on) (?:cit(?:y|ies)|relations(?:hips?)?)"
     r"|friend(?:ly|ship) exchange (?:cit(?:y|ies)|relations(?:hips?)?|agreements?|arrangements?)"
     r"|agreements? on (?:the )?(?:promotion of )?friend(?:ly|ship) exchanges?"
     r"|友好合作城市|友好交流城市|友好合作关系|友好交流关系|友好交流合作"
     r"|友好交流协[定议]|友好合作协[定议]", "mou", 0.8),
    (r"sister[- ](?:cit(?:y|ies)|towns?|provinces?|states?|regions?|relationships?|relations|status|ties)"
     r"|[姊姐]妹(?:州县?|省县?|县|省州|省道)"
     r"|twin(?:ned)?[- ](?:towns?|cit(?:y|ies))|\btwinned\b|\btwinnings?\b|partner (?:cit(?:y|ies)|towns?)"
     r"|姐妹城市|姊妹城市|姊妹市|姐妹市|姐妹友好", "sister_city", 1.0),
    (r"friendship[- ](?:cit(?:y|ies)|provinces?|states?)"
     r"|friendly[- ]cit(?:y|ies)[- ](?:agreement|relations?|relationships?|ties|status|pact)"
     r"|友好城市|友城|友好省|友好州|缔结友好|(?<!团)结好", "friendship_city", 1.0),
    (r"friendly[- ]cit(?:y|ies)|friendly (?:ties|relations(?:hips?)?)"
     r"|friendship (?:ties|links?|agreement|arrangement|pact|accord|relations(?:hips?)?)"
     r"|友好关系", "friendship_city", 0.5),
    # A European "city partnership" (Städtepartnerschaft) is a twinning; so is the partnership two
    # places end ("Vilnius ended its partnership with Kaliningrad"), which needs both places named.
    (r"\b(?:city|town|municipal) partnerships?\b", "sister_city", 0.8),
    (r"\b(?:end(?:s|ed)?|sever(?:s|ed)?|suspend(?:s|ed)?|terminat(?:e|es|ed)|fr(?:eeze|oze|ozen)|scrap(?:s|ped)?)"
     r" (?:(?:its|their|the|a) )?(?:[\w-]+ ){0,2}partnerships?\b", "sister_city", 0.5),
    # Ties named without sister, twin or friendship: they need both places and an agreement verb.
    (r"cooperation (?:agreement|framework|accord|pact)|partnership agreement|合作协议|\binternational ties?\b"
     r"|\bagreements? (?:on|for) (?:[\w-]+ ){0,3}cooperation\b"
     r"|\b(?:a|an) formal (?:relationship|tie)\b"
     # "counts Shanghai among its Chinese partners", "suspended its ties with Arkhangelsk"
     r"|\b(?:its|their) (?:[\w-]+ ){0,2}partners\b|(?<=['’]s )(?:[\w-]+ )?partners\b"
     # "Springfield's second partner, San Pedro Garza García, joined in 2006"; no trading partner
     r"|(?<=['’]s )(?!(?:trad\w*|business|strategic|commercial|economic|corporate|industrial) )"
     r"(?:[\w-]+ )?partner\b(?=,)"
     r"|\bpartnerships?(?=,? with\b)|\ba partner of\b"
     r"|(?:(?<=its )|(?<=eir )|(?<='s )|(?<=’s )|(?<=\bour )|(?<=\bown ))(?:[\w-]+ ){0,2}"
     r"(?:agreement|relationship|link|tie)(?= with\b)"
     r"|\bpair(?:ed|ing|s)?\b(?= (?:[\w-]+ ){0,3}with\b)"
     r"|\b(?:sever|suspend|cut|end|freez|froze|halt|paus)\w* (?:its|their|all|the) (?:[\w-]+ ){0,2}"
     r"(?:ties|cooperation|contacts|relations|exchanges)\b(?= with)"
     r"|\b(?:sign(?:ed|s)?|form(?:ed|s)?|establish(?:ed|es)?|forg(?:ed|es)|launch(?:ed|es)?) (?:a|an|the) "
     r"(?:[\w-]+ ){0,2}partnership\b", "partnership_other", 0.5),
)

# Phrases that contain a trigger but never mean a tie between two places. The two capitalised names
# are matched case-sensitively ("twin cities" in lower case is the ordinary term).
NEGATIVE_PATTERNS: Final[tuple[str, ...]] = (
    r"\bTwin Towers?\b",
    r"\bTwin Cities\b",
    r"\bSister Cities International\b",
    r"sister (?:compan(?:y|ies)|brands?|schools?|ships?|stations?|hospitals?|papers?|publications?"
    r"|newspapers?|organi[sz]ations?|channels?|hotels?|stores?|firms?)",
    r"双城经济圈|双城记",
    r"(?:友好|姐妹|姊妹)(?:港口?|医院|学校|校|大学|企业|园区|社区|单位)",
    r"\b(?:sister|twin(?:ned)?|friendship) (?:ports?|universit(?:y|ies)|parks?|zoos?|airports?)\b",
    r"\btwin[- ](?:city|cities) (?:economic|development) (?:zone|circle)",
    # a conurbation of two towns: "the twin cities of Hubballi-Dharwad", "the twin-city corporation"
    r"\btwin[- ]cit(?:y|ies) (?:of|corporation|municipal|area|region|status)\b",
)

# Words after a trigger that make it part of the name of an event or a body ("Shanghai International
# Friendship Cities Cooperation Forum", "友好城市论坛"): naming the forum asserts no tie.
EVENT_NAME_AFTER: Final[str] = (
    r"(?:\s+[A-Z][\w&-]*){0,3}?\s+(?:Forum|Conference|Summit|Festival|Association|Programme|Program|Awards?"
    r"|Week|Day|Alliance|Network|Committee|Commission|Expo|Fair|Dialogue|Games|Cup|League)\b"
    r"|(?:合作|交流)?(?:论坛|大会|峰会|联盟|博览会|协会|周|节)"
)

# A sentence about a work of fiction or media named after the term.
MEDIA_WORDS: Final[str] = (
    r"\b(?:film|movie|novel|tv series|miniseries|sitcom|album|song|documentary|drama|episode|premiere)s?\b"
    r"|电影|电视剧|小说|纪录片"
)

# A tie the sentence denies: "the municipality has no sister-city relationship with Qingdao", "两市并未
# 建立友好城市关系". Such a sentence asserts no pair at all.
DENIALS: Final[str] = (
    r"(?i)\b(?:has|have|had|with|there (?:is|are|was|were)) no (?:formal |official |such )?"
    r"(?:sister|twin|friendship|partner)"
    r"|\b(?:is|are|was|were|has|have|had)(?: not|n['’]t)(?: yet)?(?: been)? (?:a |any )?"
    r"(?:formal |official )?(?:sister|twin|friendship|partner)"
    r"|\b(?:does|do|did)(?: not|n['’]t) have (?:a |any )?(?:formal |official )?"
    r"(?:sister|twin|friendship|partner)"
    r"|\bnever (?:been )?(?:twinned|(?:a )?(?:sister|twin))"
    r"|(?:并未|并没有|没有|并非|不是)[^，。；]{0,8}(?:友好城市|友城|姐妹城市|姊妹市)"
)

# "X and other friendly cities": X illustrates a class, the sentence does not assert the pair.
GENERIC_PATTERNS: Final[str] = r"\b(?:and|or) other\b|\bsuch as\b|等(?:多个|其他)?(?:国际)?友好城市"

# Organisations that sign memoranda with a city without being a place.
ORGANISATION_WORDS: Final[str] = (
    r"\b(?:ministry|ministries|department|company|companies|corporation|group|university|bank|firm"
    r"|enterprise|association|chamber|institute|council of)\b(?!\s+(?:town|city)\b)"  # a university town
    r"|部委|公司|集团|大学|银行|协会"
)

# --- status -----------------------------------------------------------------------------------------
# (pattern, status); the cue in the place's own clause wins, else the nearest before it.
STATUS_PATTERNS: Final[tuple[tuple[str, str], ...]] = (
    (r"\bterminat\w*|\bsever(?:s|ed|ing)?\b|\brevok\w*|\bscrap(?:s|ped|ping)?\b|\bcancell?\w*"
     # "end its 20-year partnership", "cut all ties", "voted to scrap the twinning arrangement"
     r"|\b(?:end(?:s|ed|ing)?|cut(?:s|ting)?|break(?:s|ing)? off|broke off|dissolv\w*|axe[sd]?"
     r"|dropp?(?:ed|s|ing)?)"
     r"\s+(?:(?:the|its|their|our|his|her|a|all|formal|official|sister[- ]city|twinning|city's)\s+){0,3}"
     r"(?:[\w-]+\s+){0,2}"
     r"(?:ties|links?|partnerships?|relationships?|relations|twinning|agreements?|status|arrangements?)\b"
     r"|终止|解除|废除|取消", "terminated"),
    (r"\bsuspen\w*|\bfr[eo]z\w*|\bput on hold\b|\bpaus\w*|暂停|中止|冻结|搁置", "suspended"),
    (r"\banniversar\w*|\b(?:celebrat|mark)\w* (?:\d+|\w+) years\b|周年", "anniversary"),
    (r"\bwill (?:sign|establish|become|be)\b|\bplan(?:s|ned)? to\b|\bpropos\w*|\bintend\w*|\bpursu\w*"
     r"|\bvoted (?:on \w+ )?to\b|\bwould (?:be|become)\b|\bmov(?:e|es|ing) to (?:establish|form|sign)\b"
     r"|\bin talks\b|\bnegotiat\w*"
     r"|\bhope[sd]? to\b|\bseek\w*|\bexplor\w*|\baim(?:s|ed)? to\b|\bconsider\w*|\bprospective\b"
     r"|\bpotential\b|\bwould like\b|\bwould authori[sz]e\b"
     r"|拟|将签署|将正式|计划|有意|希望|推动|探讨|力争|争取|有望", "proposed"),
    (r"\bsign(?:ed|ing|s)?\b|\bestablish\w*|\btwinned\b|\bbec[oa]me\b|\bconclud\w*|\binked\b"
     r"|\bformali[sz]\w*|\bset up\b|\bjoined\b|\bforged?\b|\bformed\b|\bentered into\b|\bsealed\b|\bagreed\b"
     r"|\bupgrad\w*|\belevat\w*|\bapprov\w*|\bratifi\w*"
     r"|签署|签订|缔结|结为|建立|正式|确立|签约|升级|升格|批准", "established"),
)

# A heading over list entries that gives them all its status ("Suspended relationships", "Former
# sister cities", "已终止的友好城市").
LIST_HEADING_STATUS: Final[tuple[tuple[str, str], ...]] = (
    (r"\bsuspen\w*|\bfrozen\b|\bon hold\b|暂停|中止|冻结", "suspended"),
    (r"\bformer\b|\bterminat\w*|\bended\b|\bdissolved\b|\bdefunct\b|\bpast\b|终止|解除", "terminated"),
)

# Words right before an ending of a tie that deny or only propose it ("would not end", "rejected calls to
# suspend", "是否中止"): the tie stands.
HEDGES: Final[str] = (
    r"(?:\b(?:not|never|no|refus\w*|reject\w*|declin\w*|oppos\w*|against|rather than|instead of"
    r"|call(?:s|ed)? (?:for|to)|urg\w*|petition\w*|consider\w*|debat\w*|whether|motion|demand\w*)\b|n't)"
    r"[^.;]{0,25}$|(?:不会|不再|并未|拒绝|反对|是否|呼吁|要求)[^。；]{0,4}$"
)

# A signing described without a year happened around the page's date.
RELATIVE_TIME: Final[str] = (
    r"\bthis year\b|\btoday\b|\byesterday\b|\blast week\b|\bthis week\b|\brecently\b"
    r"|^\s*(?:【[^】]{1,20}】\s*)?\d{1,2}\s*月份?\s*[，,]"  # "6月，绍兴市与...": a month of the year told of
    r"|\bon (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\bduring the (?:event|visit|forum|ceremony|meeting)\b"
    r"|今年|今天|昨天|日前|近日|本周|上周|当天|此次|本次"
    # a day of the month without its year is a day of the page's year: "5月11日", "on May 11"
    r"|(?<![年\d])\d{1,2}\s*月\s*\d{1,2}\s*日|[于在]\s*\d{1,2}\s*月(?![\d份])"  # "于6月正式结为友好城市"
    r"|\bon (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?\b(?!,? *\d)"
)
SIGNING_NOW: Final[str] = (
    r"\bsign(?:s|ed)?\b|\binked\b|\bink(?:s)?\b|\bupgrad\w*|\bapprov(?:e|es|ed|ing)\b|签署|签订|签约|升级"
)

# --- places ------------------------------------------------------------------------------------------
# Where a common-word name ("Bath", "Reading", "Nice") or a short form ("Wagga") plainly names the page's
# own place, which then counts as a place everywhere on the page: its council, mayor or twin towns
# ("Bath councillors", "Reading's twin towns", "the Mayor of Bath"). Words before the name other than
# these (capitalised) make it part of a longer name or title ("Wuxi Vice Mayor").
OWN_PLACE_AFTER_WORDS: Final[str] = (
    r"\s+(?:Borough |District |City |Town |Regional |Shire |County |Municipal )?"
    r"(?:Council|councill?ors?|Mayor"
    r"|Lord Mayor|Town Hall|City Hall)\b"
    r"|['’]s\s+(?:(?:other|own|first|new|oldest|official)\s+)?(?:twin|sister|partner|friendship|mayor|council)"
    r"|\s+(?:is|was|has been) (?:already |also |now )?twinned\b"
)
OWN_PLACE_BEFORE_WORDS: Final[str] = r"\b(?:mayor|council|councill?ors?|people|residents|city|town) of\s+$"
LEAD_WORDS: Final[frozenset[str]] = frozenset("the in at on for and but by from as with".split())

# The page's own place referred to before a list of its partners ("Its partner cities include ...",
# "该市友好城市还有..."), or a heading before the list ("Twin towns: ...").
LIST_OWNER_WORDS: Final[str] = (
    r"\b(?:its|the (?:city|town|municipality|borough)['’]s)\b|(?:该|我|本)[市省区县]|其"
    r"|^[^\n:：]{3,40}[:：]\s*$"
)

# Words after a place name that keep it a place reference ("Semarang City", "Jiangsu Province").
PLACE_SUFFIXES: Final[tuple[str, ...]] = (
    "city", "municipality", "municipal", "province", "prefecture", "region", "state", "county", "district",
    "metropolitan", "mayor", "government", "people's", "special", "autonomous", "capital",
)

# Capitalised words that may follow a city's name in running text without making it part of a longer
# name ("in Tacoma Tuesday", "Nanjing Vice Mayor"); any other ("San Francisco Libre", "Reading
# Chronicle", "Paris Saint-Germain") does.
NAME_FOLLOWERS: Final[frozenset[str]] = frozenset(
    """
    vice deputy lord governor party council councillor councilor officials delegation
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)

# Place names that are also common words: they count only when a country or region is written right
# next to them ("Reading, England", "Mobile, Alabama"), or once the page has placed them so.
COMMON_WORD_NAMES: Final[frozenset[str]] = frozenset(
    """
    of best bar nice reading mobile split bath deal hope mercy liberty independence union unity victory
    marathon sale say male police opportunity surprise truth enterprise commerce industry progress
    friendship harmony concord peace paradise eden joy bliss justice orange temple university college
    amity aurora carmel chase march wells worth derby young alma alba ada arm ash ay bay bo man mar
    mart ran ras sur tan tar tor van along among sole batman eagle elk ham marsh normal
    asia europe africa oceania antarctica arctic pacific atlantic
    """.split()
) | frozenset(  # nicknames among the alternate names that are ordinary phrases
    ["port city", "capital city", "sister city", "twin city", "twin cities", "friendship city", "border city",
     "gateway city", "harbour city", "harbor city", "west coast", "east coast"]
) | frozenset(
    """
    central north south east west northern southern eastern western capital coast lake river valley
    island islands highlands mountain plateau lakes center centre upper lower middle new old great
    said will can made gold silver green white black red blue grand rich fair early late page
    jan feb mar apr jun jul aug sep sept oct nov dec january february april july september october
    november december monday tuesday wednesday thursday friday saturday sunday
    今天 大同 中山 和平 新城 东方 长安 太平 永安 开发 合作 友谊 交流 文化
    西南 东南 东北 西北 华南 华北 华东 华中 西南部 东南部 东北部 西北部
    发展 国际 中华 光明 新华 人民 建设 东部 西部 南部 北部 中部 城市 友好
    市长 代表 主席 会议 经济 白沙 松山 福山 江南 自由 青年 三峡 城中 高原 中心 团结 胜利 幸福
    和谐 解放 民主 东风 红旗 前进 繁荣 先锋 roman august
    # frequent words of a general Chinese dictionary (jieba) that also name small places
    皇帝 中央 农村 土地 独立 联合 中间 西方 北方 南方 盆地 玻璃 启动 奋斗 公平 海岸 联邦 菩萨
    知名 平安 三次 开通 新生 花园 园林 天堂 新兴 多久 狮子 五间 山顶 山谷 王家 南岸 城北 峡谷
    三合 珍珠 富裕 黄家 山下 西岸 复兴 北岸 赤道 城郊 中枢 八角 山中 鸳鸯 谷地 水土 大树 三元
    八一 余家 三角 可可 牌楼 高粱 余下 大石 河边 鱼池 琵琶 五里 红土 小路 小城 千户 大成 十里
    雪花 日出 白家 大路 铁门 道场 明月 中场 冷水 大观 打通 维新 庙宇 环球 观音
""".split()
)

# Place names that are also given names: a capitalised word right after them makes a person
# ("Florence Nightingale"), unless that word is a place suffix ("Florence City").
GIVEN_NAMES: Final[frozenset[str]] = frozenset(
    """
    florence victoria charlotte austin eugene jackson lincoln madison orlando regina sydney adelaide
    alexandria chester clifton hamilton houston jasper kingston marion milton nelson preston quincy salem
    douglas warren bristol stanley beverly clinton dallas denver jordan logan lorain mackay lowell stirling
    sterling wellington washington norman tyler troy paris april june may august
    """.split()
)

# Country names and abbreviations that geonames does not carry in English, plus common misspellings
# seen on municipal pages. name -> ISO 3166-1 alpha-2. Chinese country names come from pycountry's
# translations and data/places.tsv.
COUNTRY_ALIASES: Final[dict[str, str]] = {
    "USA": "US", "U.S.": "US", "U.S.A.": "US", "US": "US", "America": "US", "United States of America": "US",
    "UK": "GB", "U.K.": "GB", "Britain": "GB", "Great Britain": "GB", "England": "GB", "Scotland": "GB",
    "Wales": "GB", "Northern Ireland": "GB", "South Korea": "KR", "Korea": "KR", "Republic of Korea": "KR",
    "the Republic of Korea": "KR", "North Korea": "KP", "Columbia": "CO", "Russia": "RU", "Czechia": "CZ",
    "Czech Republic": "CZ", "Holland": "NL", "the Netherlands": "NL", "Vietnam": "VN", "Viet Nam": "VN",
    "Laos": "LA", "Iran": "IR", "Syria": "SY", "Turkey": "TR", "Türkiye": "TR", "Ivory Coast": "CI",
    "People's Republic of China": "CN", "People’s Republic of China": "CN", "PR China": "CN",
    "P.R. China": "CN", "PRC": "CN", "Russian Federation": "RU",
    "Côte d'Ivoire": "CI", "Macedonia": "MK", "Burma": "MM", "Brunei": "BN", "Tanzania": "TZ",
    "Bolivia": "BO", "Venezuela": "VE", "Moldova": "MD", "Palestine": "PS", "UAE": "AE",
}

# Adjectives of nationality that locate the place named after them ("the Russian city of Yekaterinburg",
# "the Italian town of Parma"). adjective -> ISO 3166-1 alpha-2.
DEMONYMS: Final[dict[str, str]] = {
    "american": "US", "british": "GB", "english": "GB", "scottish": "GB", "welsh": "GB", "irish": "IE",
    "french": "FR", "german": "DE", "italian": "IT", "spanish": "ES", "portuguese": "PT", "dutch": "NL",
    "belgian": "BE", "swiss": "CH", "austrian": "AT", "swedish": "SE", "norwegian": "NO", "danish": "DK",
    "finnish": "FI", "icelandic": "IS", "polish": "PL", "czech": "CZ", "slovak": "SK", "hungarian": "HU",
    "romanian": "RO", "bulgarian": "BG", "greek": "GR", "serbian": "RS", "croatian": "HR",
    "slovenian": "SI", "bosnian": "BA", "albanian": "AL", "lithuanian": "LT", "latvian": "LV",
    "estonian": "EE", "russian": "RU", "ukrainian": "UA", "belarusian": "BY", "moldovan": "MD",
    "georgian": "GE", "armenian": "AM", "azerbaijani": "AZ", "turkish": "TR", "israeli": "IL",
    "palestinian": "PS", "lebanese": "LB", "jordanian": "JO", "syrian": "SY", "iraqi": "IQ",
    "iranian": "IR", "saudi": "SA", "emirati": "AE", "qatari": "QA", "omani": "OM", "egyptian": "EG",
    "moroccan": "MA", "algerian": "DZ", "tunisian": "TN", "libyan": "LY", "sudanese": "SD",
    "ethiopian": "ET", "kenyan": "KE", "tanzanian": "TZ", "ugandan": "UG", "rwandan": "RW",
    "nigerian": "NG", "ghanaian": "GH", "senegalese": "SN", "ivorian": "CI", "cameroonian": "CM",
    "congolese": "CD", "angolan": "AO", "zambian": "ZM", "zimbabwean": "ZW", "mozambican": "MZ",
    "namibian": "NA", "south african": "ZA", "malagasy": "MG", "chinese": "CN", "japanese": "JP",
    "korean": "KR", "south korean": "KR", "north korean": "KP", "mongolian": "MN", "taiwanese": "TW",
    "vietnamese": "VN", "thai": "TH", "cambodian": "KH", "laotian": "LA", "burmese": "MM",
    "malaysian": "MY", "singaporean": "SG", "indonesian": "ID", "filipino": "PH", "philippine": "PH",
    "indian": "IN", "pakistani": "PK", "bangladeshi": "BD", "nepalese": "NP", "sri lankan": "LK",
    "kazakh": "KZ", "uzbek": "UZ", "kyrgyz": "KG", "tajik": "TJ", "turkmen": "TM", "afghan": "AF",
    "australian": "AU", "new zealand": "NZ", "canadian": "CA", "mexican": "MX", "cuban": "CU",
    "brazilian": "BR", "argentine": "AR", "argentinian": "AR", "chilean": "CL", "peruvian": "PE",
    "colombian": "CO", "venezuelan": "VE", "ecuadorian": "EC", "bolivian": "BO", "uruguayan": "UY",
    "paraguayan": "PY", "nicaraguan": "NI", "guatemalan": "GT", "honduran": "HN", "salvadoran": "SV",
    "costa rican": "CR", "panamanian": "PA", "dominican": "DO", "jamaican": "JM",
}

# Latin-script words that turn a following place into a person or an organisation name.
PERSON_TITLES: Final[str] = r"(?:Mr|Mrs|Ms|Dr|Prof|Sir|Dame|Lady|Lord|Saint|St)\.?\s+$"
# Offices written before a person's name: a name after one, followed by another capitalised word, is a
# person ("Mayor Yao Gaoyuan", "Councilmember Florence Ayala").
OFFICE_TITLES: Final[str] = (
    r"\b(?:Mayor|Governor|President|Premier|Minister|Ambassador|Secretary|Chairman|Chairwoman|Chair"
    r"|Councillor|Councilor|Councilmember|Councilman|Councilwoman|Consul|Senator|Commissioner|Director"
    r"|Professor|Coach|Captain|Judge|Bishop|Rev|Sgt|Gen|Col)\.?\s+$"
)


def compile_alternation(patterns: tuple[str, ...] | str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """One compiled regex for a list of patterns (or one pattern)."""
    source = patterns if isinstance(patterns, str) else "|".join(f"(?:{p})" for p in patterns)
    return re.compile(source, flags)

"""Which places a sentence names as parties to a tie, and which it names for another reason: a venue
(在大阪签署, "signed in Paris"), a source ("according to Macao media"), a dateline, an institution
("the University of Leeds", "Xiamen University", "Seoul's Incheon International Airport"), a place
travelled to, the ends of a route, a locator ("south of Moscow", "Xi'an, the capital of Shaanxi"), or
capitals standing for their states ("tensions between Washington and Beijing")."""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import pairwise

from etl.extract import cues as C
from etl.extract.cues import Cue
from etl.extract.mention import Mention, outside_names
from etl.extract.page import Page, distinct


def sentence_parties(page: Page, start: int, end: int, cues: list[Cue]) -> list[Mention]:
    """The places of ``page.text[start:end]`` that may be one side of a tie, each once, in text order;
    "我市"/"our city" stands for the page's subject."""
    named = [m for m in page.mentions_in(start, end) if m.partner and not _aside(page.read, m)
             and not BESIDES.search(page.read, start, m.start)]
    named = _without_routes(page, _with_our_place(page, start, end, named))
    named = [m for m in named if not (is_latin_text(m.surface) and visited(page, m, cues, start))]
    return _without_venue(page, _partners(page, named), start, end)


def is_latin_text(surface: str) -> bool:
    return ord(surface[0]) < 0x2E80


# "在大阪签署" (signed in Osaka): the place where something happened, not a partner.
VENUE = re.compile(r"在$")

EN_VENUE = re.compile(r"(?i)\b(?:sign\w*|ink\w*|held|ceremony|hosted|meeting)\b[^,;.]{0,60}\b(?:in|at)\s+$")

ATTRIBUTION_AFTER = re.compile(
    r"(?i)[’']?s?\s+(?:media|news|daily|newspapers?|reports?|television|tv|radio|press|broadcasters?)\b"
    r"|(?:媒体|日报|电视台|新闻)"
)

ATTRIBUTION_BEFORE = re.compile(r"(?i)\baccording to (?:the )?(?:[\w-]+ ){0,3}$|据$")

# A dateline names where the story was filed: "NAIROBI, Oct. 12 (Xinhua) --", "TACOMA, Wash. -",
# "新华社内罗毕10月12日电"; wires file from two places at once: "LONDON/SHENZHEN (Reuters) -".
DATELINE = re.compile(
    r"[A-Z][A-Z.' -]+(?:/[A-Z][A-Z.' -]+)*(?:,\s*[A-Z][\w.]*(?: [A-Z][\w.]*)?)?"
    r"(?:,?\s*[A-Z][a-z]{2,4}\.?\s+\d{1,2}(?:,\s*\d{4})?)?\s*(?:\([^)\n]{2,40}\))?\s*(?:--|—|–|-)\s"
)

REGION_AS_ADJECTIVE = re.compile(r"\s+(?:state\s+)?(?:city|town|capital|port|county|village)\b")

CAPITAL_OF = re.compile(r"(?i)\bcapital (?:city )?of (?:the )?(?:[\w-]+ )?(?:[\w-]+['’]s )?$")

LOCATED_IN_AFTER = re.compile(r"所在的?(?:[省州县市]|[\u4e00-\u9fff]{2,8}[省州县])")
ZH_DATELINE_AFTER = re.compile(r"\s*\d{1,2}月\d{1,2}日电")

ORG_BEFORE = re.compile(
    r"(?i)\b(?:university|port|bank|museum|institute|college|academy|zoo|airport|hospital|chamber)"
    r" of\s+(?:the\s+)?$|\buniversit[iéà]\s+$"
)

# "Seoul's Incheon International Airport", "Minneapolis-St. Paul International Airport", "Shanghai's Fudan
# University": an institution named after the place, a few capitalised words between.
ORG_NAMED_AFTER = re.compile(
    r"(?:['’]s|-)?(?:[\s-]+[A-Z][\w.'’]*){1,3}?\s+(?:International\s+)?(?:Airport|University|Hospital|Port"
    r"|College|Institute|Museum|Academy)\b"
)

ORG_AFTER = re.compile(
    r"-based\b|\s+(?:University|Port|Group|Airlines?|Airport|Bank|Company|Corporation|Institute|College"
    r"|Hospital|Zoo|Museum|FC|United|Daily|Times|Post|Normal|Polytechnic|Metro|Subway)\b"
    # "a Leeds hospital trust", "Wuhan medical centre", "Hull City, owned by a businessman"
    r"|\s+(?:hospitals?|medical|clinics?|universit(?:y|ies)|colleges?|schools?|clubs?|firms?|compan(?:y|ies)"
    r"|businesses|hotels?|football|airport|port authority|varsity)\b|\s+City,\s+(?:owned|managed|coached)\b"
    r"|(?:大学|学院|银行|集团|公司|港务|港口|港|机场|医院|博物馆|研究院|研究所|商会|总领事馆|领事馆|大使馆"
    r"|科学园区|园区|管理局|机构|协会|企业|(?:科技|工业|产业|软件)园"
    # a city's bureau signs for itself, not for the city: 绵阳市科技局
    r"|(?:科技|教育|商务|卫生|卫健|文旅|文化|体育|旅游|农业|交通|生态环境)局)"
)

# A place named to locate another: "south of Moscow", "near Lyon", "outside Kyiv".
LOCATOR_BEFORE = re.compile(
    r"(?i)\b(?:(?:north|south|east|west)(?:-?(?:east|west))?(?:ern)?(?: part)? of|near|outside|close to"
    r"|(?:suburbs?|outskirts|hinterland) of)\s+(?:the\s+)?$|距离?$|毗邻$|靠近$"
)
# "Takatsuki, a city of about 350,000 people between Osaka and Kyoto": places that locate a town.
TOWN_LOCATOR_BEFORE = re.compile(
    r"(?i)\b(?:city|town|village|port|municipality)\b(?:[^,.;:]|(?<=\d)[,.](?=\d)){0,40}?"
    # not "the first partnership with a Japanese city was between Saint Paul and Nagasaki"
    r"(?<!\bwas )(?<!\bis )(?<!\bwere )(?<!\bare )\b(?:between|near"
    r"|outside)\s+(?:the\s+)?(?:[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?\s+and\s+)?$"
)
EXCEPTED_BEFORE = re.compile(r"(?i)\b(?:apart from|aside from|besides|other than|except(?: for)?)\s+$|除了?$")
LOCATOR_AFTER = re.compile(r"\s+(?:suburb|neighbou?rhood|commuter town|satellite town|district)\b")

GEOPOLITICS = re.compile(
    r"(?i)\btension|\btrade war|\bdiplomatic|\bgeopolitic|\bsanction|\brivalry|\bsummit\b"
)

BETWEEN = re.compile(r"(?i)\bbetween\s+(?:[A-Z][\w.-]*\s+){0,3}(?:and\s+)?$")

# "北九州市除大连外，还与仁川...": the place after 除 is set aside, up to 外.
BESIDES = re.compile(r"除(?:了)?[^，。；外]{0,12}$")

# "Tongji Hospital in Wuhan", "a football school in Shenzhen": the place of an institution.
ORG_IN_BEFORE = re.compile(
    r"(?i)\b(?:universit(?:y|ies)|hospitals?|schools?|clubs?|compan(?:y|ies)|firms?|institutes?|factor(?:y|ies)"
    r"|plants?|museums?|academ(?:y|ies)|colleges?|cent(?:re|er)s?|offices?|consulates?|embassy|branch)"
    r"\s+(?:in|at|of)\s+(?:the\s+)?$"
)

# Travel to a place, in the clause before it: the place was visited, not partnered.
VISIT = re.compile(
    r"(?i)\b(?:visit(?:ed|ing|s)?|tour(?:ed|ing)|travel(?:l?ed|l?ing) to|trips? to|went to|flew to|"
    r"stopp(?:ed|ing) (?:in|at)|arriv(?:ed|ing) in|headed to|take (?:him|her|them) to"
    r"|(?:missions?|delegations?) to)\b"
)

# Written right before the place, travel decides even in a clause with a tie word.
VISIT_RIGHT_BEFORE = re.compile(
    r"(?i)\b(?:missions?|delegations?|trips?|travel(?:l?ed)?|went) to\s+(?:the\s+)?$"
)

# The page's own place, unnamed: "我省与...", "本市".
OUR_PLACE = re.compile(r"(?i)(?:我|本)[市省区县州]|\bour (?:city|town|province|state|prefecture)\b")

# Two places joined as the ends of a route: "济南至大阪", "Jinan–Osaka flights".
ROUTE_JOIN = re.compile(r"\s*(?:至|到|—|–|-|/)\s*")

ROUTE_NOUN = re.compile(
    r"(?i)航线|航班|直航|班列|铁路|高铁|\b(?:flights?|routes?|rail|railway|train|ferry|service)\b"
)

# How close a region must be to a city of its country to only locate it.
LOCATING_REACH = 50

# How far a city may be written after the region that locates it: "萨克森州莱比锡市", "哈利斯科州首府".
REGION_TO_SEAT = 4

COORDINATION = re.compile(r"\s+(?:and|&)\s+|\s*(?:就|也|还|已|早已|先后)?[与和同]\s*")

def _with_our_place(page: Page, start: int, end: int, named: list[Mention]) -> list[Mention]:
    """"我省与日本山口县..." names the page's own place without its name: the subject, there."""
    subject = page.subject
    found = outside_names(OUR_PLACE, page.read, page.mentions_in(max(0, start - 20), end), start, end)
    if subject is None or found is None or any(m.index == subject.index for m in named):
        return named
    ours = replace(subject, start=found.start(), end=found.end(), surface=found[0])
    return sorted([*named, ours], key=lambda m: m.start)

def _without_routes(page: Page, named: list[Mention]) -> list[Mention]:
    """"济南至大阪、青岛至札幌国际航线": the ends of a route (flights, trains) are no partners."""
    if len(named) < 2 or not ROUTE_NOUN.search(page.read, named[0].start, named[-1].end + 40):
        return named
    ends: set[int] = set()
    for first, second in pairwise(named):
        if ROUTE_JOIN.fullmatch(page.read, first.end, second.start):
            ends.update((first.start, second.start))
    return [m for m in named if m.start not in ends]

def _aside(text: str, mention: Mention) -> bool:
    """A place named as a venue (在大阪签署), as a source ("according to Macao media"), in a dateline or
    in the name of an organisation ("the University of Leeds", "Xiamen University", "Shenzhen-based")."""
    if VENUE.search(text, max(0, mention.start - 1), mention.start):
        return True
    if ATTRIBUTION_AFTER.match(text, mention.end) or ZH_DATELINE_AFTER.match(text, mention.end):
        return True
    if LOCATED_IN_AFTER.match(text, mention.end):  # "埃德蒙顿所在的阿尔伯塔省": the province is meant
        return True
    if ORG_AFTER.match(text, mention.end) or ORG_BEFORE.search(text, max(0, mention.start - 30),
                                                                mention.start):
        return True
    if ORG_IN_BEFORE.search(text, max(0, mention.start - 30), mention.start):
        return True
    if ORG_NAMED_AFTER.match(text, mention.end):
        return True
    if LOCATOR_BEFORE.search(text, max(0, mention.start - 40), mention.start):
        return True  # "a city about 180 km south of Moscow"
    if TOWN_LOCATOR_BEFORE.search(text, max(0, mention.start - 80), mention.start):
        return True
    if EXCEPTED_BEFORE.search(text, max(0, mention.start - 20), mention.start):
        return True  # "Apart from Nara, they include Obama ...": the tie told before, not this sentence's
    if LOCATOR_AFTER.match(text, mention.end) and text[max(0, mention.start - 2):mention.start] == "a ":
        return True  # "Pessac in France, a Bordeaux suburb"
    if GEOPOLITICS.search(text, max(0, mention.start - 60), mention.end + 60) and BETWEEN.search(
            text, max(0, mention.start - 60), mention.start):
        return True  # "tensions between Washington and Beijing": the capitals stand for their states
    if in_dateline(text, mention):
        return True
    if mention.place.kind == "region" and REGION_AS_ADJECTIVE.match(text, mention.end) and text[
            max(0, mention.start - 4):mention.start].lower() == "the ":
        return True  # "the Minnesota city", "the Bavarian capital": the region describes a city
    if mention.place.kind == "region" and CAPITAL_OF.search(text, max(0, mention.start - 50), mention.start):
        return True  # "the capital of east China's Zhejiang Province" is a city, named elsewhere
    return ATTRIBUTION_BEFORE.search(text, max(0, mention.start - 40), mention.start) is not None

def in_dateline(text: str, mention: Mention) -> bool:
    """Whether the place names where the story was filed ("HANGZHOU, May 8 (Xinhua) --", "新华社杭州5月8日
    电")."""
    if ZH_DATELINE_AFTER.match(text, mention.end):
        return True
    dateline = DATELINE.match(text, text.rfind("\n", 0, mention.start) + 1)
    return dateline is not None and mention.end <= dateline.end()

def _without_venue(page: Page, places: list[Mention], start: int, end: int) -> list[Mention]:
    """"Hangzhou and Nice signed the agreement in Paris": a place where something was signed or held is
    the venue, unless it is needed as the second of a pair."""
    venues = [m for m in places if EN_VENUE.search(page.read, max(0, m.start - 80), m.start)]
    rest = [m for m in places if m not in venues]
    if venues and len(rest) == 1 and C.names_organisation(page.read[start:end]):
        return rest  # the venue is the second of the pair, unless a body signed: "the Ministry signed ..."
    return rest if venues and len(rest) != 1 else places

def _partners(page: Page, mentions: list[Mention]) -> list[Mention]:
    """Distinct places, without a region named beside a city of its own country ("Xi'an, the capital
    of Shaanxi province"): there the region locates the city, it is not a partner. A region further
    away may be one ("arrived in Perth ..., as Western Australia and Zhejiang mark 35 years")."""
    located = {city.start for city, district in pairwise(mentions) if _holds_next(city, district)}
    places = distinct([m for m in mentions if m.start not in located])
    cities = [m for m in mentions if m.place.kind == "city"]
    return [m for m in places if m.place.kind == "city" or _coordinated(page, m, mentions) or not any(
        c.place.country == m.place.country and abs(c.start - m.start) <= LOCATING_REACH for c in cities)]

# A district or county written straight after its city: "青岛市黄岛区", "郴州市宜章县".
ZH_LOWER_LEVEL = re.compile(r"[区县镇]$")


def _holds_next(mention: Mention, following: Mention) -> bool:
    """"青岛市黄岛区与韩国平泽市": the city only locates the district written right after it."""
    return (following.start == mention.end and following.place.country == mention.place.country
            and ZH_LOWER_LEVEL.search(following.surface) is not None)


def _coordinated(page: Page, region: Mention, mentions: list[Mention]) -> bool:
    """A region joined by "and" to a place abroad is a party itself: "as Western Australia and Zhejiang
    mark 35 years of sister-state ties", "江苏省与加州", "浙江省与日本静冈县" (its country between)."""
    i = mentions.index(region)
    following = mentions[i + 1] if i + 1 < len(mentions) else None
    if following is not None and following.place.kind == "city" and following.nation == region.nation and (
            following.start - region.end <= REGION_TO_SEAT):
        return False  # "与德国萨克森州莱比锡市", "与墨西哥哈利斯科州首府瓜达拉哈拉市": it locates the city
    neighbours = [(mentions[i - 1], region)] if i > 0 else []
    neighbours += [(region, mentions[i + 1])] if i + 1 < len(mentions) else []
    return any(first.nation != second.nation
               and COORDINATION.fullmatch(page.gap_without_places(first.end, second.start, "country"))
               is not None
               for first, second in neighbours)


def visited(page: Page, mention: Mention, cues: list[Cue], sentence_start: int) -> bool:
    low, high = C.clause_around(page.read, mention.start)
    low = max(low, sentence_start)
    if VISIT_RIGHT_BEFORE.search(page.read, max(low, mention.start - 30), mention.start):
        return True  # "renewed during a trade mission to Guangdong": a tie word in the clause or not
    if any(low <= cue.start < high for cue in cues):
        return False
    return VISIT.search(page.read, low, mention.start) is not None

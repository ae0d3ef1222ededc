"""People whose surname is a town's name: "its manager, Hiroshi Tanabe, ... Tanabe acted as his
interpreter" names a man, not Tanabe in Wakayama. Japanese, Chinese and English surnames are very often
place names (Matsumoto, Morioka, Lincoln, Preston), and an article quotes a person by surname alone
after naming them in full once."""

from __future__ import annotations

import re

from etl.extract.own_place import NEXT_WORD, PREVIOUS_WORD, SENTENCE_START
from etl.extract.vocab import COMMON_WORD_NAMES, DEMONYMS, LEAD_WORDS, NAME_FOLLOWERS, PLACE_SUFFIXES

# Capitalised words that begin a place's longer name, describe it or open a clause: no given names.
NAME_PREFIXES = frozenset(
    """
    lake mount mt port fort saint st ste san santa santo sao são el la le les los las de del des di da do
    dos bad ciudad villa puerto porto cape glen isla nueva nuevo sister twin partner friendship visit
    welcome downtown greater metro historic city town county state province prefecture district
    why how what when where who which while although though because if unless until after before since
    during despite however meanwhile also then today here there this that these those our their his her
    its we they you he she it my your
    """.split()
)
# What makes a name a place wherever else it is written, besides a country or region beside it: a
# preposition before it, a place word or a possessive tie after it ("in Tanabe", "Tanabe City",
# "Tanabe's mayor").
PLACE_BEFORE = re.compile(r"(?i)\b(?:in|to|from|at|of|near|between|with|visit|visited|visiting)\s+$")
PLACE_AFTER = re.compile(
    r"['’]s\s+(?:\w+\s+)?(?:twin|sister|partner|friendship|mayor|council|city|people)"
    r"|\s+(?:" + "|".join(PLACE_SUFFIXES) + r")\b",
    re.IGNORECASE,
)
LOOKBEHIND = 40


def surname_hits(text: str, hits: list[tuple[int, int, str, str]], placed: set[int]) -> set[int]:
    """Starts of the name hits that are people: a one-word name written after a given name ("Hiroshi
    Tanabe"), and, when the page never writes that name as a place (``placed`` holds the starts of hits
    a country or region locates), its bare uses too."""
    starts = {start for start, _, _, _ in hits} | {end for _, end, _, _ in hits}
    in_full: set[int] = set()
    surnames: set[str] = set()
    for start, _end, surface, key in hits:
        if _given_name_before(text, start, surface, starts):
            in_full.add(start)
            surnames.add(key)
    if not surnames:
        return in_full
    as_place = {key for start, end, _, key in hits if key in surnames and start not in in_full
                and (start in placed or _written_as_place(text, start, end))}
    return in_full | {start for start, _, _, key in hits if key in surnames - as_place}


def _given_name_before(text: str, start: int, surface: str, hit_edges: set[int]) -> bool:
    """A title-case word inside a sentence, no place, place word or title, right before a one-word Latin
    name: a given name before a surname."""
    if ord(surface[0]) >= 0x2E80 or not surface.isalpha() or not surface.istitle():
        return False
    head = text[max(0, start - LOOKBEHIND):start]
    previous = PREVIOUS_WORD.search(head)
    if previous is None or head[previous.end(1):] != " ":
        return False
    word = previous[1]
    lowered = word.lower()
    word_end = start - len(head) + previous.end(1)
    if (not word.isalpha() or not word.istitle() or len(word) < 2 or word_end in hit_edges
            or lowered in NAME_PREFIXES or lowered in PLACE_SUFFIXES or lowered in NAME_FOLLOWERS
            or lowered in COMMON_WORD_NAMES or lowered in LEAD_WORDS or lowered in DEMONYMS):
        return False
    if SENTENCE_START.search(head[:previous.start(1)]):
        return False
    following = NEXT_WORD.match(text, start + len(surface))
    return following is None or following[1].lower() not in PLACE_SUFFIXES


def _written_as_place(text: str, start: int, end: int) -> bool:
    return bool(PLACE_BEFORE.search(text, max(0, start - 20), start) or PLACE_AFTER.match(text, end))

"""Relation, status and year cues in text, read from the tables in ``vocab.py``."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from etl.extract.vocab import (
    DENIALS,
    EVENT_NAME_AFTER,
    GENERIC_PATTERNS,
    HEDGES,
    MEDIA_WORDS,
    NEGATIVE_PATTERNS,
    ORGANISATION_WORDS,
    RELATION_PATTERNS,
    RELATIVE_TIME,
    SIGNING_NOW,
    STATUS_PATTERNS,
    compile_alternation,
)
from etl.models import RELATION_RANK, Relation, Status

RELATIONS_RE = [(re.compile(p, re.IGNORECASE), rel, strength) for p, rel, strength in RELATION_PATTERNS]
NEGATIVE_RE = compile_alternation(NEGATIVE_PATTERNS, 0)
NEGATIVE_CI_RE = compile_alternation(tuple(p for p in NEGATIVE_PATTERNS if "Twin" not in p))
STATUS_RE = [(re.compile(p, re.IGNORECASE), status) for p, status in STATUS_PATTERNS]
HEDGE_RE = re.compile(HEDGES, re.IGNORECASE)
ENDINGS = ("terminated", "suspended")
MEDIA_RE = compile_alternation(MEDIA_WORDS)
EVENT_NAME_RE = re.compile(EVENT_NAME_AFTER)
GENERIC_RE = compile_alternation(GENERIC_PATTERNS)
DENIAL_RE = re.compile(DENIALS)
ORGANISATION_RE = compile_alternation(ORGANISATION_WORDS)
RELATIVE_RE = compile_alternation(RELATIVE_TIME)
SIGNING_RE = compile_alternation(SIGNING_NOW)
# A year, not part of a larger number ("2,000 visits") nor a quantity ("1999 people").
YEAR_RE = re.compile(
    r"(?<!\d)(?<!\d,)(?<!\d\.)(19\d\d|20\d\d)(?!\d|,\d{3})"
    r"(?!\s*(?:km|people|residents|visitors|metres|meters|tons|students|delegates))"
)
ORDINAL_ANNIVERSARY = re.compile(
    r"(\d{1,3})(?:st|nd|rd|th)?\s+anniversar|(\d{1,3})\s*(?:周年|週年|years (?:as|of|since))", re.IGNORECASE
)
WORD_ORDINALS = {"tenth": 10, "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50,
                 "sixtieth": 60, "seventieth": 70, "twenty-fifth": 25, "fifteenth": 15, "fifth": 5}
ZH_DIGITS = {d: i for i, d in enumerate("一二三四五六七八九", start=1)}
ZH_ANNIVERSARY = re.compile(r"([一二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九])\s*周年")
WORD_ANNIVERSARY = re.compile(r"\b(" + "|".join(WORD_ORDINALS) + r")\s+anniversar", re.IGNORECASE)
# A clause this short that holds a year is a date for the rest of the sentence ("In 1994, ...").
ROC_YEAR = re.compile(r"民[国國]\s*(\d{2,3})\s*年")
SHORT_CLAUSE = 16
FULL_DATE = re.compile(
    r"(?:19|20)\d\d\s*年\s*\d{1,2}\s*月|\d{1,2}\s+[A-Z][a-z]{2,8}\.?\s+(?:19|20)\d\d"
    r"|[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+(?:19|20)\d\d"
)
# A proposal word this close before a signing verb governs it.
MODAL_REACH = 20
# An instrument named within this many characters of a relation word is what was signed.
INSTRUMENT_REACH = 40


# Tie words that say no kind of tie ("its Chinese partners", "suspended its ties with", "its first
# international tie", "Springfield's second partner, ...").
VAGUE_TIE = re.compile(
    r"(?i)\bpartners(?:hips?)?\b|\ba partner of\b|\bpartner$|\bties?\b(?! with)"
    r"|\b(?:ties|tie|agreement|exchanges|relationship|link)(?= with)"
    r"|\bpair(?:ed|ing|s)?\b"
)
# A clause about the earlier tie an agreement replaces: its year is not the new tie's.
EARLIER_STAGE = re.compile(
    r"\W*(?:(?:formally|thereby|so|effectively) )?(?:lifting|upgrading|elevating|replacing|raising"
    r"|building on|succeeding|turning|converting)\b", re.IGNORECASE
)
INSTRUMENT_WORD = re.compile(r"memorand|\bmou\b|letters? of intent|备忘录|意向书", re.IGNORECASE)


@dataclass(frozen=True)
class Cue:
    start: int
    end: int
    relation: Relation
    strength: float
    instrument: bool = False  # names a document signed (memorandum, letter of intent)


def relation_cues(text: str) -> list[Cue]:
    """Relation words, earlier table rows winning overlaps, negatives ("Twin Towers") removed."""
    blocked = [m.span() for pattern in (NEGATIVE_RE, NEGATIVE_CI_RE) for m in pattern.finditer(text)]
    taken: list[Cue] = []
    for pattern, relation, strength in RELATIONS_RE:
        for match in pattern.finditer(text):
            start, end = match.span()
            if _overlaps(start, end, blocked + [(c.start, c.end) for c in taken]):
                continue
            if EVENT_NAME_RE.match(text, end):
                continue
            instrument = INSTRUMENT_WORD.search(match.group()) is not None
            taken.append(Cue(start, end, relation, strength, instrument))  # type: ignore[arg-type]
    titles = _work_titles(text, taken)
    cues = sorted((c for c in taken if text[c.start:c.end] not in titles), key=lambda c: c.start)
    return _kind_of_vague_ties(text, cues)


def _kind_of_vague_ties(text: str, cues: list[Cue]) -> list[Cue]:
    """"Its partners", "its ties" say no kind of tie: on a page about sister cities (or friendship
    cities) they are the page's kind."""
    weights: dict[Relation, float] = {}
    for cue in cues:
        if cue.strength >= 1.0 and RELATION_RANK[cue.relation] >= 3:
            weights[cue.relation] = weights.get(cue.relation, 0.0) + 1.0
    if not weights:
        return cues
    prevailing = max(weights, key=lambda relation: weights[relation])
    return [replace(c, relation=prevailing) if VAGUE_TIE.search(text, c.start, c.end) else c for c in cues]


QUOTES = "'\"‘’“”«»《》"


def _work_titles(text: str, cues: list[Cue]) -> set[str]:
    """Cue words written in title case and quoted or named beside a film, a book... ("the film 'Sister
    Cities'"): the page is about a work of that name, and every such capitalised mention is the work."""
    titles = set()
    for cue in cues:
        surface = text[cue.start:cue.end]
        if not surface.istitle() or surface in titles:
            continue
        quoted = text[cue.start - 1:cue.start] in QUOTES and text[cue.end:cue.end + 1] in QUOTES
        if quoted or MEDIA_RE.search(text, max(0, cue.start - 60), cue.end + 60):
            titles.add(surface)
    return titles


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


CLAUSE_BREAK = re.compile(r"[,;:，；：]")


def relation_for(cues: list[Cue], anchor: int, text: str) -> Cue:
    """The cue governing a place at ``anchor`` of ``text``: the surest in the place's own clause, else
    the nearest before it, else the nearest after; an instrument (memorandum, letter of intent) next to
    that cue names what was signed."""
    start, end = clause_around(text, anchor)
    own = [c for c in cues if start <= c.start < end]
    before = [c for c in cues if c.end <= anchor]
    if own:
        chosen = min(own, key=lambda c: (-c.strength, abs(c.start - anchor)))
    else:
        chosen = before[-1] if before else min(cues, key=lambda c: abs(c.start - anchor))
    return instrument_near(cues, chosen, text)


def clause_around(text: str, offset: int) -> tuple[int, int]:
    previous = [m.end() for m in CLAUSE_BREAK.finditer(text, 0, offset)]
    following = CLAUSE_BREAK.search(text, offset)
    return (previous[-1] if previous else 0), (following.start() if following else len(text))


def instrument_near(cues: list[Cue], chosen: Cue, text: str = "") -> Cue:
    """The instrument that names what was signed about ``chosen``: one near it, after it ("memorandum
    on sister-city ties") or before it in the same clause ("a sister-city memorandum"); not one in a
    clause after it ("sister cities since 1993, signed a new memorandum on ports")."""
    if chosen.instrument:
        return chosen
    gaps = [(max(c.start - chosen.end, chosen.start - c.end), c.start, c) for c in cues
            if c.instrument and not (c.start > chosen.end and CLAUSE_BREAK.search(text, chosen.end, c.start))]
    near = [item for item in gaps if item[0] <= INSTRUMENT_REACH]
    if not near:
        return chosen
    cue = min(near)[2]
    return Cue(cue.start, cue.end, cue.relation, max(cue.strength, chosen.strength), True)


# An ending told of the tie just named: "..., which was suspended", "but was later terminated".
BACK_REFERENCE = re.compile(r"(?i)\b(?:which|that|but|later|subsequently)\b[^,;.，；。]{0,20}$|后(?:来|被)?$")


def status_at(text: str, anchor: int) -> Status | None:
    """The status word in the clause of ``anchor`` (nearest before it, else after it), unless that is a
    signing and the tie is ended later in ``text`` ("signed ..., which was suspended in 2022"); else an ending
    of the tie anywhere in ``text`` (a sentence: "ties with Kunming, established in 1985, were
    suspended"); else the nearest before it, else the nearest after. Denied endings ("would not end
    its ties") do not count."""
    found = _statuses(text)
    if not found:
        return None
    start, end = clause_around(text, anchor)
    own = [item for item in found if start <= item[0] < end]
    own_before = [item for item in own if item[0] < anchor]
    endings = [item for item in found if item[1] in ENDINGS]
    before = [item for item in found if item[0] < anchor]
    later_endings = [item for item in endings if item[0] > anchor
                     and BACK_REFERENCE.search(text, max(0, item[0] - 30), item[0])]
    if own:
        chosen = max(own_before) if own_before else min(own)
        if chosen[1] == "established" and later_endings:  # "signed ..., which was later suspended"
            chosen = later_endings[0]
    elif endings:
        chosen = min(endings, key=lambda item: abs(item[0] - anchor))
    else:
        chosen = max(before) if before else found[0]
    return _modified(text, found, chosen)


def _statuses(text: str) -> list[tuple[int, Status]]:
    """(offset, status) of every status word in ``text``, in order, less endings that are denied."""
    found: list[tuple[int, Status]] = []
    for pattern, status in STATUS_RE:
        found.extend((m.start(), status) for m in pattern.finditer(text)  # type: ignore[misc]
                     if status not in ENDINGS or not HEDGE_RE.search(text, max(0, m.start() - 30), m.start()))
    return sorted(found)


def _modified(text: str, found: list[tuple[int, Status]], chosen: tuple[int, Status]) -> Status:
    """A signing verb right after "hoped to", "plans to" is only proposed ("hoped to sign"); one told
    with an anniversary in its clause is what the anniversary marks ("缔结友好城市关系45周年")."""
    if chosen[1] == "established":
        earlier = [item for item in found if item[0] < chosen[0] and chosen[0] - item[0] <= MODAL_REACH]
        if earlier and earlier[-1][1] == "proposed":
            return "proposed"
        start, end = clause_around(text, chosen[0])
        if any(status == "anniversary" and start <= offset < end for offset, status in found):
            return "anniversary"
    return chosen[1]


def years_in(text: str) -> list[tuple[int, int]]:
    """(offset, year) of plausible agreement years; a year of the Republic of China era counts from
    1911 ("民国87年" is 1998) unless the Western year is written beside it."""
    years = [(m.start(), int(m[1])) for m in YEAR_RE.finditer(text)]
    for found in ROC_YEAR.finditer(text):
        year = 1911 + int(found[1])
        if not any(abs(offset - found.start()) <= 20 and value == year for offset, value in years):
            years.append((found.start(), year))
    return sorted(years)


def nearest_year(years: list[tuple[int, int]], span: tuple[int, int]) -> int | None:
    """The year closest to a span of text; on a tie the one after it ("signed ... in 2016")."""
    if not years:
        return None

    def distance(item: tuple[int, int]) -> tuple[int, int]:
        offset = item[0]
        return (span[0] - offset - 4, 1) if offset < span[0] else (max(0, offset - span[1]), 0)

    return min(years, key=distance)[1]


FOUNDING_YEAR = re.compile(
    r"(?i)(?:since|established|signed|founded|formed|forged|twinned|paired(?: up)?|linked(?: up)?"
    r"|dat(?:ing|e[sd]?) back to|began"
    r"|dat(?:ing|e[sd]?) from|go(?:es)? back to)"
    r"\s+(?:in\s+)?"
    r"(19\d\d|20\d\d)"
    r"|(?:于|自)(19\d\d|20\d\d)年"
)


def year_of_tie(sentence: str, offset: int, spots: list[int]) -> bool:
    """Whether the year at ``offset`` dates the tie: it is in the clause of the relation word or of one
    of the places (``spots``), in a clause of its own ("In 1994, ...", "1985年，..."), in a full date,
    or in a clause telling of a signing, a founding or an ending ("..., with which it formed ties in
    1974"); not a year of a clause about something else ("..., sent a delegation in 2019")."""
    low, high = clause_around(sentence, offset)
    if EARLIER_STAGE.match(sentence, low, high):
        return False  # "..., upgrading a friendly exchange relationship that began in 2016"
    if any(low <= spot < high for spot in spots) or len(sentence[low:high].strip()) <= SHORT_CLAUSE:
        return True
    if FULL_DATE.search(sentence, max(0, offset - 12), offset + 12):
        return True  # "2024年5月18日，两市在扬州签约", "On 12 May 1980, ..."
    if FOUNDING_YEAR.search(sentence, low, high):
        return True
    return any(pattern.search(sentence, low, high) for pattern, status in STATUS_RE
               if status != "anniversary")


def founding_year(text: str) -> int | None:
    match = FOUNDING_YEAR.search(text)
    return int(match[1] or match[2]) if match else None


def anniversary_number(text: str) -> int | None:
    if match := ORDINAL_ANNIVERSARY.search(text):
        return int(match[1] or match[2])
    if match := WORD_ANNIVERSARY.search(text):
        return WORD_ORDINALS[match[1].lower()]
    if match := ZH_ANNIVERSARY.search(text):
        return _chinese_number(match[1])
    return None


def _chinese_number(numeral: str) -> int:
    """一 .. 九十九 ("四十" -> 40, "二十五" -> 25, "十" -> 10)."""
    tens, _, units = numeral.partition("十")
    if not _:
        return ZH_DIGITS[numeral]
    return (ZH_DIGITS[tens] if tens else 1) * 10 + (ZH_DIGITS[units] if units else 0)


def is_media(sentence: str) -> bool:
    return MEDIA_RE.search(sentence) is not None


def denies_tie(sentence: str) -> bool:
    return DENIAL_RE.search(sentence) is not None


def is_generic(sentence: str) -> bool:
    return GENERIC_RE.search(sentence) is not None


def names_organisation(sentence: str) -> bool:
    return ORGANISATION_RE.search(sentence) is not None


def relative_time(sentence: str) -> bool:
    return RELATIVE_RE.search(sentence) is not None


def signed_now(sentence: str) -> bool:
    return SIGNING_RE.search(sentence) is not None

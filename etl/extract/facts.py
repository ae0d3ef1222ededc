"""Partnership facts from resolved place mentions and relation cues.

Four readings of a page, each giving draft facts with a confidence:

* a sentence naming two places from different countries and a relation ("In 1994, Nanjing and
  Daejeon established a sister-city relationship"): the strongest evidence;
* a sentence that refers back to the two places of the sentence before ("The two cities signed...",
  "两市于1979年结为友好城市");
* a sentence naming one foreign place and a relation, paired with the page's subject (the home place,
  or the city the title and the text are about);
* a list line ("Leipzig, Germany (1988)", "日本 | 名古屋市 | 1978.12.21") on a page about such ties,
  paired with the subject, with the relation of the heading above it.

Places in one country are never paired: twinning is international, and that rule alone removes the
Twin Cities, railways between two Chinese cities and 双城经济圈. ``merge.py`` then keeps one fact
per pair and relation class.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from etl.extract import cues as C
from etl.extract.cues import Cue
from etl.extract.merge import Draft, merge, to_fact
from etl.extract.places import Mention
from etl.extract.text import sentence_spans
from etl.models import RELATION_RANK, Fact, Relation, Status

MIN_CONFIDENCE = 0.5
# No town twinning is older than this; an anniversary counted back past it was counted wrongly.
EARLIEST_TIE = 1940
# How much where the pair was found adds to a cue's weight: both places in the sentence, the two
# places of the sentence before ("the two cities"), one place and the page's subject.
SOURCE_BONUS = {"sentence": 0.25, "both": 0.15, "subject": 0.05}
LIST_LINE_MAX = 100
# What may remain of a list line once places, years and punctuation are removed.
LIST_FILLER = re.compile(
    r"(?i)[\s\d,.;:()（）、，\-–—|•*·/]+|\b(?:city|province|prefecture|state|region|county|and|since|year|"
    r"established|signed|in)\b|[年月日市省州县縣区區道府]|\bthe\b|\brepublic of\b"
)
# Words that refer back to the two places of the previous sentence.
BOTH = re.compile(
    r"(?i)\b(?:the two|both) (?:cities|towns|regions|municipalities)\b|两市|两城"
)
# "在大阪签署" (signed in Osaka): the place where something happened, not a partner.
VENUE = re.compile(r"在$")
ATTRIBUTION_AFTER = re.compile(
    r"(?i)[’']?s?\s+(?:media|news|daily|newspapers?|reports?|television|tv|radio|press|broadcasters?)\b"
    r"|(?:媒体|日报|电视台|新闻)"
)
ATTRIBUTION_BEFORE = re.compile(r"(?i)\baccording to (?:the )?(?:[\w-]+ ){0,3}$|据$")
ENTRY_HEAD = re.compile(r"[^\n()（）]{2,80}?[(（][^)）\n]{0,12}(?:19|20)\d\d[^)）\n]{0,12}[)）]")
CITY_TIE = re.compile(r"(?i)\bcit(?:y|ies)\b|\btowns?\b|friend|sister|twin|友好|城市|友城|姐妹|姊妹")


@dataclass(frozen=True)
class Page:
    text: str
    mentions: list[Mention]
    cues: list[Cue]
    subject: Mention | None
    published: date | None
    today: date | None

    @cached_property
    def _mention_starts(self) -> list[int]:
        return [m.start for m in self.mentions]

    @cached_property
    def _cue_starts(self) -> list[int]:
        return [c.start for c in self.cues]

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        """Mentions starting in [start, end); both lists are in text order, so bisect finds them."""
        starts = self._mention_starts
        return self.mentions[bisect_left(starts, start):bisect_left(starts, end)]

    def cues_in(self, start: int, end: int) -> list[Cue]:
        starts = self._cue_starts
        return self.cues[bisect_left(starts, start):bisect_left(starts, end)]


def build_facts(page: Page) -> list[Fact]:
    drafts = sentence_drafts(page) + list_drafts(page)
    return [to_fact(page.text, draft) for draft in merge(drafts)]


# --- sentences ---------------------------------------------------------------------------------------


def sentence_drafts(page: Page) -> list[Draft]:
    drafts: list[Draft] = []
    previous: list[Mention] = []
    for start, end in sentence_spans(page.text):
        places = _partners([m for m in page.mentions_in(start, end) if m.partner
                            and not _aside(page.text, m)])
        cues = page.cues_in(start, end)
        if cues and not C.is_media(page.text[start:end]):
            sentence = page.text[start:end]
            refers_back = not places and bool(BOTH.search(sentence)) and not C.names_organisation(sentence)
            if refers_back and len(sentence_pairs(previous, page.subject)) == 1:
                drafts.extend(_both_cities(page, start, end, cues, previous))
            else:
                drafts.extend(_drafts_for_sentence(page, start, end, cues, places))
        previous = places or previous[:0]
    return drafts


def _both_cities(page: Page, start: int, end: int, cues: list[Cue], previous: list[Mention]) -> list[Draft]:
    """"The two cities signed ..." after a sentence naming them: the pair of that sentence, less sure."""
    pair = sentence_pairs(previous, page.subject)[0]
    drafts = [_draft(page, start, end, pair, cue, "both") for cue in _clusters(cues)]
    return [d for d in drafts if d]


def _aside(text: str, mention: Mention) -> bool:
    """A place named as a venue (在大阪签署) or as a source ("according to Macao media")."""
    if VENUE.search(text, max(0, mention.start - 1), mention.start):
        return True
    if ATTRIBUTION_AFTER.match(text, mention.end):
        return True
    return ATTRIBUTION_BEFORE.search(text, max(0, mention.start - 40), mention.start) is not None


def _partners(mentions: list[Mention]) -> list[Mention]:
    """Distinct places, without a region named beside a city of its own country ("Xi'an, the capital
    of Shaanxi province"): there the region locates the city, it is not a partner."""
    places = _distinct(mentions)
    cities = {m.place.country for m in places if m.place.kind == "city"}
    return [m for m in places if m.place.kind == "city" or m.place.country not in cities]


def _distinct(mentions: list[Mention]) -> list[Mention]:
    seen: set[int] = set()
    kept = []
    for mention in mentions:
        if mention.index not in seen:
            seen.add(mention.index)
            kept.append(mention)
    return kept


def _drafts_for_sentence(
    page: Page, start: int, end: int, cues: list[Cue], places: list[Mention]
) -> list[Draft]:
    sentence = page.text[start:end]
    pairs = sentence_pairs(places, page.subject)
    if len(pairs) == 1:
        attached = _attached(page.text, pairs[0], cues)
        drafts = [_draft(page, start, end, pairs[0], cue, "sentence") for cue in _clusters(attached)]
        return [d for d in drafts if d]
    if pairs:
        pairs = _signed_with(page, start, end, pairs, cues)
        partners = sorted((pair[1] for pair in pairs), key=lambda m: m.start)
        drafts = [_draft(page, start, end, pair, C.relation_for(cues, pair[1].start, page.text), "sentence",
                         partners=partners) for pair in pairs]
        return [d for d in drafts if d]
    subject = page.subject
    if subject is None or len(places) != 1 or places[0].place.country == subject.place.country:
        return []
    cue = C.relation_for(cues, places[0].start, page.text)
    if cue.strength < 1.0 or C.names_organisation(sentence):
        return []
    if RELATION_RANK[cue.relation] < 3 and not CITY_TIE.search(sentence):
        return []  # a memorandum with one named place may be with anyone; a sister city is a city
    draft = _draft(page, start, end, (places[0], subject), cue, "subject")
    return [draft] if draft else []


def _signed_with(
    page: Page, start: int, end: int, pairs: list[tuple[Mention, Mention]], cues: list[Cue]
) -> list[tuple[Mention, Mention]]:
    """In Chinese, "访问了里斯本和波尔图，并与波尔图签署了备忘录": when some partners are named in the
    clause that holds the relation word, the others were only visited or mentioned."""
    if not pairs or _is_latin_text(pairs[0][1].surface):
        return pairs
    cue_clauses = {C.clause_around(page.text, cue.start) for cue in cues}
    in_clause = [pair for pair in pairs if any(
        low <= m.start < high for m in page.mentions_in(start, end) if m.index == pair[1].index
        for low, high in cue_clauses)]
    return in_clause or pairs


def _is_latin_text(surface: str) -> bool:
    return ord(surface[0]) < 0x2E80


def sentence_pairs(places: list[Mention], subject: Mention | None) -> list[tuple[Mention, Mention]]:
    """Which places in one sentence are paired: across two countries, the lone place on one side with
    every place on the other ("Including Nanjing and Chongqing, Shiraz has six sister cities"); else the
    subject (or the first place) with each place abroad."""
    if len(places) < 2:
        return []
    countries: dict[str, list[Mention]] = {}
    for mention in places:
        countries.setdefault(mention.place.country, []).append(mention)
    if len(countries) == 2:
        first, second = countries.values()
        if len(first) == 1 or len(second) == 1:
            lone, others = (first, second) if len(first) == 1 else (second, first)
            return [(lone[0], other) for other in others]
    hub = next((m for m in places if subject is not None and m.index == subject.index), places[0])
    return [(hub, other) for other in places if other.place.country != hub.place.country]


def _attached(text: str, pair: tuple[Mention, Mention], cues: list[Cue]) -> list[Cue]:
    """The cues that speak of this pair: in either place's clause or between the two; else the one
    nearest the later place."""
    first, second = sorted(pair, key=lambda m: m.start)
    low, high = C.clause_around(text, first.start)[0], C.clause_around(text, second.start)[1]
    own = [c for c in cues if low <= c.start < high]
    return own or [C.relation_for(cues, second.start, text)]


def _clusters(cues: list[Cue]) -> list[Cue]:
    """One cue per relation mentioned, instruments absorbing the relation words next to them."""
    chosen: dict[str, Cue] = {}
    for cue in cues:
        resolved = C.instrument_near(cues, cue)
        chosen.setdefault(resolved.relation, resolved)
    return list(chosen.values())


def _draft(
    page: Page, start: int, end: int, pair: tuple[Mention, Mention], cue: Cue, source: str,
    partners: list[Mention] | None = None,
) -> Draft | None:
    """A draft for one pair and one cue; its year is the one nearest the cue, or the one written with
    the partner when one sentence lists several partners."""
    sentence = page.text[start:end]
    other = pair[0] if source == "subject" else pair[1]
    anchor = other.start - start
    status = C.status_at(sentence, anchor) or C.status_at(sentence, cue.start - start)
    near = (other.start - start, other.end - start) if partners else (cue.start - start, cue.end - start)
    if partners and status != "anniversary":
        year = _partner_year(page.text, partners, other, (start, end))
        if year is None and status in ("established", "proposed"):
            year = _page_year(page, sentence)
    else:
        year = _year(page, sentence, near, status)
    status = status or ("established" if year else "mentioned")
    confidence = _confidence(sentence, pair, cue, source, year is not None or status == "established")
    if confidence < MIN_CONFIDENCE:
        return None
    return Draft(pair[0], pair[1], cue.relation, status, year, start, end, confidence, source)


def _year(page: Page, sentence: str, near: tuple[int, int], status: Status | None) -> int | None:
    years = C.years_in(sentence)
    if status == "anniversary":
        return _anniversary_year(page, sentence, years, near)
    if years:
        return C.nearest_year(years, near)
    if status in ("established", "proposed"):  # a visit "recently" dates the visit, not the tie
        return _page_year(page, sentence)
    return None


def _anniversary_year(
    page: Page, sentence: str, years: list[tuple[int, int]], near: tuple[int, int]
) -> int | None:
    """The founding year behind an "Nth anniversary": a year of the sentence that is N years before the
    page's date or before another year of the sentence; a year introduced as the founding one
    ("established in 1979"); else the year the anniversary is held in, less N."""
    number = C.anniversary_number(sentence)
    values = {year for _, year in years}
    if not number or not values:
        return None
    reference = {page.published.year} if page.published else set()
    founding = [year for year in values if year + number in values | reference]
    if founding:
        return founding[0]
    if introduced := C.founding_year(sentence):
        return introduced
    stated = C.nearest_year(years, near)
    if stated and stated - number < EARLIEST_TIE:  # the year given is the founding year itself
        return stated
    return stated - number if stated else None


def _partner_year(
    text: str, partners: list[Mention], other: Mention, sentence: tuple[int, int]
) -> int | None:
    """In "with Venice, Italy, in 1980, and with Portland, Oregon, since 1988" each partner's year
    follows it, before the next partner; failing that, precedes it, after the previous one."""
    i = partners.index(other)
    after_end = partners[i + 1].start if i + 1 < len(partners) else sentence[1]
    after = C.years_in(text[other.end:after_end])
    if after:
        return after[0][1]
    if i > 0:  # a year before this partner belongs to the previous one
        return None
    before = C.years_in(text[max(sentence[0], other.start - 40):other.start])
    return before[-1][1] if before else None


def _page_year(page: Page, sentence: str) -> int | None:
    """A signing told without a year is as old as the page; "this year" or "on Tuesday" too."""
    if C.relative_time(sentence):
        reference = page.published or page.today
        return reference.year if reference else None
    if page.published and C.signed_now(sentence):
        return page.published.year
    return None


def _confidence(sentence: str, pair: tuple[Mention, Mention], cue: Cue, source: str, dated: bool) -> float:
    score = 0.55 * cue.strength + SOURCE_BONUS[source] + (0.1 if dated else 0.0)
    if C.is_generic(sentence) and cue.strength < 1.0:
        score -= 0.25
    if pair[0].fuzzy or pair[1].fuzzy:
        score -= 0.15
    return max(0.0, min(1.0, score))


# --- list lines --------------------------------------------------------------------------------------


def list_drafts(page: Page) -> list[Draft]:
    """Lines that are nothing but a place, its country and a year, on a page about such ties."""
    if page.subject is None or not page.cues:
        return []
    lines = [_entry_span(page.text, s, e) for s, e in _lines(page.text)]
    entries = {i: places for i, (s, e) in enumerate(lines) if (places := _list_places(page, s, e))}
    drafts = []
    for i, places in entries.items():
        start, end = lines[i]
        years = C.years_in(page.text[start:end])
        if not years and not (i - 1 in entries or i + 1 in entries):
            continue
        relation = _list_relation(page, start)
        fuzzy = any(m.fuzzy for m in places)
        confidence: float = 0.6 + (0.1 if years else 0.0) - (0.15 if fuzzy else 0.0)
        status: Status = "established" if years else "mentioned"
        year = years[0][1] if years else None
        for mention in places:
            drafts.append(Draft(mention, page.subject, relation, status, year, start, end, confidence,
                                "list"))
    return drafts


def _entry_span(text: str, start: int, end: int) -> tuple[int, int]:
    """A line, or only its head when it opens with "Place, Country (1984)" and goes on to describe
    the partner ("- Wakayama, Japan (1984) Ningbo's first sister city.")."""
    head = ENTRY_HEAD.match(text, start, end)
    return (start, head.end()) if head and head.end() < end else (start, end)


def _lines(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for line in text.split("\n"):
        spans.append((start, start + len(line)))
        start += len(line) + 1
    return spans


def _list_places(page: Page, start: int, end: int) -> list[Mention]:
    if end - start > LIST_LINE_MAX or end - start < 3:
        return []
    inside = [m for m in page.mentions_in(start, end) if m.end <= end]
    rest = page.text[start:end]
    for mention in sorted(inside, key=lambda m: -m.start):
        rest = rest[: mention.start - start] + rest[mention.end - start:]
    if len(LIST_FILLER.sub("", rest)) > 2:
        return []
    subject = page.subject
    assert subject is not None
    return [m for m in _distinct(inside) if m.partner and m.place.country != subject.place.country]


def _list_relation(page: Page, offset: int) -> Relation:
    """The relation of the nearest heading-like line above, else the page's prevailing relation."""
    before = [c for c in page.cues if c.start < offset]
    for cue in reversed(before):
        line_start = page.text.rfind("\n", 0, cue.start) + 1
        line_end = page.text.find("\n", cue.end)
        if (line_end if line_end >= 0 else len(page.text)) - line_start <= 60:
            return cue.relation
    weights: dict[Relation, float] = {}
    for cue in page.cues:
        weights[cue.relation] = weights.get(cue.relation, 0.0) + cue.strength
    return max(weights, key=lambda relation: weights[relation])

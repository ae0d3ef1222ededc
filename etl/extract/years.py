"""The year of the agreement a draft fact is about: the sentence's year that dates the tie, the one
written with a listed partner, the founding year behind an "Nth anniversary", or the page's year
for a signing told as news ("signed on Tuesday")."""

from __future__ import annotations

import re

from etl.extract import cues as C
from etl.extract.mention import Mention
from etl.extract.page import Page
from etl.models import Status

# No town twinning is older than this; an anniversary counted back past it was counted wrongly.
EARLIEST_TIE = 1940

# An anniversary held the year before the page's: "去年庆祝...十周年", "last year marked the 10th".
LAST_YEAR = re.compile(r"(?i)\blast year\b|去年")

# The year a passage tells of: "2024年，...", "In 2024, ..." opening a paragraph, a sentence or a
# yearbook's section ("【概况】 2023年，...").
YEAR_CLAUSE = r"\s*(?:in\s+)?((?:19|20)\d\d)\s*(?:年\s*[，,]|,)"
NARRATIVE_YEAR = re.compile(r"(?:^|\n|。|】)" + YEAR_CLAUSE, re.IGNORECASE)
# A sentence dated by the year the text told last: "同年11月，上海市与横滨市结为友好城市", "The same year
# Bristol and Hanover agreed a link", and one or two years after it ("两年后", "a year later").
SAME_YEAR = re.compile(r"(?i)同年|当年|这一年|那一年|\b(?:the|that) same year\b|\blater that year\b")
YEARS_LATER = re.compile(
    r"(?i)次年|翌年|第二年|\bthe following year\b|(?P<count>[一两二三四五六七八九])年后"
    r"|\b(?P<words>a|one|two|three) years? later\b")
LATER_COUNTS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
                "a": 1, "one": 1, "two": 2, "three": 3}
# How far back the year told last is looked for.
TOLD_REACH = 600
# A year that dates the agreement, not its ending: "signed in 1992", "in place since 1989", "(1988)".
FOUNDING_BEFORE = re.compile(
    r"(?i)(?:sign(?:ed|ing)|conclu(?:ded|sion)|establish(?:ed|ment)|form(?:ed|ing)|forged|twinned|began|begun"
    r"|start(?:ed|ing)|dat(?:e[sd]?|ing)(?: back)?(?: to| from)?|go(?:es|ing)? back|agreed|in place since"
    r"|since|founded)\b[^.;,，；。]{0,40}$"
    r"|[(（]\s*$|[自于]\s*$"
)
# A year written as the agreement's own: "its 1998 agreement", "the 1985 twinning".
DATED_AGREEMENT = re.compile(
    r"(?:19|20)\d\d\s+(?:[\w-]+\s+)?(?:agreement|accord|pact|treaty|twinning|memorandum|partnership)\b",
    re.IGNORECASE)
ENDING_WORDS = re.compile(
    r"(?i)suspen|terminat|sever|end(?:ed|s|ing)?\b|halt|froze|frozen|on hold|on ice|dissolv"
    r"|暂停|中止|终止|冻结|断绝")
# A sentence opening with its year: "1974年，西安先后与奈良、京都结好", "In 1979, ...".
OPENING_YEAR = re.compile(YEAR_CLAUSE, re.IGNORECASE)
LAST_MONTH = re.compile(
    r"(?i)\blast (?:january|february|march|april|may|june|july|august|september|october|november|december)\b")
THIS_YEAR = re.compile(r"(?i)\bthis year\b|今年|本年")

# Words set after a place that speak of it alone: "Dunedin, a sister city since 2019".
LAST_ONLY = re.compile(r"(?i)\s*,\s*(?:a|an|the|its|which|whose|who)\b|\s*[(（]")

def tie_year(
    page: Page, sentence: str, near: tuple[int, int], status: Status | None, spots: list[int], start: int
) -> int | None:
    """The year of the tie: among the sentence's years that speak of it (``C.year_of_tie``), the one
    nearest the cue; none when the sentence dates only something else ("..., sent students in 2019")."""
    years = C.years_in(sentence)
    if status == "anniversary":
        return anniversary_year(page, sentence, years, near, start)
    if status in C.ENDINGS:  # the year of the agreement that ends, not of its ending
        years = [item for item in years if _dates_the_founding(sentence, item[0])]
    elif not years and (told := told_year(page, sentence, start)) is not None:
        years = [(0, told)]
    if years:
        years = [item for item in years if C.year_of_tie(sentence, item[0], spots)]
        low, high = C.clause_around(sentence, near[0])
        found = C.nearest_year([item for item in years if low <= item[0] < high] or years, near)
        if found is not None:
            return found  # else the years date something else: a signing told now is the page's
    if status in ("established", "proposed"):  # a visit "recently" dates the visit, not the tie
        return page_year(page, sentence, start)
    return None

def _dates_the_founding(sentence: str, offset: int) -> bool:
    if DATED_AGREEMENT.match(sentence, offset):  # "put on hold its 1998 agreement on ... cooperation"
        return True
    before = sentence[max(0, offset - 50):offset]
    found = FOUNDING_BEFORE.search(before)
    return found is not None and not ENDING_WORDS.search(before, found.start())


def told_year(page: Page, sentence: str, start: int) -> int | None:
    """The year a sentence without one means by "the same year" or "two years later": the last year
    written before it, with the years added."""
    marker = SAME_YEAR.search(sentence) or YEARS_LATER.search(sentence)
    told = C.years_in(page.read[max(0, start - TOLD_REACH):start]) if marker else []
    if marker is None or not told or C.years_in(sentence):
        return None
    if marker.re is SAME_YEAR:
        return told[-1][1]
    return told[-1][1] + LATER_COUNTS.get((marker["count"] or marker["words"] or "a").lower(), 1)


def anniversary_year(
    page: Page, sentence: str, years: list[tuple[int, int]], near: tuple[int, int], start: int
) -> int | None:
    """The founding year behind an "Nth anniversary": a year of the sentence that is N years before the
    page's date or before another year of the sentence; a year introduced as the founding one
    ("established in 1979"); else the year the anniversary is held in, less N: the page's, the year
    before it for "last year" or in a review of the year before."""
    number = C.anniversary_number(sentence)
    values = {year for _, year in years}
    if number and not values and page.published and page.published.year - number >= EARLIEST_TIE:
        reviewed = _reviews_last_year(page, _told_years(page, start)) and not THIS_YEAR.search(sentence)
        held = page.published.year - (1 if LAST_YEAR.search(sentence) or reviewed else 0)
        return held - number  # "结好四十五周年" on a page of 2025: tied in 1980
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

def _told_years(page: Page, start: int) -> list[int]:
    """The years the passages before ``start`` open with ("2024年，...", "In 2024, ...")."""
    return [int(found[1]) for found in NARRATIVE_YEAR.finditer(page.read, 0, start)]


def _reviews_last_year(page: Page, told: list[int]) -> bool:
    """Whether the passage told last is of the year before the page's ("2024年，全省…" in January 2025)."""
    return bool(told) and page.published is not None and told[-1] == page.published.year - 1


def partner_year(
    text: str, partners: list[Mention], other: Mention, sentence: tuple[int, int]
) -> int | None:
    """The year in the partner's own clause, when no other partner shares it ("2001年与德国亚琛市结为
    友好城市，2015年与..."); else, as in "with Venice, Italy, in 1980, and with Portland, Oregon, since
    1988", the year following it, before the next partner; failing that, preceding it."""
    low, high = C.clause_around(text, other.start)
    alone = not any(low <= m.start < high for m in partners if m is not other)
    own = C.years_in(text[max(low, sentence[0]):min(high, sentence[1])]) if alone else []
    if own:  # "2001年与德国亚琛市结为友好城市，2015年与匈牙利佩奇市..."
        return own[0][1]
    i = partners.index(other)
    after_end = partners[i + 1].start if i + 1 < len(partners) else sentence[1]
    after = C.years_in(text[other.end:after_end])
    if after:
        return after[0][1]
    last = partners[-1]
    if other is not last and not C.years_in(text[partners[0].start:last.end]):
        shared = C.years_in(text[last.end:sentence[1]])  # "Sasebo and Cardiff ... date back to 1983"
        if len(shared) == 1 and not LAST_ONLY.match(text, last.end):  # not "Dunedin, a sister city since"
            return shared[0][1]
    if i > 0:  # a year before this partner belongs to the previous one, unless it opens the sentence
        opening = OPENING_YEAR.match(text, sentence[0])
        return int(opening[1]) if opening and len(C.years_in(text[sentence[0]:sentence[1]])) == 1 else None
    before = C.years_in(text[max(sentence[0], other.start - 40):other.start])
    return before[-1][1] if before else None

def page_year(page: Page, sentence: str, start: int) -> int | None:
    """A signing told without a year is as old as the page; "this year" or "on Tuesday" too. A review
    of the year before ("2024年，全省... 5月，淄博市与清州市缔结...", published in January 2025) tells of
    that year, and an undated page that tells of one year only (a yearbook's "2023年，...") of that one."""
    told = _told_years(page, start)
    one_year = told[-1] if page.published is None and told and len(set(told)) == 1 else None
    reference = page.published or page.today
    if not C.relative_time(sentence) and not C.signed_now(sentence):
        return None
    if one_year is not None and not THIS_YEAR.search(sentence):
        return one_year
    if C.relative_time(sentence) and reference:
        year = reference.year
    elif page.published and C.signed_now(sentence):
        year = page.published.year
    else:
        return None
    if THIS_YEAR.search(sentence):
        return year
    if LAST_YEAR.search(sentence) or LAST_MONTH.search(sentence):
        return year - 1  # "去年沈阳还与...签署", "Last October, Okayama signed"
    return year - 1 if _reviews_last_year(page, told) else year

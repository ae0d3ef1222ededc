"""The page's own place under a name that is also a common word ("Bath", "Reading", "Nice") or a short
form ("Wagga"): names the page shows to be a place, which then count as one wherever they are written."""

from __future__ import annotations

import re
from collections import Counter

from etl.extract.vocab import LEAD_WORDS, OWN_PLACE_AFTER_WORDS, OWN_PLACE_BEFORE_WORDS

NEXT_WORD = re.compile(r"[^\S\n\t]+([A-Z][\w'’-]*)")  # a tab ends a table cell
NUMBER_AFTER = re.compile(r"[^\S\n]+\d")  # "in March 2022": a date, not a name
PREVIOUS_WORD = re.compile(r"([A-Za-z][\w'’-]*)[^\S\n]+$")
# The start of a sentence, a clause after a colon or semicolon, or a quotation.
SENTENCE_START = re.compile(r"(?:^|[.!?:;\n]\s*|[“\"(]\s*)$")
OWN_PLACE_AFTER = re.compile(OWN_PLACE_AFTER_WORDS, re.IGNORECASE)
OWN_PLACE_BEFORE = re.compile(OWN_PLACE_BEFORE_WORDS, re.IGNORECASE)
# A name capitalised inside a sentence this close to a tie word, twice on a page, is a place too.
TIE_NEAR = re.compile(r"(?i)sister|twin|friendship|partner|姐妹|友好")
TIE_REACH = 60
# "BATH —", "SPLIT, Croatia —", "READING (Reuters) -": the name opening a dateline.
DATELINE_AFTER = re.compile(r"(?:,[^\n,]{1,30})?\s*(?:\([^)\n]{2,40}\))?\s*(?:—|–|--|-)\s")


def owned_names(text: str, hits: list[tuple[int, int, str, str]]) -> frozenset[str]:
    """Names the page shows to be its own place at least once (see ``OWN_PLACE_AFTER``): a common word
    ("Bath") or a small town's short form ("Wagga") then counts as the place wherever it is written."""
    owned: set[str] = set()
    beside_ties: Counter[str] = Counter()
    for start, end, surface, key in hits:
        if key in owned or ord(surface[0]) >= 0x2E80:  # Latin names only
            continue
        head = text[max(0, start - 40):start]
        previous = PREVIOUS_WORD.search(head)
        if previous and previous[1][0].isupper() and previous[1].lower() not in LEAD_WORDS:
            continue  # inside a longer name or title: "Wuxi Vice Mayor"
        if previous and previous[1].islower() and not NEXT_WORD.match(text, end) and not NUMBER_AFTER.match(
                text, end) and TIE_NEAR.search(
                text, max(0, start - TIE_REACH), end + TIE_REACH):
            beside_ties[key] += 1  # "... between Nice and Hangzhou", written as a name beside a tie word
            if beside_ties[key] >= 2:
                owned.add(key)
        line_start = text.rfind("\n", 0, start) + 1
        dateline = start == line_start and surface.isupper() and DATELINE_AFTER.match(text, end)
        if dateline or OWN_PLACE_AFTER.match(text, end) or OWN_PLACE_BEFORE.search(
                text, max(0, start - 20), start):
            owned.add(key)
    return frozenset(owned)

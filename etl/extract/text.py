"""From a fetched page to main text: title, publication date, language, headings, sentences.

HTML is parsed once with lxml; headings and meta dates are read from that tree, then the same tree
is handed to trafilatura for the main text (reader comments excluded), which saves a second parse.
BeautifulSoup is not used here: it is an order of magnitude slower on news pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import lxml.html
import trafilatura
from lxml.etree import ParserError

from etl.errors import ExtractError

HEADING_XPATH = "//h1|//h2|//h3|//h4|//dt"
# A heading that is itself a list entry ("Florence, Italy (1980)"): kept even when trafilatura drops it.
ENTRY_HEADING = re.compile(r"[(（]\s*(?:19|20)\d\d")
# A list item that is an entry ("Anshan, China (friendship link, 2005)"): kept when trafilatura drops a
# short list of them.
ENTRY_ITEM = re.compile(
    r"^[^()（）]{2,60}[(（][^()（）]{0,30}(?:19|20)\d\d[^()（）]{0,12}[)）]$"
    # "Anshan, China – friendship agreement signed 2005"
    r"|^[^()（）\n]{2,40}\s[–—-]\s[^()（）\n]{0,50}\b(?:19|20)\d\d\.?$"
)
# A line introducing a list of partners, and how long it and its items may be.
TIE_WORD = re.compile(r"(?i)sister|twin|partner|friendship|cooperation|agreement|友好|友城|姐妹|姊妹|合作")
INTRO_MAX = 200
CAPTION_MAX = 80
FOOTNOTE_MARK = re.compile(r"(?:\s*\[\d+\])+$")  # "Pécs is twinned with:[45]"
# dl: "Date of affiliation" / "October 21, 1957 (Sister City)"
CAPTION_TAGS = frozenset({"p", "div", "span", "strong", "em", "small", "b", "dl"})
CAPTION_YEAR = re.compile(r"(?:19|20)\d\d")
INTRO_ITEMS_MAX = 60
SIDE_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
SIDE_HEADING_MAX = 40
# A sidebar box's title is often no heading: <div class="side-tit">友城风采</div>.
BOX_TITLES = frozenset({"div", "span", "p", "strong", "b", "dt"})
# No page found by a news feed or a site crawl was published before this year.
EARLIEST_PAGE_YEAR = 1995
DATELINE_WORD = re.compile(
    r"(?i)updated|published|posted|released|date|source|daily|news|times|post|press|herald|tribune|journal"
    r"|telegraph|chronicle|gazette|xinhua|发布|时间|日期|来源|更新|日报|晚报|新闻"
)
META_DATE_XPATH = (
    "//meta[@property='article:published_time' or @name='pubdate' or @name='publishdate' "
    "or @name='date' or @itemprop='datePublished' or @name='PubDate' or @name='publish_date']/@content"
    "|//time/@datetime"
)
MONTHS = {m: i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
ISO_DATE = re.compile(r"\b((?:19|20)\d\d)[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
ZH_DATE = re.compile(r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
EN_DATE = re.compile(
    r"\b(?:(\d{1,2})\s+([A-Z][a-z]{2,8})\.?,?\s+((?:19|20)\d\d)|([A-Z][a-z]{2,8})\.?\s+(\d{1,2}),?\s+((?:19|20)\d\d))\b"
)
# Sentence ends: . ! ? followed by space and a capital/quote/digit, Chinese full stops, line breaks.
# A contrast (", while ...", "，而...") starts a new statement with its own pair of places.
SENTENCE_END = re.compile(
    r"(?<=[.!?])[\"”’)]?(?:\[\d+\])*\s+(?=[\"“‘(]?[A-Z0-9\u4e00-\u9fff])|(?<=[。！？；])|\n+"
    r"|(?<=,) (?=(?:while|whereas) )|(?<=，)(?=而)"
)
# Abbreviations that end in a dot without ending the sentence.
ABBREVIATION = re.compile(
    r"(?:\b(?:St|Ste|Mt|Mr|Mrs|Ms|Dr|Prof|Gov|Sen|Rep|No|Jan|Feb|Aug|Sept?|Oct|Nov|Dec|Inc|Co"
    r"|Ltd|Jr|Sr|vs|etc|approx|U\.S|U\.K|e\.g|i\.e|[A-Z])\.)$"
)


@dataclass(frozen=True)
class MainText:
    text: str
    title: str | None
    published: date | None
    language: str | None


def html_main_text(html: str, lang_hint: str | None = None) -> MainText:
    """Main text of an HTML page; list-entry headings trafilatura dropped are appended as lines."""
    tree = _parse(html)
    heading_elements = tree.xpath(HEADING_XPATH)
    headings = [_flat_text(h) for h in heading_elements]
    captions = _captions(heading_elements)
    items = [_flat_text(li) for li in tree.xpath("//li")]
    introduced = _introduced_lists(tree)
    title = _title(tree)
    published = _meta_date(tree)
    _flatten_tables(tree)
    for heading in tree.xpath(HEADING_XPATH):  # as paragraphs they keep their place in the text
        heading.tag = "p"
    body = trafilatura.extract(tree, include_comments=False, fast=True, with_metadata=False) or ""
    body = _with_captions(body, captions)
    missing = [h for h in headings if h not in body and ENTRY_HEADING.search(h)]
    missing += [i for i in items if i not in body and i not in missing and ENTRY_ITEM.match(i)]
    for intro, entries in introduced:  # a short list of links under "X also has agreements with:"
        if not all(entry in body for entry in entries):
            missing += ["", intro, *(entry for entry in entries if entry not in missing)]
    text = body + ("\n\n" + "\n".join(missing) if missing else "")
    published = published or find_dateline(text)
    return MainText(text, title, published, detect_language(text, lang_hint))


def _flat_text(element: lxml.html.HtmlElement) -> str:
    """An element's text with its whitespace runs collapsed to single spaces."""
    return " ".join(element.text_content().split())


def _captions(headings: list[lxml.html.HtmlElement]) -> dict[str, str]:
    """Short dated lines right under a heading ("Suzhou, Jiangsu Province, China" / "Sister City since
    1996"), by heading text: trafilatura drops such captions as boilerplate."""
    found = {}
    for heading in headings:
        following = heading.getnext()
        if following is None or following.tag not in CAPTION_TAGS or following.xpath(".//table|.//li|.//p"):
            continue
        caption = _flat_text(following)
        if 0 < len(caption) <= CAPTION_MAX and CAPTION_YEAR.search(caption):
            found[_flat_text(heading)] = caption
    return found


def _with_captions(body: str, captions: dict[str, str]) -> str:
    """The text with each dropped caption put back under its heading."""
    if not captions:
        return body
    lines = []
    for line in body.split("\n"):
        lines.append(line)
        caption = captions.get(line.strip())
        if caption is not None and caption not in body:
            lines.append(caption)
    return "\n".join(lines)


def _introduced_lists(tree: lxml.html.HtmlElement) -> list[tuple[str, list[str]]]:
    """Lists introduced by a line about ties that ends in a colon ("Córdoba also has cooperation
    agreements with:") or by a short heading about them (a sidebar's "友城风采", "Our Sister Cities"):
    trafilatura drops such lists of links as navigation."""
    found = []
    for element in tree.xpath("//ul|//ol"):
        before = element.getprevious()
        parent = element.getparent()
        if before is None and parent is not None and len(parent) == 1:  # <div class="div-col"><ul>
            before = parent.getprevious()
        if before is None or not isinstance(before.tag, str):
            continue
        intro = FOOTNOTE_MARK.sub("", _flat_text(before))
        headed = len(intro) <= SIDE_HEADING_MAX and (before.tag in SIDE_HEADINGS or (
            before.tag in BOX_TITLES and not before.xpath(".//ul|.//ol|.//p|.//table")))
        introduces = headed or intro.endswith((":", "："))
        if len(intro) > INTRO_MAX or not introduces or not TIE_WORD.search(intro):
            continue
        entries = [_flat_text(li) for li in element.xpath("./li")]
        if 0 < len(entries) <= INTRO_ITEMS_MAX and all(len(entry) <= INTRO_MAX for entry in entries):
            found.append((intro, entries))
    return found


def plain_main_text(text: str, lang_hint: str | None = None) -> MainText:
    """A plain-text page: the first non-empty line stands in for the title."""
    first = next((line.strip() for line in text.splitlines() if _title_like(line.strip())), None)
    return MainText(text, first, find_dateline(text), detect_language(text, lang_hint))


def _parse(html: str) -> lxml.html.HtmlElement:
    try:
        return lxml.html.document_fromstring(html)
    except ValueError:  # an XML declaration with an encoding is refused on str input
        pass
    except ParserError as exc:
        raise ExtractError(f"unparseable HTML: {exc}") from None
    try:
        return lxml.html.document_fromstring(html.encode("utf-8"))
    except (ParserError, ValueError) as exc:
        raise ExtractError(f"unparseable HTML: {exc}") from None


def _flatten_tables(tree: lxml.html.HtmlElement) -> None:
    """One paragraph per table row, cells joined by " | ": trafilatura would put every cell on a line
    of its own, splitting "日本 | 名古屋市 | 1978" list entries apart."""
    for table in tree.xpath("//table[not(.//table)]"):
        block = lxml.html.Element("div")
        for row in table.xpath(".//tr"):
            cells = [_flat_text(cell) for cell in row.xpath("./td|./th")]
            paragraph = lxml.html.Element("p")
            paragraph.text = " | ".join(cell for cell in cells if cell)
            block.append(paragraph)
        parent = table.getparent()
        if parent is not None:
            parent.replace(table, block)


def _title_like(line: str) -> bool:
    """Long enough to be a headline: 12 characters, or 6 in Chinese."""
    return len(line) > 12 or (len(line) >= 6 and detect_language(line) == "zh")


def _title(tree: lxml.html.HtmlElement) -> str | None:
    for xpath in ("//meta[@property='og:title']/@content", "//title/text()", "//h1//text()"):
        values = tree.xpath(xpath)
        if values and str(values[0]).strip():
            return " ".join(str(values[0]).split())
    return None


def _meta_date(tree: lxml.html.HtmlElement) -> date | None:
    for value in tree.xpath(META_DATE_XPATH):
        found = parse_date(str(value))
        if found:
            return found
    return None


def find_dateline(text: str, window: int = 800) -> date | None:
    """The first full date near the top of a page ("Updated:2025-06-11", "June 11, 2025", "2025年6月11日"),
    skipping dates in brackets, which on list pages are the dates of the entries, and dates older than
    the web, which are history told in the opening ("1973年6月24日，天津市与日本神户市...")."""
    return parse_date(text[:window], skip_bracketed=True, earliest=EARLIEST_PAGE_YEAR)


def parse_date(text: str, skip_bracketed: bool = False, earliest: int = 1) -> date | None:
    candidates: list[tuple[int, date | None]] = []
    for pattern in (ISO_DATE, ZH_DATE):
        candidates.extend((m.start(), _safe_date(m[1], m[2], m[3])) for m in pattern.finditer(text))
    for match in EN_DATE.finditer(text):
        day, month, year = (match[1], match[2], match[3]) if match[1] else (match[5], match[4], match[6])
        month_no = MONTHS.get(month[:3].lower())
        if month_no:
            candidates.append((match.start(), _safe_date(year, str(month_no), day)))
    valid = sorted((pos, found) for pos, found in candidates
                   if found and found.year >= earliest and not (skip_bracketed and _in_list(text, pos)))
    return valid[0][1] if valid else None


def _in_list(text: str, pos: int) -> bool:
    """A date in brackets or in a table row is an entry's date, not the page's."""
    line_start, line_end = text.rfind("\n", 0, pos) + 1, text.find("\n", pos)
    line = text[line_start:line_end if line_end >= 0 else None]
    if DATELINE_WORD.search(text, line_start, pos):
        return False
    # a table row has three cells or more ("日本 | 名古屋市 | 1978.12.21"); "Bulletin | 4 May 2025" is a
    # byline
    return text[max(0, pos - 1):pos] in ("(", "（") or line.count("|") >= 2


def _safe_date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def detect_language(text: str, hint: str | None = None) -> str | None:
    """'zh' when Han characters make up a fair share of the letters, else 'en' (or the configured hint)."""
    sample = text[:4000]
    han = sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff")
    letters = sum(1 for ch in sample if ch.isalpha())
    if not letters:
        return hint
    return "zh" if han / letters > 0.2 else (hint if hint and hint != "zh" else "en")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence or line, whitespace trimmed; abbreviations do not end sentences."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in SENTENCE_END.finditer(text):
        if "\n" not in match.group() and ABBREVIATION.search(text, max(0, match.start() - 8), match.start()):
            continue
        _append_span(spans, text, start, match.start())
        start = match.end()
    _append_span(spans, text, start, len(text))
    return spans


def _append_span(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))

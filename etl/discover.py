"""Article discovery on feeds and listing pages, and the content hash that spots unchanged pages.

``discover_links`` turns one fetched feed or listing page into article links: canonical,
de-duplicated, in document order, and only where ``is_allowed_link`` lets the source go. The
caller removes known URLs and applies ``max_new``.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import feedparser
from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from etl.config import Source
from etl.models import FetchResult, Link
from etl.urls import canonicalize, is_allowed_link

log = logging.getLogger(__name__)

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_NOT_TEXT = ["script", "style", "noscript", "template"]
_SPACE = re.compile(r"\s+")
# Entity declarations are how "billion laughs" feeds expand a few bytes into gigabytes, and how
# external entities (XXE) reach local files; real feeds never need them, so such a feed is refused
# before any parser sees it. Matched anywhere: a DOCTYPE's internal subset has too many spellings
# ('<!-- ] -->' inside it, say) to find reliably with a pattern.
_ENTITY_DECL = re.compile(r"<!ENTITY", re.I)


# --- content hash ------------------------------------------------------------------------------------


def _visible_text(html: str) -> str:
    tree = LexborHTMLParser(html)
    tree.strip_tags(_NOT_TEXT)
    root = tree.root
    return root.text(separator=" ") if root is not None else ""


def content_hash(text: str, content_type: str) -> str:
    """SHA-256 of the normalized content: for HTML the visible text only, whitespace collapsed."""
    if content_type in _HTML_TYPES:
        text = _visible_text(text)
    normalized = " ".join(text.split())  # str.split is ~20x faster than a \s+ regex on long pages
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


# --- feeds ----------------------------------------------------------------------------------------------


def has_entity_declarations(text: str) -> bool:
    return _ENTITY_DECL.search(text) is not None


def _entry_date(entry: Any) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:
        year, month, day, hour, minute, second = parsed[:6]
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _entry_url(entry: Any) -> str | None:
    link = entry.get("link")
    if link:
        return str(link)
    guid = entry.get("id")
    return str(guid) if guid and str(guid).startswith(("http://", "https://")) else None


def _feed_entries(source: Source, text: str) -> Iterator[tuple[str, str | None, datetime | None]]:
    if has_entity_declarations(text):
        log.warning("%s: feed declares XML entities (possible entity-expansion attack); ignored", source.id)
        return
    # A stream, never a string: feedparser treats a string that looks like a URL or path as one to open.
    stream = io.BytesIO(text.encode("utf-8"))
    headers = {"content-type": "application/xml; charset=utf-8"}  # the text is re-encoded as UTF-8 here
    parsed = feedparser.parse(
        stream, sanitize_html=False, resolve_relative_uris=False, response_headers=headers
    )
    for entry in parsed.entries:
        url = _entry_url(entry)
        if url:
            title = entry.get("title")
            yield url, str(title).strip() if title else None, _entry_date(entry)


# --- listing pages --------------------------------------------------------------------------------------


def _anchors(tree: LexborHTMLParser, selector: str | None) -> Iterator[LexborNode]:
    if selector is None:
        yield from tree.css("a[href]")
        return
    for node in tree.css(selector):
        if node.tag == "a":
            yield node
        else:  # a selector for the article's container: take the links inside it
            yield from node.css("a[href]")


def _base_url(tree: LexborHTMLParser, page_url: str) -> str:
    base = tree.css_first("base[href]")
    href = base.attributes.get("href") if base is not None else None
    return canonicalize(href, page_url) if href else page_url


def _listing_entries(source: Source, text: str, page_url: str) -> Iterator[tuple[str, str | None, None]]:
    tree = LexborHTMLParser(text)
    base = _base_url(tree, page_url)
    pattern = re.compile(source.link_pattern) if source.link_pattern else None
    try:
        anchors = list(_anchors(tree, source.link_selector))
    except SelectolaxError as exc:  # a bad selector is only rejected when it is used
        log.error("%s: link_selector %r is not valid CSS (%s); fix it in sources.yaml", source.id,
                  source.link_selector, exc)
        return
    for anchor in anchors:
        href = (anchor.attributes.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = canonicalize(href, base)
        if pattern is None or pattern.search(url):
            title = _SPACE.sub(" ", anchor.text(separator=" ")).strip()
            yield url, title or None, None


# --- the stage ------------------------------------------------------------------------------------------


def _links(source: Source, found: Iterable[tuple[str, str | None, datetime | None]], page: str) -> list[Link]:
    links: dict[str, Link] = {}
    for raw_url, title, published in found:
        url = canonicalize(raw_url, page)
        if url != page and url not in links and is_allowed_link(url, source):
            links[url] = Link(url=url, source_id=source.id, title=title, published=published)
    return list(links.values())


def discover_links(source: Source, result: FetchResult) -> list[Link]:
    """Article links on a fetched feed or listing page, in document order; a page source has none."""
    if result.outcome != "ok" or not result.text or source.kind == "page":
        return []
    page = canonicalize(result.final_url or result.url)
    if source.kind == "feed":
        return _links(source, _feed_entries(source, result.text), page)
    return _links(source, _listing_entries(source, result.text, page), page)

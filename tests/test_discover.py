"""Article discovery on feeds and listing pages, and the content hash."""

from __future__ import annotations

import resource
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from etl.config import Source
from etl.discover import content_hash, discover_links, has_entity_declarations
from etl.models import FetchResult, Link

FIXTURES = Path(__file__).parent / "fixtures" / "fetch"
FETCHED = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>City news</title><link>https://news.example.org/</link>
<item><title>Porto and Shenzhen sign</title><link>https://news.example.org/a/1?utm_source=rss</link>
  <pubDate>Mon, 02 Nov 2026 09:30:00 +0100</pubDate></item>
<item><title>Elsewhere</title><link>https://other.example.net/x</link></item>
<item><title>Internal</title><link>http://169.254.169.254/latest/meta-data/</link></item>
<item><title>Again</title><link>https://news.example.org/a/1#comments</link></item>
<item><title>By guid only</title><guid>https://news.example.org/a/2</guid></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title>
<entry><title>友好城市签约</title><link href="https://news.example.org/zh/3"/>
  <updated>2026-11-01T12:00:00Z</updated><id>urn:x:3</id></entry>
</feed>"""

LISTING = """<html><head><base href="https://news.example.org/section/"></head><body>
<nav><a href="/">Home</a><a href="/about">About</a></nav>
<ul class="articles">
  <li><a href="2026/11/porto-shenzhen.html?utm_campaign=x">Porto <b>and</b> Shenzhen</a></li>
  <li><a href="http://127.0.0.1:8080/admin">Local admin</a></li>
  <li><a href="http://169.254.169.254/latest/">Metadata</a></li>
  <li><a href="https://other.example.net/2026/11/story.html">Other site</a></li>
  <li><a href="/section/2026/11/porto-shenzhen.html">Porto again</a></li>
  <li><a href="javascript:void(0)">Nothing</a><a href="#top">Top</a></li>
  <li><div class="teaser"><a href="2026/11/nanjing.html">Nanjing</a></div></li>
</ul></body></html>"""


def source(kind: str = "listing", url: str = "https://news.example.org/section/", **extra: object) -> Source:
    return Source.model_validate({"id": "s", "kind": kind, "url": url, **extra})


def fetched(text: str, url: str = "https://news.example.org/section/", content_type: str = "text/html",
            ) -> FetchResult:
    return FetchResult(url=url, source_id="s", outcome="ok", fetched_at=FETCHED, final_url=url, status=200,
                       content_type=content_type, text=text)


FEED_URL = "https://news.example.org/rss"


def feed_links(text: str) -> list[Link]:
    return discover_links(source("feed", FEED_URL), fetched(text, FEED_URL, "application/rss+xml"))


# --- feeds ----------------------------------------------------------------------------------------------


def test_rss_entries_become_canonical_allowed_links() -> None:
    links = feed_links(RSS)
    assert [link.url for link in links] == ["https://news.example.org/a/1", "https://news.example.org/a/2"]
    assert links[0].title == "Porto and Shenzhen sign"
    assert links[0].published == datetime(2026, 11, 2, 8, 30, tzinfo=UTC)
    assert links[1].published is None and links[0].source_id == "s"


def test_atom_entries() -> None:
    links = discover_links(source("feed", "https://news.example.org/atom"), fetched(ATOM, "https://news.example.org/atom"))
    assert [(link.url, link.title) for link in links] == [("https://news.example.org/zh/3", "友好城市签约")]
    assert links[0].published == datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def test_a_gbk_declared_feed_decoded_upstream_parses() -> None:
    text = RSS.replace('encoding="utf-8"', 'encoding="gb2312"')
    text = text.replace("Porto and Shenzhen sign", "南京与堃城签约")
    links = feed_links(text)
    assert links[0].title == "南京与堃城签约"


def test_entity_expansion_feed_is_refused_quickly() -> None:
    text = (FIXTURES / "billion_laughs.xml").read_text()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    links = feed_links(text)
    assert links == []
    assert time.monotonic() - started < 1
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB


@pytest.mark.parametrize(
    "doctype",
    ['<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
     '<!DOCTYPE rss [\n <!ENTITY big "' + "x" * 1000 + '">\n]>',
     '<!-- ' + "padding " * 1000 + '-->\n<!doctype rss [<!entity a "b">]>',
     '<!DOCTYPE rss [ <!-- ] --> <!ENTITY a "b"> ]>'],
)
def test_entity_declarations_are_detected(doctype: str) -> None:
    assert has_entity_declarations(f'<?xml version="1.0"?>\n{doctype}\n<rss/>')


def test_a_plain_doctype_is_fine() -> None:
    rss091 = '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://x/rss-0.91.dtd">'
    assert not has_entity_declarations(rss091 + "<rss/>")


def test_a_broken_feed_gives_what_it_can() -> None:
    broken = RSS.replace("</channel></rss>", "<item><title>cut")
    links = feed_links(broken)
    assert "https://news.example.org/a/1" in [link.url for link in links]


# --- listings -------------------------------------------------------------------------------------------


def test_listing_with_selector_keeps_same_site_links_in_document_order() -> None:
    links = discover_links(source(link_selector="ul.articles a"), fetched(LISTING))
    assert [link.url for link in links] == [
        "https://news.example.org/section/2026/11/porto-shenzhen.html",
        "https://news.example.org/section/2026/11/nanjing.html",
    ]
    assert links[0].title == "Porto and Shenzhen"


def test_listing_selector_may_name_containers() -> None:
    links = discover_links(source(link_selector="div.teaser"), fetched(LISTING))
    assert [link.url for link in links] == ["https://news.example.org/section/2026/11/nanjing.html"]


def test_listing_with_pattern_only() -> None:
    links = discover_links(source(link_pattern=r"/20\d\d/\d\d/"), fetched(LISTING))
    assert len(links) == 2  # other.example.net matches the pattern but is another site


def test_listing_without_rules_takes_every_same_site_link() -> None:
    links = discover_links(source(), fetched(LISTING))
    assert [link.url for link in links][:2] == ["https://news.example.org/", "https://news.example.org/about"]
    assert not any("127.0.0.1" in link.url or "169.254" in link.url for link in links)


def test_a_listing_on_loopback_follows_its_own_host_only() -> None:
    page = """<a href="/news/1">one</a><a href="http://127.0.0.1:9000/news/2">two</a>
              <a href="http://169.254.169.254/">meta</a><a href="http://localhost:9000/news/3">three</a>"""
    local = source(url="http://127.0.0.1:9000/list")
    links = discover_links(local, fetched(page, "http://127.0.0.1:9000/list"))
    assert [link.url for link in links] == ["http://127.0.0.1:9000/news/1", "http://127.0.0.1:9000/news/2"]


def test_allow_domains_widens_the_listing() -> None:
    widened = source(link_selector="ul.articles a", allow_domains=("example.org", "example.net"))
    links = discover_links(widened, fetched(LISTING))
    assert "https://other.example.net/2026/11/story.html" in [link.url for link in links]


def test_malformed_listing_html() -> None:
    text = (FIXTURES / "malformed.html").read_bytes().decode("utf-8", "replace")
    links = discover_links(source(link_pattern=r"/news/\d"), fetched(text))
    assert [link.url for link in links] == [f"https://news.example.org/news/{n}" for n in (1, 2, 3)]


def test_a_bad_selector_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    # The config refuses such a selector when it loads; discovery still must not crash on one.
    unchecked = source().model_copy(update={"link_selector": "ul[[["})
    assert discover_links(unchecked, fetched(LISTING)) == []
    assert "link_selector" in caplog.text


def test_pages_and_failures_have_no_links() -> None:
    assert discover_links(source("page"), fetched(LISTING)) == []
    failed = FetchResult(url=FEED_URL, source_id="s", outcome="not_modified", fetched_at=FETCHED)
    assert discover_links(source(), failed) == []


# --- content hash ---------------------------------------------------------------------------------------


def test_hash_ignores_markup_whitespace_scripts_and_comments() -> None:
    plain = "<html><body><h1>Twin towns</h1><p>Porto and Shenzhen.</p></body></html>"
    noisy = """<html><head><style>p{color:red}</style><script>var now = 1730534400;</script></head>
    <body class="v2"><!-- build 8812 --><h1 id="t">Twin   towns</h1>
      <p><span>Porto</span> and Shenzhen.</p><noscript>enable js</noscript></body></html>"""
    assert content_hash(plain, "text/html") == content_hash(noisy, "text/html")


def test_hash_changes_with_the_words() -> None:
    a = content_hash("<p>Porto and Shenzhen</p>", "text/html")
    assert a != content_hash("<p>Porto and Nanjing</p>", "text/html")
    assert len(a) == 64


def test_hash_of_plain_text_collapses_whitespace() -> None:
    assert content_hash("a  b\n\nc ", "text/plain") == content_hash("a b c", "text/plain")

"""The bundled demo site: both states, conditional GET, the failing source, the config template."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from etl.config import parse_config
from etl.demo_site import ROOT, DemoSite

TEMPLATE = ROOT / "sources.yaml"
EXPECTED = ROOT / "EXPECTED.md"
FEED, LISTING = "/feed.xml", "/news/index.html"
NINGBO, HANGZHOU, KUNMING = (
    "/gov/ningbo/fao/sister-cities.html",
    "/gov/hangzhou/wsb/yhcs.html",
    "/gov/kunming/fao/partners.html",
)
WEEK_DATES = {"week1": range(9, 14), "week2": range(16, 21)}


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as shared:  # one client: building one per request costs ~0.1 s
        yield shared


class ServedSite(DemoSite):
    """The site under test with the HTTP client the tests share."""

    client: httpx.Client


@pytest.fixture
def site(client: httpx.Client) -> Iterator[ServedSite]:
    with ServedSite() as running:
        running.client = client
        yield running


def get(site: ServedSite, path: str, **headers: str) -> httpx.Response:
    return site.client.get(site.base_url + path, headers=headers)


def feed_links(text: str) -> list[str]:
    return re.findall(r"<item>.*?<link>(.*?)</link>", text, re.S)


def listing_links(text: str) -> list[str]:
    return re.findall(r'class="headline" href="(/news/[^"]+)"', text)


def expected_rows() -> list[dict[str, str]]:
    """The week-2 table of EXPECTED.md, one dict per row keyed by column name."""
    lines = EXPECTED.read_text(encoding="utf-8").splitlines()
    table = lines[next(i for i, line in enumerate(lines) if line.startswith("| # |")):]

    def cells(line: str) -> list[str]:
        return [cell.strip() for cell in line.strip("|").split("|")]

    columns = cells(table[0])
    rows = []
    for line in table[2:]:  # past the header and the | --- | line
        if not line.startswith("|"):
            break
        rows.append(dict(zip(columns, cells(line), strict=True)))
    return rows


# --- serving -------------------------------------------------------------------------------------------


def test_start_returns_a_loopback_base_url_and_is_idempotent(site: ServedSite) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", site.base_url)
    assert site.start() == site.base_url


@pytest.mark.parametrize(
    ("path", "content_type"),
    [(FEED, "application/rss+xml"), (LISTING, "text/html"), ("/robots.txt", "text/plain"),
     (HANGZHOU, "text/html")],
)
def test_content_types(site: ServedSite, path: str, content_type: str) -> None:
    response = get(site, path)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == content_type
    assert "charset=utf-8" in response.headers["content-type"]


def test_feed_links_are_absolute_on_this_server(site: ServedSite) -> None:
    links = feed_links(get(site, FEED).text)
    assert len(links) == 6
    assert all(link.startswith(site.base_url + "/herald/") for link in links)


@pytest.mark.parametrize("state", ["week1", "week2"])
def test_every_article_of_a_state_is_served_with_a_dateline_of_its_week(site: ServedSite, state: str) -> None:
    site.set_state(state)
    paths = [link.removeprefix(site.base_url) for link in feed_links(get(site, FEED).text)]
    paths += listing_links(get(site, LISTING).text)
    new_paths = [path for path in paths if (ROOT / state / path.lstrip("/")).exists()]
    assert new_paths, "each state adds articles"
    for path in paths:
        assert get(site, path).status_code == 200, path
    for path in new_paths:
        dateline = re.search(r"Nov\. (\d+), 2026 &mdash;", get(site, path).text)
        assert dateline is not None, path
        if "archive-" not in path:  # a reprint keeps the original story's dateline
            assert int(dateline.group(1)) in WEEK_DATES[state], path


def test_week2_adds_stories_and_keeps_week1_pages(site: ServedSite) -> None:
    site.set_state("week2")
    assert site.state == "week2"
    feed = get(site, FEED).text
    assert "nanjing-tartu-friendship-city-agreement" in feed
    assert "wuxi-marathon-record-field" not in feed  # dropped off the feed, still served
    assert get(site, "/herald/2026/11/wuxi-marathon-record-field.html").status_code == 200
    assert "harbin-tampere-sister-city-agreement" in get(site, LISTING).text


def test_listing_links_that_are_not_articles(site: ServedSite) -> None:
    text = get(site, LISTING).text
    assert 'href="https://news.example.com/' in text
    assert 'href="http://127.0.0.1:9/"' in text
    assert listing_links(text) == [
        "/news/2026/11/ningbo-zhoushan-port-container-record.html",
        "/news/2026/11/harbin-tampere-memorandum-sister-city.html",
        "/news/2026/11/harbin-ice-festival-park-opens-early.html",
    ]


def test_chinese_page_is_utf8(site: ServedSite) -> None:
    response = get(site, HANGZHOU)
    assert response.encoding == "utf-8"
    assert "友好城市" in response.text
    assert "岐阜市" in response.text


@pytest.mark.parametrize("path", ["/missing.html", "/_state.json", "/%2e%2e/__init__.py", "/../sources.yaml"])
def test_unknown_and_private_paths_are_404(site: ServedSite, path: str) -> None:
    assert get(site, path).status_code == 404


def test_head_has_headers_and_no_body(site: ServedSite) -> None:
    response = site.client.head(site.base_url + FEED)
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) > 1000


# --- conditional GET -------------------------------------------------------------------------------------


def test_revalidation_answers_304(site: ServedSite) -> None:
    first = get(site, FEED)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert modified == "Fri, 13 Nov 2026 10:00:00 GMT"
    by_etag = get(site, FEED, **{"If-None-Match": etag})
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_etag.headers["etag"] == etag
    assert get(site, FEED, **{"If-Modified-Since": modified}).status_code == 304
    assert get(site, FEED, **{"If-None-Match": '"other"', "If-Modified-Since": modified}).status_code == 200
    assert get(site, FEED, **{"If-Modified-Since": "Thu, 12 Nov 2026 00:00:00 GMT"}).status_code == 200
    assert [entry[2] for entry in site.requests] == [200, 304, 304, 200, 200]


def test_after_a_week_changed_pages_are_200_and_unchanged_ones_304(site: ServedSite) -> None:
    before = {path: get(site, path).headers for path in (FEED, LISTING, NINGBO, HANGZHOU)}
    site.set_state("week2")

    def revalidate(path: str) -> int:
        headers = before[path]
        return get(site, path, **{"If-None-Match": headers["etag"],
                                  "If-Modified-Since": headers["last-modified"]}).status_code

    assert revalidate(HANGZHOU) == 304
    assert revalidate(FEED) == 200
    assert revalidate(LISTING) == 200
    assert revalidate(NINGBO) == 200  # re-sorted: new bytes, same facts
    assert get(site, NINGBO).headers["last-modified"] == "Fri, 20 Nov 2026 10:00:00 GMT"


def test_ningbo_reorder_keeps_the_same_entries(site: ServedSite) -> None:
    entries = re.compile(r"<h3>([^<]+)</h3>")
    week1 = entries.findall(get(site, NINGBO).text)
    site.set_state("week2")
    week2 = entries.findall(get(site, NINGBO).text)
    assert len(week1) == 8
    assert week1 != week2
    assert sorted(week1) == sorted(week2)


# --- the failing source ----------------------------------------------------------------------------------


def test_failing_source_fails_only_in_week2(site: ServedSite) -> None:
    assert get(site, KUNMING).status_code == 200
    site.set_state("week2")
    assert get(site, KUNMING).status_code == 503
    site.set_state("week1")
    assert get(site, KUNMING).status_code == 200


def test_unknown_state_is_refused(site: ServedSite) -> None:
    with pytest.raises(ValueError, match="no demo state"):
        site.set_state("week3")
    assert site.state == "week1"


def test_stop_frees_the_port() -> None:
    site = DemoSite()
    base = site.start()
    site.stop()
    with pytest.raises(httpx.TransportError):
        httpx.get(base + FEED, timeout=1)


# --- the config template and EXPECTED.md ------------------------------------------------------------


def demo_config(base: str = "http://127.0.0.1:8123"):  # type: ignore[no-untyped-def]
    return parse_config(TEMPLATE.read_text(encoding="utf-8").replace("{base}", base), TEMPLATE)


def test_config_template_parses() -> None:
    config = demo_config()
    assert [(s.id, s.kind) for s in config.sources] == [
        ("herald-feed", "feed"),
        ("herald-city-region", "listing"),
        ("ningbo-fao", "page"),
        ("hangzhou-wsb", "page"),
        ("kunming-fao", "page"),
    ]
    assert config.source("hangzhou-wsb").lang == "zh"
    assert all(s.home for s in config.sources if s.kind == "page")
    assert config.digest.to == ("analyst@twinwatch.example",)
    assert config.fetch.min_delay == 0 and config.fetch.retries <= 1
    assert all(s.url.startswith("http://127.0.0.1:8123/") for s in config.sources)


def test_config_template_points_at_served_pages(site: ServedSite) -> None:
    for source in demo_config(site.base_url).sources:
        assert get(site, source.url.removeprefix(site.base_url)).status_code == 200, source.id


def test_listing_pattern_matches_exactly_the_articles(site: ServedSite) -> None:
    source = demo_config().source("herald-city-region")
    assert source.link_pattern is not None
    hrefs = re.findall(r'href="([^"]+)"', get(site, LISTING).text)
    matching = {href for href in hrefs if re.search(source.link_pattern, href)}
    external = "https://news.example.com/news/2026/11/provincial-roundup.html"
    # The partner-site link looks like an article on purpose: only the domain rule may stop it.
    assert matching == set(listing_links(get(site, LISTING).text)) | {external}


def test_expected_changes_match_the_site(site: ServedSite) -> None:
    rows = expected_rows()
    assert [row["#"] for row in rows] == ["1", "2", "3", "4", "5"]
    source_ids = {source.id for source in demo_config().sources}
    site.set_state("week2")
    for row in rows:
        assert row["source"] in source_ids
        status = get(site, row["path"]).status_code
        assert status == (503 if row["source"] == "kunming-fao" else 200), row["path"]
        if row["city a"] != "–":
            text = get(site, row["path"]).text
            assert row["city a"].split(" (")[0] in text and row["city b"].split(" (")[0] in text


def test_site_files_are_utf8_text() -> None:
    for path in Path(ROOT).rglob("*"):
        if path.suffix in (".html", ".xml", ".txt", ".json", ".yaml", ".md"):
            path.read_text(encoding="utf-8")

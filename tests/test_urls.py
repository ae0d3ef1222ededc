"""Canonical URLs and where discovered links may lead."""

from __future__ import annotations

import pytest

from etl.config import Source
from etl.urls import canonicalize, is_allowed_link, is_private_host, parse_address


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM/News", "http://example.com/News"),  # path case is significant
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com/a?utm_source=rss&utm_medium=feed&id=7", "https://example.com/a?id=7"),
        ("https://example.com/a?fbclid=XYZ&gclid=1&msclkid=2", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1&c=3", "https://example.com/a?a=1&b=2&c=3"),
        ("https://example.com/a?tag=x&page=2&tag=y", "https://example.com/a?page=2&tag=x&tag=y"),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com/a/b/..", "https://example.com/a/"),
        ("https://example.com/../x", "https://example.com/x"),
        ("https://example.com/%7euser/%e4%b8%ad", "https://example.com/~user/%E4%B8%AD"),
        ("https://example.com/a%2Fb", "https://example.com/a%2Fb"),  # an escaped slash is not a slash
        ("https://example.com/新闻/友好城市", "https://example.com/%E6%96%B0%E9%97%BB/%E5%8F%8B%E5%A5%BD%E5%9F%8E%E5%B8%82"),
        ("http://例子.中国/", "http://xn--fsqu00a.xn--fiqs8s/"),
        ("https://Example.com./a", "https://example.com/a"),
        ("https://example.com/a?", "https://example.com/a"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("http://[::1]:80/x", "http://[::1]/x"),
    ],
)
def test_canonicalize(url: str, expected: str) -> None:
    assert canonicalize(url) == expected


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("../b?x=1#top", "https://news.example.org/b?x=1"),
        ("/c", "https://news.example.org/c"),
        ("//cdn.example.org/d", "https://cdn.example.org/d"),
        ("e", "https://news.example.org/list/e"),
    ],
)
def test_canonicalize_resolves_against_a_base(href: str, expected: str) -> None:
    assert canonicalize(href, "https://news.example.org/list/") == expected


def test_canonicalize_is_idempotent() -> None:
    once = canonicalize("HTTP://Example.com:80/a/../b/%7e?z=1&utm_campaign=x&a=%e4#f")
    assert canonicalize(once) == once


def source(url: str = "https://www.city.example.org/news/", **extra: object) -> Source:
    return Source.model_validate({"id": "s", "kind": "listing", "url": url, **extra})


@pytest.mark.parametrize(
    ("link", "allowed"),
    [
        ("https://www.city.example.org/news/1", True),
        ("https://city.example.org/news/1", True),  # the source host without its 'www.'
        ("https://en.city.example.org/news/1", True),  # and its subdomains
        ("https://other.example.net/news/1", False),
        ("https://city.example.org.evil.net/x", False),
        ("https://evilcity.example.org/x", False),
        ("http://127.0.0.1/admin", False),
        ("http://169.254.169.254/latest/meta-data/", False),
        ("http://10.0.0.8/", False),
        ("http://[::1]/", False),
        ("http://localhost:8080/", False),
        ("http://2130706433/", False),  # 127.0.0.1 written as one number
        ("mailto:mayor@city.example.org", False),
        ("javascript:alert(1)", False),
    ],
)
def test_links_stay_on_the_source_site(link: str, allowed: bool) -> None:
    assert is_allowed_link(link, source()) is allowed


def test_allow_domains_replaces_the_default() -> None:
    configured = source(allow_domains=("example.net",))
    assert is_allowed_link("https://news.example.net/a", configured)
    assert not is_allowed_link("https://www.city.example.org/news/1", configured)


def test_an_aggregator_may_lead_to_any_public_domain_but_never_a_private_one() -> None:
    aggregator = source("https://news.google.example/rss/search?q=x", allow_domains=("*",))
    assert is_allowed_link("https://www.chinadaily.com.cn/a/2025/06/11/x.html", aggregator)
    assert is_allowed_link("https://city.example.org/news/1", aggregator)
    for private in ("http://127.0.0.1/admin", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.8/"):
        assert not is_allowed_link(private, aggregator)


def test_a_loopback_source_may_follow_its_own_host_only() -> None:
    local = source("http://127.0.0.1:8000/list", allow_domains=("127.0.0.1", "169.254.169.254", "10.0.0.8"))
    assert is_allowed_link("http://127.0.0.1:8000/a", local)
    assert not is_allowed_link("http://169.254.169.254/latest", local)
    assert not is_allowed_link("http://10.0.0.8/", local)


def test_allow_private_opens_other_private_hosts() -> None:
    intranet = source("http://intranet.corp.example/list", allow_domains=("10.0.0.8",), allow_private=True)
    assert is_allowed_link("http://10.0.0.8/a", intranet)


@pytest.mark.parametrize(
    ("host", "private"),
    [("127.0.0.1", True), ("127.1", True), ("0x7f.0.0.1", True), ("::ffff:127.0.0.1", True),
     ("fe80::1", True), ("192.168.1.1", True), ("100.64.0.1", True), ("0.0.0.0", True),
     ("localhost", True), ("app.localhost", True), ("8.8.8.8", False), ("example.org", False)],
)
def test_private_hosts(host: str, private: bool) -> None:
    assert is_private_host(host) is private


def test_parse_address_ignores_names() -> None:
    assert parse_address("deadbeef.example") is None and parse_address("face") is None

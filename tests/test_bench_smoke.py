"""The benchmark's own machinery: a deterministic corpus and the many-address site server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bench.corpus import Corpus
from bench.sites import SiteServer, loopback_address


def test_corpus_is_deterministic_from_its_seed() -> None:
    first, again, other = Corpus(60, seed=3), Corpus(60, seed=3), Corpus(60, seed=4)
    assert [first.page(i).body for i in range(10)] == [again.page(i).body for i in range(10)]
    assert first.page(0).body != other.page(0).body
    assert first.page(7, version=1).body != first.page(7).body
    assert first.page(7, version=1).etag != first.page(7).etag


def test_corpus_has_the_requested_share_of_positives_and_sizes() -> None:
    corpus = Corpus(400, seed=5)
    assert len(corpus.positives()) == 20  # 5%
    pages = [corpus.page(i) for i in range(0, 400, 4)] + [corpus.page(i) for i in corpus.positives()[:5]]
    assert all(30_000 <= len(page.body) <= 150_000 for page in pages)
    assert {page.lang for page in pages} == {"en", "zh"}
    for page in pages:
        text = page.body.decode()
        if not page.positive:
            assert "sister-city" not in text and "友好城市" not in text
            continue
        assert page.pair is not None
        assert ("sister" in text or "friendship city" in text) if page.lang == "en" else "友好城市" in text


@pytest.fixture(scope="module")
def sites() -> Iterator[SiteServer]:
    with SiteServer(Corpus(6, seed=1), hosts=2) as server:
        yield server


def test_two_loopback_addresses_serve_distinct_pages(sites: SiteServer) -> None:
    assert loopback_address(0) != loopback_address(1)
    with httpx.Client(trust_env=False) as client:
        first, second = client.get(sites.page_url(0)), client.get(sites.page_url(1))
        elsewhere = client.get(f"{sites.base_url(1)}/news/000000.html")  # page 0 lives on host 0 only
        robots = client.get(f"{sites.base_url(1)}/robots.txt")
    assert loopback_address(0) in str(first.url) and loopback_address(1) in str(second.url)
    assert first.status_code == second.status_code == 200
    assert first.content == sites.corpus.page(0).body and second.content == sites.corpus.page(1).body
    assert first.content != second.content
    assert elsewhere.status_code == 404 and robots.status_code == 200


def test_conditional_get_and_mutation(sites: SiteServer) -> None:
    with httpx.Client(trust_env=False) as client:
        etag = client.get(sites.page_url(2)).headers["etag"]
        sites.take_traffic()
        assert client.get(sites.page_url(2), headers={"If-None-Match": etag}).status_code == 304
        changed = sites.mutate(share=1.0, seed=9)
        assert 2 in changed
        assert client.get(sites.page_url(2), headers={"If-None-Match": etag}).status_code == 200
    assert sites.take_traffic()["page_304"] == 1

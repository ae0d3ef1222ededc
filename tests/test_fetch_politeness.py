"""Politeness against a real server: robots.txt, Crawl-delay, Retry-After, per-host and global limits."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from etl.config import FetchSettings, Timeouts
from etl.fetch import Fetcher, RobotsRecord
from etl.models import FetchRequest, FetchResult
from etl.politeness import parse_retry_after
from etl.robots import origin

PAGE = "<html><body><p>Twin towns</p></body></html>"
NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def fast_settings(**overrides: object) -> FetchSettings:
    values: dict[str, object] = {
        "min_delay": 0, "jitter": 0, "retries": 2, "backoff": 0.01, "http2": False,
        "timeouts": Timeouts(connect=1, read=2, total=4), "user_agent": "twinwatch-test/1.0",
    }
    values.update(overrides)
    return FetchSettings.model_validate(values)


def request(url: str, trusted: str = "127.0.0.1") -> FetchRequest:
    return FetchRequest(url=url, source_id="src", trusted_host=trusted)


def fetch_all(urls: list[str], settings: FetchSettings, **kwargs: object) -> list[FetchResult]:
    with Fetcher(settings, **kwargs) as fetcher:  # type: ignore[arg-type]
        return fetcher.fetch_all([request(url) for url in urls])




def arrivals(server: HTTPServer, prefix: str) -> list[float]:
    return [req.environ["arrived"] for req, _ in server.log if req.path.startswith(prefix)]


def stamping(body: str = PAGE) -> object:
    """A handler that records when each request arrived, for spacing assertions."""

    def handler(req: Request) -> Response:
        req.environ["arrived"] = time.monotonic()
        return Response(body, content_type="text/html")

    return handler


# --- robots.txt ----------------------------------------------------------------------------------------


def test_robots_disallow_skips_and_crawl_delay_spaces_requests(http: HTTPServer) -> None:
    robots = "User-agent: twinwatch-test\nDisallow: /private/\nCrawl-delay: 0.3\n"
    http.expect_request("/robots.txt").respond_with_data(robots, content_type="text/plain")
    http.expect_request("/private/x").respond_with_data(PAGE, content_type="text/html")
    http.expect_request("/pub/1").respond_with_handler(stamping())  # type: ignore[arg-type]
    http.expect_request("/pub/2").respond_with_handler(stamping())  # type: ignore[arg-type]
    urls = [http.url_for("/private/x"), http.url_for("/pub/1"), http.url_for("/pub/2")]
    results = fetch_all(urls, fast_settings(per_host=4))
    assert [(r.outcome, r.error_class) for r in results] == [
        ("skipped", "robots_disallowed"), ("ok", None), ("ok", None)]
    first, second = sorted(arrivals(http, "/pub/"))
    assert second - first >= 0.28
    assert not any(req.path == "/private/x" for req, _ in http.log)


def test_robots_answers_are_reported_and_reused(http: HTTPServer) -> None:
    http.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /no\n")
    http.expect_request("/a").respond_with_data(PAGE, content_type="text/html")
    with Fetcher(fast_settings(), now=lambda: NOW) as fetcher:
        fetcher.fetch_all([request(http.url_for("/a")), request(http.url_for("/a"))])
        updates = fetcher.robots_updates()
    assert [(r.host, r.status, r.fetched_at) for r in updates] == [(origin(http.url_for("/")), 200, NOW)]
    http.clear_log()
    later = NOW + timedelta(hours=1)
    with Fetcher(fast_settings(), {updates[0].host: updates[0]}, now=lambda: later) as fetcher:
        results = fetcher.fetch_all([request(http.url_for("/a")), request(http.url_for("/no"))])
        assert fetcher.robots_updates() == []
    assert [r.outcome for r in results] == ["ok", "skipped"]
    assert [req.path for req, _ in http.log] == ["/a"]  # no second robots.txt request


def test_stale_robots_answer_is_fetched_again(http: HTTPServer) -> None:
    http.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow:\n")
    http.expect_request("/a").respond_with_data(PAGE, content_type="text/html")
    day_old = NOW - timedelta(hours=24, seconds=1)  # just past the 24 h TTL
    old = RobotsRecord(origin(http.url_for("/")), 200, "User-agent: *\nDisallow: /\n", day_old)
    with Fetcher(fast_settings(), {old.host: old}, now=lambda: NOW) as fetcher:
        assert fetcher.fetch_all([request(http.url_for("/a"))])[0].outcome == "ok"
        assert [r.body for r in fetcher.robots_updates()] == ["User-agent: *\nDisallow:\n"]


def test_robots_server_error_makes_the_site_unavailable_and_is_not_kept(http: HTTPServer) -> None:
    http.expect_request("/robots.txt").respond_with_data("busy", status=500)
    http.expect_request("/a").respond_with_data(PAGE, content_type="text/html")
    with Fetcher(fast_settings()) as fetcher:
        result = fetcher.fetch_all([request(http.url_for("/a"))])[0]
        assert fetcher.robots_updates() == []
    assert (result.outcome, result.error_class) == ("error", "robots_unreachable")


def test_user_agent_is_honest(http: HTTPServer) -> None:
    agent = "twinwatch-test/1.0 contact: ops@example.org"
    http.expect_request("/a", headers={"User-Agent": agent}).respond_with_data(PAGE, content_type="text/html")
    result = fetch_all([http.url_for("/a")], fast_settings(contact="ops@example.org"))[0]
    assert result.outcome == "ok"


# --- Retry-After ---------------------------------------------------------------------------------------


def test_429_honours_retry_after(http: HTTPServer) -> None:
    calls: list[float] = []

    def handler(req: Request) -> Response:
        calls.append(time.monotonic())
        if len(calls) == 1:
            return Response("slow down", status=429, headers={"Retry-After": "1"})
        return Response(PAGE, content_type="text/html")

    http.expect_request("/r").respond_with_handler(handler)
    result = fetch_all([http.url_for("/r")], fast_settings(retry_after_cap=0.4))[0]
    assert result.outcome == "ok" and len(calls) == 2
    assert 0.35 <= calls[1] - calls[0] < 1.0  # waited Retry-After, capped at 0.4 s


def test_503_retry_after_holds_the_whole_host(http: HTTPServer) -> None:
    state = {"refused": False}

    def handler(req: Request) -> Response:
        req.environ["arrived"] = time.monotonic()
        if req.path == "/u/1" and not state["refused"]:
            state["refused"] = True
            return Response("maintenance", status=503, headers={"Retry-After": "1"})
        return Response(PAGE, content_type="text/html")

    for path in ("/u/1", "/u/2", "/u/3"):
        http.expect_request(path).respond_with_handler(handler)
    results = fetch_all([http.url_for(p) for p in ("/u/1", "/u/2", "/u/3")],
                        fast_settings(per_host=1, retry_after_cap=0.3))
    assert [r.outcome for r in results] == ["ok", "ok", "ok"]
    times = sorted(arrivals(http, "/u/"))
    assert times[1] - times[0] >= 0.25  # the next request to the host waited too


def test_retry_after_parsing() -> None:
    future = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after("7", cap=120) == 7
    assert parse_retry_after("7000", cap=120) == 120
    assert 25 <= (parse_retry_after(future, cap=120) or 0) <= 30
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", cap=120) == 0  # in the past
    assert parse_retry_after("soon", cap=120) is None and parse_retry_after(None, cap=120) is None


# --- concurrency and spacing ------------------------------------------------------------------------------


class InFlight:
    """Counts requests being served at the same moment."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.peak: dict[str, int] = {}
        self.total_peak = 0

    def handler(self, req: Request) -> Response:
        host = req.host.split(":")[0]
        with self.lock:
            self.now += 1
            self.peak[host] = max(self.peak.get(host, 0), self.now)
            self.total_peak = max(self.total_peak, self.now)
        time.sleep(0.1)
        with self.lock:
            self.now -= 1
        return Response(PAGE, content_type="text/html")


def test_per_host_concurrency_is_limited(http: HTTPServer) -> None:
    counter = InFlight()
    http.expect_request("/c").respond_with_handler(counter.handler)
    urls = [http.url_for(f"/c?n={n}") for n in range(8)]
    results = fetch_all(urls, fast_settings(per_host=2, concurrency=10))
    assert all(r.outcome == "ok" for r in results)
    assert counter.peak["127.0.0.1"] == 2


def test_global_concurrency_is_limited(http: HTTPServer) -> None:
    counter = InFlight()
    http.expect_request("/g").respond_with_handler(counter.handler)
    urls = [http.url_for(f"/g?n={n}") for n in range(9)]
    results = fetch_all(urls, fast_settings(per_host=16, concurrency=3))
    assert all(r.outcome == "ok" for r in results)
    assert counter.total_peak == 3


def test_min_delay_spaces_requests_to_one_host(http: HTTPServer) -> None:
    http.expect_request("/d").respond_with_handler(stamping())  # type: ignore[arg-type]
    urls = [http.url_for(f"/d?n={n}") for n in range(3)]
    fetch_all(urls, fast_settings(per_host=3, min_delay=0.15, jitter=0.05))
    times = sorted(arrivals(http, "/d"))
    assert all(b - a >= 0.14 for a, b in zip(times, times[1:], strict=False))

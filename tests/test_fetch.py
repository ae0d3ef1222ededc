"""The fetch stage against a real HTTP server on 127.0.0.1: outcomes, validators, limits, charsets."""

from __future__ import annotations

import codecs
import gzip
import ipaddress
import socket
import struct
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from etl.config import FetchSettings, Timeouts
from etl.fetch import Fetcher
from etl.models import FetchRequest, FetchResult, Validators
from etl.response import decode_body

FIXTURES = Path(__file__).parent / "fixtures" / "fetch"
PAGE = "<html><head><title>Twin towns</title></head><body><p>Porto and Shenzhen signed.</p></body></html>"


def fast_settings(**overrides: object) -> FetchSettings:
    """Small delays and timeouts so the whole file runs in seconds."""
    values: dict[str, object] = {
        "min_delay": 0, "jitter": 0, "retries": 2, "backoff": 0.01, "http2": False,
        "timeouts": Timeouts(connect=1, read=1, total=2), "max_bytes": 1_000_000,
    }
    values.update(overrides)
    return FetchSettings.model_validate(values)


NO_VALIDATORS = Validators()


def request(url: str, validators: Validators = NO_VALIDATORS, trusted: bool = True) -> FetchRequest:
    trusted_host = "127.0.0.1" if trusted else None
    return FetchRequest(url=url, source_id="src", validators=validators, trusted_host=trusted_host)


def hits(server: HTTPServer, path: str) -> int:
    return sum(1 for req, _ in server.log if req.path == path)


def fetch(url: str, settings: FetchSettings | None = None, **kwargs: object) -> FetchResult:
    with Fetcher(settings or fast_settings()) as fetcher:
        return fetcher.fetch_all([request(url, **kwargs)])[0]  # type: ignore[arg-type]




# --- outcomes and validators ------------------------------------------------------------------------


def test_ok_page_carries_body_and_metadata(http: HTTPServer) -> None:
    http.expect_request("/a").respond_with_data(PAGE, content_type="text/html; charset=utf-8")
    result = fetch(http.url_for("/a"))
    assert result.outcome == "ok" and result.status == 200
    assert result.text == PAGE and result.encoding == "utf-8" and result.content_type == "text/html"
    assert result.bytes_read == len(PAGE) and result.elapsed_ms > 0 and not result.truncated
    assert result.validators.content_hash and result.final_url == http.url_for("/a")


def test_etag_round_trip_gives_not_modified(http: HTTPServer) -> None:
    def handler(req: Request) -> Response:
        if req.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(PAGE, content_type="text/html", headers={"ETag": '"v1"'})

    http.expect_request("/e").respond_with_handler(handler)
    first = fetch(http.url_for("/e"))
    assert first.outcome == "ok" and first.validators.etag == '"v1"'
    second = fetch(http.url_for("/e"), validators=first.validators)
    assert second.outcome == "not_modified" and second.status == 304 and second.text is None
    assert second.validators == first.validators and second.bytes_read == 0


def test_last_modified_is_sent_as_if_modified_since(http: HTTPServer) -> None:
    stamp = "Mon, 02 Nov 2026 10:00:00 GMT"
    http.expect_request("/lm", headers={"If-Modified-Since": stamp}).respond_with_data("", status=304)
    headers = {"Last-Modified": stamp}
    http.expect_request("/lm").respond_with_data(PAGE, content_type="text/html", headers=headers)
    first = fetch(http.url_for("/lm"))
    assert first.validators.last_modified == stamp and first.validators.etag is None
    assert fetch(http.url_for("/lm"), validators=first.validators).outcome == "not_modified"


def test_same_content_without_server_validators_is_unchanged(http: HTTPServer) -> None:
    http.expect_ordered_request("/h").respond_with_data(PAGE, content_type="text/html")
    # Same words; only markup, whitespace, a script and a comment differ.
    noisy = PAGE.replace("<p>", "<p class='x'>\n  ")
    noisy = noisy.replace("</body>", "<script>var t=1</script><!-- c --></body>")
    http.expect_ordered_request("/h").respond_with_data(noisy, content_type="text/html")
    settings = fast_settings(robots=False)  # ordered expectations: no robots.txt request in between
    first = fetch(http.url_for("/h"), settings)
    second = fetch(http.url_for("/h"), settings, validators=first.validators)
    assert second.outcome == "unchanged" and second.text is None
    assert second.validators.content_hash == first.validators.content_hash


# --- failures and retries ------------------------------------------------------------------------------


def test_500_then_success_is_retried(http: HTTPServer) -> None:
    http.expect_ordered_request("/flaky").respond_with_data("oops", status=500)
    http.expect_ordered_request("/flaky").respond_with_data(PAGE, content_type="text/html")
    result = fetch(http.url_for("/flaky"), fast_settings(robots=False))
    assert result.outcome == "ok" and len(http.log) == 2


def test_persistent_500_is_an_error_after_the_retries(http: HTTPServer) -> None:
    http.expect_request("/down").respond_with_data("oops", status=500)
    result = fetch(http.url_for("/down"))
    assert (result.outcome, result.error_class, result.status) == ("error", "http_500", 500)
    assert hits(http, "/down") == 3  # one attempt and two retries


def test_404_is_not_retried(http: HTTPServer) -> None:
    http.expect_request("/gone").respond_with_data("no", status=404)
    result = fetch(http.url_for("/gone"))
    assert (result.outcome, result.error_class) == ("error", "http_404") and hits(http, "/gone") == 1
    assert result.error and "\n" not in result.error


def test_read_timeout(http: HTTPServer) -> None:
    http.expect_request("/slow").respond_with_handler(lambda _: time.sleep(1.0) or Response(PAGE))
    settings = fast_settings(retries=0, timeouts=Timeouts(connect=1, read=0.2, total=5))
    result = fetch(http.url_for("/slow"), settings)
    assert (result.outcome, result.error_class) == ("error", "timeout")


def test_total_timeout_bounds_a_server_that_drips_bytes(http: HTTPServer) -> None:
    def drip() -> Iterator[bytes]:
        for _ in range(100):
            yield b"<p>x</p>"
            time.sleep(0.05)  # every chunk arrives well within the read timeout

    http.expect_request("/drip").respond_with_response(Response(drip(), content_type="text/html"))
    settings = fast_settings(retries=0, timeouts=Timeouts(connect=1, read=1, total=0.5))
    started = time.monotonic()
    result = fetch(http.url_for("/drip"), settings)
    assert (result.outcome, result.error_class) == ("error", "timeout")
    assert time.monotonic() - started < 1.5


def _resetting_server(resets: int, then: bytes) -> tuple[str, threading.Thread]:
    """A raw server whose first ``resets`` connections are reset (RST), the rest get ``then``."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        with listener:
            for index in range(resets + (1 if then else 0)):
                conn, _ = listener.accept()
                conn.recv(65536)
                if index < resets:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                else:
                    conn.sendall(then)
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{port}/page", thread


def test_connection_reset_is_an_error(http: HTTPServer) -> None:
    url, thread = _resetting_server(resets=3, then=b"")
    result = fetch(url, fast_settings(robots=False))
    thread.join(timeout=5)
    assert (result.outcome, result.error_class) == ("error", "connection_error")


def test_connection_reset_then_success(http: HTTPServer) -> None:
    body = PAGE.encode()
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n"
    answer += b"Connection: close\r\n\r\n%s"
    url, thread = _resetting_server(resets=1, then=answer % (len(body), body))
    result = fetch(url, fast_settings(robots=False))
    thread.join(timeout=5)
    assert result.outcome == "ok" and result.text == PAGE


def test_connect_error_on_a_closed_port() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed again when the block ends
    result = fetch(f"http://127.0.0.1:{port}/", fast_settings(robots=False, retries=1))
    assert (result.outcome, result.error_class) == ("error", "connect_error")


def test_redirect_loop_stops_at_the_limit(http: HTTPServer) -> None:
    http.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    http.expect_request("/b").respond_with_data("", status=301, headers={"Location": http.url_for("/a")})
    result = fetch(http.url_for("/a"), fast_settings(max_redirects=3))
    assert (result.outcome, result.error_class) == ("error", "too_many_redirects")
    assert hits(http, "/a") + hits(http, "/b") == 4


def test_redirect_is_followed_to_the_final_url(http: HTTPServer) -> None:
    http.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new?utm_source=x"})
    http.expect_request("/new").respond_with_data(PAGE, content_type="text/html")
    result = fetch(http.url_for("/old"))
    assert result.outcome == "ok" and result.final_url == http.url_for("/new")
    assert result.url == http.url_for("/old")


def test_one_bad_url_does_not_affect_the_others(http: HTTPServer) -> None:
    http.expect_request("/ok").respond_with_data(PAGE, content_type="text/html")
    urls = [http.url_for("/ok"), "ftp://example.org/x", "http://[::1", http.url_for("/missing")]
    with Fetcher(fast_settings()) as fetcher:
        results = fetcher.fetch_all([request(url) for url in urls])
    assert [r.outcome for r in results] == ["ok", "error", "error", "error"]
    assert [r.url for r in results] == urls
    assert results[1].error_class == "invalid_url"


# --- size, type, charsets -----------------------------------------------------------------------------


def _big_page(megabytes: int) -> Iterator[bytes]:
    yield b"<html><body>"
    chunk = b"<p>" + b"twin towns " * 5950 + b"</p>\n"  # about 64 KB
    for _ in range(megabytes * 1024 * 1024 // len(chunk)):
        yield chunk


def test_a_50_mb_page_is_cut_at_the_cap(http: HTTPServer) -> None:
    headers = {"Content-Length": str(50 * 1024 * 1024)}
    http.expect_request("/big").respond_with_response(Response(_big_page(50), content_type="text/html",
                                                               headers=headers))
    started = time.monotonic()
    result = fetch(http.url_for("/big"), fast_settings(max_bytes=1_000_000))
    assert result.outcome == "ok" and result.truncated and result.bytes_read == 1_000_000
    assert result.text is not None and result.text.startswith("<html><body><p>twin towns")
    assert time.monotonic() - started < 3


def test_an_oversized_feed_is_skipped(http: HTTPServer) -> None:
    feed = "<rss>" + "x" * 5000 + "</rss>"
    http.expect_request("/feed").respond_with_data(feed, content_type="application/rss+xml")
    result = fetch(http.url_for("/feed"), fast_settings(max_bytes=1024))
    assert (result.outcome, result.error_class) == ("skipped", "oversized") and result.text is None


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"), (b"%PDF-1.7\n\x00\x01", "application/pdf"),
     (b"\x00\x01\x02\x03binary", None)],
)
def test_binary_content_is_skipped(http: HTTPServer, body: bytes, content_type: str | None) -> None:
    response = Response(body)
    if content_type is None:
        del response.headers["Content-Type"]
    else:
        response.headers["Content-Type"] = content_type
    http.expect_request("/bin").respond_with_response(response)
    result = fetch(http.url_for("/bin"))
    assert (result.outcome, result.error_class) == ("skipped", "content_type") and result.text is None


@pytest.mark.parametrize(
    ("fixture", "header", "expected", "codec"),
    [
        ("gbk_meta_gb2312.html", "text/html", "南京市与堃城缔结友好城市", "gb18030"),
        ("gbk_meta_gb2312.html", "text/html; charset=ISO-8859-1", "南京市与堃城缔结友好城市", "gb18030"),
        ("gbk_no_declaration.html", "text/html", "南京市人民政府外事办公室", "gb18030"),
        ("big5_meta.html", "text/html", "臺北市與姊妹市簽署協議", "big5hkscs"),
    ],
)
def test_chinese_pages_are_decoded(
    http: HTTPServer, fixture: str, header: str, expected: str, codec: str
) -> None:
    http.expect_request("/zh").respond_with_data((FIXTURES / fixture).read_bytes(), content_type=header)
    result = fetch(http.url_for("/zh"))
    assert result.outcome == "ok" and result.text is not None
    assert expected in result.text and result.encoding == codec


def test_malformed_html_is_fetched_and_hashed(http: HTTPServer) -> None:
    body = (FIXTURES / "malformed.html").read_bytes()
    http.expect_request("/bad").respond_with_data(body, content_type="text/html")
    result = fetch(http.url_for("/bad"))
    assert result.outcome == "ok" and result.validators.content_hash and "sister" in (result.text or "")


# --- the private-address rule at fetch time --------------------------------------------------------------


def test_untrusted_loopback_is_refused(http: HTTPServer) -> None:
    http.expect_request("/a").respond_with_data(PAGE, content_type="text/html")
    result = fetch(http.url_for("/a"), trusted=False)
    assert (result.outcome, result.error_class) == ("skipped", "private_address")
    assert http.log == []


def test_redirect_to_another_private_host_is_refused(http: HTTPServer) -> None:
    target = f"http://169.254.169.254/latest/meta-data/?port={http.port}"
    http.expect_request("/hop").respond_with_data("", status=302, headers={"Location": target})
    result = fetch(http.url_for("/hop"))
    assert (result.outcome, result.error_class) == ("skipped", "private_address")


def test_a_name_resolving_to_loopback_is_refused() -> None:
    result = fetch("http://localhost.:9/x", trusted=False)
    assert (result.outcome, result.error_class) == ("skipped", "private_address")


def test_fetched_at_comes_from_the_injected_clock(http: HTTPServer) -> None:
    http.expect_request("/a").respond_with_data(PAGE, content_type="text/html")
    moment = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    with Fetcher(fast_settings(), now=lambda: moment) as fetcher:
        assert fetcher.fetch_all([request(http.url_for("/a"))])[0].fetched_at == moment



def test_http2_setting_falls_back_to_http11_on_plain_http(http: HTTPServer) -> None:
    http.expect_request("/a").respond_with_data(PAGE, content_type="text/html")
    assert fetch(http.url_for("/a"), fast_settings(http2=True)).outcome == "ok"


def test_gzip_body_is_capped_after_decompression(http: HTTPServer) -> None:
    body = gzip.compress(b"<html><body>" + b"<p>twin towns</p>" * 200_000 + b"</body></html>")  # 3.4 MB
    headers = {"Content-Encoding": "gzip"}
    http.expect_request("/gz").respond_with_data(body, content_type="text/html", headers=headers)
    result = fetch(http.url_for("/gz"), fast_settings(max_bytes=100_000))
    assert result.outcome == "ok" and result.truncated and result.bytes_read == 100_000


# --- decoding units ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "header", "expected", "codec"),
    [
        ("友好城市".encode() + "城".encode()[:2], "utf-8", "友好城市", "utf-8"),  # cut mid-character
        (codecs.BOM_UTF8 + "姊妹".encode(), None, "姊妹", "utf-8"),
        ('<?xml version="1.0" encoding="GBK"?><rss>堃</rss>'.encode("gbk"), None, "堃", "gb18030"),
        ("<meta charset=utf-8><p>Gdańsk</p>".encode(), "iso-8859-1", "Gdańsk", "utf-8"),  # weak header loses
        ("<p>café</p>".encode("cp1252"), "iso-8859-1", "café", "cp1252"),
        (b"<p>plain</p>", "no-such-charset", "plain", "utf-8"),
    ],
)
def test_decode_body(body: bytes, header: str | None, expected: str, codec: str) -> None:
    text, used = decode_body(body, header, truncated=True)
    assert expected in text and used == codec


def test_an_undeclared_short_latin_page_falls_back_to_windows_1252() -> None:
    assert decode_body("<p>café</p>".encode("cp1252"), None) == ("<p>café</p>", "cp1252")


def test_a_name_that_re_resolves_to_loopback_is_refused_at_connection(http: HTTPServer) -> None:
    """DNS rebinding: the check saw a public address, the connection went to a private one."""
    http.expect_request("/a").respond_with_data(PAGE, content_type="text/html")
    name = socket.gethostname()  # resolves to 127.0.0.1 on the test machines
    if not ipaddress.ip_address(socket.gethostbyname(name)).is_loopback:
        pytest.skip("the host name does not resolve to loopback here")
    with Fetcher(fast_settings(robots=False)) as fetcher:
        fetcher._addresses[name] = [ipaddress.ip_address("93.184.215.14")]  # what the first lookup said
        result = fetcher.fetch_all([request(f"http://{name}:{http.port}/a", trusted=False)])[0]
    assert (result.outcome, result.error_class) == ("skipped", "private_address") and result.text is None
    assert "connected to the private address 127.0.0.1" in (result.error or "")

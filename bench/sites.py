"""Many local websites over one corpus: one asyncio HTTP/1.1 server bound to many loopback addresses.

Linux routes all of 127.0.0.0/8 to ``lo``, so one process can listen on 127.0.10.1, 127.0.10.2, …
with the same port and look like a thousand different hosts — which is what a real watch list
is, and what per-host politeness and robots.txt caching are about. Page ``i`` lives on host
``i % hosts`` at ``/news/{i:06d}.html``; every host also serves ``/robots.txt``, an RSS feed at
``/feed.xml`` and a listing at ``/news/``. Pages answer conditional requests (ETag and
Last-Modified → 304) and ``mutate()`` edits a share of them. Requests are counted by kind, so a
benchmark can show what each pass cost the sites.

HTTP/2 is not served: plain-text HTTP/2 (h2c) is not what clients negotiate with news sites,
and TLS on loopback would measure the cipher rather than the monitor.
"""

from __future__ import annotations

import asyncio
import random
import socket
import threading
from collections import Counter
from contextlib import suppress
from email.utils import parsedate_to_datetime
from hashlib import blake2b

from bench.corpus import Corpus, feed_xml, listing_html

ADDRESSES_PER_NET = 250  # 127.0.N.1 … 127.0.N.250
FIRST_NET = 10  # start at 127.0.10.1: 127.0.0.1 is where everybody else's test servers live
ROBOTS_TXT = b"User-agent: *\nDisallow: /private/\nAllow: /\n"
MAX_HEAD = 16_384


def loopback_address(host: int, first_net: int = FIRST_NET) -> str:
    return f"127.0.{first_net + host // ADDRESSES_PER_NET}.{1 + host % ADDRESSES_PER_NET}"


class SiteServer:
    """Serves ``corpus`` from ``hosts`` loopback addresses in a background thread; a context manager."""

    def __init__(self, corpus: Corpus, hosts: int | None = None, *, cache_bytes: int = 2_500_000_000) -> None:
        self.corpus = corpus
        self.hosts = min(hosts or corpus.size, corpus.size)
        self.port = 0
        self.versions = [0] * corpus.size
        self.traffic: Counter[str] = Counter()
        self._cache: dict[tuple[int, int], bytes] = {}
        self._cache_left = cache_bytes
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="bench-sites", daemon=True)
        self._servers: list[asyncio.Server] = []
        self._writers: set[asyncio.StreamWriter] = set()

    # --- addresses -----------------------------------------------------------------------------------------

    def base_url(self, host: int) -> str:
        return f"http://{loopback_address(host)}:{self.port}"

    def host_of(self, index: int) -> int:
        return index % self.hosts

    def page_url(self, index: int) -> str:
        return f"{self.base_url(self.host_of(index))}/news/{index:06d}.html"

    def pages_of(self, host: int) -> list[int]:
        return list(range(host, self.corpus.size, self.hosts))

    # --- state the benchmark changes -----------------------------------------------------------------------

    def mutate(self, share: float = 0.05, seed: int = 0) -> list[int]:
        """Edit ``share`` of the pages (new body, ETag and Last-Modified); returns their indexes."""
        rng = random.Random(f"mutate:{self.corpus.seed}:{seed}")
        changed = sorted(rng.sample(range(self.corpus.size), round(self.corpus.size * share)))
        for index in changed:
            self.versions[index] += 1
        return changed

    def reset(self) -> None:
        """Back to version 0 everywhere and zero counters: the start of a fresh repeat."""
        self.versions = [0] * self.corpus.size
        self.traffic = Counter()

    def take_traffic(self) -> Counter[str]:
        """The requests counted since the last call, by kind; counting starts again from zero."""
        taken, self.traffic = self.traffic, Counter()
        return taken

    def warm(self) -> None:
        """Render every current page now, so a measured pass never waits for the generator."""
        for index in range(self.corpus.size):
            self._page_body(index, self.versions[index])

    # --- lifecycle ------------------------------------------------------------------------------------------

    def __enter__(self) -> SiteServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, attempts: int = 5) -> None:
        self._thread.start()
        for _ in range(attempts):
            self.port = _free_port(loopback_address(0))
            try:
                asyncio.run_coroutine_threadsafe(self._bind_all(), self._loop).result(timeout=120)
                return
            except OSError:  # someone took the port on one of the addresses meanwhile: try another
                asyncio.run_coroutine_threadsafe(self._close_servers(), self._loop).result(timeout=30)
        raise OSError(f"could not bind {self.hosts} loopback addresses on one port")

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self._close_servers(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _bind_all(self) -> None:
        for host in range(self.hosts):
            server = await asyncio.start_server(
                lambda r, w, h=host: self._serve(h, r, w),
                host=loopback_address(host),
                port=self.port,
                reuse_address=True,
                backlog=512,
            )
            self._servers.append(server)

    async def _close_servers(self) -> None:
        for server in self._servers:
            server.close()
        for writer in list(self._writers):
            writer.close()
        self._servers.clear()

    # --- HTTP/1.1 -------------------------------------------------------------------------------------------

    async def _serve(self, host: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        self.traffic["connections"] += 1
        try:
            while await self._one_exchange(host, reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the client hung up: nothing to answer
        finally:
            self._writers.discard(writer)
            writer.close()
            with suppress(ConnectionError, RuntimeError):
                await writer.wait_closed()

    async def _one_exchange(
        self, host: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        if len(head) > MAX_HEAD:
            return False
        method, target, version, headers = _parse_head(head)
        status, extra, body = self.respond(host, target, headers)
        keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
        lines = [
            f"HTTP/1.1 {status} {_REASONS[status]}",
            f"Content-Length: {len(body)}",
            "Connection: " + ("keep-alive" if keep_alive else "close"),
            *extra,
        ]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        if method != "HEAD" and status != 304:
            writer.write(body)
        await writer.drain()
        return keep_alive

    def respond(self, host: int, target: str, headers: dict[str, str]) -> tuple[int, list[str], bytes]:
        """Status, extra header lines and body for one GET; counts the request by kind."""
        path = target.split("?", 1)[0]
        if path == "/robots.txt":
            self.traffic["robots"] += 1
            return 200, ["Content-Type: text/plain"], ROBOTS_TXT
        if path in ("/feed.xml", "/news/"):
            return self._index_page(host, path, headers)
        index = _page_index(path)
        if index is None or index >= self.corpus.size or self.host_of(index) != host:
            self.traffic["not_found"] += 1
            return 404, ["Content-Type: text/plain"], b"not found\n"
        return self._page(index, headers)

    def _page(self, index: int, headers: dict[str, str]) -> tuple[int, list[str], bytes]:
        version = self.versions[index]
        etag, modified = self.corpus.etag(index, version), self.corpus.last_modified(index, version)
        validators = [f"ETag: {etag}", f"Last-Modified: {modified}", "Cache-Control: no-cache"]
        if _not_modified(headers, etag, modified):
            self.traffic["page_304"] += 1
            return 304, validators, b""
        self.traffic["page_200"] += 1
        body = self._page_body(index, version)
        self.traffic["bytes"] += len(body)
        return 200, ["Content-Type: text/html; charset=utf-8", *validators], body

    def _page_body(self, index: int, version: int) -> bytes:
        cached = self._cache.get((index, version))
        if cached is not None:
            return cached
        body = self.corpus.page(index, version).body
        if self._cache_left >= len(body):
            self._cache[(index, version)] = body
            self._cache_left -= len(body)
        return body

    def _index_page(self, host: int, path: str, headers: dict[str, str]) -> tuple[int, list[str], bytes]:
        pages = self.pages_of(host)[-50:][::-1]  # the newest fifty, newest first
        versions = [self.versions[i] for i in pages]
        base = self.base_url(host)
        if path == "/feed.xml":
            kind, media, body = "feed", "application/rss+xml", feed_xml(self.corpus, pages, base, versions)
        else:
            kind, media, body = (
                "listing",
                "text/html; charset=utf-8",
                listing_html(self.corpus, pages, base, versions),
            )
        etag = '"' + blake2b(body, digest_size=8).hexdigest() + '"'
        if _not_modified(headers, etag, None):
            self.traffic[f"{kind}_304"] += 1
            return 304, [f"ETag: {etag}"], b""
        self.traffic[f"{kind}_200"] += 1
        return 200, [f"Content-Type: {media}", f"ETag: {etag}", "Cache-Control: no-cache"], body


_REASONS = {200: "OK", 304: "Not Modified", 404: "Not Found"}


def _parse_head(head: bytes) -> tuple[str, str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    method, target, version = (lines[0].split(" ", 2) + ["", ""])[:3]
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return method, target, version, headers


def _page_index(path: str) -> int | None:
    if not (path.startswith("/news/") and path.endswith(".html")):
        return None
    digits = path[len("/news/") : -len(".html")]
    return int(digits) if digits.isdigit() else None


def _not_modified(headers: dict[str, str], etag: str, last_modified: str | None) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present; If-Modified-Since only without it."""
    if "if-none-match" in headers:
        return etag in {tag.strip().removeprefix("W/") for tag in headers["if-none-match"].split(",")}
    since = headers.get("if-modified-since")
    if since is None or last_modified is None:
        return False
    try:
        return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


def _free_port(address: str) -> int:
    with socket.socket() as probe:
        probe.bind((address, 0))
        port: int = probe.getsockname()[1]
        return port

"""The fetch stage: polite, incremental and fault-proof downloads of many URLs at once.

``Fetcher.fetch_all`` takes ``FetchRequest`` s and returns one ``FetchResult`` per request, in order,
and never raises for a bad URL or server. Each URL goes through the same steps:

    admit      scheme, private-address rule (resolved at fetch time), robots.txt
    exchange   per-host turn (politeness), conditional GET, redirects hop by hop (each hop admitted
               again), retries with backoff for timeouts, connection errors, 5xx, 429
    read       content-type allow-list, streaming size cap, total-time bound
    finish     charset decoding, content hash; 304 → not_modified, same hash → unchanged

The API is synchronous; inside, one private event loop drives an ``httpx.AsyncClient``.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from types import MappingProxyType, TracebackType
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

from etl.config import FetchSettings
from etl.discover import content_hash
from etl.models import FetchRequest, FetchResult, Validators
from etl.politeness import HostGate, Transient, backoff_wait
from etl.response import (
    ALLOWED_TYPES,
    Answer,
    Stop,
    check_status,
    conditional_headers,
    decode_body,
    read_answer,
    release,
    transport_failure,
)
from etl.robots import ROBOTS_MAX_BYTES, RobotsCache, RobotsRecord, robots_url
from etl.urls import ParsedAddress, is_private_address, is_private_host, parse_address, same_host

__all__ = ["Fetcher", "RobotsRecord", "ALLOWED_TYPES"]

log = logging.getLogger(__name__)

ACCEPT = ("text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
          "application/xml;q=0.9,text/xml;q=0.9,text/plain;q=0.8,*/*;q=0.1")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Fetcher:
    """Fetch many URLs politely. Use as a context manager so the connection pool is closed."""

    def __init__(
        self,
        settings: FetchSettings,
        robots: Mapping[str, RobotsRecord] = MappingProxyType({}),
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._settings = settings
        self._now = now
        self._robots = RobotsCache(robots, settings.user_agent, now)
        self._gates: dict[str, HostGate] = {}
        self._addresses: dict[str, list[ParsedAddress] | None] = {}
        self._loop = asyncio.new_event_loop()
        self._client: httpx.AsyncClient | None = None
        self._global: asyncio.Semaphore | None = None
        self._proxied = bool(getproxies())  # httpx honours the same environment variables

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._loop.is_closed():
            return
        if self._client is not None:
            self._loop.run_until_complete(self._client.aclose())
        self._loop.close()

    def fetch_all(self, requests: Sequence[FetchRequest]) -> list[FetchResult]:
        """One result per request, in the same order."""
        return self._loop.run_until_complete(self._fetch_all(requests))

    def robots_updates(self) -> list[RobotsRecord]:
        """robots.txt answers downloaded by this Fetcher, for the warehouse to keep."""
        return list(self._robots.updates)

    # --- orchestration ---------------------------------------------------------------------------

    async def _fetch_all(self, requests: Sequence[FetchRequest]) -> list[FetchResult]:
        if self._client is None:
            self._client = self._make_client()
            self._global = asyncio.Semaphore(self._settings.concurrency)
        return list(await asyncio.gather(*(self._fetch_one(request) for request in requests)))

    def _make_client(self) -> httpx.AsyncClient:
        settings = self._settings
        timeouts = settings.timeouts
        return httpx.AsyncClient(
            http2=settings.http2,
            timeout=httpx.Timeout(connect=timeouts.connect, read=timeouts.read, write=timeouts.read,
                                  pool=timeouts.total),
            limits=httpx.Limits(max_connections=settings.concurrency,
                                max_keepalive_connections=settings.concurrency),
            headers={"User-Agent": settings.full_user_agent, "Accept": ACCEPT},
            follow_redirects=False,  # each hop is admitted again: robots and the private-address rule
        )

    async def _fetch_one(self, request: FetchRequest) -> FetchResult:
        started = time.perf_counter()
        try:
            result = await self._fetch_checked(request, started)
        except Stop as stop:
            result = self._stopped(request, stop, started)
        except Exception as exc:  # a bug must not sink the other URLs of the batch
            log.exception("%s: unexpected failure fetching %s", request.source_id, request.url)
            result = self._stopped(request, Stop("error", "internal_error", repr(exc)), started)
        log.info("fetch %s %s %s%s status=%s %.0fms", request.source_id, request.url, result.outcome,
                 f" ({result.error_class})" if result.error_class else "", result.status, result.elapsed_ms)
        return result

    async def _fetch_checked(self, request: FetchRequest, started: float) -> FetchResult:
        url = request.url
        for _ in range(self._settings.max_redirects + 1):
            await self._admit(url, request)
            answer = await self._with_retries(url, request)
            if answer.location is None:
                return self._finish(request, answer, started)
            url = answer.location
        raise Stop("error", "too_many_redirects", f"more than {self._settings.max_redirects} redirects",
                    final_url=url)

    # --- admission ----------------------------------------------------------------------------------

    async def _admit(self, url: str, request: FetchRequest) -> None:
        scheme, host, port = _split(url)
        if scheme not in ("http", "https") or not host:
            raise Stop("error", "invalid_url", f"not an absolute http(s) URL: {url}", final_url=url)
        await self._check_address(host, port, request.trusted_host, url)
        if self._settings.robots:
            await self._check_robots(url, request)

    async def _check_address(self, host: str, port: int | None, trusted: str | None, url: str) -> None:
        """Refuse private, loopback and link-local targets unless the host is the trusted one."""
        if same_host(host, trusted):
            return
        if is_private_host(host):
            reason = f"{host} is a private or loopback address"
            raise Stop("skipped", "private_address", reason, final_url=url)
        addresses = await self._resolve(host, port)
        if addresses is None:
            raise Stop("error", "dns_error", f"cannot resolve {host}", final_url=url)
        if any(is_private_address(address) for address in addresses):
            raise Stop("skipped", "private_address", f"{host} resolves to a private address", final_url=url)

    async def _resolve(self, host: str, port: int | None) -> list[ParsedAddress] | None:
        if host not in self._addresses:
            literal = parse_address(host)
            self._addresses[host] = [literal] if literal else await self._lookup(host, port)
        return self._addresses[host]

    async def _lookup(self, host: str, port: int | None) -> list[ParsedAddress] | None:
        try:
            infos = await self._loop.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return None
        parsed = (parse_address(str(info[4][0]).split("%")[0]) for info in infos)
        return [address for address in parsed if address is not None]

    async def _check_robots(self, url: str, request: FetchRequest) -> None:
        rules = await self._robots.rules(url, lambda key: self._download_robots(key, request))
        if rules.unavailable:
            raise Stop("error", "robots_unreachable",
                        f"robots.txt answered {rules.record.status or 'nothing'}", final_url=url)
        if not rules.allowed(url):
            raise Stop("skipped", "robots_disallowed", "robots.txt disallows this URL", final_url=url)
        self._gate(url).crawl_delay = min(rules.crawl_delay(), self._settings.retry_after_cap)

    async def _download_robots(self, key: str, request: FetchRequest) -> RobotsRecord:
        url = robots_url(key)
        status, body = 0, ""
        try:
            for _ in range(self._settings.max_redirects + 1):
                answer = await self._attempt(url, request, ROBOTS_MAX_BYTES, raw=True)
                if answer.location is None:
                    status, body = answer.status, answer.body.decode("utf-8", "replace")
                    break
                url = answer.location
                await self._check_address(urlsplit(url).hostname or "", None, request.trusted_host, url)
            else:
                status = 404  # RFC 9309: give up after redirects and treat it as no robots.txt
        except Stop as stop:  # a redirect to a refused address counts as no robots.txt
            status = 404 if stop.outcome == "skipped" else 0
        except Transient:
            status = 0
        return RobotsRecord(host=key, status=status, body=body, fetched_at=self._now())

    # --- exchanges ------------------------------------------------------------------------------------

    def _gate(self, url: str) -> HostGate:
        host = (urlsplit(url).hostname or "").lower()
        if host not in self._gates:
            settings = self._settings
            self._gates[host] = HostGate(settings.per_host, settings.min_delay, settings.jitter)
        return self._gates[host]

    async def _with_retries(self, url: str, request: FetchRequest) -> Answer:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._settings.retries + 1),
            wait=backoff_wait(self._settings.backoff),
            retry=retry_if_exception_type(Transient),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._attempt(url, request, self._settings.max_bytes)
        except Transient as exc:
            assert isinstance(exc.result, Stop)
            raise exc.result from None
        raise AssertionError("tenacity ended without an outcome")  # pragma: no cover

    async def _attempt(self, url: str, request: FetchRequest, limit: int, raw: bool = False) -> Answer:
        """One HTTP exchange in the host's turn, bounded by the total timeout."""
        gate = self._gate(url)
        assert self._global is not None
        total = self._settings.timeouts.total
        async with gate.turn(), self._global:
            try:
                async with asyncio.timeout(total):
                    return await self._exchange(url, request, gate, limit, raw)
            except TimeoutError:
                raise Transient(Stop("error", "timeout", f"no complete answer within {total:g}s",
                                      final_url=url)) from None
            except httpx.TransportError as exc:
                raise transport_failure(exc, url) from None

    async def _exchange(self, url: str, request: FetchRequest, gate: HostGate, limit: int,
                        raw: bool) -> Answer:
        assert self._client is not None
        headers = {} if raw else conditional_headers(request.validators)
        outgoing = self._client.build_request("GET", url, headers=headers)
        response = await self._client.send(outgoing, stream=True)
        try:
            self._check_peer(response, url, request.trusted_host)
            if not raw:
                check_status(response, url, gate, self._settings.retry_after_cap)
            return await read_answer(response, url, limit, raw)
        finally:
            await release(response)

    def _check_peer(self, response: httpx.Response, url: str, trusted: str | None) -> None:
        """Refuse the body if the connection went to a private address after all: the name may have
        re-resolved since it was checked (DNS rebinding). Behind a proxy the peer is the proxy."""
        host = urlsplit(url).hostname or ""
        if self._proxied or same_host(host, trusted):
            return
        stream = response.extensions.get("network_stream")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        address = parse_address(str(peer[0])) if peer else None
        if address is not None and is_private_address(address):
            reason = f"{host} connected to the private address {address}"
            raise Stop("skipped", "private_address", reason, final_url=url, status=response.status_code)

    # --- results --------------------------------------------------------------------------------------

    def _finish(self, request: FetchRequest, answer: Answer, started: float) -> FetchResult:
        common = self._common(request, started, answer)
        if answer.status == 304:
            old = request.validators
            validators = Validators(answer.etag or old.etag, answer.last_modified or old.last_modified,
                                    old.content_hash)
            return FetchResult(outcome="not_modified", validators=validators, **common)
        text, encoding = decode_body(answer.body, answer.charset, answer.truncated)
        digest = content_hash(text, answer.content_type or "text/html")
        validators = Validators(answer.etag, answer.last_modified, digest)
        if digest == request.validators.content_hash:
            return FetchResult(outcome="unchanged", validators=validators, encoding=encoding, **common)
        return FetchResult(outcome="ok", text=text, validators=validators, encoding=encoding, **common)

    def _common(self, request: FetchRequest, started: float, answer: Answer) -> dict[str, Any]:
        return {
            "url": request.url,
            "source_id": request.source_id,
            "fetched_at": self._now(),
            "final_url": answer.url,
            "status": answer.status,
            "content_type": answer.content_type,
            "bytes_read": len(answer.body),
            "elapsed_ms": (time.perf_counter() - started) * 1000,
            "truncated": answer.truncated,
        }

    def _stopped(self, request: FetchRequest, stop: Stop, started: float) -> FetchResult:
        return FetchResult(
            url=request.url,
            source_id=request.source_id,
            outcome=stop.outcome,
            fetched_at=self._now(),
            elapsed_ms=(time.perf_counter() - started) * 1000,
            error_class=stop.error_class,
            error=stop.reason,
            **stop.fields,
        )


def _split(url: str) -> tuple[str, str | None, int | None]:
    """Scheme, host and port; a malformed authority ('http://[::1', port 99999) gives no host."""
    try:
        parts = urlsplit(url)
        return parts.scheme, parts.hostname, parts.port
    except ValueError:
        return "", None, None


"""robots.txt answers: parsed with protego, cached per origin, reused across runs.

The warehouse keeps every answer as a ``RobotsRecord`` and hands them back to the next
``Fetcher``; an answer younger than ``ROBOTS_TTL`` is used as is, so an unchanged pass costs no
extra robots.txt requests. Status rules follow RFC 9309: 2xx → the rules, 4xx → no rules (all
allowed), 5xx or no answer → the site is treated as unavailable for this run and not remembered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from protego import Protego

ROBOTS_TTL = timedelta(hours=24)
ROBOTS_MAX_BYTES = 500_000  # RFC 9309 asks crawlers to parse at least 500 KiB


@dataclass(frozen=True)
class RobotsRecord:
    """One robots.txt answer. ``host`` is the origin it applies to, e.g. ``https://example.org``."""

    host: str
    status: int  # HTTP status, 0 when the server could not be reached
    body: str
    fetched_at: datetime


def origin(url: str) -> str:
    """robots.txt applies per scheme, host and port."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def robots_url(url: str) -> str:
    return origin(url) + "/robots.txt"


def is_fresh(record: RobotsRecord, now: datetime) -> bool:
    return record.fetched_at <= now < record.fetched_at + ROBOTS_TTL


def is_cacheable(record: RobotsRecord) -> bool:
    """Server errors and 429 are transient; remembering them for a day would silence a site needlessly."""
    return 200 <= record.status < 500 and record.status != 429


class RobotsRules:
    """What a robots answer permits for one user agent."""

    def __init__(self, record: RobotsRecord, user_agent: str) -> None:
        self.record = record
        self._agent = user_agent.split("/")[0]  # robots groups name the product token only
        self._parser = Protego.parse(record.body) if 200 <= record.status < 300 else None

    @property
    def unavailable(self) -> bool:
        return not is_cacheable(self.record)

    def allowed(self, url: str) -> bool:
        if self._parser is None:
            return not self.unavailable
        return bool(self._parser.can_fetch(url, self._agent))

    def crawl_delay(self) -> float:
        if self._parser is None:
            return 0.0
        delay = self._parser.crawl_delay(self._agent)
        return float(delay) if delay else 0.0


Download = Callable[[str], Awaitable[RobotsRecord]]


class RobotsCache:
    """Robots rules per origin: seeded from stored answers, downloaded once per origin when stale."""

    def __init__(
        self, records: Mapping[str, RobotsRecord], user_agent: str, now: Callable[[], datetime]
    ) -> None:
        self._records = dict(records)
        self._user_agent = user_agent
        self._now = now
        self._pending: dict[str, asyncio.Task[RobotsRules]] = {}
        self.updates: list[RobotsRecord] = []

    async def rules(self, url: str, download: Download) -> RobotsRules:
        """The rules for ``url``'s origin; concurrent callers share one download."""
        key = origin(url)
        if key not in self._pending:
            self._pending[key] = asyncio.get_running_loop().create_task(self._load(key, download))
        return await self._pending[key]

    async def _load(self, key: str, download: Download) -> RobotsRules:
        record = self._records.get(key)
        if record is None or not is_fresh(record, self._now()):
            record = await download(key)
            if is_cacheable(record):
                self._records[key] = record
                self.updates.append(record)
        return RobotsRules(record, self._user_agent)

"""How hard we may press one host: per-host concurrency, spacing, Retry-After and backoff.

``httpx.Limits`` only bounds the whole pool, so every host gets its own ``HostGate``: a semaphore
of ``per_host`` slots and a reservation clock that spaces request starts by
``max(min_delay, Crawl-delay)`` plus random jitter. A 429/503 with Retry-After pushes the host's
clock forward, so every queued request to that host waits, not only the one that was refused.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from email.utils import parsedate_to_datetime

from tenacity import RetryCallState


class Transient(Exception):
    """An attempt failed in a way worth retrying; ``retry_after`` is the server's own wish, if any."""

    def __init__(self, result: object, retry_after: float | None = None) -> None:
        super().__init__("transient failure")
        self.result = result
        self.retry_after = retry_after


class HostGate:
    """Admission to one host: at most ``per_host`` in flight, starts at least ``delay`` apart."""

    def __init__(self, per_host: int, min_delay: float, jitter: float) -> None:
        self._slots = asyncio.Semaphore(per_host)
        self._min_delay = min_delay
        self._jitter = jitter
        self._next_start = 0.0
        self.crawl_delay = 0.0

    def _reserve(self) -> float:
        """Claim the next start time; synchronous, so no two requests can claim the same one."""
        now = time.monotonic()
        start = max(now, self._next_start)
        spacing = max(self._min_delay, self.crawl_delay)
        if spacing or self._jitter:
            spacing += random.uniform(0, self._jitter)
        self._next_start = start + spacing
        return start - now

    def defer(self, seconds: float) -> None:
        """Hold every further request to this host for ``seconds`` (Retry-After)."""
        self._next_start = max(self._next_start, time.monotonic() + seconds)

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        async with self._slots:
            wait = self._reserve()
            if wait > 0:
                await asyncio.sleep(wait)
            yield


def parse_retry_after(value: str | None, cap: float) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date), clamped to [0, cap]; None if absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return min(max(seconds, 0.0), cap)


def backoff_wait(backoff: float) -> Callable[[RetryCallState], float]:
    """A tenacity wait: the server's Retry-After if it sent one, else exponential with full jitter."""

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, Transient) and exc.retry_after is not None:
            return float(exc.retry_after)
        base: float = backoff * 2 ** (state.attempt_number - 1)
        return base + random.uniform(0, backoff)

    return wait

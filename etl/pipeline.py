"""One monitoring cycle, and one digest, as ordinary functions.

``run_once`` calls the stages in order and passes plain data between them:
config → due sources → fetch → discover → fetch articles → extract → warehouse load.
The daemon (``etl.schedule``) and ``twinwatch run`` (cron) call the same function.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from etl.config import Config, Source, parse_interval
from etl.crontab import next_due
from etl.discover import discover_links
from etl.fetch import Fetcher, RobotsRecord
from etl.models import (
    Document,
    ExtractedDocument,
    Fact,
    FetchRequest,
    FetchResult,
    Hints,
    Link,
    RunSummary,
    Validators,
)
from etl.store import Warehouse, run_lock
from etl.urls import canonicalize

if TYPE_CHECKING:
    from etl.extract import Gazetteer

log = logging.getLogger(__name__)

T = TypeVar("T")

# A source is due a little early rather than a whole period late: cron and the daemon's jitter
# never fire at exactly the same second as the previous fetch plus its interval.
DUE_TOLERANCE = timedelta(seconds=30)


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- which sources run


def select_sources(
    config: Config,
    last_fetch: dict[str, datetime],
    now: datetime,
    source_ids: Sequence[str] | None = None,
    all_sources: bool = False,
) -> list[Source]:
    """Enabled sources that are due (or all of them, or exactly the ids asked for)."""
    if source_ids:
        return [config.source(source_id) for source_id in source_ids]
    enabled = [source for source in config.sources if source.enabled]
    if all_sources:
        return enabled
    timezone = config.digest.timezone
    due = []
    for source in enabled:
        last = last_fetch.get(source.id)
        when = next_due(source.schedule, timezone, last) if last is not None else None
        if when is None or when <= now + DUE_TOLERANCE:
            due.append(source)
    return due


# --- fetch and discover


@dataclass(frozen=True)
class Collected:
    """What one cycle got from the network, already extracted."""

    results: tuple[FetchResult, ...]  # every fetch outcome, source pages first; bodies dropped
    extracted: tuple[ExtractedDocument, ...]  # raw pages dropped: the warehouse keeps the main text


# Pages are fetched and extracted this many at a time, so memory per page stays flat however
# many pages a cycle brings.
ARTICLE_BATCH = 200

Extractor = Callable[[Document, Source], ExtractedDocument | None]
PlannedArticle = tuple[FetchRequest, Link, Source]


def _request(url: str, source: Source, validators_by_url: Mapping[str, Validators]) -> FetchRequest:
    return FetchRequest(
        url=url,
        source_id=source.id,
        validators=validators_by_url.get(url, Validators()),
        trusted_host=source.host,
    )


def _document(result: FetchResult, source: Source, link: Link | None = None) -> Document:
    return Document(
        url=result.url,
        source_id=source.id,
        content=result.text or "",
        content_type=result.content_type or "text/html",
        content_hash=result.validators.content_hash or "",
        fetched_at=result.fetched_at,
        title=link.title if link else None,
        published=link.published if link else None,
    )


class PriorState(Protocol):
    """What a cycle needs to know from earlier cycles (the warehouse, or nothing for a dry run)."""

    def validators(self, urls: Sequence[str]) -> dict[str, Validators]: ...

    def known_urls(self, urls: Sequence[str]) -> set[str]: ...


class NoPriorState:
    """A dry run: nothing fetched before, nothing remembered."""

    def validators(self, urls: Sequence[str]) -> dict[str, Validators]:
        return {}

    def known_urls(self, urls: Sequence[str]) -> set[str]:
        return set()


def _new_links(source: Source, result: FetchResult, warehouse: PriorState) -> list[Link]:
    links = discover_links(source, result)
    if not source.refetch:
        known = warehouse.known_urls([link.url for link in links])
        links = [link for link in links if link.url not in known]
    if len(links) > source.max_new:
        log.info(
            "%s: %d new articles, fetching the first %d (max_new)", source.id, len(links), source.max_new
        )
    return links[: source.max_new]


def _article_requests(source: Source, result: FetchResult, prior: PriorState) -> list[PlannedArticle]:
    links = _new_links(source, result, prior)
    validators = prior.validators([link.url for link in links])
    return [(_request(link.url, source, validators), link, source) for link in links]


def _batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _progress(what: str, done: int, total: int) -> None:
    if total > ARTICLE_BATCH:  # long runs only: one line per batch
        log.info("%s: %d of %d fetched", what, min(done * ARTICLE_BATCH, total), total)


def collect(
    sources: Sequence[Source], fetcher: Fetcher, prior: PriorState, extract: Extractor
) -> Collected:
    """Fetch every source page, then the new articles that feeds and listings point to; extract each.

    Both go in batches, and a body is dropped as soon as it is extracted (or its links are read),
    so memory per page stays flat however many pages a cycle brings.
    """
    source_urls = {source.id: canonicalize(source.url) for source in sources}
    known = prior.validators(list(source_urls.values()))
    results: list[FetchResult] = []
    extracted: list[ExtractedDocument | None] = []
    planned: list[PlannedArticle] = []
    for done, batch in enumerate(_batches(sources, ARTICLE_BATCH), start=1):
        fetched = fetcher.fetch_all([_request(source_urls[source.id], source, known) for source in batch])
        for source, result in zip(batch, fetched, strict=True):
            if result.ok and source.kind == "page":
                extracted.append(extract(_document(result, source), source))
            elif result.ok:
                planned.extend(_article_requests(source, result, prior))
            results.append(replace(result, text=None))
        _progress("sources", done, len(sources))
    for done, articles in enumerate(_batches(planned, ARTICLE_BATCH), start=1):
        fetched = fetcher.fetch_all([request for request, _, _ in articles])
        for (_, link, source), result in zip(articles, fetched, strict=True):
            if result.ok:
                extracted.append(extract(_document(result, source, link), source))
            results.append(replace(result, text=None))
        _progress("articles", done, len(planned))
    return Collected(tuple(results), tuple(doc for doc in extracted if doc is not None))


# --- extract


def extractor(today: date, gazetteer: Gazetteer | None = None) -> Extractor:
    """The pure extractor with each source's hints; one broken page never stops the run.

    The extractor's libraries and the gazetteer load on the first page that needs them, so a pass
    where nothing changed parses nothing and loads nothing.
    """
    loaded: list[Gazetteer] = [gazetteer] if gazetteer is not None else []

    def extract(document: Document, source: Source) -> ExtractedDocument | None:
        from etl.extract import extract_document, load_gazetteer

        if not loaded:
            loaded.append(load_gazetteer())
        hints = Hints(home=source.home, lang=source.lang, today=today)
        try:
            extracted = extract_document(document, loaded[0], hints)
        except Exception:  # a parser bug on one page must not lose the other pages
            log.exception("%s: extraction failed for %s", source.id, document.url)
            return None
        return replace(extracted, document=replace(document, content=""))

    return extract


# --- one cycle


def _failures(sources: Sequence[Source], results: Sequence[FetchResult]) -> list[str]:
    by_source = {result.source_id: result for result in results[: len(sources)]}
    lines = []
    for source in sources:
        result = by_source.get(source.id)
        if result is not None and result.failed:
            status = result.status if result.status is not None else "-"
            lines.append(f"{source.id}: {status} {source.url}: {result.error_class}: {result.error}")
    return lines


def _summary(
    run_id: int, started: datetime, sources: Sequence[Source], collected: Collected, loaded: object
) -> RunSummary:
    results = collected.results
    failures = _failures(sources, results)
    return RunSummary(
        run_id=run_id,
        started_at=started,
        finished_at=utcnow(),
        sources_total=len(sources),
        sources_failed=len(failures),
        pages_fetched=sum(1 for r in results if r.outcome == "ok"),
        pages_unchanged=sum(1 for r in results if r.outcome in ("not_modified", "unchanged")),
        pages_skipped=sum(1 for r in results if r.outcome == "skipped"),
        documents_parsed=len(collected.extracted),
        facts=int(getattr(loaded, "facts", 0)),
        events=int(getattr(loaded, "events", 0)),
        failures=tuple(failures),
    )


def _stale_after(sources: Sequence[Source]) -> dict[str, timedelta]:
    limits = {}
    for source in sources:
        interval = parse_interval(source.stale_after) if source.stale_after else None
        if interval is not None:
            limits[source.id] = interval
    return limits


def run_once(
    config: Config,
    db_path: Path,
    *,
    source_ids: Sequence[str] | None = None,
    all_sources: bool = False,
    now: datetime | None = None,
    gazetteer: Gazetteer | None = None,
    lock_timeout: float = 60.0,
    clock: Callable[[], datetime] = utcnow,
) -> RunSummary:
    """One cycle over the due sources. The warehouse is held only for the duration of the cycle."""
    started = now or clock()
    with run_lock(db_path, lock_timeout), Warehouse.open(db_path) as warehouse:
        warehouse.sync_sources(config.sources)
        sources = select_sources(config, warehouse.last_fetch_times(), started, source_ids, all_sources)
        run_id = warehouse.start_run(started)
        if not sources:
            summary = RunSummary(run_id=run_id, started_at=started, finished_at=clock())
            warehouse.finish_run(summary)
            return summary
        fetch_clock = (lambda: started) if now is not None else clock
        extract = extractor(started.date(), gazetteer)
        with Fetcher(config.fetch, _robots(warehouse), now=fetch_clock) as fetcher:
            collected = collect(sources, fetcher, warehouse, extract)
            robots_updates = fetcher.robots_updates()
        loaded = warehouse.load_run(
            run_id,
            collected.results,
            collected.extracted,
            started,
            failing_after=config.fetch.failing_after,
            stale_after=_stale_after(sources),
            source_urls={source.id: canonicalize(source.url) for source in sources},
        )
        warehouse.save_robots(robots_updates)
        summary = _summary(run_id, started, sources, collected, loaded)
        if now is not None:  # a simulated clock (the demo) keeps its runs on that clock
            summary = replace(summary, finished_at=started)
        warehouse.finish_run(summary)
    _log_summary(summary)
    return summary


def _robots(warehouse: Warehouse) -> dict[str, RobotsRecord]:
    return {
        host: RobotsRecord(host=host, status=status, body=body, fetched_at=fetched_at)
        for host, (status, body, fetched_at) in warehouse.robots_cache().items()
    }


def _log_summary(summary: RunSummary) -> None:
    log.info(
        "run %d: %d sources (%d failed), %d pages fetched, %d unchanged, %d documents, %d facts, %d events",
        summary.run_id,
        summary.sources_total,
        summary.sources_failed,
        summary.pages_fetched,
        summary.pages_unchanged,
        summary.documents_parsed,
        summary.facts,
        summary.events,
    )  # failing sources are reported once, by the caller: `run` and the demo print them, the daemon logs them


# --- a dry run of one source


@dataclass(frozen=True)
class CheckReport:
    lines: tuple[str, ...]  # one line per fetch
    facts: tuple[tuple[str, Fact], ...]  # (document URL, fact)
    failed: bool


def check_source(
    config: Config, source: Source, *, limit: int = 5, gazetteer: Gazetteer | None = None
) -> CheckReport:
    """Fetch one source and its first ``limit`` articles and extract them; persist nothing."""
    limited = source.model_copy(update={"max_new": limit, "enabled": True})
    extract = extractor(utcnow().date(), gazetteer)
    with Fetcher(config.fetch) as fetcher:
        collected = collect([limited], fetcher, NoPriorState(), extract)
    lines = tuple(
        f"{r.outcome:<12} {r.status if r.status is not None else '-':>4} {r.bytes_read:>8} B  {r.url}"
        + (f"  ({r.error_class}: {r.error})" if r.error_class else "")
        for r in collected.results
    )
    facts = tuple((doc.document.url, fact) for doc in collected.extracted for fact in doc.facts)
    return CheckReport(lines, facts, failed=collected.results[0].failed)

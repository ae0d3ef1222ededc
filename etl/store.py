"""The warehouse: one DuckDB file with the full history of fetches, documents, claims and events.

The pipeline opens it for the duration of one job (``with Warehouse.open(path) as wh:``), so
readers such as ``twinwatch query`` are locked out only while a run writes. Schema changes are
numbered SQL files in ``etl/migrations`` (a link to ``warehouse/migrations``), applied on open and
recorded in ``schema_version``. ``load_run`` writes a whole run in one transaction: a run killed
half-way leaves the previous state, and the next run loads everything again.

Loads are set-based: each batch becomes an Arrow table, de-duplicated on its key with an explicit
preference (DuckDB's ``ON CONFLICT`` would silently keep the first in-batch duplicate), then
upserted with one statement per table. Partnership state and events are derived in
``etl.reconcile``; source health in ``etl.store_health``; read models in ``etl.store_read``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import pyarrow as pa

from etl import store_read
from etl.config import Source
from etl.errors import WarehouseError, WarehouseLockedError
from etl.lock import run_lock
from etl.models import ExtractedDocument, FetchResult, PartnershipEvent, RunSummary, SourceHealth, Validators
from etl.reconcile import reconcile
from etl.store_health import update_health
from etl.store_load import TEMP_TABLES, load_claims
from etl.store_rows import (
    aware_utc,
    document_table,
    fact_table,
    fetch_table,
    naive_utc,
    place_table,
    primary_table,
    robots_table,
    source_table,
    url_table,
)

__all__ = ["LoadSummary", "Warehouse", "run_lock", "MIGRATIONS_DIR", "BUSY_MESSAGE"]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
BUSY_MESSAGE = "the warehouse is busy: a twinwatch run is writing it; try again in a minute"
EXPORT_TABLES = ("sources", "runs", "fetches", "documents", "places", "facts", "partnerships",
                 "partnership_events", "source_health", "health_transitions", "robots_cache", "digests")
_MIGRATION_NAME = re.compile(r"^(\d+)_[\w-]+\.sql$")
_OK_OUTCOMES = "('ok', 'not_modified', 'unchanged')"
SCHEMA_VERSION_SQL = """CREATE TABLE IF NOT EXISTS schema_version
    (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"""


@dataclass(frozen=True)
class LoadSummary:
    documents: int
    facts: int
    events: int
    events_by_kind: dict[str, int] = field(default_factory=dict)


def migrations(directory: Path = MIGRATIONS_DIR) -> list[tuple[int, Path]]:
    found = [(int(m.group(1)), p) for p in directory.glob("*.sql") if (m := _MIGRATION_NAME.match(p.name))]
    return sorted(found)


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseLockedError(f"{BUSY_MESSAGE} ({path})") from None
        raise WarehouseError(f"{path}: cannot open the warehouse: {exc}") from None
    except duckdb.Error as exc:
        raise WarehouseError(f"{path}: cannot open the warehouse: {exc}") from None


# Digest statuses that close a period: delivered, or an empty week deliberately not sent.
_DONE = "('sent', 'skipped')"


class Warehouse:
    """An open warehouse. Open it per job and close it promptly (``with Warehouse.open(path) as wh``):
    while a process holds the file read-write, DuckDB lets no other process open it at all.

    Writers: ``sync_sources``, ``start_run``/``finish_run``, ``load_run`` (one transaction per run),
    ``save_robots``, ``record_digest``. Readers: ``validators``, ``known_urls``, ``robots_cache``,
    ``last_fetch_times``, ``events_between``, ``health_between``, ``run_stats``, ``weekly_counts``,
    ``last_digest_sent``, ``digest_sent_for``, ``query``, ``export_parquet``.
    """

    run_lock = staticmethod(run_lock)  # also importable from etl.store / etl.lock

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
        self.con = con
        self.path = path
        self.read_only = read_only

    # --- lifecycle -------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, read_only: bool = False) -> Warehouse:
        path = Path(path)
        if read_only and not path.exists():
            raise WarehouseError(f"{path}: no warehouse yet (run `twinwatch run` first, or pass --db)")
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        warehouse = cls(_connect(path, read_only), path, read_only)
        try:
            warehouse._check_or_migrate()
        except BaseException:
            warehouse.close()
            raise
        return warehouse

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _value(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> Any:
        """First column of the first row. Always fetches everything: DuckDB 2.0 refuses to register a
        table on a connection that still holds a partly read result."""
        rows = self.con.execute(sql, params).fetchall()
        return rows[0][0] if rows else None

    def schema_version(self) -> int:
        if not self._value("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_version'"):
            return 0
        return int(self._value("SELECT coalesce(max(version), 0) FROM schema_version"))

    def _check_or_migrate(self) -> None:
        known, current = migrations(), self.schema_version()
        if known and current > known[-1][0]:
            raise WarehouseError(f"{self.path}: schema {current} was written by a newer twinwatch "
                                 f"(this one knows up to {known[-1][0]}); upgrade twinwatch")
        pending = [(v, p) for v, p in known if v > current]
        if pending and self.read_only:
            raise WarehouseError(f"{self.path}: the warehouse needs upgrading to schema "
                                 f"{pending[-1][0]}; run `twinwatch run` once to upgrade it")
        for version, path in pending:
            self._apply(version, path)

    def _apply(self, version: int, path: Path) -> None:
        """Each migration commits with its schema_version row, so a crash never half-applies one."""
        with self._transaction(f"migration {path.name}"):
            self.con.execute(SCHEMA_VERSION_SQL)
            self.con.execute(path.read_text(encoding="utf-8"))
            self.con.execute("INSERT INTO schema_version VALUES (?, ?, ?)",
                             [version, path.name, naive_utc(datetime.now(UTC))])

    @contextmanager
    def _transaction(self, what: str) -> Iterator[None]:
        self.con.begin()
        try:
            yield
            self.con.commit()
        except duckdb.Error as exc:
            self.con.rollback()
            raise WarehouseError(f"{self.path}: {what} failed and was rolled back: {exc}") from exc
        except BaseException:
            self.con.rollback()
            raise

    @contextmanager
    def _registered(self, tables: Mapping[str, pa.Table]) -> Iterator[None]:
        for name, table in tables.items():
            self.con.register(name, table)
        try:
            yield
        finally:
            for name in tables:
                self.con.unregister(name)

    # --- configuration and runs --------------------------------------------------------------------

    def sync_sources(self, sources: Sequence[Source]) -> None:
        """Mirror sources.yaml; a source removed from it keeps its history, marked ``in_config = false``."""
        now = naive_utc(datetime.now(UTC))
        with self._registered({"batch_sources": source_table(sources)}), self._transaction("source sync"):
            self.con.execute(SOURCES_SQL, {"now": now})
            self.con.execute("UPDATE sources SET in_config = false, updated_at = $now WHERE in_config "
                             "AND source_id NOT IN (SELECT source_id FROM batch_sources)", {"now": now})

    def start_run(self, started_at: datetime) -> int:
        # Runs start under the run lock, so a run still without an outcome died mid-way (kill -9).
        self.con.execute("UPDATE runs SET outcome = 'interrupted' WHERE outcome IS NULL")
        return int(self._value("INSERT INTO runs (started_at) VALUES (?) RETURNING run_id",
                               [naive_utc(started_at)]))

    def finish_run(self, summary: RunSummary) -> None:
        s = summary
        self.con.execute(FINISH_RUN_SQL, [
            s.run_id, naive_utc(s.started_at), naive_utc(s.finished_at), s.outcome, s.sources_total,
            s.sources_failed, s.pages_fetched, s.pages_unchanged, s.pages_skipped, s.documents_parsed,
            s.facts, s.events, list(s.failures)])

    # --- what the fetcher needs --------------------------------------------------------------------

    def validators(self, urls: Sequence[str]) -> dict[str, Validators]:
        with self._registered({"wanted": url_table(urls)}):
            rows = self.con.execute(VALIDATORS_SQL).fetchall()
        return {url: Validators(etag, modified, digest) for url, etag, modified, digest in rows}

    def known_urls(self, urls: Sequence[str]) -> set[str]:
        with self._registered({"wanted": url_table(urls)}):
            rows = self.con.execute(KNOWN_SQL).fetchall()
        return {row[0] for row in rows}

    def robots_cache(self) -> dict[str, tuple[int, str, datetime]]:
        rows = self.con.execute("SELECT host, status, body, fetched_at FROM robots_cache").fetchall()
        return {host: (status, body, aware_utc(at) or at) for host, status, body, at in rows}

    def save_robots(self, records: Sequence[Any]) -> None:
        with self._registered({"batch_robots": robots_table(records)}), self._transaction("robots save"):
            self.con.execute(
                "INSERT INTO robots_cache SELECT * FROM batch_robots "
                "QUALIFY row_number() OVER (PARTITION BY host ORDER BY fetched_at DESC) = 1 "
                "ON CONFLICT (host) DO UPDATE SET status = excluded.status, body = excluded.body, "
                "fetched_at = excluded.fetched_at")

    def last_fetch_times(self) -> dict[str, datetime]:
        rows = self.con.execute(
            "SELECT source_id, max(fetched_at) FROM fetches WHERE is_primary GROUP BY source_id").fetchall()
        return {source_id: aware_utc(at) or at for source_id, at in rows}

    # --- the load ----------------------------------------------------------------------------------

    def load_run(self, run_id: int, results: Sequence[FetchResult], extracted: Sequence[ExtractedDocument],
                 now: datetime, failing_after: int = 3, stale_after: Mapping[str, timedelta] | None = None,
                 source_urls: Mapping[str, str] | None = None) -> LoadSummary:
        """Record one run in ONE transaction; loading the same input again changes nothing."""
        primary = dict(source_urls or {})
        tables = {
            "batch_fetches": fetch_table(run_id, results, primary),
            "batch_docs": document_table(extracted, now),
            "batch_places": place_table(extracted),
            "batch_facts": fact_table(extracted),
            "batch_primary": primary_table(primary, stale_after),
        }
        at = naive_utc(now)
        with self._registered(tables), self._transaction(f"load of run {run_id}"):
            first_event = self._next_event_id()
            load_claims(self.con, run_id, at)
            reconcile(self.con, run_id, at)
            update_health(self.con, run_id, at, failing_after)
            return self._load_summary(first_event)

    def _next_event_id(self) -> int:
        return int(self._value("SELECT coalesce(max(event_id), 0) + 1 FROM partnership_events"))

    def _load_summary(self, first_event: int) -> LoadSummary:
        by_kind = dict(self.con.execute(
            "SELECT kind, count(*) FROM partnership_events WHERE event_id >= ? GROUP BY kind ORDER BY kind",
            [first_event]).fetchall())
        [row] = self.con.execute(
            "SELECT (SELECT count(*) FROM stage_docs), (SELECT count(*) FROM stage_facts)").fetchall()
        for table in TEMP_TABLES:
            self.con.execute(f"DROP TABLE IF EXISTS {table}")
        return LoadSummary(int(row[0]), int(row[1]), sum(by_kind.values()), by_kind)

    # --- what the digest and the CLI read ------------------------------------------------------------

    def events_between(self, since: datetime, until: datetime) -> list[PartnershipEvent]:
        return store_read.events_between(self.con, naive_utc(since), naive_utc(until))

    def health_between(self, since: datetime, until: datetime) -> list[SourceHealth]:
        return store_read.health_between(self.con, naive_utc(since), naive_utc(until))

    def run_stats(self, since: datetime, until: datetime) -> dict[str, int]:
        return store_read.run_stats(self.con, naive_utc(since), naive_utc(until))

    def weekly_counts(self, until: datetime, weeks: int = 12) -> list[tuple[str, int]]:
        return store_read.weekly_counts(self.con, naive_utc(until), weeks)

    def last_digest_sent(self) -> datetime | None:
        """End of the last period that was delivered (or deliberately skipped as empty)."""
        return aware_utc(self._value(f"SELECT max(period_end) FROM digests WHERE status IN {_DONE}"))

    def digest_sent_for(self, period_label: str) -> bool:
        return bool(self._value(f"SELECT count(*) FROM digests WHERE status IN {_DONE} AND period_label = ?",
                                [period_label]))

    def failed_digests(self) -> list[tuple[str, datetime, datetime, list[str]]]:
        """Periods whose last delivery failed and were not delivered since: (label, start, end, paths)."""
        rows = self.con.execute(
            f"SELECT period_label, period_start, period_end, paths FROM digests d WHERE status = 'failed' "
            f"AND NOT EXISTS (SELECT 1 FROM digests s WHERE s.period_label = d.period_label "
            f"AND s.status IN {_DONE}) "
            f"QUALIFY row_number() OVER (PARTITION BY period_label ORDER BY recorded_at DESC) = 1 "
            f"ORDER BY period_label"
        ).fetchall()
        return [(label, start.replace(tzinfo=UTC), end.replace(tzinfo=UTC), list(paths))
                for label, start, end, paths in rows]

    def record_digest(self, period_label: str, since: datetime, until: datetime, status: str,
                      recipients: Sequence[str], error: str | None, paths: Sequence[str]) -> None:
        now = naive_utc(datetime.now(UTC))
        self.con.execute(
            "INSERT INTO digests (period_label, period_start, period_end, recorded_at, sent_at, status, "
            "recipients, error, paths) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [period_label, naive_utc(since), naive_utc(until), now, now if status == "sent" else None, status,
             list(recipients), error, [str(p) for p in paths]])

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        try:
            cursor = self.con.execute(sql)
            rows = cursor.fetchall()
        except duckdb.Error as exc:
            raise WarehouseError(f"query failed: {exc}") from None
        columns = [d[0] for d in cursor.description or []]
        return columns, rows

    def export_parquet(self, out_dir: Path) -> list[Path]:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for table in EXPORT_TABLES:
            target = out_dir / f"{table}.parquet"
            quoted = str(target).replace("'", "''")
            self.con.execute(f"COPY (SELECT * FROM {table}) TO '{quoted}' (FORMAT parquet)")
            written.append(target)
        return written


SOURCES_SQL = """
INSERT INTO sources (source_id, kind, url, host, home, lang, schedule, enabled, tags, stale_after_s,
                     in_config, updated_at)
SELECT *, true, $now FROM batch_sources
ON CONFLICT (source_id) DO UPDATE SET kind = excluded.kind, url = excluded.url, host = excluded.host,
    home = excluded.home, lang = excluded.lang, schedule = excluded.schedule, enabled = excluded.enabled,
    tags = excluded.tags, stale_after_s = excluded.stale_after_s, in_config = true,
    updated_at = excluded.updated_at
"""

FINISH_RUN_SQL = """
INSERT INTO runs (run_id, started_at, finished_at, outcome, sources_total, sources_failed, pages_fetched,
                  pages_unchanged, pages_skipped, documents_parsed, facts, events, failures)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (run_id) DO UPDATE SET finished_at = excluded.finished_at, outcome = excluded.outcome,
    sources_total = excluded.sources_total, sources_failed = excluded.sources_failed,
    pages_fetched = excluded.pages_fetched, pages_unchanged = excluded.pages_unchanged,
    pages_skipped = excluded.pages_skipped, documents_parsed = excluded.documents_parsed,
    facts = excluded.facts, events = excluded.events, failures = excluded.failures
"""

VALIDATORS_SQL = f"""
WITH f AS (
    SELECT url, arg_max(etag, fetched_at) FILTER (WHERE etag IS NOT NULL) AS etag,
           arg_max(last_modified, fetched_at) FILTER (WHERE last_modified IS NOT NULL) AS last_modified,
           arg_max(content_hash, fetched_at) FILTER (WHERE content_hash IS NOT NULL) AS content_hash
    FROM fetches WHERE outcome IN {_OK_OUTCOMES} AND url IN (SELECT url FROM wanted) GROUP BY url
), d AS (SELECT url, content_hash FROM documents WHERE url IN (SELECT url FROM wanted))
SELECT url, f.etag, f.last_modified, coalesce(f.content_hash, d.content_hash)
FROM f FULL JOIN d USING (url)
"""

KNOWN_SQL = f"""
SELECT url FROM fetches WHERE outcome IN {_OK_OUTCOMES} AND url IN (SELECT url FROM wanted)
UNION SELECT url FROM documents WHERE url IN (SELECT url FROM wanted)
"""

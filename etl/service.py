"""The daemon's wiring: what each scheduled job calls. ``etl.schedule`` only registers the jobs."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from etl.config import Config, config_path, load_config
from etl.extract import load_gazetteer
from etl.pipeline import run_once
from etl.report import digest_once, retry_failed_digests
from etl.schedule import run_daemon
from etl.store import Warehouse, run_lock

log = logging.getLogger(__name__)


def daemon(config_arg: str | None, db: Path) -> int:
    """Run every source on its schedule and the digest on its own, until SIGTERM or SIGINT."""
    path = config_path(config_arg)
    load_config(path)  # a bad config at start-up is an error now, not a log line later
    gazetteer = load_gazetteer()  # loaded once and shared by every job

    # Errors are the scheduler's to log: a TwinwatchError (e.g. a cron `twinwatch run` holds the
    # warehouse right now) as one line, anything else with its traceback.
    def run_sources(config: Config, source_ids: list[str]) -> object:
        summary = run_once(config, db, source_ids=source_ids, gazetteer=gazetteer)
        for line in summary.failures:
            log.warning("source failed: %s", line)
        retry_failed_digests(config, db)  # a digest that could not be sent goes out with the next run
        return summary

    def send_digest(config: Config) -> object:
        outcome = digest_once(config, db, send=True)
        log.info("digest %s: %s", outcome.period_label, outcome.delivery)
        return outcome

    def last_runs() -> dict[str, datetime]:
        with run_lock(db), Warehouse.open(db) as warehouse:
            return warehouse.last_fetch_times()

    return run_daemon(lambda: load_config(path), run_sources, send_digest, last_runs, config_path=path)

"""Which sources a cron `twinwatch run` fetches: the ones whose schedule says they are due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from etl.config import parse_config
from etl.pipeline import select_sources

MONDAY_8_UTC = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 2026-11-23 is a Monday
CONFIG = parse_config(
    "digest: {timezone: UTC}\n"
    "sources:\n"
    "  - {id: hourly, kind: page, url: 'https://a.example/', schedule: 1h}\n"
    "  - {id: monday, kind: page, url: 'https://b.example/', schedule: '0 8 * * 1'}\n"
    "  - {id: paused, kind: page, url: 'https://c.example/', enabled: false}\n"
    "  - {id: new, kind: page, url: 'https://d.example/', schedule: 1d}\n"
)


def due(last: dict[str, datetime], now: datetime) -> list[str]:
    return [source.id for source in select_sources(CONFIG, last, now)]


def test_never_fetched_sources_are_due_and_disabled_ones_never() -> None:
    assert due({}, MONDAY_8_UTC) == ["hourly", "monday", "new"]


def test_an_interval_is_due_once_it_has_elapsed() -> None:
    last = {"hourly": MONDAY_8_UTC, "monday": MONDAY_8_UTC, "new": MONDAY_8_UTC}
    assert due(last, MONDAY_8_UTC + timedelta(minutes=40)) == []
    assert due(last, MONDAY_8_UTC + timedelta(minutes=61)) == ["hourly"]


def test_a_cron_source_fetched_at_its_fire_time_is_due_next_week_on_monday_not_tuesday() -> None:
    last = {"hourly": MONDAY_8_UTC, "monday": MONDAY_8_UTC, "new": MONDAY_8_UTC}
    tuesday = MONDAY_8_UTC + timedelta(days=1, minutes=5)
    assert "monday" not in due(last, tuesday)
    assert "monday" in due(last, MONDAY_8_UTC + timedelta(days=7))


def test_explicit_ids_and_all_ignore_due_times() -> None:
    last = {"hourly": MONDAY_8_UTC}
    assert [s.id for s in select_sources(CONFIG, last, MONDAY_8_UTC, source_ids=["paused"])] == ["paused"]
    assert [s.id for s in select_sources(CONFIG, last, MONDAY_8_UTC, all_sources=True)] == [
        "hourly", "monday", "new"]

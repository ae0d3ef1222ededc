"""The whole cycle against a real HTTP server on 127.0.0.1: the bundled demo site, two weeks apart.

Week 2 plants exactly three partnership changes (a new agreement, an MoU upgraded to sister city,
a suspension), a reprinted story, a reordered municipal list and one failing source. The
warehouse must record the three changes and nothing else, and a rerun must change nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from etl.demo import BASELINE_AT, DIGEST_AT, WEEK_LATER_AT, demo_config
from etl.demo_site import DemoSite
from etl.extract import Gazetteer, load_gazetteer
from etl.models import PartnershipEvent, RunSummary
from etl.pipeline import run_once
from etl.report import digest_once
from etl.store import Warehouse

PLANTED = {
    ("new", frozenset({"Nanjing", "Tartu"})),
    ("upgraded", frozenset({"Harbin", "Tampere"})),
    ("status_changed", frozenset({"Wuxi", "Linz"})),
}


@dataclass
class TwoWeeks:
    site: DemoSite
    db: Path
    week1: RunSummary
    week2: RunSummary
    gazetteer: Gazetteer


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="module")
def two_weeks(tmp_path_factory: pytest.TempPathFactory, gazetteer: Gazetteer) -> Iterator[TwoWeeks]:
    db = tmp_path_factory.mktemp("pipeline") / "w.duckdb"
    with DemoSite() as site:
        config = demo_config(site.start())
        week1 = run_once(config, db, all_sources=True, now=BASELINE_AT, gazetteer=gazetteer)
        site.set_state("week2")
        week2 = run_once(config, db, all_sources=True, now=WEEK_LATER_AT, gazetteer=gazetteer)
        yield TwoWeeks(site, db, week1, week2, gazetteer)


def _events(db: Path, since: object, until: object) -> list[PartnershipEvent]:
    with Warehouse.open(db, read_only=True) as warehouse:
        return warehouse.events_between(since, until)  # type: ignore[arg-type]


def _keyed(events: list[PartnershipEvent]) -> set[tuple[str, frozenset[str]]]:
    return {(event.kind, frozenset({event.a.name, event.b.name})) for event in events}


def test_the_baseline_fetches_every_source_and_finds_facts(two_weeks: TwoWeeks) -> None:
    week1 = two_weeks.week1
    assert (week1.sources_total, week1.sources_failed) == (5, 0)
    assert week1.documents_parsed >= 8
    assert week1.facts >= 20


def test_the_baseline_tells_new_agreements_from_old_ties(two_weeks: TwoWeeks) -> None:
    events = _events(two_weeks.db, BASELINE_AT - timedelta(days=1), BASELINE_AT + timedelta(hours=1))
    kinds = _keyed(events)
    assert ("new", frozenset({"Qingdao", "Bilbao"})) in kinds
    assert ("first_seen", frozenset({"Ningbo", "Wakayama"})) in kinds
    # a municipal list of decades-old ties is never "new"
    assert not any(kind == "new" and ("Ningbo" in pair or "Kunming" in pair) for kind, pair in kinds)


def test_week_two_records_exactly_the_planted_changes(two_weeks: TwoWeeks) -> None:
    events = _events(two_weeks.db, WEEK_LATER_AT - timedelta(days=1), WEEK_LATER_AT + timedelta(hours=1))
    changes = {key for key in _keyed(events) if key[0] not in ("corroborated",)}
    assert changes == PLANTED


def test_the_upgrade_and_the_suspension_carry_before_and_after(two_weeks: TwoWeeks) -> None:
    events = _events(two_weeks.db, WEEK_LATER_AT - timedelta(days=1), WEEK_LATER_AT + timedelta(hours=1))
    by_kind = {event.kind: event for event in events}
    assert (by_kind["upgraded"].previous, by_kind["upgraded"].current) == ("mou", "sister_city")
    assert (by_kind["status_changed"].previous, by_kind["status_changed"].current) == (
        "established",
        "suspended",
    )
    assert by_kind["new"].relation == "friendship_city" and by_kind["new"].year == 2026


def test_the_failing_source_is_reported_and_the_others_still_run(two_weeks: TwoWeeks) -> None:
    week2 = two_weeks.week2
    assert (week2.sources_total, week2.sources_failed) == (5, 1)
    assert "kunming-fao" in week2.failures[0] and "503" in week2.failures[0]
    assert week2.pages_unchanged >= 1  # the Hangzhou page answered 304


def test_the_reprint_is_one_partnership_with_two_documents(two_weeks: TwoWeeks) -> None:
    with Warehouse.open(two_weeks.db, read_only=True) as warehouse:
        _, rows = warehouse.query(
            "select count(*), max(n_documents) from partnerships "
            "where (a_name = 'Qingdao' and b_name = 'Bilbao') or (a_name = 'Bilbao' and b_name = 'Qingdao')"
        )
    assert rows == [(1, 2)]


def test_the_failing_source_keeps_its_partnerships(two_weeks: TwoWeeks) -> None:
    with Warehouse.open(two_weeks.db, read_only=True) as warehouse:
        _, rows = warehouse.query(
            "select count(*) from partnerships where (a_name = 'Kunming' or b_name = 'Kunming') "
            "and status = 'established'"
        )
    assert rows == [(5,)]


def test_a_rerun_over_the_same_pages_changes_nothing(two_weeks: TwoWeeks, tmp_path: Path) -> None:
    config = demo_config(two_weeks.site.base_url)
    again = run_once(
        config,
        two_weeks.db,
        all_sources=True,
        now=WEEK_LATER_AT + timedelta(days=1),
        gazetteer=two_weeks.gazetteer,
    )
    assert again.events == 0
    assert again.pages_fetched <= 2  # only the feed and listing index may change; articles are known


def test_the_digest_shows_the_week_and_nothing_else(two_weeks: TwoWeeks, tmp_path: Path) -> None:
    config = demo_config(two_weeks.site.base_url)
    outcome = digest_once(config, two_weeks.db, until=DIGEST_AT, out_dir=tmp_path)
    assert outcome.period_label == "2026-W47"
    assert "1 new" in outcome.subject and "1 upgraded" in outcome.subject and "1 suspended" in outcome.subject
    html = (tmp_path / "2026-W47.html").read_text(encoding="utf-8")
    text = (tmp_path / "2026-W47.txt").read_text(encoding="utf-8")
    for body in (html, text):
        assert "Tartu" in body and "Tampere" in body and "Linz" in body
        assert "kunming-fao" in body  # source health
        assert "Wakayama" not in body  # a week-1 municipal tie is no news in week 2
    assert (tmp_path / "2026-W47.eml").exists() and (tmp_path / "index.html").exists()

"""The warehouse against a real DuckDB file: idempotence, event derivation, health, read models."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from etl.config import Source
from etl.errors import WarehouseError
from etl.models import Document, ExtractedDocument, Fact, FetchResult, Place, RunSummary, Validators
from etl.store import LoadSummary, Warehouse, migrations

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
NANJING = Place("gn:1799962", 1799962, "Nanjing", "CN", "city")
ST_LOUIS = Place("gn:4407066", 4407066, "St. Louis", "US", "city")
LEIPZIG = Place("gn:2879139", 2879139, "Leipzig", "DE", "city")
PORTO = Place("gn:2735943", 2735943, "Porto", "PT", "city")
SHENZHEN = Place("gn:1795565", 1795565, "Shenzhen", "CN", "city")
PAIR_NJ_SL = "gn:1799962|gn:4407066|twinning"
PAIR_PORTO = "gn:1795565|gn:2735943|twinning"


def fact(a: Place = NANJING, b: Place = ST_LOUIS, relation: str = "sister_city", status: str = "established",
         year: int | None = 1979, confidence: float = 0.8, evidence: str = "twinned since 1979",
         mentions: tuple[str, str] | None = None) -> Fact:
    am, bm = mentions or (a.name, b.name)
    return Fact(a, b, am, bm, relation, status, year, evidence, 0, len(evidence), confidence)  # type: ignore[arg-type]


def doc(url: str, facts: Sequence[Fact], source_id: str = "news", published: date | None = date(2026, 11, 20),
        fetched: datetime = NOW - timedelta(hours=1)) -> ExtractedDocument:
    document = Document(url, source_id, "<html>", fetched_at=fetched)
    return ExtractedDocument(document, "main text", f"title of {url}", published, "en", tuple(facts))


def ok(url: str, source_id: str = "news", at: datetime = NOW, etag: str | None = None) -> FetchResult:
    return FetchResult(url, source_id, "ok", at, status=200, validators=Validators(etag=etag))


def failed(url: str, source_id: str, at: datetime) -> FetchResult:
    return FetchResult(url, source_id, "error", at, error_class="timeout", error="read timed out")


def load(wh: Warehouse, docs: Sequence[ExtractedDocument], now: datetime = NOW,
         results: Sequence[FetchResult] | None = None, **kwargs: Any) -> LoadSummary:
    run_id = wh.start_run(now)
    if results is None:
        results = [ok(d.document.url, d.document.source_id) for d in docs]
    return wh.load_run(run_id, results, docs, now, **kwargs)


def counts(wh: Warehouse) -> dict[str, int]:
    tables = ("documents", "places", "facts", "partnerships", "partnership_events")
    return {t: wh.query(f"SELECT count(*) FROM {t}")[1][0][0] for t in tables}


def events(wh: Warehouse, kind: str | None = None) -> list[tuple[Any, ...]]:
    where = f"WHERE kind = '{kind}'" if kind else ""
    return wh.query(f"SELECT kind, partnership_key, previous, current FROM partnership_events {where} "
                    "ORDER BY event_id")[1]


def partnership(wh: Warehouse, key: str = PAIR_NJ_SL) -> dict[str, Any]:
    columns, rows = wh.query(f"SELECT * FROM partnerships WHERE partnership_key = '{key}'")
    return dict(zip(columns, rows[0], strict=True))


@pytest.fixture
def wh(tmp_path: Path) -> Iterator[Warehouse]:
    with Warehouse.open(tmp_path / "data" / "twinwatch.duckdb") as warehouse:
        yield warehouse


def test_open_creates_the_directory_and_applies_every_migration(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "w.duckdb"
    with Warehouse.open(path) as warehouse:
        versions = [row[0] for row in warehouse.query("SELECT version FROM schema_version ORDER BY 1")[1]]
    assert path.exists() and versions == [number for number, _ in migrations()] == [1, 2, 3, 4]


def test_loading_the_same_documents_again_changes_nothing(wh: Warehouse) -> None:
    docs = [doc("https://news.example/a", [fact(), fact(LEIPZIG, NANJING, year=1988)]),
            doc("https://city.example/partners", [fact(PORTO, SHENZHEN, relation="mou", year=2025)], "city")]
    first = load(wh, docs)
    before = counts(wh)
    reordered = [doc("https://news.example/a", [fact(LEIPZIG, NANJING, year=1988), fact(ST_LOUIS, NANJING)]),
                 docs[1]]
    second = load(wh, reordered, now=NOW + timedelta(days=1))
    assert first.events == 3 and first.documents == 2 and first.facts == 3
    assert second.events == 0 and second.events_by_kind == {}
    assert counts(wh) == before


def test_a_reprint_on_another_site_corroborates_instead_of_adding_a_partnership(wh: Warehouse) -> None:
    signing = fact(year=2026, evidence="Nanjing and St. Louis signed a sister-city agreement on Monday")
    assert load(wh, [doc("https://news.example/a", [signing])]).events_by_kind == {"new": 1}
    same_site = load(wh, [doc("https://news.example/b", [signing])], now=NOW + timedelta(hours=1))
    reprint = load(wh, [doc("https://www.reprints.example/x", [signing], "wire")],
                   now=NOW + timedelta(hours=2))
    assert same_site.events == 0
    assert reprint.events_by_kind == {"corroborated": 1}
    assert events(wh, "corroborated") == [("corroborated", PAIR_NJ_SL, "1", "2")]
    row = partnership(wh)
    assert (row["n_sources"], row["n_documents"], counts(wh)["partnerships"]) == (2, 3, 1)
    assert row["confidence"] == pytest.approx(1 - 0.2 * 0.2)


def test_mou_then_sister_city_is_an_upgrade(wh: Warehouse) -> None:
    load(wh, [doc("https://news.example/mou", [fact(relation="mou", year=2025)], published=date(2025, 6, 1))])
    summary = load(wh, [doc("https://news.example/signed", [fact(year=2026)])], now=NOW + timedelta(days=1))
    assert summary.events_by_kind == {"upgraded": 1}
    assert events(wh, "upgraded") == [("upgraded", PAIR_NJ_SL, "mou", "sister_city")]
    assert (partnership(wh)["relation"], partnership(wh)["year"]) == ("sister_city", 2026)


def test_a_proposed_sister_city_does_not_hide_the_later_upgrade(wh: Warehouse) -> None:
    mou = [fact(relation="mou", year=2026), fact(status="proposed", year=None)]
    assert load(wh, [doc("https://news.example/mou", mou)]).events_by_kind == {"new": 1}
    assert (partnership(wh)["relation"], partnership(wh)["status"]) == ("mou", "established")
    signed = load(wh, [doc("https://news.example/signed", [fact(year=2026)], published=date(2026, 11, 22))],
                  now=NOW + timedelta(days=1))
    assert signed.events_by_kind == {"upgraded": 1}


def test_a_suspension_changes_the_status(wh: Warehouse) -> None:
    load(wh, [doc("https://news.example/old", [fact(year=1979)], published=date(2024, 3, 1))])
    suspended = fact(status="suspended", year=2026, evidence="St. Louis suspended its ties with Nanjing")
    summary = load(wh, [doc("https://other.example/suspend", [suspended], "other")],
                   now=NOW + timedelta(days=1))
    assert summary.events_by_kind == {"corroborated": 1, "status_changed": 1}
    assert events(wh, "status_changed") == [("status_changed", PAIR_NJ_SL, "established", "suspended")]
    assert partnership(wh)["status"] == "suspended" and partnership(wh)["year"] == 1979
    rows = wh.query("SELECT status, a_name, b_name FROM suspensions_terminations")[1]
    assert rows == [("suspended", "Nanjing", "St. Louis")]


def test_conflicting_years_raise_one_event_and_show_the_best_supported_year(wh: Warehouse) -> None:
    load(wh, [doc(f"https://site{i}.example/a", [fact(year=1979)], f"s{i}") for i in (1, 2)])
    dissent = load(wh, [doc("https://site3.example/a", [fact(year=1980)], "s3")], now=NOW + timedelta(days=1))
    again = load(wh, [doc("https://site4.example/a", [fact(year=1979)], "s4")], now=NOW + timedelta(days=2))
    assert dissent.events_by_kind == {"conflicting_claim": 1, "corroborated": 1}
    assert again.events_by_kind == {"corroborated": 1}
    assert events(wh, "conflicting_claim") == [("conflicting_claim", PAIR_NJ_SL, "1979", "1980")]
    row = partnership(wh)
    assert (row["year"], row["is_conflicted"], row["conflicts"]) == (1979, True, "year:1979|1980")
    shown = wh.query("SELECT value, shown, n_sites FROM conflicts ORDER BY value")[1]
    assert shown == [("1979", True, 3), ("1980", False, 1)]


def test_simultaneous_status_claims_from_different_sites_conflict(wh: Warehouse) -> None:
    load(wh, [doc(f"https://site{i}.example/a", [fact()], f"s{i}") for i in (1, 2)])
    dissent = doc("https://site3.example/a", [fact(status="suspended")], "s3", published=date(2026, 11, 21))
    summary = load(wh, [dissent], now=NOW + timedelta(days=1))
    assert summary.events_by_kind == {"conflicting_claim": 1, "corroborated": 1}
    assert events(wh, "conflicting_claim") == [("conflicting_claim", PAIR_NJ_SL, "established", "suspended")]
    row = partnership(wh)
    assert (row["status"], row["conflicts"]) == ("established", "status:established|suspended")


def test_an_old_tie_on_a_first_run_is_first_seen_and_a_fresh_signing_is_new(wh: Warehouse) -> None:
    listing = doc("https://city.example/partners", [fact(year=1979), fact(LEIPZIG, NANJING, year=1988)],
                  "city", published=None)
    fresh = doc("https://news.example/porto", [fact(PORTO, SHENZHEN, relation="friendship_city", year=2026)])
    stale_story = doc("https://news.example/2019", [fact(PORTO, LEIPZIG, year=2019)],
                      published=date(2019, 5, 1))
    summary = load(wh, [listing, fresh, stale_story])
    assert summary.events_by_kind == {"first_seen": 3, "new": 1}
    assert events(wh, "new") == [("new", PAIR_PORTO, None, "friendship_city")]


def test_a_corrected_year_is_a_year_change(wh: Warehouse) -> None:
    load(wh, [doc("https://news.example/a", [fact(year=1980)])])
    corrected = load(wh, [doc("https://news.example/a", [fact(year=1979)])], now=NOW + timedelta(days=1))
    assert corrected.events_by_kind == {"year_changed": 1}
    assert events(wh, "year_changed") == [("year_changed", PAIR_NJ_SL, "1980", "1979")]
    assert not partnership(wh)["is_conflicted"]


def test_a_refetched_list_does_not_undo_a_later_suspension(wh: Warehouse) -> None:
    june, july = datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)
    listing = doc("https://city.example/partners", [fact()], "city", published=None, fetched=june)
    load(wh, [listing], now=june)
    load(wh, [doc("https://news.example/s", [fact(status="suspended")], published=july.date())], now=july)
    edited = doc("https://city.example/partners", [fact(), fact(LEIPZIG, NANJING)], "city", published=None)
    summary = load(wh, [edited])
    assert partnership(wh)["status"] == "suspended"
    assert "status_changed" not in summary.events_by_kind


def test_an_in_batch_duplicate_keeps_the_more_confident_claim(wh: Warehouse) -> None:
    weak, strong = fact(confidence=0.4, evidence="weak"), fact(confidence=0.9, evidence="strong")
    load(wh, [doc("https://news.example/a", [weak, strong])])
    assert wh.query("SELECT confidence, evidence FROM facts")[1] == [(0.9, "strong")]


def test_a_claim_the_document_no_longer_makes_is_retracted_not_deleted(wh: Warehouse) -> None:
    load(wh, [doc("https://news.example/a", [fact(), fact(LEIPZIG, NANJING, year=1988)])])
    load(wh, [doc("https://news.example/a", [fact()])], now=NOW + timedelta(days=1))
    rows = wh.query("SELECT partnership_key, retracted_at IS NOT NULL FROM facts ORDER BY 1")[1]
    assert rows == [("gn:1799962|gn:2879139|twinning", True), (PAIR_NJ_SL, False)]
    assert partnership(wh, "gn:1799962|gn:2879139|twinning")["n_documents"] == 0
    restated = load(wh, [doc("https://news.example/a", [fact(), fact(LEIPZIG, NANJING, year=1988)])],
                    now=NOW + timedelta(days=2))
    assert restated.events_by_kind == {"first_seen": 1}


def test_a_page_that_now_states_no_claim_retracts_nothing(wh: Warehouse) -> None:
    load(wh, [doc("https://city.example/partners", [fact(), fact(LEIPZIG, NANJING, year=1988)], "city")])
    emptied = load(wh, [doc("https://city.example/partners", [], "city")], now=NOW + timedelta(days=1))
    assert emptied.events == 0
    assert wh.query("SELECT count(*) FROM facts WHERE retracted_at IS NOT NULL")[1] == [(0,)]
    assert wh.query("SELECT min(n_documents) FROM partnerships")[1] == [(1,)]


def test_place_aliases_answer_questions_in_any_name_form(wh: Warehouse) -> None:
    load(wh, [doc("https://news.example/zh", [fact(mentions=("南京", "圣路易斯"))]),
              doc("https://news.example/en", [fact(LEIPZIG, NANJING, mentions=("Leipzig", "Nanking"))])])
    for name in ("南京", "nanking", "NANJING"):
        rows = wh.query("SELECT partner_name FROM current_partners "
                        f"WHERE city_name_form_lower = lower('{name}') ORDER BY 1")[1]
        assert rows == [("Leipzig",), ("St. Louis",)]


def test_a_chinese_name_is_found_with_or_without_its_suffix(wh: Warehouse) -> None:
    load(wh, [doc("https://news.example/zh", [fact(mentions=("南京市", "圣路易斯市"))])])
    for name in ("南京", "南京市"):
        rows = wh.query(f"SELECT partner_name FROM current_partners WHERE city_name_form_lower = '{name}'")[1]
        assert rows == [("St. Louis",)]


def test_anniversary_is_reported_once_a_year(wh: Warehouse) -> None:
    load(wh, [doc("https://news.example/a", [fact()])])
    party = fact(status="anniversary", evidence="celebrated 45 years of friendship")
    first = load(wh, [doc("https://news.example/b", [party])], now=NOW + timedelta(days=1))
    second = load(wh, [doc("https://other.example/b", [party], "other")], now=NOW + timedelta(days=2))
    assert first.events_by_kind == {"anniversary": 1}
    assert second.events_by_kind == {"corroborated": 1}


def test_failing_after_consecutive_failures_then_recovered(wh: Warehouse) -> None:
    feeds = {"news": "https://news.example/feed", "city": "https://city.example/list"}
    for day in range(3):
        at = NOW + timedelta(days=day)
        results = [failed(feeds["news"], "news", at), ok(feeds["city"], "city", at)]
        load(wh, [], now=at, results=results, source_urls=feeds, failing_after=3)
    states = [(h.source_id, h.state, h.changed) for h in wh.health_between(NOW, NOW + timedelta(days=7))]
    at = NOW + timedelta(days=3)
    load(wh, [], now=at, results=[ok(feeds["news"], at=at)], source_urls=feeds)
    health = wh.health_between(NOW + timedelta(days=3), NOW + timedelta(days=7))
    transitions = wh.query(
        "SELECT from_state, to_state, change FROM health_transitions ORDER BY changed_at")[1]
    assert states == [("city", "ok", None), ("news", "failing", "failing")]
    assert [(h.state, h.consecutive_failures, h.changed) for h in health] == [
        ("ok", 0, None), ("ok", 0, "recovered")]
    assert transitions == [("ok", "failing", "failing"), ("failing", "ok", "recovered")]


def test_a_source_without_new_articles_goes_stale(wh: Warehouse) -> None:
    feed = {"news": "https://news.example/feed"}
    limit = {"news": timedelta(days=7)}
    load(wh, [doc("https://news.example/a", [fact()])], results=[ok(feed["news"]), ok("https://news.example/a")],
         source_urls=feed, stale_after=limit)
    later = NOW + timedelta(days=8)
    load(wh, [], now=later, results=[ok(feed["news"], at=later)], source_urls=feed, stale_after=limit)
    [health] = wh.health_between(later, later + timedelta(days=1))
    assert (health.state, health.changed) == ("stale", "stale")
    assert wh.last_fetch_times() == {"news": later}


def test_fetch_bookkeeping_validators_known_urls_and_robots(wh: Warehouse) -> None:
    load(wh, [doc("https://news.example/a", [fact()])], results=[ok("https://news.example/a", etag='"v1"')])
    wh.start_run(NOW)
    assert wh.validators(["https://news.example/a", "https://news.example/nope"]) == {
        "https://news.example/a": Validators(etag='"v1"')}
    assert wh.known_urls(["https://news.example/a", "https://news.example/b"]) == {"https://news.example/a"}

    class Robots:
        host, status, body, fetched_at = "https://news.example", 200, "User-agent: *\nDisallow:", NOW

    wh.save_robots([Robots(), Robots()])
    assert wh.robots_cache() == {"https://news.example": (200, "User-agent: *\nDisallow:", NOW)}


def test_runs_digests_and_statistics(wh: Warehouse) -> None:
    load(wh, [doc("https://news.example/a", [fact(year=2026)])])
    wh.finish_run(RunSummary(run_id=1, started_at=NOW, finished_at=NOW + timedelta(minutes=2), facts=1))
    assert wh.query("SELECT outcome, facts FROM runs")[1] == [("ok", 1)]
    assert wh.last_digest_sent() is None
    wh.record_digest("2026-W48", NOW - timedelta(days=7), NOW, "failed", ["a@example.org"], "smtp down", [])
    assert not wh.digest_sent_for("2026-W48")
    wh.record_digest("2026-W48", NOW - timedelta(days=7), NOW, "sent", ["a@example.org"], None, ["r/d.html"])
    assert wh.digest_sent_for("2026-W48") and wh.last_digest_sent() is not None
    stats = wh.run_stats(NOW - timedelta(days=1), NOW + timedelta(days=1))
    assert stats == {"runs": 1, "fetches": 1, "pages_ok": 1, "failures": 0, "documents": 1, "facts": 1,
                     "partnerships_total": 1}
    weeks = wh.weekly_counts(NOW + timedelta(hours=1), weeks=3)
    assert weeks == [("2026-W46", 0), ("2026-W47", 0), ("2026-W48", 1)]


def test_events_between_carry_places_evidence_and_every_source(wh: Warehouse) -> None:
    signing = fact(year=2026, evidence="signed on Monday")
    load(wh, [doc("https://news.example/a", [signing])])
    load(wh, [doc("https://wire.example/a", [signing], "wire")], now=NOW + timedelta(hours=1))
    found = wh.events_between(NOW, NOW + timedelta(days=1))
    assert [e.kind for e in found] == ["new", "corroborated"]
    assert found[0].a == NANJING and found[0].b == ST_LOUIS and found[0].evidence == "signed on Monday"
    assert {s.url for s in found[0].sources} == {"https://news.example/a", "https://wire.example/a"}
    assert found[0].source_count == 2 and found[0].created_at == NOW


def test_every_analyst_query_runs(wh: Warehouse) -> None:
    load(wh, [doc("https://news.example/a", [fact(), fact(PORTO, SHENZHEN, year=2026)])])
    queries = sorted((Path(__file__).parents[1] / "warehouse" / "queries").glob("*.sql"))
    assert len(queries) >= 7
    for path in queries:
        wh.query(path.read_text(encoding="utf-8"))


def test_sources_mirror_the_configuration_and_removed_ones_leave_the_health_report(wh: Warehouse) -> None:
    feed = Source(id="news", kind="feed", url="https://news.example/feed", stale_after="7d")
    page = Source(id="city", kind="page", url="https://city.example/partners")
    wh.sync_sources([feed, page])
    wh.sync_sources([feed, page])
    assert [(h.source_id, h.state) for h in wh.health_between(NOW, NOW)] == [("city", "ok"), ("news", "ok")]
    wh.sync_sources([feed])
    assert [h.source_id for h in wh.health_between(NOW, NOW)] == ["news"]
    assert wh.query("SELECT source_id, in_config, stale_after_s FROM sources ORDER BY 1")[1] == [
        ("city", False, None), ("news", True, 7 * 86400)]


def test_export_writes_one_parquet_file_per_table(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with Warehouse.open(path) as wh:
        load(wh, [doc("https://news.example/a", [fact()])])
    with Warehouse.open(path, read_only=True) as wh:
        written = wh.export_parquet(tmp_path / "out")
    assert {p.stem for p in written} >= {"facts", "partnerships", "partnership_events", "places"}
    assert pq.read_table(tmp_path / "out" / "facts.parquet").num_rows == 1


def test_a_bad_query_is_a_warehouse_error(wh: Warehouse) -> None:
    with pytest.raises(WarehouseError, match="query failed"):
        wh.query("SELECT nope FROM nowhere")


def test_a_run_that_died_without_an_outcome_is_marked_interrupted(wh: Warehouse) -> None:
    dead = wh.start_run(NOW)  # e.g. killed before finish_run
    alive = wh.start_run(NOW + timedelta(hours=1))
    outcomes = dict(wh.query("SELECT run_id, outcome FROM runs")[1])
    assert outcomes == {dead: "interrupted", alive: None}

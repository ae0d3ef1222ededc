"""sources.yaml validation: strict, loud, every offender named with file, key and line."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from etl.config import config_path, db_path, load_config, parse_config, parse_interval

MINIMAL = """
sources:
  - id: one
    kind: page
    url: https://example.org/sister-cities
"""


def problems_of(text: str) -> list[str]:
    from etl.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        parse_config(text, Path("sources.yaml"))
    return caught.value.problems


def test_a_minimal_source_needs_only_id_kind_and_url() -> None:
    config = parse_config(MINIMAL)
    source = config.source("one")
    assert (source.kind, source.schedule, source.enabled, source.max_new) == ("page", "6h", True, 500)
    assert source.host == "example.org"


def test_defaults_are_merged_under_every_source_and_a_source_wins() -> None:
    config = parse_config(
        "defaults: {schedule: 1d, tags: [x]}\n"
        "sources:\n"
        "  - {id: a, kind: page, url: 'https://a.example/'}\n"
        "  - {id: b, kind: feed, url: 'https://b.example/rss', schedule: 30m}\n"
    )
    assert [s.schedule for s in config.sources] == ["1d", "30m"]
    assert config.source("a").tags == ("x",)


def test_every_problem_is_reported_at_once_with_its_line() -> None:
    found = problems_of(
        "sources:\n"
        "  - id: a\n"
        "    kind: page\n"
        "    url: https://example.org/\n"
        "  - id: a\n"  # line 5: duplicate
        "    kind: rss\n"  # line 6: bad kind
        "    url: not-a-url\n"  # line 7
        "    schedule: every day\n"  # line 8
        "    colour: red\n"  # line 9: unknown key
    )
    text = "\n".join(found)
    assert "sources.yaml:5: sources[1].id: duplicate id 'a' (first at line 2)" in text
    assert "sources.yaml:6: sources[1].kind" in text
    assert "sources.yaml:7: sources[1].url: 'not-a-url' is not an absolute http(s) URL" in text
    assert "sources.yaml:8: sources[1].schedule" in text
    assert "sources.yaml:9: sources[1].colour: unknown key" in text
    assert len(found) == 5


def test_listing_selectors_and_patterns_are_checked_when_loading() -> None:
    found = problems_of(
        "sources:\n"
        "  - id: a\n"
        "    kind: listing\n"
        "    url: https://a.example/news/\n"
        "    link_selector: 'ul.news a['\n"
        "    link_pattern: '/news/(\\d+'\n"
    )
    assert found[0] == "sources.yaml:5: sources[0].link_selector: 'ul.news a[' is not a CSS selector"
    assert found[1].startswith("sources.yaml:6: sources[0].link_pattern: bad regular expression")


def test_an_unknown_key_in_defaults_is_reported_once_at_its_line() -> None:
    found = problems_of(
        "defaults:\n  shedule: 1d\nsources:\n"
        "  - {id: a, kind: page, url: 'https://a.example/'}\n"
        "  - {id: b, kind: page, url: 'https://b.example/'}\n"
    )
    assert found == ["sources.yaml:2: defaults.shedule: unknown key"]


def test_digest_block_is_validated() -> None:
    found = problems_of(
        "digest:\n  schedule: '0 8 * * 8'\n  timezone: Mars/Olympus\n  smtp: {security: tls}\nsources: []\n"
    )
    text = "\n".join(found)
    assert "sources.yaml:2: digest.schedule: bad cron expression" in text
    assert "sources.yaml:3: digest.timezone: unknown time zone 'Mars/Olympus'" in text
    assert "sources.yaml:4: digest.smtp.security" in text


def test_a_bare_word_yaml_reads_as_a_boolean_says_to_quote_it() -> None:
    text = "sources:\n  - id: off\n    kind: page\n    url: https://example.org/a\n"
    assert problems_of(text) == [
        'sources.yaml:2: sources[0].id: expected text, but YAML reads this bare value as False; '
        'put it in quotes (id: "off", id: "2024")'
    ]


def test_broken_yaml_names_the_line() -> None:
    from etl.errors import ConfigError

    with pytest.raises(ConfigError, match=r"sources.yaml:3: not valid YAML"):
        parse_config("sources:\n  - id: a\n    kind: page: x\n", Path("sources.yaml"))


def test_missing_file_says_how_to_point_at_one(tmp_path: Path) -> None:
    from etl.errors import ConfigError

    with pytest.raises(ConfigError, match="no such file.*--config"):
        load_config(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3s", timedelta(seconds=3)),
        ("30m", timedelta(minutes=30)),
        ("6h", timedelta(hours=6)),
        ("1d", timedelta(days=1)),
        ("1w", timedelta(weeks=1)),
        ("*/5 * * * *", None),
    ],
)
def test_intervals(text: str, expected: timedelta | None) -> None:
    assert parse_interval(text) == expected


def test_paths_come_from_flags_then_environment_then_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TWINWATCH_CONFIG", raising=False)
    monkeypatch.delenv("TWINWATCH_DB", raising=False)
    assert config_path(None) == Path("sources.yaml")
    assert db_path(None) == Path("warehouse/twinwatch.duckdb")
    monkeypatch.setenv("TWINWATCH_CONFIG", "/etc/tw.yaml")
    monkeypatch.setenv("TWINWATCH_DB", "/var/tw.duckdb")
    assert config_path(None) == Path("/etc/tw.yaml")
    assert db_path(None) == Path("/var/tw.duckdb")
    assert config_path("x.yaml") == Path("x.yaml")


def test_the_shipped_sources_yaml_is_valid() -> None:
    config = load_config(Path(__file__).parent.parent / "sources.yaml")
    assert len(config.sources) >= 6
    assert {s.kind for s in config.sources} == {"feed", "page"}

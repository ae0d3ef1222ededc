"""The command-line contract: commands, formats and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from etl.cli import main

ROOT = Path(__file__).parent.parent


def test_python_dash_m_etl_is_the_twinwatch_command() -> None:
    done = subprocess.run([sys.executable, "-m", "etl", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    for command in ("run", "extract", "digest", "daemon", "sources", "query", "export", "demo"):
        assert command in done.stdout


def test_sources_list_shows_the_shipped_sources(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sources", "list", "--config", str(ROOT / "sources.yaml")]) == 0
    out = capsys.readouterr().out
    assert "gnews-youhao-chengshi" in out and "wikipedia-twin-towns-china" in out


def test_sources_check_without_id_validates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sources", "check", "--config", str(ROOT / "sources.yaml")]) == 0
    assert "configuration OK" in capsys.readouterr().out


def test_a_bad_config_exits_2_naming_file_key_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources:\n  - id: x\n    kind: page\n    url: ftp://example.org/\n", encoding="utf-8")
    assert main(["run", "--config", str(bad), "--db", str(tmp_path / "w.duckdb")]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:4: sources[0].url" in err
    assert "Traceback" not in err


def test_an_unknown_source_id_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sources", "check", "nope", "--config", str(ROOT / "sources.yaml")]) == 2
    assert "no source with id 'nope'" in capsys.readouterr().err


def test_query_without_a_warehouse_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["query", "select 1", "--db", str(tmp_path / "missing.duckdb")]) == 2
    assert "no warehouse yet" in capsys.readouterr().err


def test_extract_of_a_missing_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["extract", str(tmp_path / "nope.html")]) == 2
    assert "nope.html" in capsys.readouterr().err


def test_extract_prints_the_jsonl_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "leipzig-news.txt"
    page.write_text(
        "Nanjing and Leipzig celebrate ties\n\n"
        "Nanjing, China and Leipzig, Germany became sister cities in 1988. The mayors met in Leipzig "
        "on Monday to plan exchanges in culture and education.\n",
        encoding="utf-8",
    )
    assert main(["extract", str(page), "--format", "jsonl"]) == 0
    facts = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert facts, "one fact expected"
    fact = facts[0]
    assert fact["doc"] == "leipzig-news"
    assert set(fact) >= {"doc", "a", "b", "relation", "status", "year", "evidence", "confidence"}
    assert set(fact["a"]) == {"name", "mention", "country", "geonameid", "kind"}
    assert {fact["a"]["name"], fact["b"]["name"]} == {"Nanjing", "Leipzig"}
    assert (fact["relation"], fact["year"]) == ("sister_city", 1988)


def test_extract_reads_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    text = "<html><body><p>Shanghai and Athens signed a sister-city agreement in 2025.</p></body></html>"
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    assert main(["extract", "-", "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert "Athens" in out and "sister_city" in out


def test_demo_reports_the_failing_source_once(tmp_path: Path) -> None:
    """The demo end to end as a user runs it: the summary lines, and the week-2 failing source told once
    (not once as a log warning and again in the summary)."""
    done = subprocess.run(
        [sys.executable, "-m", "etl", "demo", "--db", str(tmp_path / "demo.duckdb")],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "week 2: 5 sources (1 failed)" in done.stdout
    assert "changes in 2026-W47: 1 new, 1 status_changed, 1 upgraded" in done.stdout
    assert (done.stdout + done.stderr).count("kunming-fao: 503") == 1

"""Golden documents: each fixture page under tests/fixtures/extract/ with its expected facts beside it.

A fixture's ``.expected.json`` lists every pair the page states (order of a pair ignored), with the
relation and, where given, the year and status. Pages of hard negatives expect no facts at all.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from etl.extract import Gazetteer, extract_document, load_gazetteer
from etl.models import Document, Fact, Hints

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
PAGES = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".txt", ".html"))


@pytest.fixture(scope="session")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    return load_gazetteer(tmp_path_factory.getbasetemp() / "gazetteer")


def _names(fact: Fact) -> frozenset[str]:
    return frozenset((fact.a.name, fact.b.name))


def _run(page: Path, gazetteer: Gazetteer) -> tuple[dict, list[Fact]]:
    expected = json.loads(page.with_suffix(".expected.json").read_text(encoding="utf-8"))
    content_type = "text/html" if page.suffix == ".html" else "text/plain"
    document = Document(url=page.as_uri(), source_id="fixture", content=page.read_text(encoding="utf-8"),
                        content_type=content_type)
    hints = Hints(home=expected.get("home"), today=date(2026, 11, 23))
    return expected, list(extract_document(document, gazetteer, hints).facts)


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_fixture_pairs(page: Path, gazetteer: Gazetteer) -> None:
    expected, facts = _run(page, gazetteer)
    wanted = {frozenset((f["a"], f["b"])) for f in expected["facts"]}
    assert {_names(f) for f in facts} == wanted


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_fixture_relation_year_status(page: Path, gazetteer: Gazetteer) -> None:
    expected, facts = _run(page, gazetteer)
    first = {}
    for fact in facts:  # the first fact of a pair is its best claim
        first.setdefault(_names(fact), fact)
    for want in expected["facts"]:
        fact = first.get(frozenset((want["a"], want["b"])))
        if fact is None:
            continue  # reported by test_fixture_pairs
        assert fact.relation == want["relation"], want
        if "year" in want:
            assert fact.year == want["year"], want
        if "status" in want:
            assert fact.status == want["status"], want


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_evidence_offsets_point_into_the_text(page: Path, gazetteer: Gazetteer) -> None:
    content_type = "text/html" if page.suffix == ".html" else "text/plain"
    document = Document(url=page.as_uri(), source_id="fixture", content=page.read_text(encoding="utf-8"),
                        content_type=content_type)
    extracted = extract_document(document, gazetteer, Hints(today=date(2026, 11, 23)))
    for fact in extracted.facts:
        assert extracted.text[fact.evidence_start:fact.evidence_end] == fact.evidence
        assert 0.0 <= fact.confidence <= 1.0
        assert fact.a.country != fact.b.country

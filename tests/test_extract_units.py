"""Unit tests of the extractor's parts: pre-filter, text, places, cues, the cached gazetteer."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path

import pytest

from etl.extract import Gazetteer, extract_document, extract_facts, has_trigger, load_gazetteer
from etl.extract.cues import relation_cues
from etl.extract.places import find_mentions
from etl.extract.text import find_dateline, html_main_text, sentence_spans
from etl.models import Document, Hints


@pytest.fixture(scope="session")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    return load_gazetteer(tmp_path_factory.getbasetemp() / "gazetteer")


def doc(text: str, content_type: str = "text/plain") -> Document:
    return Document(url="file:///test", source_id="test", content=text, content_type=content_type)


def resolved(text: str, gazetteer: Gazetteer) -> list[tuple[str, str, str]]:
    return [(m.surface, m.place.name, m.place.country) for m in find_mentions(text, gazetteer)]


# --- pre-filter ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "They became Sister Cities in 1980.", "Leeds is twinned with Dortmund", "a Memorandum of Understanding",
    "签署友好城市协议", "締結姊妹市", "意向书",
])
def test_trigger_terms_pass_the_prefilter(text: str) -> None:
    assert has_trigger(text)


def test_page_without_trigger_is_skipped(gazetteer: Gazetteer) -> None:
    extracted = extract_document(doc("<html><body><p>Paris and Berlin held talks.</p></body></html>",
                                     "text/html"), gazetteer, Hints())
    assert extracted.skipped_by_prefilter and extracted.facts == ()


# --- text ----------------------------------------------------------------------------------------------


def test_html_main_text_keeps_list_headings_and_reads_metadata() -> None:
    html = ("<html><head><title>Partners</title><meta property='article:published_time' content='2021-04-02'>"
            "</head><body><article><h1>Our sister cities</h1><p>" + "The city has partners abroad. " * 20 +
            "</p><h3>Leipzig, Germany (1988)</h3><p>" + "Trade and culture links grew quickly. " * 10 +
            "</p></article></body></html>")
    main = html_main_text(html)
    assert "Leipzig, Germany (1988)" in main.text
    assert main.published == date(2021, 4, 2)
    assert main.title == "Partners" and main.language == "en"


def test_sentences_do_not_break_after_st() -> None:
    text = "St. Louis, Missouri, joined Nanjing in 1979. Then came more."
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "St. Louis, Missouri, joined Nanjing in 1979.", "Then came more."]


@pytest.mark.parametrize(("text", "expected"), [
    ("By A Reporter | Updated:2025-06-11", date(2025, 6, 11)),
    ("KUNMING, June 3, 2024 — text", date(2024, 6, 3)),
    ("发布时间：2023年10月12日", date(2023, 10, 12)),
    ("日本名古屋市（1978年12月21日）", None),
])
def test_datelines(text: str, expected: date | None) -> None:
    assert find_dateline(text) == expected


# --- places ----------------------------------------------------------------------------------------------


def test_country_cue_decides_the_city(gazetteer: Gazetteer) -> None:
    found = resolved("London, Canada and Perth, Australia and Concepción, Chile", gazetteer)
    assert [(name, country) for _, name, country in found if country not in ("CA", "AU", "CL") or name] == [
        ("London", "CA"), ("Canada", "CA"), ("Perth", "AU"), ("Australia", "AU"), ("Concepción", "CL"),
        ("Chile", "CL")]


def test_sense_carries_over_to_bare_mentions(gazetteer: Gazetteer) -> None:
    found = resolved("London, Canada (1997). A delegation visited London again.", gazetteer)
    assert [country for surface, _, country in found if surface == "London"] == ["CA", "CA"]


def test_common_words_and_people_are_not_places(gazetteer: Gazetteer) -> None:
    text = "Reading the news, Florence Nightingale said Nice work. Mobile phones. Of course."
    found = resolved(text, gazetteer)
    assert found == []


def test_common_word_place_with_a_country_cue(gazetteer: Gazetteer) -> None:
    assert ("Reading", "Reading", "GB") in resolved("Reading, United Kingdom (1977)", gazetteer)


def test_fuzzy_match_only_next_to_a_country(gazetteer: Gazetteer) -> None:
    text = "Nanjing's sister cities:\nBarranquill, Columbia (2001)\n"
    facts = extract_facts(doc(text), gazetteer, Hints(home="Nanjing"))
    assert [(f.a.name, f.b.name, f.year) for f in facts] == [("Barranquilla", "Nanjing", 2001)]
    assert facts[0].a_mention == "Barranquill" and facts[0].confidence < 0.7


def test_traditional_and_simplified_chinese(gazetteer: Gazetteer) -> None:
    traditional, simplified = resolved("舊金山", gazetteer), resolved("旧金山", gazetteer)
    assert [r[1:] for r in traditional] == [r[1:] for r in simplified] == [("San Francisco", "US")]


def test_regions_have_iso_keys(gazetteer: Gazetteer) -> None:
    place = find_mentions("Jiangsu Province", gazetteer)[0].place
    assert (place.key, place.geonameid, place.kind) == ("iso:CN-JS", None, "region")


# --- cues and facts ----------------------------------------------------------------------------------------


def test_negative_phrases_are_not_cues() -> None:
    assert relation_cues("the Twin Towers and the Twin Cities and a sister company") == []


def test_signed_on_tuesday_takes_the_year_of_the_dateline(gazetteer: Gazetteer) -> None:
    text = "Hefei, 14 March 2019\n\nHefei signed a sister-city agreement with Columbus, Ohio, on Tuesday."
    facts = extract_facts(doc(text), gazetteer, Hints(today=date(2026, 1, 1)))
    assert [(f.a.name, f.b.name, f.year) for f in facts] == [("Hefei", "Columbus", 2019)]


def test_extraction_is_pure(gazetteer: Gazetteer) -> None:
    page = doc("In 1994, Nanjing and Daejeon established a sister-city relationship.")
    fetched = Document(url=page.url, source_id="x", content=page.content, content_type="text/plain",
                       fetched_at=datetime(2030, 1, 1))
    assert extract_facts(page, gazetteer, Hints()) == extract_facts(fetched, gazetteer, Hints())


# --- gazetteer cache ----------------------------------------------------------------------------------------


def test_warm_load_is_fast_and_cached(gazetteer: Gazetteer, tmp_path_factory: pytest.TempPathFactory) -> None:
    directory: Path = tmp_path_factory.getbasetemp() / "gazetteer"
    assert len(list(directory.glob("gazetteer-v*.pickle"))) == 1
    started = time.perf_counter()
    again = load_gazetteer(directory)
    assert time.perf_counter() - started < 1.5  # 1 s target; slack for a busy CI machine
    assert len(again.names) == len(gazetteer.names)


def test_xml_declaration_is_parsed() -> None:
    html = ('<?xml version="1.0" encoding="utf-8"?><html><body><article><p>'
            + "Nanjing and Leipzig became sister cities in 1988. " * 6 + "</p></article></body></html>")
    assert "Leipzig" in html_main_text(html).text


def test_list_entry_followed_by_a_description(gazetteer: Gazetteer) -> None:
    text = "Sister cities\n- Wakayama, Japan (1984) Ningbo's first sister city, a port like Ningbo.\n"
    facts = extract_facts(doc(text), gazetteer, Hints(home="Ningbo"))
    assert [(f.a.name, f.b.name, f.relation, f.year) for f in facts] == [
        ("Wakayama", "Ningbo", "sister_city", 1984)]
    assert facts[0].evidence.startswith("- Wakayama, Japan (1984)")

"""The digest stage: classification, grouping, cut-offs, subject, escaping, golden files and reports/."""

from __future__ import annotations

import email.policy
import importlib.util
import os
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import pytest

from etl.config import DigestSettings
from etl.digest import (
    BUCKET_SECTION,
    SUBJECT_WORDS,
    build_digest,
    country_name,
    flag,
    render_digest,
    write_digest,
)
from etl.digest_model import DigestInput, RenderedDigest
from etl.models import EVENT_KINDS, PartnershipEvent, SourceHealth

FIXTURES = Path(__file__).parent / "fixtures" / "digest"
UPDATE = os.environ.get("TWINWATCH_UPDATE_GOLDEN") == "1"


def _load_sample() -> ModuleType:
    spec = importlib.util.spec_from_file_location("digest_sample", FIXTURES / "sample.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sample = _load_sample()


class _Tags(HTMLParser):
    """Collects start tags and attributes, to check what a browser would actually build."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def week(events: list[PartnershipEvent], health: list[SourceHealth] | None = None) -> DigestInput:
    return replace(sample.sample_input(), events=events, health=health or [])


def render(data: DigestInput, **settings: object) -> RenderedDigest:
    return render_digest(build_digest(data, DigestSettings(**settings)))  # type: ignore[arg-type]


# --- golden files ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["golden.html", "golden.txt", "golden-empty.html", "golden-empty.txt"])
def test_rendering_matches_golden_file(name: str) -> None:
    data = sample.sample_input()
    if "empty" in name:
        data = replace(data, events=[], health=[])
    rendered = render(data)
    actual = rendered.html if name.endswith(".html") else rendered.text
    path = FIXTURES / name
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with TWINWATCH_UPDATE_GOLDEN=1 to create it"
    assert actual == path.read_text(encoding="utf-8"), (
        f"the rendered digest differs from {path}: review, then rerun with TWINWATCH_UPDATE_GOLDEN=1"
    )


# --- subject and classification -------------------------------------------------------------------------


def test_subject_names_only_nonzero_counts() -> None:
    kept = [e for e in sample.events() if e.event_id in (1, 2, 3, 4, 5)]
    assert render(week(kept)).subject == "twinwatch 2026-W47: 3 new partnerships, 1 upgraded, 1 suspended"


def test_subject_prefix_and_non_ascii_survive() -> None:
    digest = build_digest(
        week([sample.events()[0]]), DigestSettings(subject_prefix="友好城市 Biên Hòa\nwatch")
    )
    assert digest.subject == "友好城市 Biên Hòa watch 2026-W47: 1 new partnership"


def test_empty_week_is_one_line_and_flagged() -> None:
    rendered = render(week([]))
    assert rendered.is_empty
    assert rendered.subject == "twinwatch 2026-W47: no changes"
    assert "No changes in 2026-W47." in rendered.text
    assert "New partnerships" not in rendered.html


def test_a_health_transition_alone_is_not_empty() -> None:
    digest = build_digest(week([], sample.health()[:1]), DigestSettings())
    assert not digest.is_empty
    assert digest.subject == "twinwatch 2026-W47: 1 source failing"


def test_still_failing_source_alone_is_empty() -> None:
    assert build_digest(week([], sample.health()[3:]), DigestSettings()).is_empty


def test_sections_in_order_of_importance() -> None:
    digest = build_digest(sample.sample_input(), DigestSettings())
    assert [s.key for s in digest.sections] == [
        "new",
        "upgraded",
        "ended",
        "anniversary",
        "corroborated",
        "second_look",
        "corrected",
    ]
    assert digest.older is not None and digest.older.total == 12


def test_status_changes_split_into_suspended_terminated_resumed() -> None:
    digest = build_digest(sample.sample_input(), DigestSettings())
    ended = next(s for s in digest.sections if s.key == "ended")
    notes = sorted(i.note or "" for g in ended.groups for i in g.items)
    assert notes == ["established → suspended", "established → terminated", "resumed (was suspended)"]


@pytest.mark.parametrize("kind", [*EVENT_KINDS, "some_future_kind"])
def test_every_event_kind_lands_in_a_section_and_the_subject(kind: str) -> None:
    digest = build_digest(
        week([sample.event(70, kind, sample.NANJING, sample.PORTO, "mou")]), DigestSettings()
    )
    shown = [s.key for s in digest.sections] + ([digest.older.key] if digest.older else [])
    assert len(shown) == 1 and digest.summary != "no changes"
    assert set(BUCKET_SECTION) <= set(SUBJECT_WORDS)


def test_proposed_to_established_counts_as_upgrade() -> None:
    change = sample.event(
        50,
        "status_changed",
        sample.NANJING,
        sample.PORTO,
        "sister_city",
        previous="proposed",
        current="established",
    )
    digest = build_digest(week([change]), DigestSettings())
    assert [s.key for s in digest.sections] == ["upgraded"]


def test_single_source_new_claims_are_flagged_for_a_second_look() -> None:
    digest = build_digest(sample.sample_input(), DigestSettings())
    second = next(s for s in digest.sections if s.key == "second_look")
    assert [g.title for g in second.groups] == ["Sources disagree", "Only one source so far"]
    assert [i.second.name for i in second.groups[1].items] == ["Porto"]


def test_first_seen_ties_never_count_as_news() -> None:
    older = [e for e in sample.events() if e.kind == "first_seen"]
    digest = build_digest(week(older), DigestSettings(max_items=5))
    assert digest.sections == ()
    assert digest.subject == "twinwatch 2026-W47: 12 older ties recorded"
    assert digest.older is not None and len(digest.older.groups[0].items) == 5
    assert digest.older.groups[0].more == 7
    assert "and 7 more" in render(week(older), max_items=5).text


# --- grouping and cut-offs ------------------------------------------------------------------------------


def big_week() -> list[PartnershipEvent]:
    """25 new ties of Nanjing, and 12 other places with one tie each."""
    hub = [
        sample.event(n, "new", sample.place(9000 + n, f"Town {n:02d}", "DE"), sample.NANJING, "sister_city")
        for n in range(25)
    ]
    rest = [
        sample.event(
            100 + n,
            "new",
            sample.place(8000 + n, f"City {n:02d}", "FR"),
            sample.place(7000 + n, f"Other {n:02d}", "IT"),
            "mou",
        )
        for n in range(12)
    ]
    return hub + rest


def test_grouped_by_the_shared_place_with_cut_offs() -> None:
    digest = build_digest(week(big_week()), DigestSettings(max_items=4))
    section = digest.sections[0]
    assert section.total == 37
    assert [g.title for g in section.groups][0] == "🇨🇳 Nanjing, China"
    assert len(section.groups) == 4 and len(section.groups[0].items) == 4 and section.groups[0].more == 21
    assert (section.more, section.more_places) == (9, 9)
    assert all(i.first.name == "Nanjing" for i in section.groups[0].items)


def test_a_section_shows_at_most_twice_max_items() -> None:
    hubs = [sample.place(6000 + h, f"Hub {h}", "CN") for h in range(5)]
    events = [
        sample.event(
            200 + 10 * h + n, "new", hub, sample.place(5000 + 10 * h + n, f"Twin {h}{n}", "JP"), "mou"
        )
        for h, hub in enumerate(hubs)
        for n in range(3)
    ]
    section = build_digest(week(big_week()[:25] + events), DigestSettings(max_items=4)).sections[0]
    assert [len(g.items) for g in section.groups] == [4, 3, 1]
    assert [g.more for g in section.groups] == [21, 0, 2]
    assert (section.more, section.more_places) == (9, 3)  # 8 shown + 23 cut in groups + 9 = 40


def test_cut_off_lines_are_rendered() -> None:
    rendered = render(week(big_week()), max_items=4)
    for text in (rendered.html, rendered.text):
        assert "and 21 more" in text and "and 9 more in 9 other places" in text


# --- item content ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "name", "emoji"),
    [
        ("VN", "Vietnam", "🇻🇳"),
        ("RU", "Russia", "🇷🇺"),
        ("KR", "South Korea", "🇰🇷"),
        ("CN", "China", "🇨🇳"),
        ("XK", "Kosovo", "🇽🇰"),
        ("ZZ", "ZZ", "🇿🇿"),
        ("", "", ""),
    ],
)
def test_country_names_and_flags(code: str, name: str, emoji: str) -> None:
    assert (country_name(code), flag(code)) == (name, emoji)


def test_item_shows_places_relation_year_evidence_and_every_source() -> None:
    rendered = render(week([sample.events()[0]]))
    for text in (rendered.html, rendered.text):
        assert "南京市与越南边和市" in text and "Biên Hòa" in text and "Vietnam" in text and "🇻🇳" in text
        assert "friendship cities" in text and "2026" in text
        assert "https://www.nanjing.gov.cn/news/2026/1117.html" in text
        assert "https://baodongnai.com.vn/bien-hoa-nam-kinh" in text


def test_syndicated_titles_get_their_host_and_urls_appear_once() -> None:
    refs = (
        sample.ref("https://a.example.org/1", "Same title"),
        sample.ref("https://b.example.org/2", "Same title"),
        sample.ref("https://a.example.org/1", "Same title"),
        sample.ref("https://c.example.org/3"),
    )
    syndicated = sample.event(62, "new", sample.NANJING, sample.PORTO, "sister_city", sources=refs)
    item = build_digest(week([syndicated]), DigestSettings()).sections[0].groups[0].items[0]
    assert [s.label for s in item.sources] == [
        "Same title (a.example.org)",
        "Same title (b.example.org)",
        "c.example.org",
    ]


def test_anniversary_and_relation_words() -> None:
    digest = build_digest(sample.sample_input(), DigestSettings())
    notes = {i.note for s in digest.sections for g in s.groups for i in g.items}
    relations = {i.relation for s in digest.sections for g in s.groups for i in g.items}
    assert "38th anniversary" in notes and "memorandum of understanding → friendship cities" in notes
    assert {
        "sister cities",
        "friendship cities",
        "memorandum of understanding",
        "letter of intent",
        "cooperation agreement",
    } <= relations


def test_long_evidence_is_shortened_on_a_word() -> None:
    long = sample.event(60, "new", sample.NANJING, sample.PORTO, "sister_city", evidence="word " * 200)
    item = build_digest(week([long]), DigestSettings()).sections[0].groups[0].items[0]
    assert item.evidence is not None and len(item.evidence) <= 282 and item.evidence.endswith("word …")


# --- hostile page text ----------------------------------------------------------------------------------


def test_hostile_text_is_shown_as_text_in_html() -> None:
    html = render(sample.sample_input()).html
    names = [tag for tag, _ in tags(html)]
    assert "script" not in names and "img" not in names
    assert '&lt;script&gt;alert("x")&lt;/script&gt;' in html
    assert "&lt;b broken ]]&gt; on Monday &amp; more" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" not in html  # a non-http link shows its URL, not its title
    hrefs = [attrs["href"] for tag, attrs in tags(html) if tag == "a"]
    assert hrefs and all((href or "").startswith("https://") for href in hrefs)


def test_hostile_text_is_kept_verbatim_in_text() -> None:
    text = render(sample.sample_input()).text
    assert (
        'Porto and Shenzhen <script>alert("x")</script> signed an MoU <b broken ]]> on Monday & more' in text
    )


def test_control_and_bidi_characters_are_dropped() -> None:
    nasty = sample.event(
        61, "new", sample.NANJING, sample.PORTO, "sister_city", evidence="a\u202eb\x00c\r\nd"
    )
    rendered = render(week([nasty]))
    assert '"abc d"' in rendered.text and "\u202e" not in rendered.html


def test_no_scripts_or_external_resources_and_css_inlined() -> None:
    html = render(sample.sample_input()).html
    found = tags(html)
    assert not [t for t, a in found if t in ("script", "link", "img", "iframe", "style")]
    assert 'style="' in html and "<table" in html  # the chart is table bars


def test_dates_are_shown_in_the_digest_time_zone() -> None:
    data = replace(
        sample.sample_input(),
        since=datetime(2026, 11, 15, 20, 0, tzinfo=UTC),
        until=datetime(2026, 11, 22, 20, 0),
    )
    assert (
        build_digest(data, DigestSettings(timezone="Asia/Shanghai")).period_text
        == "16 Nov 2026 – 23 Nov 2026"
    )
    assert build_digest(data, DigestSettings()).period_text == "15 Nov 2026 – 22 Nov 2026"


def test_chart_bars_scale_to_the_busiest_week() -> None:
    chart = build_digest(sample.sample_input(), DigestSettings()).chart
    assert len(chart) == 12 and chart[0].label == "2026-W36"
    assert max(bar.percent for bar in chart) == 100 and chart[1].percent == 0 and chart[0].percent == 40


# --- reports/ -------------------------------------------------------------------------------------------


def message_for(rendered: RenderedDigest) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message


def test_write_digest_files_and_index_newest_first(tmp_path: Path) -> None:
    for label in ("2026-W09", "2026-W47", "2025-W52"):
        data = replace(sample.sample_input(), period_label=label)
        rendered = render(data)
        paths = write_digest(rendered, tmp_path / "reports", label, message_for(rendered))
    assert paths.html.name == "2025-W52.html" and all(path.exists() for path in paths.all())
    index = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    assert index.index("2026-W47") < index.index("2026-W09") < index.index("2025-W52")
    assert "2026-W47.html" in index and "3 new partnerships, 1 upgraded" in index
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == sorted(
        [f"{w}.{e}" for w in ("2026-W09", "2026-W47", "2025-W52") for e in ("html", "txt", "eml")]
        + ["index.html"]
    )


def test_eml_keeps_non_ascii(tmp_path: Path) -> None:
    rendered = render(sample.sample_input())
    paths = write_digest(rendered, tmp_path, "2026-W47", message_for(rendered))
    parsed = BytesParser(policy=email.policy.default).parsebytes(paths.eml.read_bytes())
    assert isinstance(parsed, EmailMessage)
    body = parsed.get_body(("plain",))
    assert body is not None and "Biên Hòa" in body.get_content() and "南京" in body.get_content()
    assert "Biên Hòa" in paths.html.read_text(encoding="utf-8")


@pytest.mark.parametrize("label", ["../etc/passwd", "2026-47", "2026-W47/x", ""])
def test_write_digest_rejects_a_bad_period_label(tmp_path: Path, label: str) -> None:
    rendered = render(week([]))
    with pytest.raises(ValueError, match="ISO week"):
        write_digest(rendered, tmp_path, label, message_for(rendered))

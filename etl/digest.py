"""The weekly change digest: plain data in, a subject, an HTML page and a text mail out.

``build_digest`` turns the warehouse's events and source health into display-ready sections
(classified, grouped, cut off, counted); ``render_digest`` fills the jinja2 templates and inlines the
CSS; ``write_digest`` keeps a copy under ``reports/``. Nothing here opens the database or the network,
so a digest is a function of its input and can be compared with a golden file.
"""

from __future__ import annotations

import email.policy
import os
import re
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import css_inline
import jinja2
import pycountry
import yaml

from etl.config import DigestSettings
from etl.digest_model import (
    Bar,
    Digest,
    DigestInput,
    DigestPaths,
    Group,
    HealthLine,
    Item,
    PlaceView,
    RenderedDigest,
    Section,
    SourceLink,
)
from etl.models import PartnershipEvent, Place, SourceHealth, SourceRef

TEMPLATES = Path(__file__).parent / "templates"

_WORDS: dict[str, Any] = yaml.safe_load((TEMPLATES / "digest_words.yaml").read_text(encoding="utf-8"))
RELATION_WORDS: dict[str, str] = _WORDS["relations"]
COUNTRY_NAMES: dict[str, str] = _WORDS["countries"]
SECTIONS: list[dict[str, Any]] = _WORDS["sections"]  # key, buckets, title, intro; most important first
SUBJECT_WORDS: dict[str, list[str]] = _WORDS["subject"]  # bucket -> [singular, plural]; in subject order
STAT_LABELS: dict[str, str] = _WORDS["stats"]
ENDED = ("suspended", "terminated")
# Every event lands in one bucket; buckets drive the subject counts and the section an event shows in.
KIND_BUCKET: dict[str, str] = _WORDS["kinds"]
BUCKET_SECTION = {bucket: section["key"] for section in SECTIONS for bucket in section["buckets"]}
EVIDENCE_MAX = 280
SECTION_FACTOR = 2  # a section shows at most this many times digest.max_items items
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_PERIOD = re.compile(r"(\d{4})-W(\d{2})")


_Triple = tuple[Place, Place, PartnershipEvent]  # group place, other place, event


# --- small views ---------------------------------------------------------------------------------------


def flag(country: str) -> str:
    """Regional-indicator flag emoji for an ISO 3166-1 alpha-2 code; empty when it is not one."""
    code = country.upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        return ""
    return "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in code)


@cache
def country_name(code: str) -> str:
    if code.upper() in COUNTRY_NAMES:
        return COUNTRY_NAMES[code.upper()]
    country = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


def place_view(place: Place) -> PlaceView:
    return PlaceView(clean(place.name), country_name(place.country), flag(place.country))


def clean(text: str, limit: int | None = None) -> str:
    """One line of page text: control and bidi-override characters dropped, whitespace collapsed."""
    text = " ".join(_CONTROL.sub("", text).split())
    if limit is not None and len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:.") + " …"
    return text


def source_link(url: str, title: str | None = None) -> SourceLink:
    parts = urlsplit(url)
    safe = parts.scheme in ("http", "https") and bool(parts.hostname)
    label = clean(title, 90) if title else (parts.hostname or clean(url, 90))
    return SourceLink(label or url, url, url if safe else None)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def words(value: str | None) -> str:
    return RELATION_WORDS.get(value or "", value or "?")


# --- classification ------------------------------------------------------------------------------------


def bucket(event: PartnershipEvent) -> str:
    if event.kind != "status_changed":
        return KIND_BUCKET.get(event.kind, "corrected")  # an unknown kind is shown, not dropped
    if event.current in ENDED:
        return str(event.current)
    if event.current == "established":
        return "resumed" if event.previous in ENDED else "upgraded"
    return "corrected"


def note(event: PartnershipEvent, until: datetime) -> str | None:
    kind, previous, current = event.kind, event.previous, event.current
    if kind == "upgraded":
        return f"{words(previous)} → {words(current)}"
    if kind == "status_changed":
        return f"resumed (was {previous})" if bucket(event) == "resumed" else f"{previous} → {current}"
    if kind == "year_changed":
        return f"year {previous or '?'} → {current or '?'}"
    if kind == "conflicting_claim":
        return f"sources disagree: {previous} vs {current}" if previous and current else "sources disagree"
    if kind == "corroborated":
        return f"now {event.source_count} independent sources"
    if kind == "anniversary" and event.year and until.year > event.year:
        return f"{ordinal(until.year - event.year)} anniversary"
    return None


def item(event: PartnershipEvent, first: Place, second: Place, until: datetime) -> Item:
    sources = links(event.sources)
    evidence = clean(event.evidence, EVIDENCE_MAX) if event.evidence else None
    return Item(
        place_view(first), place_view(second), words(event.relation), event.year, note(event, until),
        evidence or None, sources, event.kind == "new" and event.source_count == 1,
    )


def links(sources: Sequence[SourceRef]) -> tuple[SourceLink, ...]:
    """One link per URL; a title several outlets share (syndicated news) gets its host added."""
    found = [source_link(s.url, s.title) for s in {s.url: s for s in sources}.values()]
    seen = Counter(link.label for link in found)
    shared = [seen[link.label] > 1 and link.href is not None for link in found]
    return tuple(
        replace(link, label=f"{link.label} ({urlsplit(link.url).hostname})") if both else link
        for link, both in zip(found, shared, strict=True)
    )


# --- grouping and cut-offs -----------------------------------------------------------------------------


def _anchor(event: PartnershipEvent, hubs: Counter[str]) -> tuple[Place, Place]:
    """The place to group by: the one in more of the section's events, then a Chinese one."""
    rank_a = (hubs[event.a.key], event.a.country == "CN")
    rank_b = (hubs[event.b.key], event.b.country == "CN")
    return (event.b, event.a) if rank_b > rank_a else (event.a, event.b)


def group_by_place(
    events: Sequence[PartnershipEvent], until: datetime, limit: int
) -> tuple[tuple[Group, ...], int, int]:
    """Groups by shared place, biggest first; returns the kept groups, the events and groups left out.

    Each group shows up to ``limit`` items and a section up to ``SECTION_FACTOR * limit``, so a big
    week stays readable and the mail stays small enough not to be clipped by webmail.
    """
    hubs = Counter(place.key for e in events for place in (e.a, e.b))
    grouped: dict[str, list[_Triple]] = {}
    for event in events:
        first, second = _anchor(event, hubs)
        grouped.setdefault(first.key, []).append((first, second, event))
    order = sorted(grouped, key=lambda key: (-len(grouped[key]), _title(grouped[key][0][0]), key))
    kept: list[Group] = []
    budget = SECTION_FACTOR * limit
    for key in order[:limit]:
        if budget <= 0:
            break
        kept.append(_group(_title(grouped[key][0][0]), grouped[key], until, min(limit, budget)))
        budget -= len(kept[-1].items)
    left = order[len(kept):]
    return tuple(kept), sum(len(grouped[key]) for key in left), len(left)


def _title(place: Place) -> str:
    view = place_view(place)
    return f"{view.flag} {view.name}, {view.country}".strip()


def _order(triple: _Triple) -> tuple[str, str, str, str, str, int]:
    first, second, event = triple
    names = (country_name(first.country), first.name, country_name(second.country), second.name)
    return (*names, event.relation, event.year or 0)


def _group(title: str, triples: list[_Triple], until: datetime, limit: int) -> Group:
    """Items are built only for the events shown: a big week has many more than that."""
    shown = sorted(triples, key=_order)[:limit]
    items = tuple(item(event, first, second, until) for first, second, event in shown)
    return Group(title, items, len(triples) - len(shown))


def flat(title: str, events: Sequence[PartnershipEvent], until: datetime, limit: int) -> Group:
    hubs = Counter(place.key for e in events for place in (e.a, e.b))
    return _group(title, [(*_anchor(e, hubs), e) for e in events], until, limit)


def _section(key: str, events: Sequence[PartnershipEvent], data: DigestInput, limit: int) -> Section:
    title, intro = next((s["title"], s["intro"]) for s in SECTIONS if s["key"] == key)
    if key == "second_look":
        single = [e for e in data.events if e.kind == "new" and e.source_count == 1]
        both = (flat("Sources disagree", events, data.until, limit),
                flat("Only one source so far", single, data.until, limit))
        kept = tuple(group for group in both if group.items)
        return Section(key, title, intro, kept, len(events) + len(single), 0, 0)
    if key == "first_seen":  # compact: one flat list, so a first run's baseline stays one screen
        return Section(key, title, intro, (flat("", events, data.until, limit),), len(events), 0, 0)
    groups, more, more_places = group_by_place(events, data.until, limit)
    return Section(key, title, intro, groups, len(events), more, more_places)


def sections(data: DigestInput, limit: int) -> list[Section]:
    by_section: dict[str, list[PartnershipEvent]] = {s["key"]: [] for s in SECTIONS}
    for event in sorted(data.events, key=lambda e: (e.created_at, e.event_id)):
        by_section[BUCKET_SECTION[bucket(event)]].append(event)
    built = [_section(key, events, data, limit) for key, events in by_section.items()]
    return [s for s in built if s.total]


# --- health, chart, stats, subject ---------------------------------------------------------------------

_HEALTH_ORDER = {"failing": 0, "still failing": 1, "stale": 2, "still stale": 3, "recovered": 4}


def _failures(count: int) -> str:
    return f"{count} failure" if count == 1 else f"{count} failures"


def health_line(h: SourceHealth, tz: ZoneInfo) -> HealthLine | None:
    label = h.changed or {"failing": "still failing", "stale": "still stale"}.get(h.state)
    if label is None:
        return None
    last = local(h.last_success, tz) if h.last_success else None
    since = f"last success {last:%d %b %Y}" if last else "never fetched successfully"
    detail = {
        "recovered": "fetching again",
        "stale": f"no new article; {since}",
        "still stale": f"no new article; {since}",
    }.get(label, f"{_failures(h.consecutive_failures)} in a row: {clean(h.last_error or 'unknown', 160)}")
    return HealthLine(clean(h.source_id, 80), source_link(h.url), label, detail)


def health_lines(health: Sequence[SourceHealth], tz: ZoneInfo) -> list[HealthLine]:
    lines = [line for line in (health_line(h, tz) for h in health) if line is not None]
    return sorted(lines, key=lambda line: (_HEALTH_ORDER[line.label], line.source_id))


def chart(weekly: Sequence[tuple[str, int]]) -> tuple[Bar, ...]:
    top = max((count for _, count in weekly), default=0) or 1
    return tuple(Bar(label, count, round(100 * count / top)) for label, count in weekly)


def stats(values: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    known = [(label, values[key]) for key, label in STAT_LABELS.items() if key in values]
    return tuple(known + [(key.replace("_", " "), n) for key, n in values.items() if key not in STAT_LABELS])


def summary(counts: Counter[str]) -> str:
    parts = [f"{counts[b]} {one if counts[b] == 1 else many}" for b, (one, many) in SUBJECT_WORDS.items()
             if counts[b]]
    return ", ".join(parts) or "no changes"


def period_text(since: datetime, until: datetime, tz: ZoneInfo) -> str:
    since, until = local(since, tz), local(until, tz)
    return f"{since.day} {since:%b %Y} – {until.day} {until:%b %Y}"


def local(moment: datetime, tz: ZoneInfo) -> datetime:
    """In digest.timezone; a naive time is taken as UTC, which is what the warehouse stores."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(tz)


# --- build, render, write ------------------------------------------------------------------------------


def build_digest(data: DigestInput, settings: DigestSettings) -> Digest:
    counts = Counter(bucket(e) for e in data.events) + Counter(h.changed for h in data.health if h.changed)
    counted = summary(counts)
    built = sections(data, settings.max_items)
    tz = ZoneInfo(settings.timezone)
    health = health_lines(data.health, tz)
    return Digest(
        subject=clean(f"{settings.subject_prefix} {data.period_label}: {counted}"),
        summary=counted,
        period_label=data.period_label,
        period_text=period_text(data.since, data.until, tz),
        sections=tuple(s for s in built if s.key != "first_seen"),
        older=next((s for s in built if s.key == "first_seen"), None),
        health=tuple(health[: settings.max_items]),
        health_more=max(0, len(health) - settings.max_items),
        chart=chart(data.weekly_new),
        stats=stats(data.stats),
        is_empty=not data.events and not any(h.changed for h in data.health),
    )


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        # Page text is hostile input: escape everything except the plain-text templates.
        autoescape=jinja2.select_autoescape(disabled_extensions=("txt.j2",), default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@cache
def _inliner() -> css_inline.CSSInliner:
    css = (TEMPLATES / "digest.css").read_text(encoding="utf-8")
    return css_inline.CSSInliner(load_remote_stylesheets=False, extra_css=css)


def render_digest(digest: Digest) -> RenderedDigest:
    env = _environment()
    html = _inliner().inline(env.get_template("digest.html.j2").render(d=digest))
    text = env.get_template("digest.txt.j2").render(d=digest)
    return RenderedDigest(digest.subject, html, text, None, digest.is_empty)


def write_digest(
    rendered: RenderedDigest, out_dir: Path, period_label: str, message: EmailMessage
) -> DigestPaths:
    """Write reports/<year>-W<week>.html, .txt and .eml, then refresh reports/index.html."""
    if not _PERIOD.fullmatch(period_label):
        raise ValueError(f"period label {period_label!r} is not an ISO week like 2026-W47")
    out_dir.mkdir(parents=True, exist_ok=True)
    html, text, eml = (out_dir / f"{period_label}.{ext}" for ext in ("html", "txt", "eml"))
    paths = DigestPaths(html, text, eml, out_dir / "index.html")
    _write(paths.html, rendered.html.encode("utf-8"))
    _write(paths.text, rendered.text.encode("utf-8"))
    _write(paths.eml, message.as_bytes(policy=email.policy.default))
    _write(paths.index, render_index(out_dir).encode("utf-8"))
    return paths


def render_index(out_dir: Path) -> str:
    # "2026-W09" < "2026-W47" < "2027-W01" as text, so a reverse name sort is newest first.
    found = sorted((path for path in out_dir.glob("*.html") if _PERIOD.fullmatch(path.stem)), reverse=True)
    entries = [{"label": path.stem, "summary": _summary_of(path.with_suffix(".eml"), path.stem),
                "txt": path.with_suffix(".txt").exists(), "eml": path.with_suffix(".eml").exists()}
               for path in found]
    return _inliner().inline(_environment().get_template("index.html.j2").render(entries=entries))


def _summary_of(eml: Path, period_label: str) -> str:
    """The counts from the mail's subject, without the prefix and the label the index shows anyway."""
    if not eml.exists():
        return ""
    with eml.open("rb") as handle:
        headers = BytesParser(policy=email.policy.default).parse(handle, headersonly=True)
    subject = str(headers["Subject"] or "")
    return subject.split(f"{period_label}: ", 1)[-1]


def _write(path: Path, content: bytes) -> None:
    """Write via a temporary file and rename, so a reader never sees half a report."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(temp, 0o644)  # mkstemp makes 0600; reports are meant to be served or shared
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise

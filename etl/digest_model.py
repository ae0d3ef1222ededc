"""The digest's display model: what ``etl.digest`` builds and the templates read. Plain frozen data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from etl.models import PartnershipEvent, SourceHealth


@dataclass(frozen=True)
class DigestInput:
    period_label: str  # ISO week of ``until``, e.g. "2026-W47"
    since: datetime
    until: datetime
    events: Sequence[PartnershipEvent]
    health: Sequence[SourceHealth]
    stats: Mapping[str, int]
    weekly_new: Sequence[tuple[str, int]]  # ("2026-W36", 2), ... oldest first


@dataclass(frozen=True)
class PlaceView:
    name: str
    country: str
    flag: str


@dataclass(frozen=True)
class SourceLink:
    label: str
    url: str
    href: str | None  # None when the URL is not http(s): shown as text, never linked


@dataclass(frozen=True)
class Item:
    first: PlaceView  # the group's place when grouped
    second: PlaceView
    relation: str
    year: int | None
    note: str | None  # what changed: "memorandum of understanding → sister cities", "resumed", ...
    evidence: str | None
    sources: tuple[SourceLink, ...]
    single_source: bool


@dataclass(frozen=True)
class Group:
    title: str  # the place the items share, or a heading such as "Sources disagree"
    items: tuple[Item, ...]
    more: int  # items left out by the cut-off


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    intro: str
    groups: tuple[Group, ...]
    total: int  # events in the section
    more: int  # events in groups left out by the cut-off
    more_places: int  # number of groups left out


@dataclass(frozen=True)
class HealthLine:
    source_id: str
    link: SourceLink
    label: str  # "failing", "still failing", "stale", "recovered"
    detail: str


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: int  # of the busiest week


@dataclass(frozen=True)
class Digest:
    subject: str
    summary: str  # the counts, as in the subject: "3 new partnerships, 1 upgraded" or "no changes"
    period_label: str
    period_text: str
    sections: tuple[Section, ...]  # non-empty news sections, most important first
    older: Section | None  # older ties recorded for the first time, compact
    health: tuple[HealthLine, ...]
    health_more: int
    chart: tuple[Bar, ...]
    stats: tuple[tuple[str, int], ...]
    is_empty: bool  # nothing happened: with digest.empty == "skip" the caller sends nothing


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    html: str  # CSS inlined
    text: str
    chart_png: bytes | None  # the chart is drawn with table bars, so this is always None here
    is_empty: bool


@dataclass(frozen=True)
class DigestPaths:
    html: Path
    text: Path
    eml: Path
    index: Path

    def all(self) -> tuple[Path, ...]:
        return (self.html, self.text, self.eml, self.index)

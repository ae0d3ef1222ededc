"""Plain data passed between the pipeline stages.

Every stage takes and returns these frozen dataclasses; none of them knows about HTTP clients,
parsers or the database. The vocabularies (relations, statuses, event kinds) live here too, so
the extractor, the warehouse and the digest agree on one spelling.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

# --- vocabularies -------------------------------------------------------------------------------

Relation = Literal["sister_city", "friendship_city", "mou", "letter_of_intent", "partnership_other"]
Status = Literal["established", "proposed", "anniversary", "suspended", "terminated", "mentioned"]
PlaceKind = Literal["city", "region", "country"]

RELATIONS: tuple[Relation, ...] = (
    "sister_city",
    "friendship_city",
    "mou",
    "letter_of_intent",
    "partnership_other",
)
STATUSES: tuple[Status, ...] = (
    "established",
    "proposed",
    "anniversary",
    "suspended",
    "terminated",
    "mentioned",
)

# A partnership is one canonical pair of places and one relation *family*: a letter of intent, an
# MoU and a sister-city agreement between the same two places are stages of one tie, so moving
# between them is an upgrade of one partnership, not a second partnership.
RELATION_FAMILY: dict[str, str] = {
    "sister_city": "twinning",
    "friendship_city": "twinning",
    "mou": "twinning",
    "letter_of_intent": "twinning",
    "partnership_other": "cooperation",
}
# How formal a relation is inside its family; a higher rank replacing a lower one is an upgrade.
# Chinese 友好城市 (friendship city) is the formal tie, equal to a sister city.
RELATION_RANK: dict[str, int] = {
    "letter_of_intent": 1,
    "mou": 2,
    "partnership_other": 2,
    "friendship_city": 3,
    "sister_city": 3,
}

EventKind = Literal[
    "new",  # a newly signed or announced agreement (the claim is recent)
    "first_seen",  # an older tie recorded for the first time (baseline, background mention)
    "upgraded",  # relation moved up, e.g. MoU -> sister city
    "status_changed",  # e.g. established -> suspended, suspended -> established
    "year_changed",  # the best-supported year of the agreement changed
    "corroborated",  # a further independent source confirms the partnership
    "conflicting_claim",  # sources disagree on year or status (raised once per disagreement)
    "anniversary",  # an anniversary of the tie was reported
]
EVENT_KINDS: tuple[str, ...] = (
    "new",
    "first_seen",
    "upgraded",
    "status_changed",
    "year_changed",
    "corroborated",
    "conflicting_claim",
    "anniversary",
)

SourceKind = Literal["feed", "listing", "page"]
FetchOutcome = Literal["ok", "not_modified", "unchanged", "skipped", "error"]
HealthState = Literal["ok", "failing", "stale"]


# --- fetching -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Validators:
    """What we remember about a URL to avoid downloading or parsing it again."""

    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None


@dataclass(frozen=True)
class FetchRequest:
    url: str
    source_id: str
    validators: Validators = Validators()
    # The host this request may reach even if it resolves to a private or loopback address
    # (the source's own configured host).
    trusted_host: str | None = None


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one fetch. A failed or unchanged fetch carries no body and is never a change."""

    url: str  # canonical URL that was requested
    source_id: str
    outcome: FetchOutcome
    fetched_at: datetime
    final_url: str | None = None  # after redirects
    status: int | None = None  # HTTP status, None when no response arrived
    content_type: str | None = None  # media type without parameters, e.g. "text/html"
    text: str | None = None  # decoded body, only when outcome == "ok"
    encoding: str | None = None
    bytes_read: int = 0
    elapsed_ms: float = 0.0
    validators: Validators = Validators()
    truncated: bool = False  # body was cut at the size cap
    error_class: str | None = None  # e.g. "timeout", "http_404", "robots_disallowed"
    error: str | None = None  # one-line human reason

    @property
    def failed(self) -> bool:
        return self.outcome == "error"

    @property
    def ok(self) -> bool:
        """A body arrived that is new or changed: the only outcome worth parsing."""
        return self.outcome == "ok"


@dataclass(frozen=True)
class Link:
    """An article discovered on a feed or a listing page."""

    url: str  # canonical
    source_id: str
    title: str | None = None
    published: datetime | None = None


# --- documents and facts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """One fetched page (or local file) ready for extraction."""

    url: str  # canonical URL, or file:// path for local files
    source_id: str
    content: str  # HTML or plain text as fetched
    content_type: str = "text/html"  # "text/html" or "text/plain"
    content_hash: str = ""  # hash of the normalized main text, set by the pipeline
    fetched_at: datetime | None = None
    title: str | None = None  # from the feed or listing, if known
    published: datetime | None = None  # from the feed or listing, if known


@dataclass(frozen=True)
class Hints:
    """What the configuration tells the extractor about a page."""

    home: str | None = None  # the place a page is about, e.g. "Nanjing"
    lang: str | None = None  # "en", "zh", ...
    today: date | None = None  # reference date for datelines when the page has none


@dataclass(frozen=True)
class Place:
    """A gazetteer entry: a city, a first-level region or a country."""

    # canonical id: "gn:<geonameid>"; regions without one: "iso:<ISO 3166-2 code>", US counties "fips:<code>",
    # Chinese counties "adcode:<code>", municipalities no data lists "name:<country>:<name as written>"
    key: str
    geonameid: int | None
    name: str  # canonical English name
    country: str  # ISO 3166-1 alpha-2
    kind: PlaceKind


@dataclass(frozen=True)
class Fact:
    """One claim by one document: two places, a relation, a status, a year, and the evidence."""

    a: Place
    b: Place
    a_mention: str  # the text as written in the document ("Stalingrad", "南京")
    b_mention: str
    relation: Relation
    status: Status
    year: int | None
    evidence: str
    evidence_start: int  # character offsets of the evidence in the extracted main text
    evidence_end: int
    confidence: float  # in [0, 1]

    @property
    def pair_key(self) -> str:
        """The canonical unordered pair of places."""
        first, second = sorted((self.a.key, self.b.key))
        return f"{first}|{second}"

    @property
    def family(self) -> str:
        return RELATION_FAMILY[self.relation]

    @property
    def partnership_key(self) -> str:
        return f"{self.pair_key}|{self.family}"


@dataclass(frozen=True)
class ExtractedDocument:
    """What the extractor made of one document: metadata and facts."""

    document: Document
    text: str  # main text the evidence offsets refer to
    title: str | None
    published: date | None
    language: str | None
    facts: tuple[Fact, ...] = ()
    skipped_by_prefilter: bool = False


# --- warehouse output ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceRef:
    url: str
    source_id: str
    title: str | None = None
    published: date | None = None


@dataclass(frozen=True)
class PartnershipEvent:
    """One row of ``partnership_events`` joined with what the digest needs to show it."""

    event_id: int
    kind: str  # one of EVENT_KINDS
    created_at: datetime
    partnership_key: str
    a: Place
    b: Place
    relation: str
    status: str
    year: int | None
    previous: str | None  # the value before the change ("mou", "established", "1997"), if any
    current: str | None  # the value after the change
    evidence: str | None
    confidence: float
    source_count: int  # independent sources supporting the partnership now
    sources: tuple[SourceRef, ...] = ()


@dataclass(frozen=True)
class SourceHealth:
    source_id: str
    url: str
    state: HealthState
    consecutive_failures: int
    last_success: datetime | None
    last_error: str | None
    changed: Literal["failing", "recovered", "stale", None] = None  # transition in the period, if any


@dataclass(frozen=True)
class RunSummary:
    """What one cycle did; printed by the CLI and stored in ``runs``."""

    run_id: int
    started_at: datetime
    finished_at: datetime
    sources_total: int = 0
    sources_failed: int = 0
    pages_fetched: int = 0
    pages_unchanged: int = 0
    pages_skipped: int = 0
    documents_parsed: int = 0
    facts: int = 0
    events: int = 0
    failures: tuple[str, ...] = field(default_factory=tuple)  # one line per failed source

    @property
    def outcome(self) -> str:
        if self.sources_failed == 0:
            return "ok"
        return "partial" if self.sources_failed < self.sources_total else "failed"

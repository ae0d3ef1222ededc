"""Load and validate ``sources.yaml``.

Strict and loud: unknown keys, bad URLs, bad schedules and duplicate source ids are all errors,
reported together in one ``ConfigError`` whose lines name the file, the key path and the line.
The ``defaults:`` block is merged under every source before validation.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from etl.errors import ConfigError

DEFAULT_CONFIG = Path("sources.yaml")
DEFAULT_DB = Path("warehouse/twinwatch.duckdb")

_INTERVAL = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_interval(text: str) -> timedelta | None:
    """'30m' -> 30 minutes; None when ``text`` is not an interval (it may be a cron expression)."""
    match = _INTERVAL.match(text)
    if not match:
        return None
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def validate_schedule(text: str) -> str:
    """Accept an interval (``3s``, ``30m``, ``6h``, ``1d``, ``1w``) or a five-field cron expression."""
    interval = parse_interval(text)
    if interval is not None:
        if interval.total_seconds() <= 0:
            raise ValueError("an interval must be longer than zero")
        return text.strip()
    if len(text.split()) != 5:
        raise ValueError(f"{text!r} is neither an interval like 30m / 6h / 1d nor a 5-field cron expression")
    from etl.crontab import cron_trigger  # imported here: only cron schedules need APScheduler

    try:
        cron_trigger(text, "UTC")
    except ValueError as exc:
        raise ValueError(f"bad cron expression {text!r}: {exc}") from None
    return text.strip()


def _validate_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an absolute http(s) URL")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """One entry of ``sources:``. Only ``id``, ``kind`` and ``url`` are required."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: Literal["feed", "listing", "page"]
    url: str
    home: str | None = None  # the place a page is about
    lang: str | None = None
    schedule: str = "6h"
    enabled: bool = True
    tags: tuple[str, ...] = ()
    # listing sources: which links are articles
    link_selector: str | None = None  # CSS selector for <a> elements
    link_pattern: str | None = None  # regular expression the article URL must match
    max_new: int = Field(default=500, ge=1)  # at most this many new articles per run
    # where discovered links may lead (default: the source's own host)
    allow_domains: tuple[str, ...] = ()
    allow_private: bool = False  # may follow links to private/loopback hosts other than its own
    refetch: bool = False  # fetch already-known articles again (conditional GET keeps it cheap)
    stale_after: str | None = None  # flag the source stale after this long without a new article

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _validate_url(value)

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        return validate_schedule(value)

    @field_validator("stale_after")
    @classmethod
    def _stale_after(cls, value: str | None) -> str | None:
        if value is not None and parse_interval(value) is None:
            raise ValueError(f"{value!r} is not an interval like 7d")
        return value

    @field_validator("link_selector")
    @classmethod
    def _selector(cls, value: str | None) -> str | None:
        if value is not None:
            from selectolax.lexbor import LexborHTMLParser  # the parser discovery uses

            try:
                LexborHTMLParser("<p></p>").css(value)
            except Exception:  # selectolax raises its own error type for a selector it cannot parse
                raise ValueError(f"{value!r} is not a CSS selector") from None
        return value

    @field_validator("link_pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"bad regular expression: {exc}") from None
        return value

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()


class Timeouts(_Strict):
    connect: float = Field(default=10.0, gt=0)
    read: float = Field(default=20.0, gt=0)
    total: float = Field(default=60.0, gt=0)


class FetchSettings(_Strict):
    """The ``fetch:`` block: politeness and robustness limits for every request."""

    user_agent: str = "twinwatch/0.1 (+https://github.com/twinwatch/twinwatch)"
    contact: str | None = None  # appended to the User-Agent so site operators can reach us
    concurrency: int = Field(default=16, ge=1, le=256)  # requests in flight overall
    per_host: int = Field(default=2, ge=1, le=16)  # requests in flight per host
    min_delay: float = Field(default=1.0, ge=0)  # seconds between requests to one host
    jitter: float = Field(default=0.5, ge=0)  # random extra delay, seconds
    timeouts: Timeouts = Timeouts()
    max_bytes: int = Field(default=5_000_000, ge=1024)
    max_redirects: int = Field(default=5, ge=0)
    retries: int = Field(default=3, ge=0, le=10)
    retry_after_cap: float = Field(default=120.0, ge=0)  # never wait longer than this for Retry-After
    backoff: float = Field(default=1.0, ge=0)  # first retry delay, seconds, doubled each time
    failing_after: int = Field(default=3, ge=1)  # consecutive failures before a source is "failing"
    http2: bool = True
    robots: bool = True

    @property
    def full_user_agent(self) -> str:
        return f"{self.user_agent} contact: {self.contact}" if self.contact else self.user_agent


class Smtp(_Strict):
    host: str = "localhost"
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    timeout: float = Field(default=30.0, gt=0)


class DigestSettings(_Strict):
    """The ``digest:`` block. SMTP credentials come only from the environment."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schedule: str = "0 8 * * 1"
    timezone: str = "UTC"
    from_: str = Field(default="twinwatch@localhost", alias="from")
    to: tuple[str, ...] = ()
    smtp: Smtp = Smtp()
    apprise: tuple[str, ...] = ()  # extra channels, e.g. "slack://…"
    empty: Literal["skip", "notify"] = "notify"  # an empty week: send nothing, or a one-line mail
    max_items: int = Field(default=10, ge=1)  # per group, before "and N more"
    subject_prefix: str = "twinwatch"
    out_dir: str = "reports"

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        return validate_schedule(value)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


class Config(_Strict):
    defaults: dict[str, Any] = Field(default_factory=dict)
    fetch: FetchSettings = FetchSettings()
    digest: DigestSettings = DigestSettings()
    sources: tuple[Source, ...] = ()

    def source(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        known = ", ".join(s.id for s in self.sources) or "none"
        raise ConfigError(f"no source with id {source_id!r} (known: {known})")


@dataclass(frozen=True)
class _Located:
    """A parsed YAML document with the line of every key path, for error messages."""

    data: Any
    lines: dict[tuple[str | int, ...], int]


def _locate(node: yaml.Node, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], int]]:
    yield path, node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            yield (*path, key), key_node.start_mark.line + 1
            for sub_path, line in _locate(value_node, (*path, key)):
                if sub_path != (*path, key):
                    yield sub_path, line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _locate(item, (*path, index))


# libyaml's parser when PyYAML was built with it: a config of thousands of sources loads ~10x faster.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(text: str) -> tuple[yaml.Node | None, Any]:
    """Parse once: the node tree (for line numbers) and the data built from it."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def _read_yaml(path: Path, text: str) -> _Located:
    try:
        node, data = _parse(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: not valid YAML: {exc}") from None
    lines = dict(_locate(node)) if node is not None else {}
    return _Located(data if data is not None else {}, lines)


def _line_of(located: _Located, loc: tuple[str | int, ...]) -> int | None:
    for end in range(len(loc), -1, -1):
        line = located.lines.get(tuple(loc[:end]))
        if line is not None:
            return line
    return None


def _merge_defaults(data: dict[str, Any]) -> dict[str, Any]:
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        return data
    sources = data.get("sources")
    if not isinstance(sources, list):
        return data
    merged = [{**defaults, **item} if isinstance(item, dict) else item for item in sources]
    return {**data, "sources": merged}


def _duplicate_ids(path: Path, located: _Located) -> list[str]:
    seen: dict[str, int] = {}
    problems = []
    for index, item in enumerate(located.data.get("sources") or []):
        if not isinstance(item, dict) or "id" not in item:
            continue
        line = located.lines.get(("sources", index, "id"))
        source_id = str(item["id"])
        if source_id in seen:
            where = f"{path}:{line}: sources[{index}].id"
            problems.append(f"{where}: duplicate id {source_id!r} (first at line {seen[source_id]})")
        else:
            seen[source_id] = line or 0
    return problems


def _describe(path: Path, located: _Located, loc: tuple[str | int, ...], kind: str, message: str,
              given: object = None) -> str:
    key = ".".join(str(part) if not isinstance(part, int) else f"[{part}]" for part in loc).replace(".[", "[")
    if kind == "extra_forbidden":
        message = "unknown key"
    elif kind == "string_type" and (given is None or isinstance(given, bool | int | float)):
        # `id: off`, `id: 2024`: YAML has already turned the bare word into a boolean or a number
        message = (f"expected text, but YAML reads this bare value as {given!r}; "
                   "put it in quotes (id: \"off\", id: \"2024\")")
    elif message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return f"{path}:{_line_of(located, loc)}: {key}: {message}"


KeyPath = tuple[str | int, ...]


def _report_location(loc: KeyPath, located: _Located, defaults: object) -> KeyPath:
    """A bad value merged in from ``defaults:`` is reported where it is written, not per source."""
    from_defaults = (
        len(loc) >= 3
        and loc[0] == "sources"
        and isinstance(defaults, dict)
        and loc[2] in defaults
        and located.lines.get(loc[:3]) is None
    )
    return ("defaults", *loc[2:]) if from_defaults else loc


def parse_config(text: str, path: Path = DEFAULT_CONFIG) -> Config:
    """Validate YAML text; raise ``ConfigError`` listing every problem with file, key and line."""
    located = _read_yaml(path, text)
    if not isinstance(located.data, dict):
        raise ConfigError(f"{path}:1: the top level must be a mapping with a 'sources:' list")
    problems = _duplicate_ids(path, located)
    defaults = located.data.get("defaults") or {}
    try:
        config = Config.model_validate(_merge_defaults(located.data))
    except ValidationError as exc:
        for error in exc.errors():
            loc = _report_location(tuple(error["loc"]), located, defaults)
            problems.append(_describe(path, located, loc, error["type"], error["msg"], error.get("input")))
        problems = list(dict.fromkeys(problems))  # a bad default repeats once per source
    if problems:
        raise ConfigError(f"{path}: {len(problems)} problem(s) in the configuration", problems)
    return config


def config_path(explicit: str | Path | None) -> Path:
    """--config, else $TWINWATCH_CONFIG, else ./sources.yaml."""
    return Path(explicit or os.environ.get("TWINWATCH_CONFIG") or DEFAULT_CONFIG)


def db_path(explicit: str | Path | None) -> Path:
    """--db, else $TWINWATCH_DB, else warehouse/twinwatch.duckdb."""
    return Path(explicit or os.environ.get("TWINWATCH_DB") or DEFAULT_DB)


def load_config(path: str | Path | None = None) -> Config:
    resolved = config_path(path)
    try:
        text = resolved.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{resolved}: no such file (pass --config PATH or set TWINWATCH_CONFIG)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{resolved}: cannot read: {exc}") from None
    return parse_config(text, resolved)

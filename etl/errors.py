"""The exceptions twinwatch raises.

Library code raises these; only ``etl.cli`` turns them into messages and exit codes.

    TwinwatchError
     ├── ConfigError        sources.yaml is missing, unreadable or invalid (exit 2)
     ├── InputError         a file given on the command line cannot be read (exit 2)
     ├── FetchError         one URL could not be fetched (recorded per source, never fatal to a run)
     ├── ExtractError       a document could not be parsed at all
     └── WarehouseError     the DuckDB file is unusable (exit 2)
          └── WarehouseLockedError   another process holds the warehouse or the run lock
"""

from __future__ import annotations


class TwinwatchError(Exception):
    """Base class of every error twinwatch raises on purpose."""


class ConfigError(TwinwatchError):
    """The configuration is invalid. ``problems`` lists every offender, each naming file, key and line."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = problems or []
        text = message if not self.problems else message + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(text)


class InputError(TwinwatchError):
    """A file named on the command line cannot be read."""


class FetchError(TwinwatchError):
    """A URL could not be fetched; ``error_class`` is a short stable name such as ``timeout``."""

    def __init__(self, url: str, error_class: str, reason: str) -> None:
        self.url = url
        self.error_class = error_class
        self.reason = reason
        super().__init__(f"{error_class}: {url}: {reason}")


class ExtractError(TwinwatchError):
    """A document could not be turned into text."""


class WarehouseError(TwinwatchError):
    """The warehouse cannot be opened, migrated or written."""


class WarehouseLockedError(WarehouseError):
    """Another process holds the warehouse (DuckDB's file lock) or twinwatch's run lock."""

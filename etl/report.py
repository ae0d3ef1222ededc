"""The digest job: warehouse → digest → files in ``reports/`` → mail, exactly once per period.

The warehouse records every period rendered, sent, skipped (an empty week with ``empty: skip``)
or failed; a failed period is sent again, as rendered then, by the next run.
"""

from __future__ import annotations

import email
import email.policy
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

from etl.config import Config
from etl.digest import build_digest, render_digest, write_digest
from etl.digest_model import DigestInput, DigestPaths, RenderedDigest
from etl.mail import build_message, send_digest
from etl.pipeline import utcnow
from etl.store import Warehouse, run_lock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DigestOutcome:
    period_label: str
    since: datetime
    until: datetime
    subject: str
    paths: DigestPaths
    delivery: str  # "not requested", "sent", "already sent", "skipped: empty week", "failed: …"
    events: int

    @property
    def failed(self) -> bool:
        return self.delivery.startswith("failed")


# A digest sent early in a week (the default is Monday 08:00) reports on the week that just ended.
WEEK_LABEL_LAG = timedelta(hours=12)


def period_label(until: datetime, timezone: str) -> str:
    """The ISO week a digest reports on: the week that ended by ``until`` if it is sent early on a Monday."""
    local = (until - WEEK_LABEL_LAG).astimezone(ZoneInfo(timezone))
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


def _digest_input(warehouse: Warehouse, label: str, since: datetime, until: datetime) -> DigestInput:
    return DigestInput(
        period_label=label,
        since=since,
        until=until,
        events=warehouse.events_between(since, until),
        health=warehouse.health_between(since, until),
        stats=warehouse.run_stats(since, until),
        weekly_new=warehouse.weekly_counts(until - WEEK_LABEL_LAG, weeks=12),  # the chart ends on that week
    )


def _deliver(
    warehouse: Warehouse,
    config: Config,
    label: str,
    rendered: RenderedDigest,
    message: EmailMessage,
    force: bool,
) -> str:
    if warehouse.digest_sent_for(label) and not force:
        return "already sent"
    if rendered.is_empty and config.digest.empty == "skip":
        return "skipped: empty week"
    result = send_digest(message, config.digest)
    if result.ok:
        return "sent"
    errors = "; ".join(f"{name}: {error}" for name, ok, error in result.channels if not ok)
    return f"failed: {errors or 'no channel configured'}"


def _digest_status(delivery: str) -> str | None:
    """What the ``digests`` table records for a delivery outcome; None records nothing."""
    if delivery == "already sent":
        return None
    if delivery == "not requested":
        return "rendered"
    return delivery.split(":")[0]  # sent | skipped | failed


def digest_once(
    config: Config,
    db_path: Path,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    out_dir: Path | None = None,
    send: bool = False,
    force: bool = False,
    lock_timeout: float = 60.0,
) -> DigestOutcome:
    """Render the change digest for a period, write it to ``out_dir`` and optionally mail it once."""
    until = until or utcnow()
    label = period_label(until, config.digest.timezone)
    target = out_dir or Path(config.digest.out_dir)
    with run_lock(db_path, lock_timeout), Warehouse.open(db_path) as warehouse:
        start = since or warehouse.last_digest_sent() or until - timedelta(days=7)
        data = _digest_input(warehouse, label, start, until)
        rendered = render_digest(build_digest(data, config.digest))
        message = build_message(rendered, config.digest)
        paths = write_digest(rendered, target, label, message)
        delivery = _deliver(warehouse, config, label, rendered, message, force) if send else "not requested"
        status = _digest_status(delivery)
        if status is not None:
            error = delivery if status == "failed" else None
            files = [str(path) for path in paths.all()]
            warehouse.record_digest(label, start, until, status, config.digest.to, error, files)
    return DigestOutcome(label, start, until, rendered.subject, paths, delivery, len(data.events))


def _saved_message(paths: Sequence[str]) -> EmailMessage | None:
    for path in paths:
        if path.endswith(".eml") and Path(path).is_file():
            message = email.message_from_bytes(Path(path).read_bytes(), policy=email.policy.default)
            return message if isinstance(message, EmailMessage) else None
    return None


def retry_failed_digests(config: Config, db_path: Path, *, lock_timeout: float = 60.0) -> list[str]:
    """Send again, as rendered then, every period whose delivery failed; one line per attempt."""
    lines = []
    with run_lock(db_path, lock_timeout), Warehouse.open(db_path) as warehouse:
        for label, start, end, paths in warehouse.failed_digests():
            message = _saved_message(paths)
            if message is None:
                lines.append(f"digest {label}: cannot retry, its .eml file is gone")
                continue
            result = send_digest(message, config.digest)
            errors = "; ".join(f"{name}: {error}" for name, ok, error in result.channels if not ok)
            status = "sent" if result.ok else "failed"
            warehouse.record_digest(label, start, end, status, config.digest.to, errors or None, paths)
            lines.append(f"digest {label}: retried, {status}" + (f" ({errors})" if errors else ""))
    for line in lines:
        log.warning(line) if "failed" in line or "cannot" in line else log.info(line)
    return lines

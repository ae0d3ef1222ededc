"""Schedules: intervals and crontab expressions (with crontab's own weekday numbering) for APScheduler 3.x."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")  # crontab: 0 and 7 are Sunday
_DOW_TERM = re.compile(r"^(\*|\d+(?:-\d+)?)(?:/(\d+))?$")


def _cron_days(term: str) -> list[str]:
    """One comma-separated term of a crontab day-of-week field, as day names."""
    match = _DOW_TERM.match(term)
    if not match:
        return [term]  # names such as mon-fri mean the same in both conventions
    base, step_text = match.groups()
    step = int(step_text or 1)
    if base == "*":
        first, last = 0, 6
    elif "-" in base:
        first, last = (int(part) for part in base.split("-"))
    else:
        first = int(base)
        last = 7 if step_text else first  # "1/2" means 1-7/2, as in Vixie cron
    if step < 1 or not 0 <= first <= last <= 7:
        raise ValueError(f"bad day of week {term!r}")
    return [_CRON_DAYS[number] for number in range(first, last + 1, step)]


def crontab_day_of_week(field: str) -> str:
    """Rewrite a crontab day-of-week field with day names.

    APScheduler 3.x numbers weekdays from Monday = 0 while crontab uses Sunday = 0 (issue 286,
    fixed only in 4.x), so ``0 8 * * 1`` would fire on Tuesdays. Names mean the same to both.
    """
    if field == "*":
        return field
    days = [day for term in field.lower().split(",") for day in _cron_days(term)]
    return ",".join(dict.fromkeys(days))


def cron_trigger(expr: str, timezone: str) -> CronTrigger:
    """A five-field crontab expression with crontab's weekday numbering."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"{expr!r} is not a five-field cron expression")
    fields[4] = crontab_day_of_week(fields[4])
    return CronTrigger.from_crontab(" ".join(fields), timezone=ZoneInfo(timezone))


def next_due(schedule: str, timezone: str, last: datetime) -> datetime | None:
    """When a job with ``schedule`` is next due after it last ran at ``last`` (None: never again)."""
    from etl.config import parse_interval  # config validates schedules with this module

    if last.tzinfo is None:  # the warehouse stores UTC
        last = last.replace(tzinfo=UTC)
    interval = parse_interval(schedule)
    if interval is not None:
        return last + interval
    # One second past the last run, so a run exactly on the cron time is not due again at once.
    trigger = cron_trigger(schedule, timezone)
    fire: datetime | None = trigger.get_next_fire_time(None, last + timedelta(seconds=1))
    return fire

"""The daemon: one APScheduler 3.x job per enabled source, plus the weekly digest.

A thin shell. It registers jobs and handles signals; the work is done by the callables passed
to ``run_daemon`` (the pipeline's ``run_once`` and ``digest_once`` wrapped by the CLI), so this
module never imports the pipeline. ``twinwatch run`` from cron calls the same functions.

Lifecycle::

    load_config() ─► jobs (first run from last_runs()) ─► scheduler.start()
        │ SIGHUP or the config file's mtime changes ─► load_config() ─► rebuild changed jobs
        │                                             (ConfigError: keep the old jobs, log why)
        └ SIGTERM / SIGINT / stop_event ─► pause ─► wait (bounded) for jobs in flight ─► shutdown
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from etl.config import Config, parse_interval
from etl.crontab import cron_trigger, next_due
from etl.errors import ConfigError, TwinwatchError

log = logging.getLogger(__name__)

# Source ids must start with a letter or digit, so this id can never collide with one.
DIGEST_JOB = "_digest"
# Spread sources that share an interval so they do not all hit the network in the same second.
JITTER_SHARE = 0.1
MAX_JITTER = 60.0
# A cron run later than this is dropped in favour of the next one; an interval run may be late by
# up to one interval (coalesced into a single run).
CRON_MISFIRE_GRACE = 3600
# A digest delayed by a long cycle holding the run lock is still wanted the same day.
DIGEST_MISFIRE_GRACE = 12 * 3600
# How long a batch waits for other sources falling due in the same moment to join it.
BATCH_SETTLE = 0.2
# How long SIGTERM waits for a job in flight; keep systemd's TimeoutStopSec above it.
STOP_TIMEOUT = 60.0
# How often the main thread looks at its events; SIGHUP is handled within this time.
TICK = 0.5

Signals = Callable[[int, FrameType | None], None]


# --- triggers -------------------------------------------------------------------------------------------

def build_trigger(schedule: str, timezone: str) -> BaseTrigger:
    """An interval like ``30m`` (with jitter) or a crontab expression, in ``timezone``."""
    interval = parse_interval(schedule)
    if interval is None:
        return cron_trigger(schedule, timezone)
    seconds = interval.total_seconds()
    jitter = min(seconds * JITTER_SHARE, MAX_JITTER)
    return IntervalTrigger(seconds=seconds, jitter=jitter, timezone=ZoneInfo(timezone))


def first_run(schedule: str, timezone: str, last: datetime | None, now: datetime) -> datetime:
    """When a job should first run after a (re)start: when it is next due, or now if overdue.

    A long outage runs each missed job once; a restart does not refetch what is not due.
    """
    if last is None:
        return now
    if last.tzinfo is None:  # the warehouse stores UTC
        last = last.replace(tzinfo=UTC)
    last = min(last, now)  # a fetch time from the future (clock skew) must not postpone a source
    due = next_due(schedule, timezone, last)
    return now if due is None or due <= now else due


def misfire_grace(schedule: str) -> int:
    interval = parse_interval(schedule)
    if interval is None:
        return CRON_MISFIRE_GRACE
    return max(1, int(interval.total_seconds()))


# --- the job set ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobSpec:
    """What a job's timing depends on; a reload rebuilds only jobs whose spec changed."""

    job_id: str
    schedule: str
    timezone: str
    grace: int


def job_specs(config: Config) -> dict[str, JobSpec]:
    """The jobs a configuration asks for: one per enabled source, then the digest."""
    timezone = config.digest.timezone
    specs = {
        source.id: JobSpec(source.id, source.schedule, timezone, misfire_grace(source.schedule))
        for source in config.sources
        if source.enabled
    }
    digest = config.digest.schedule
    grace = max(DIGEST_MISFIRE_GRACE, misfire_grace(digest))
    specs[DIGEST_JOB] = JobSpec(DIGEST_JOB, digest, timezone, grace)
    return specs


class Daemon:
    """The scheduler's jobs for the current configuration, and what is running right now."""

    def __init__(
        self,
        scheduler: BackgroundScheduler,
        load_config: Callable[[], Config],
        run_sources: Callable[[Config, list[str]], object],
        send_digest: Callable[[Config], object],
        last_runs: Callable[[], dict[str, datetime]],
        settle: float = BATCH_SETTLE,
    ) -> None:
        self.scheduler = scheduler
        self._load_config = load_config
        self._run_sources = run_sources
        self._send_digest = send_digest
        self._last_runs = last_runs
        self.config: Config | None = None
        self.specs: dict[str, JobSpec] = {}
        self._running: set[str] = set()
        self._idle = threading.Condition()  # notified when a job ends
        self._queued: set[str] = set()  # sources due and not yet in a batch
        self._outcomes: dict[str, str] = {}  # for jobs whose source ran in another job's batch
        self._queue_lock = threading.Lock()
        self._batch_lock = threading.Lock()  # one batch at a time, as the run lock would allow
        self._settle = settle
        self.stopping = threading.Event()

    # --- building jobs

    def apply(self, config: Config) -> None:
        """Make the scheduled jobs match ``config``; unchanged jobs keep their next run time.

        Every new trigger is built before any job is touched, so a schedule APScheduler refuses
        (ValueError) leaves the current jobs as they were.
        """
        wanted = job_specs(config)
        changed = [spec for job_id, spec in wanted.items() if self.specs.get(job_id) != spec]
        triggers = {spec.job_id: build_trigger(spec.schedule, spec.timezone) for spec in changed}
        for job_id in self.specs.keys() - wanted.keys():
            self.scheduler.remove_job(job_id)
            log.info("job %s removed", job_id)
        self.config = config
        last = self._safe_last_runs() if changed else {}
        now = datetime.now(UTC)
        for spec in changed:
            self._add(spec, triggers[spec.job_id], last.get(spec.job_id), now)
        self.specs = wanted

    def _add(self, spec: JobSpec, trigger: BaseTrigger, last: datetime | None, now: datetime) -> None:
        if spec.job_id == DIGEST_JOB:  # the digest keeps its calendar; it never runs "because overdue"
            when = trigger.get_next_fire_time(None, now)
        else:
            when = first_run(spec.schedule, spec.timezone, last, now)
        self.scheduler.add_job(
            self._job,
            trigger,
            args=[spec.job_id],
            id=spec.job_id,
            name=spec.job_id,
            next_run_time=when,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=spec.grace,
        )
        first = when.isoformat(timespec="seconds") if when else "never"
        log.info("job %s scheduled (%s), first run %s", spec.job_id, spec.schedule, first)

    def _safe_last_runs(self) -> Mapping[str, datetime]:
        try:
            return self._last_runs()
        except Exception as exc:  # the warehouse may be busy; running early beats not running
            log.warning("last fetch times unavailable, treating every source as due: %s", exc)
            return {}

    # --- reloading

    def reload(self, reason: str) -> bool:
        """Load the configuration again; a bad one keeps the current jobs running."""
        try:
            config = self._load_config()
            if config == self.config:
                log.info("configuration reload (%s): no change", reason)
                return True
            self.apply(config)
        except (ConfigError, ValueError) as exc:  # ValueError: a schedule APScheduler refuses
            log.error("configuration reload (%s) failed, keeping the current jobs: %s", reason, exc)
            return False
        log.info("configuration reloaded (%s): %d jobs", reason, len(self.specs))
        return True

    # --- running jobs

    def _job(self, job_id: str) -> None:
        with self._idle:
            self._running.add(job_id)
        started = time.monotonic()
        try:
            outcome = self._digest() if job_id == DIGEST_JOB else self._source(job_id)
        finally:
            with self._idle:
                self._running.discard(job_id)
                self._idle.notify_all()
        log.info("job %s: end, %s in %.1f s", job_id, outcome, time.monotonic() - started)

    def _digest(self) -> str:
        config = self.config
        log.info("job %s: start", DIGEST_JOB)
        return self._call(DIGEST_JOB, lambda: self._send_digest(config)) if config else "skipped"

    def _source(self, job_id: str) -> str:
        """Queue the source, then run every queued source in one call.

        Sources that fall due together (after a restart, or on a shared cron time) share one cycle
        instead of queueing one by one on the warehouse's run lock. A job whose source another
        job's batch already ran stays "running" until then, so max_instances still holds.
        """
        log.info("job %s: start", job_id)
        with self._queue_lock:
            self._queued.add(job_id)
        with self._batch_lock:
            with self._queue_lock:
                if job_id not in self._queued:
                    return self._outcomes.pop(job_id, "done") + " (in a batch)"
            if self.stopping.is_set():  # a queued batch does not start after SIGTERM
                return "skipped: stopping"
            time.sleep(self._settle)  # let sources due in the same moment join
            with self._queue_lock:
                batch, self._queued = sorted(self._queued), set()
            return self._run_batch(job_id, batch)

    def _run_batch(self, job_id: str, batch: list[str]) -> str:
        config = self.config
        enabled = {source.id for source in config.sources if source.enabled} if config else set()
        ids = [source_id for source_id in batch if source_id in enabled]  # a reload may have removed some
        if config is None or not ids:
            return "skipped: no longer configured"
        if len(ids) > 1:
            log.info("job %s: running %s together", job_id, ", ".join(ids))
        outcome = self._call(job_id, lambda: self._run_sources(config, ids))
        with self._queue_lock:
            self._outcomes.update((source_id, outcome) for source_id in ids if source_id != job_id)
        return outcome

    def _call(self, job_id: str, work: Callable[[], object]) -> str:
        try:
            result = work()
        except TwinwatchError as exc:  # expected trouble (e.g. the warehouse is busy): one line
            log.warning("job %s failed: %s", job_id, exc)
            return "error"
        except Exception:  # a bug: keep the traceback, keep the daemon
            log.exception("job %s crashed", job_id)
            return "error"
        return str(getattr(result, "outcome", None) or getattr(result, "delivery", None) or "done")

    def running(self) -> list[str]:
        with self._idle:
            return sorted(self._running)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no job is running; False if some still are after ``timeout`` seconds."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._running, timeout)


# --- signals and the main loop -------------------------------------------------------------------------


class _SignalFlags:
    """What the signal handlers saw. Handlers only set flags: no logging, no scheduler calls."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self.reload = threading.Event()
        self.received: str | None = None

    def on_stop(self, signum: int, frame: FrameType | None) -> None:
        self.received = signal.Signals(signum).name
        self.stop.set()

    def on_reload(self, signum: int, frame: FrameType | None) -> None:
        self.reload.set()


def _install(flags: _SignalFlags) -> dict[int, Any]:
    """Install handlers when running in the main thread (Python allows no other); return the old ones."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    handlers: dict[int, Signals] = {signal.SIGTERM: flags.on_stop, signal.SIGINT: flags.on_stop}
    if hasattr(signal, "SIGHUP"):
        handlers[signal.SIGHUP] = flags.on_reload
    return {signum: signal.signal(signum, handler) for signum, handler in handlers.items()}


def _restore(previous: dict[int, Any]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)


def _stamp(path: Path | None) -> tuple[int, int] | None:
    """mtime and size: a poll between an editor's truncate and write, within one tick of a coarse
    file-system clock, sees the same mtime but not the same size."""
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _watch(daemon: Daemon, flags: _SignalFlags, config_path: Path | None, poll: float) -> None:
    """Until told to stop: reload on SIGHUP, and when the config file's mtime changes."""
    stamp = _stamp(config_path)
    next_poll = time.monotonic() + poll
    while not flags.stop.wait(min(TICK, poll)):
        if flags.reload.is_set():
            flags.reload.clear()
            daemon.reload("SIGHUP")
        if config_path is None or time.monotonic() < next_poll:
            continue
        next_poll = time.monotonic() + poll
        current = _stamp(config_path)
        if current != stamp:
            stamp = current
            daemon.reload(f"{config_path} changed")


def _shutdown(daemon: Daemon, timeout: float) -> None:
    """Start no new job, give the ones in flight ``timeout`` seconds, then shut down."""
    daemon.scheduler.pause()
    daemon.stopping.set()
    running = daemon.running()
    if running:
        log.info("waiting up to %.1f s for %s", timeout, ", ".join(running))
    idle = daemon.wait_idle(timeout)
    if not idle:
        log.warning("still running after %.1f s, not waiting: %s", timeout, ", ".join(daemon.running()))
    daemon.scheduler.shutdown(wait=idle)


def run_daemon(
    load_config: Callable[[], Config],
    run_sources: Callable[[Config, list[str]], object],
    send_digest: Callable[[Config], object],
    last_runs: Callable[[], dict[str, datetime]],
    *,
    config_path: Path | None = None,
    stop_event: threading.Event | None = None,
    poll_config: float = 5.0,
    stop_timeout: float = STOP_TIMEOUT,
) -> int:
    """Run the jobs until SIGTERM, SIGINT or ``stop_event``; return 0 after a clean stop.

    A bad configuration at start raises ``ConfigError`` (nothing to keep running); a bad one on
    reload is logged and the previous jobs keep running.
    """
    flags = _SignalFlags(stop_event or threading.Event())
    scheduler = BackgroundScheduler(timezone=UTC)
    daemon = Daemon(scheduler, load_config, run_sources, send_digest, last_runs)
    daemon.apply(load_config())
    previous = _install(flags)
    scheduler.start()
    log.info("daemon started: %d jobs", len(daemon.specs))
    try:
        _watch(daemon, flags, config_path, poll_config)
    finally:
        _restore(previous)
        log.info("stopping%s", f" on {flags.received}" if flags.received else "")
        _shutdown(daemon, stop_timeout)
    log.info("daemon stopped")
    return 0

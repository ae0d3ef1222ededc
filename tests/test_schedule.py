"""The daemon shell: real APScheduler, fake work, schedules of a second or two."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from etl.config import Config, load_config, parse_config
from etl.crontab import cron_trigger, crontab_day_of_week
from etl.errors import WarehouseLockedError
from etl.schedule import (
    DIGEST_JOB,
    first_run,
    job_specs,
    run_daemon,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def config_text(*sources: tuple[str, str]) -> str:
    lines = ["sources:"]
    for source_id, schedule in sources:
        lines += [f"  - id: {source_id}", "    kind: page", f"    url: http://127.0.0.1/{source_id}",
                  f"    schedule: {schedule}"]
    return "\n".join(lines) + "\n"


def make_config(*sources: tuple[str, str]) -> Config:
    return parse_config(config_text(*sources))


class Recorder:
    """Fake pipeline callables that count calls and in-flight overlap."""

    def __init__(self, sleep: float = 0.0, last: dict[str, datetime] | None = None) -> None:
        self.sleep = sleep
        self.last = last or {}
        self.calls: Counter[str] = Counter()
        self.batches: list[list[str]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()

    def run_sources(self, config: Config, source_ids: list[str]) -> object:
        with self.lock:
            self.calls.update(source_ids)
            self.batches.append(sorted(source_ids))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        time.sleep(self.sleep)
        with self.lock:
            self.in_flight -= 1
        return None

    def send_digest(self, config: Config) -> object:
        self.calls[DIGEST_JOB] += 1
        return None

    def last_runs(self) -> dict[str, datetime]:
        return dict(self.last)


class DaemonThread:
    """``run_daemon`` in a thread, stopped through its stop_event."""

    def __init__(self, load: Callable[[], Config], recorder: Recorder, **kwargs: object) -> None:
        self.stop = threading.Event()
        self.result: list[int] = []
        self.thread = threading.Thread(
            target=lambda: self.result.append(
                run_daemon(load, recorder.run_sources, recorder.send_digest, recorder.last_runs,
                           stop_event=self.stop, **kwargs)  # type: ignore[arg-type]
            ),
            daemon=True,
        )

    def __enter__(self) -> DaemonThread:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=10)

    def finish(self, timeout: float = 10) -> float:
        started = time.monotonic()
        self.stop.set()
        self.thread.join(timeout=timeout)
        assert not self.thread.is_alive()
        return time.monotonic() - started


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def info_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.INFO)
    yield caplog


# --- pure parts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "expected"),
    [("1", "mon"), ("0", "sun"), ("7", "sun"), ("1-5", "mon,tue,wed,thu,fri"), ("mon-fri", "mon-fri"),
     ("*", "*"), ("*/2", "sun,tue,thu,sat"), ("6,0", "sat,sun"), ("1/2", "mon,wed,fri,sun")],
)
def test_crontab_weekdays_are_renamed(field: str, expected: str) -> None:
    assert crontab_day_of_week(field) == expected


def test_default_digest_schedule_fires_on_monday() -> None:
    trigger = cron_trigger("0 8 * * 1", "Europe/Berlin")
    fire = trigger.get_next_fire_time(None, NOW)
    assert fire is not None
    assert fire.strftime("%a %H:%M") == "Mon 08:00"


@pytest.mark.parametrize(
    ("schedule", "last", "expected"),
    [
        ("6h", None, NOW),  # never fetched: now
        ("6h", NOW - timedelta(hours=1), NOW + timedelta(hours=5)),  # not due: wait
        ("6h", NOW - timedelta(days=3), NOW),  # long outage: once, now
        ("0 8 * * *", NOW - timedelta(hours=2), NOW),  # missed today's 08:00
        ("0 8 * * *", NOW - timedelta(minutes=30), NOW + timedelta(hours=23)),
        ("6h", (NOW - timedelta(hours=1)).replace(tzinfo=None), NOW + timedelta(hours=5)),  # naive = UTC
        ("6h", NOW + timedelta(days=1), NOW + timedelta(hours=6)),  # clock skew: as if fetched now
    ],
)
def test_first_run(schedule: str, last: datetime | None, expected: datetime) -> None:
    assert first_run(schedule, "UTC", last, NOW) == expected


def test_one_job_per_enabled_source_plus_digest() -> None:
    text = config_text(("a", "30m"), ("b", "1h")) + "    enabled: false\n"
    assert sorted(job_specs(parse_config(text))) == [DIGEST_JOB, "a"]


# --- the running daemon ------------------------------------------------------------------------------------


def test_jobs_run_on_their_interval(info_logs: pytest.LogCaptureFixture) -> None:
    recorder = Recorder()
    config = make_config(("feed", "1s"), ("page", "1s"))
    with DaemonThread(lambda: config, recorder) as daemon:
        assert wait_for(lambda: recorder.calls["feed"] >= 2 and recorder.calls["page"] >= 2)
        assert daemon.finish() < 5
    assert daemon.result == [0]
    assert recorder.calls[DIGEST_JOB] == 0
    assert "job feed: start" in info_logs.text
    assert "job feed: end, done" in info_logs.text


def test_overlapping_run_is_skipped_not_stacked(caplog: pytest.LogCaptureFixture) -> None:
    recorder = Recorder(sleep=2.2)
    config = make_config(("slow", "1s"))
    with DaemonThread(lambda: config, recorder) as daemon:
        assert wait_for(lambda: "maximum number of running instances reached" in caplog.text, 6)
        daemon.finish()  # waits for the run in flight
    assert recorder.max_in_flight == 1
    assert recorder.calls["slow"] <= 2
    assert recorder.in_flight == 0


def test_stop_waits_for_a_job_in_flight_only_so_long(caplog: pytest.LogCaptureFixture) -> None:
    recorder = Recorder(sleep=3.0)
    config = make_config(("stuck", "1h"))
    with DaemonThread(lambda: config, recorder, stop_timeout=0.5) as daemon:
        assert wait_for(lambda: recorder.in_flight == 1)
        assert daemon.finish() < 2.0
    assert daemon.result == [0]
    assert "still running after 0.5 s, not waiting: stuck" in caplog.text


def test_recent_fetch_delays_first_run() -> None:
    now = datetime.now(UTC)
    last = {"recent": now - timedelta(minutes=1), "overdue": now - timedelta(days=2)}
    recorder = Recorder(last=last)
    config = make_config(("recent", "1h"), ("overdue", "1h"), ("never", "1h"))
    with DaemonThread(lambda: config, recorder) as daemon:
        assert wait_for(lambda: bool(recorder.calls["overdue"] and recorder.calls["never"]))
        time.sleep(1.0)
        daemon.finish()
    assert recorder.calls == Counter({"overdue": 1, "never": 1})


def test_sources_due_together_run_in_one_call(info_logs: pytest.LogCaptureFixture) -> None:
    recorder = Recorder(sleep=0.3)
    config = make_config(("a", "1h"), ("b", "1h"), ("c", "1h"))  # never fetched: all due now
    with DaemonThread(lambda: config, recorder) as daemon:
        assert wait_for(lambda: recorder.calls.total() == 3)
        daemon.finish()
    assert recorder.batches == [["a", "b", "c"]]
    assert info_logs.text.count("(in a batch)") == 2


def test_job_errors_do_not_stop_the_daemon(info_logs: pytest.LogCaptureFixture) -> None:
    calls: list[str] = []

    def locked(config: Config, source_ids: list[str]) -> object:
        calls.extend(source_ids)
        raise WarehouseLockedError("warehouse is busy")

    recorder = Recorder()
    recorder.run_sources = locked  # type: ignore[method-assign]
    config = make_config(("busy", "1s"))
    with DaemonThread(lambda: config, recorder) as daemon:
        assert wait_for(lambda: len(calls) >= 2)
        daemon.finish()
    assert daemon.result == [0]
    assert "job busy failed: warehouse is busy" in info_logs.text
    assert "Traceback" not in info_logs.text


def test_bad_config_on_reload_keeps_old_jobs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(config_text(("old", "1s")), encoding="utf-8")
    recorder = Recorder()
    with DaemonThread(lambda: load_config(path), recorder, config_path=path, poll_config=0.2) as daemon:
        assert wait_for(lambda: recorder.calls["old"] >= 1)
        path.write_text("sources:\n  - id: old\n    kind: nonsense\n", encoding="utf-8")
        assert wait_for(lambda: "keeping the current jobs" in caplog.text)
        before = recorder.calls["old"]
        assert wait_for(lambda: recorder.calls["old"] > before)  # the old job still runs
        path.write_text(config_text(("new", "1s")), encoding="utf-8")
        assert wait_for(lambda: recorder.calls["new"] >= 1)
        stopped_at = recorder.calls["old"]
        time.sleep(1.5)
        daemon.finish()
    assert recorder.calls["old"] <= stopped_at + 1  # removed (one run may have been in flight)


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
def test_sighup_reloads_and_sigterm_stops(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(config_text(("first", "1h")), encoding="utf-8")
    recorder = Recorder()
    previous = signal.getsignal(signal.SIGTERM)

    def later() -> None:
        wait_for(lambda: recorder.calls["first"] == 1)
        path.write_text(config_text(("first", "1h"), ("second", "1h")), encoding="utf-8")
        os.kill(os.getpid(), signal.SIGHUP)
        wait_for(lambda: recorder.calls["second"] == 1)
        os.kill(os.getpid(), signal.SIGTERM)

    helper = threading.Thread(target=later, daemon=True)
    helper.start()
    started = time.monotonic()
    # No config_path: only SIGHUP can trigger the reload. Signal handlers need the main thread.
    result = run_daemon(lambda: load_config(path), recorder.run_sources, recorder.send_digest,
                        recorder.last_runs, poll_config=60)
    assert result == 0
    assert time.monotonic() - started < 10
    assert recorder.calls == Counter({"first": 1, "second": 1})
    assert signal.getsignal(signal.SIGTERM) is previous
    helper.join(timeout=5)

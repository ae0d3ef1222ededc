"""`twinwatch daemon` in a subprocess against the demo site on 127.0.0.1: real scheduler, real pipeline."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from etl.demo import TEMPLATE
from etl.demo_site import DemoSite
from etl.store import Warehouse

pytestmark = pytest.mark.slow


def write_config(path: Path, base_url: str, schedule: str) -> Path:
    data = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8").replace("{base}", base_url))
    for source in data["sources"]:
        source["schedule"] = schedule
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def log_messages(path: Path) -> list[str]:
    messages = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record: dict[str, Any] = json.loads(line)
        except json.JSONDecodeError:
            continue
        messages.append(str(record.get("message", "")))
    return messages


def wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class Daemon:
    def __init__(self, config: Path, db: Path, log: Path) -> None:
        self.log = log
        command = [
            sys.executable,
            "-m",
            "etl",
            "daemon",
            "--config",
            str(config),
            "--db",
            str(db),
            "--log-format",
            "json",
        ]
        self._stderr = log.open("w")
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=self._stderr)

    def cycles(self) -> int:
        return sum(
            1 for message in log_messages(self.log) if message.startswith("run ") and " sources " in message
        )

    def started(self) -> bool:
        return any(message.startswith("daemon started") for message in log_messages(self.log))

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        finally:
            self._stderr.close()


@pytest.fixture()
def site() -> Iterator[DemoSite]:
    with DemoSite() as demo:
        yield demo


def run_rows(db: Path) -> list[tuple[Any, ...]]:
    with Warehouse.open(db, read_only=True) as warehouse:
        return warehouse.query("select run_id, finished_at from runs order by run_id")[1]


def test_the_daemon_runs_jobs_stops_on_sigterm_and_a_restart_refetches_nothing_not_due(
    site: DemoSite, tmp_path: Path
) -> None:
    db = tmp_path / "w.duckdb"
    daemon = Daemon(write_config(tmp_path / "fast.yaml", site.base_url, "3s"), db, tmp_path / "first.log")
    try:
        wait_for(lambda: daemon.cycles() >= 2, 90, "two cycles")
    finally:
        code = daemon.stop()
    assert code == 0
    rows = run_rows(db)
    assert len(rows) >= 2
    assert all(finished is not None for _, finished in rows), "every run that started was finished"

    slow = Daemon(write_config(tmp_path / "slow.yaml", site.base_url, "1h"), db, tmp_path / "second.log")
    try:
        wait_for(slow.started, 60, "the restarted daemon")
        time.sleep(3)
    finally:
        assert slow.stop() == 0
    assert run_rows(db) == rows, "nothing was due, so the restart ran nothing"

"""Crash safety and exclusion, with real subprocesses: kill -9 mid-load, the run lock, DuckDB's lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from etl.errors import WarehouseError, WarehouseLockedError
from etl.lock import run_lock
from etl.store import BUSY_MESSAGE, MIGRATIONS_DIR, Warehouse, migrations
from tests.test_store import counts, doc, fact, load

ROOT = Path(__file__).resolve().parents[1]
Holder = Callable[[str, Path], None]  # starts a subprocess holding the run lock or the warehouse

# The child loads one run, then a second run that is killed inside its transaction (after the
# partnerships were rewritten and the events appended, before the commit).
CHILD = """
import sys, time
from datetime import timedelta
from pathlib import Path
import etl.store
from etl.store import Warehouse
from tests.test_store import NOW, doc, fact, load

real = etl.store.update_health
def stall(*args, **kwargs):
    real(*args, **kwargs)
    Path(sys.argv[2]).touch()
    time.sleep(60)

with Warehouse.open(Path(sys.argv[1])) as wh:
    load(wh, [doc("https://news.example/a", [fact()])])
    etl.store.update_health = stall
    load(wh, [doc("https://news.example/a", [fact(status="suspended", year=2026)]),
              doc("https://other.example/b", [fact(status="suspended", year=2026)], "other")],
         now=NOW + timedelta(days=1))
"""

HOLDER = """
import sys, time
from pathlib import Path
from etl.lock import run_lock
from etl.store import Warehouse
if sys.argv[1] == "lock":
    with run_lock(Path(sys.argv[2])):
        Path(sys.argv[3]).touch()
        time.sleep(60)
else:
    with Warehouse.open(Path(sys.argv[2])):
        Path(sys.argv[3]).touch()
        time.sleep(60)
"""


def _spawn(code: str, *args: object) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *map(str, args)], cwd=ROOT, env=env)


def _wait_for(marker: Path, child: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        assert child.poll() is None, f"child exited early with {child.returncode}"
        assert time.monotonic() < deadline, "child never reached the marker"
        time.sleep(0.05)


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[Holder]:
    children: list[subprocess.Popen[bytes]] = []

    def start(kind: str, db: Path) -> None:
        marker = tmp_path / f"{kind}.ready"
        child = _spawn(HOLDER, kind, db, marker)
        children.append(child)
        _wait_for(marker, child)

    yield start
    for child in children:
        child.kill()
        child.wait()


def test_kill_9_during_a_load_keeps_the_previous_state_and_the_next_run_completes(tmp_path: Path) -> None:
    db, marker = tmp_path / "w.duckdb", tmp_path / "in-transaction"
    child = _spawn(CHILD, db, marker)
    try:
        _wait_for(marker, child)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    expected = {"documents": 1, "places": 2, "facts": 1, "partnerships": 1, "partnership_events": 1}
    with Warehouse.open(db, read_only=True) as wh:  # `twinwatch query` right after the crash
        assert counts(wh) == expected
    with Warehouse.open(db) as wh:
        assert counts(wh) == expected
        assert wh.query("SELECT status, n_sources FROM partnerships")[1] == [("established", 1)]
        retry = load(wh, [doc("https://news.example/a", [fact(status="suspended", year=2026)]),
                          doc("https://other.example/b", [fact(status="suspended", year=2026)], "other")])
        assert retry.events_by_kind == {"corroborated": 1, "status_changed": 1}
        assert wh.query("SELECT count(*) FROM facts WHERE retracted_at IS NOT NULL")[1] == [(1,)]


def test_a_second_run_waits_then_fails_with_a_clear_message(tmp_path: Path, holder: Holder) -> None:
    db = tmp_path / "w.duckdb"
    holder("lock", db)
    started = time.monotonic()
    with pytest.raises(WarehouseLockedError, match=r"another twinwatch run is in progress \(process \d+"):
        with run_lock(db, timeout=0.3):
            pass
    assert 0.3 <= time.monotonic() - started < 5


def test_the_run_lock_is_free_again_after_its_holder_is_gone(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with run_lock(db, timeout=0):
        pass
    with run_lock(db, timeout=0):
        assert (tmp_path / "w.duckdb.lock").read_text().strip() == str(os.getpid())


def test_a_reader_during_a_run_gets_a_busy_error_not_a_traceback(tmp_path: Path, holder: Holder) -> None:
    db = tmp_path / "w.duckdb"
    with Warehouse.open(db):
        pass
    holder("open", db)
    with pytest.raises(WarehouseLockedError) as caught:
        Warehouse.open(db, read_only=True)
    assert str(caught.value).startswith(BUSY_MESSAGE)


def test_an_older_warehouse_is_upgraded_in_place(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
                "applied_at TIMESTAMP NOT NULL)")
    con.execute((MIGRATIONS_DIR / "001_core.sql").read_text())
    con.execute("INSERT INTO schema_version VALUES (1, '001_core.sql', now()::TIMESTAMP)")
    con.execute("INSERT INTO runs (started_at) VALUES (TIMESTAMP '2025-01-01')")
    con.close()
    with pytest.raises(WarehouseError, match="needs upgrading"):
        Warehouse.open(db, read_only=True)
    with Warehouse.open(db) as wh:
        assert wh.schema_version() == max(number for number, _ in migrations()) == 4
        assert wh.query("SELECT count(*) FROM runs")[1] == [(1,)]
        load(wh, [doc("https://news.example/a", [fact()])])
        assert wh.query("SELECT partner_name FROM current_partners WHERE city_name = 'Nanjing'")[1] == [
            ("St. Louis",)]


def test_a_warehouse_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with Warehouse.open(db) as wh:
        wh.query("INSERT INTO schema_version VALUES (99, '099_future.sql', now()::TIMESTAMP)")
    with pytest.raises(WarehouseError, match="newer twinwatch"):
        Warehouse.open(db)

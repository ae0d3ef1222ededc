"""The run lock: one twinwatch job at a time per warehouse.

DuckDB already refuses a second writer, but it fails immediately and only once the second job has
fetched everything. ``run_lock`` makes a second run (a cron overlap, a manual run during a daemon
cycle) wait a bounded time before it starts, and fail with a message that says who holds the lock.
The lock is ``fcntl.flock`` on ``<db>.lock``: the kernel drops it when the holder dies, so a killed
run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from etl.errors import WarehouseLockedError

POLL_SECONDS = 0.05


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


@contextmanager
def run_lock(db_path: Path, timeout: float = 60.0) -> Iterator[None]:
    """Hold the run lock of ``db_path``; wait at most ``timeout`` seconds, then raise."""
    path = lock_path(Path(db_path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, timeout)
        _write_pid(fd)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def _acquire(fd: int, path: Path, timeout: float) -> None:
    deadline = time.monotonic() + max(timeout, 0.0)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise WarehouseLockedError(_busy_message(fd, path, timeout)) from None
            time.sleep(POLL_SECONDS)


def _write_pid(fd: int) -> None:
    # Only for the error message of a waiting run; the lock itself is the flock.
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)


def _busy_message(fd: int, path: Path, timeout: float) -> str:
    holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
    who = f"process {holder}" if holder.isdigit() else "another process"
    return (
        f"another twinwatch run is in progress ({who} holds {path}); gave up after waiting {timeout:g} s. "
        "Try again when it has finished, or raise the lock timeout."
    )

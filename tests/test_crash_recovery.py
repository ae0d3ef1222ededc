"""kill -9 in the middle of `twinwatch run`: the warehouse stays consistent and the next run completes."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from etl.store import Warehouse

pytestmark = pytest.mark.slow

ARTICLE = (
    "<html><head><title>Nanjing and Leipzig</title></head><body><article><h1>Nanjing and Leipzig</h1>"
    "<p>Nanjing, China and Leipzig, Germany became sister cities in 1988, the two mayors recalled on "
    "Monday at a ceremony marking decades of exchanges in music, education and trade.</p></article>"
    "</body></html>"
)


class Site:
    """Serves one page; while ``hang`` is set, the page hangs until the client goes away."""

    def __init__(self) -> None:
        self.hang = threading.Event()
        self.hung = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                if self.path == "/robots.txt":
                    self.send_error(404)
                    return
                if site.hang.is_set():
                    site.hung.set()
                    time.sleep(20)
                body = ARTICLE.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/partners.html"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture()
def site() -> Iterator[Site]:
    served = Site()
    yield served
    served.server.shutdown()
    served.server.server_close()


def twinwatch(*args: str) -> list[str]:
    return [sys.executable, "-m", "etl", *args]


def test_a_run_killed_mid_fetch_is_marked_interrupted_and_the_next_run_completes(
    site: Site, tmp_path: Path
) -> None:
    config, db = tmp_path / "sources.yaml", tmp_path / "w.duckdb"
    config.write_text(
        f"fetch: {{min_delay: 0, retries: 0, timeouts: {{connect: 2, read: 30, total: 60}}}}\n"
        f"sources:\n  - {{id: partners, kind: page, url: '{site.url}'}}\n",
        encoding="utf-8",
    )
    site.hang.set()
    victim = subprocess.Popen(twinwatch("run", "--config", str(config), "--db", str(db)))
    try:
        assert site.hung.wait(60), "the run never reached the page"
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait()
    site.hang.clear()

    done = subprocess.run(twinwatch("run", "--config", str(config), "--db", str(db)), timeout=120)
    assert done.returncode == 0
    with Warehouse.open(db, read_only=True) as warehouse:
        runs = warehouse.query("SELECT outcome FROM runs ORDER BY run_id")[1]
        partnerships = warehouse.query("SELECT a_name, b_name, year FROM partnerships")[1]
    assert runs == [("interrupted",), ("ok",)]
    assert [sorted(row[:2]) + [row[2]] for row in partnerships] == [["Leipzig", "Nanjing", 1988]]

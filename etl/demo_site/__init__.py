"""The bundled demo site: a small HTTP server on 127.0.0.1 with two states, "week1" and "week2".

Each state is a directory of static pages. A state's ``_state.json`` may name a ``base`` state
whose files it inherits (so ``week2/`` holds only what changed a week later), the
``last_modified`` date of its own files, and a ``status`` map from path to an HTTP status that
the path answers with instead (how one source fails in week 2)::

    {"base": "week1", "last_modified": "2026-11-20T10:00:00Z",
     "status": {"/gov/kunming/fao/partners.html": 503}}

``{base}`` in a served text file is replaced by the server's base URL, so feeds can carry the
absolute links RSS requires. Responses carry an ETag (hash of the body) and a Last-Modified (the
date of the state the file comes from) and answer conditional requests with 304, so the demo shows
conditional GET at work. ``EXPECTED.md`` lists the changes week 2 plants.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any, Self
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).parent
STATES = ("week1", "week2")
STATE_FILE = "_state.json"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/rss+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
}
TEMPLATED = frozenset({".html", ".xml", ".txt"})


@dataclass(frozen=True)
class Page:
    """One response body with its validators."""

    body: bytes
    content_type: str
    etag: str
    last_modified: datetime


@dataclass(frozen=True)
class State:
    """One state directory and what its ``_state.json`` says."""

    name: str
    directory: Path
    base: str | None = None
    last_modified: datetime | None = None
    status: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path, name: str) -> State:
        directory = root / name
        if not directory.is_dir():
            raise ValueError(f"no demo state {name!r} under {root}")
        path = directory / STATE_FILE
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        stamp = data.get("last_modified")
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else None
        status = {str(key): int(value) for key, value in (data.get("status") or {}).items()}
        return cls(name, directory, data.get("base"), when, status)


def _safe_path(request_path: str) -> str | None:
    """The URL path as a relative file path; None for anything that could leave the state directory."""
    path = unquote(urlsplit(request_path).path)
    if path.endswith("/"):
        path += "index.html"
    parts = PurePosixPath(path).parts[1:]
    if not parts or any(part in ("..", ".") or part.startswith(("_", ".")) for part in parts):
        return None
    return "/".join(parts)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def _modified_since(header: str, last_modified: datetime) -> bool:
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return True  # an unreadable date validates nothing
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return last_modified.replace(microsecond=0) > since


def not_modified(page: Page, if_none_match: str | None, if_modified_since: str | None) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present; otherwise If-Modified-Since."""
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or page.etag in tags
    if if_modified_since is not None:
        return not _modified_since(if_modified_since, page.last_modified)
    return False


class DemoSite:
    """Serve the bundled pages of one state on 127.0.0.1; switch state between cycles."""

    def __init__(self, root: Path = ROOT, state: str = "week1") -> None:
        self.root = root
        self._lock = threading.Lock()
        self._state = State.load(root, state)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status), for the demo's summary

    # --- lifecycle

    def start(self) -> str:
        """Start serving on a free port (once); return the base URL, e.g. http://127.0.0.1:40123."""
        if self._server is not None:
            return self.base_url
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.site = self  # type: ignore[attr-defined]  # the handler finds its site here
        self._server = server
        self.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        # A short poll keeps stop() fast: shutdown() waits for the serving loop to look up.
        serve = functools.partial(server.serve_forever, poll_interval=0.05)
        self._thread = threading.Thread(target=serve, name="demo-site", daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- states

    @property
    def state(self) -> str:
        return self._state.name

    def set_state(self, state: str) -> None:
        loaded = State.load(self.root, state)
        with self._lock:
            self._state = loaded

    def _layers(self) -> list[State]:
        """The current state, then the states it inherits from."""
        with self._lock:
            layers = [self._state]
        seen = {layers[0].name}
        while layers[-1].base and layers[-1].base not in seen:  # a cycle of bases ends the chain
            seen.add(layers[-1].base)
            layers.append(State.load(self.root, layers[-1].base))
        return layers

    # --- answering

    def status_for(self, path: str) -> int | None:
        """The status the current state forces on ``path`` ("/gov/…"), if any."""
        with self._lock:
            return self._state.status.get(path)

    def page(self, relative: str) -> Page | None:
        """The file for ``relative`` in the current state or the nearest state it inherits from."""
        for layer in self._layers():
            path = layer.directory / relative
            if path.is_file():
                return self._page(path, layer)
        return None

    def _page(self, path: Path, layer: State) -> Page:
        body = path.read_bytes()
        if path.suffix in TEMPLATED:
            body = body.replace(b"{base}", self.base_url.encode("ascii"))
        content_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
        stamp = layer.last_modified or datetime.fromtimestamp(path.stat().st_mtime, UTC)
        return Page(body, content_type, _etag(body), stamp)

    def record(self, method: str, path: str, status: int) -> None:
        self.requests.append((method, path, status))


class _Handler(BaseHTTPRequestHandler):
    server_version = "DemoSite/1.0"
    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes; with Nagle on, each response waits ~40 ms for an ACK.
    disable_nagle_algorithm = True

    @property
    def site(self) -> DemoSite:
        site: DemoSite = self.server.site  # type: ignore[attr-defined]
        return site

    def do_GET(self) -> None:  # noqa: N802 (the name http.server dispatches to)
        self._answer(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(with_body=False)

    def _answer(self, with_body: bool) -> None:
        path = urlsplit(self.path).path
        forced = self.site.status_for(path)
        relative = _safe_path(self.path)
        page = self.site.page(relative) if relative else None
        if forced is not None or page is None:
            self._error(forced or HTTPStatus.NOT_FOUND, with_body)
        elif not_modified(page, self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")):
            self._send(HTTPStatus.NOT_MODIFIED, page, b"")
        else:
            self._send(HTTPStatus.OK, page, page.body if with_body else b"", len(page.body))

    def _send(self, status: int, page: Page, body: bytes, length: int | None = None) -> None:
        self._record(status)
        self.send_response(status)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Type", page.content_type)
            self.send_header("Content-Length", str(len(body) if length is None else length))
        self.send_header("ETag", page.etag)
        self.send_header("Last-Modified", format_datetime(page.last_modified, usegmt=True))
        self.send_header("Cache-Control", "no-cache")  # always revalidate: shows conditional GET
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, with_body: bool) -> None:
        self._record(status)
        body = f"{int(status)} {HTTPStatus(status).phrase}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def _record(self, status: int) -> None:
        """Before the answer goes out, so a client that has its answer always finds it recorded."""
        self.site.record(self.command, urlsplit(self.path).path, int(status))

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the demo prints its own summary; ``DemoSite.requests`` keeps the record."""

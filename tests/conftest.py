"""Shared fixtures: one gazetteer cache per test session, never the user's own cache."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point $XDG_CACHE_HOME at a session directory, for this process and the subprocesses it starts."""
    cache = tmp_path_factory.mktemp("xdg-cache")
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(cache)
    yield cache
    if previous is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = previous


@pytest.fixture(scope="session")
def http_server() -> Iterator[HTTPServer]:
    """A real threaded HTTP server on 127.0.0.1, so slow handlers do not block each other."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def http(http_server: HTTPServer) -> HTTPServer:
    """The server with no handlers; anything unhandled (robots.txt included) answers 404."""
    http_server.clear()
    http_server.no_handler_status_code = 404  # no robots.txt: everything is allowed
    return http_server

"""Fetch-stage benchmark: N pages from a local server, a first pass and an unchanged second pass.

    python -m bench.bench_fetch [--pages 2000] [--size 60000] [--concurrency 32]

The server runs in a subprocess (its CPU is not the client's) and answers conditional requests,
so the second pass, sent with the validators of the first, is all 304s. Reported per pass:
pages/s, client CPU seconds per page (what bounds throughput once the network does not), and peak
RSS of the client. Targets: the unchanged pass ≥ 5× faster than the first; the client able to
do ≥ 200 pages/s on one core (CPU per page ≤ 5 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from etl.config import FetchSettings, Timeouts
from etl.fetch import Fetcher
from etl.models import FetchRequest, FetchResult

ROOT = Path(__file__).resolve().parent.parent  # the server subprocess imports this module from here
PARAGRAPH = (
    "<p>The two cities signed a friendship agreement covering trade, culture and education, "
    "and agreed to exchange delegations every year; the mayor called it a milestone. {n}</p>\n"
)

# --- the server (runs in the subprocess) -------------------------------------------------------------------


@functools.cache
def _filler(size: int) -> bytes:
    paragraphs = (PARAGRAPH.format(n=n) for n in range(size // len(PARAGRAPH) + 1))
    return "".join(paragraphs).encode()[:size]


def _page(number: int, size: int) -> bytes:
    """A distinct page per number, built cheaply: the server must not be what is measured."""
    head = f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Article {number}</title>"
    head += f"<script>var build = 1;</script></head><body><article><h1>Article {number}</h1>"
    return head.encode() + _filler(size) + f"<p>{number}</p></article></body></html>".encode()


def _answer(path: str, headers: dict[str, str], size: int) -> bytes:
    if not path.startswith("/p/"):
        return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
    number = int(path[3:])
    etag = f'"v1-{number}"'
    if headers.get("if-none-match") == etag:
        return f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nContent-Length: 0\r\n\r\n".encode()
    body = _page(number, size)
    head = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nETag: {etag}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


async def _connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, size: int) -> None:
    try:
        while True:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            path = head[0].split(" ")[1]
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])}
            writer.write(_answer(path, headers, size))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def _serve(size: int) -> None:
    server = await asyncio.start_server(lambda r, w: _connection(r, w, size), "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


# --- the client -------------------------------------------------------------------------------------------


def _settings(concurrency: int) -> FetchSettings:
    # One host: per-host politeness off, so the client and not the delays is what is measured.
    return FetchSettings(concurrency=concurrency, per_host=16, min_delay=0, jitter=0, retries=0, http2=False,
                         timeouts=Timeouts(connect=5, read=30, total=60), max_bytes=5_000_000)


def _figures(pages: int, wall: float, cpu: float) -> dict[str, Any]:
    return {
        "pages": pages,
        "seconds": round(wall, 2),
        "pages_per_s": round(pages / wall, 1),
        "cpu_ms_per_page": round(cpu / pages * 1000, 2),
        "client_capacity_pages_per_s": round(pages / cpu, 0) if cpu else float("inf"),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _pass(fetcher: Fetcher, requests: list[FetchRequest]) -> tuple[list[FetchResult], dict[str, Any]]:
    wall, cpu = time.perf_counter(), time.process_time()
    results = fetcher.fetch_all(requests)
    figures = _figures(len(requests), time.perf_counter() - wall, time.process_time() - cpu)
    figures["outcomes"] = dict(Counter(result.outcome for result in results))
    return results, figures


async def _bare_gets(port: int, pages: int, concurrency: int, conditional: bool) -> None:
    gate = asyncio.Semaphore(16)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits) as client:

        async def get(n: int) -> None:
            headers = {"If-None-Match": f'"v1-{n}"'} if conditional else {}
            async with gate:
                await client.get(f"http://127.0.0.1:{port}/p/{n}", headers=headers)

        await asyncio.gather(*(get(n) for n in range(pages)))


def _bare(port: int, pages: int, concurrency: int, conditional: bool) -> dict[str, Any]:
    """Plain httpx GETs with the same concurrency: the floor any httpx-based client starts from."""
    wall, cpu = time.perf_counter(), time.process_time()
    asyncio.run(_bare_gets(port, pages, concurrency, conditional))
    figures = _figures(pages, time.perf_counter() - wall, time.process_time() - cpu)
    figures["outcomes"] = {"304" if conditional else "200": pages}
    return figures


def _requests(port: int, pages: int, previous: list[FetchResult] | None = None) -> list[FetchRequest]:
    return [
        FetchRequest(url=f"http://127.0.0.1:{port}/p/{n}", source_id="bench", trusted_host="127.0.0.1",
                     validators=previous[n].validators if previous else FetchRequest("", "").validators)
        for n in range(pages)
    ]


def run(pages: int = 2000, size: int = 60_000, concurrency: int = 32) -> dict[str, Any]:
    """Both passes against a fresh server subprocess; returns the figures."""
    server = subprocess.Popen([sys.executable, "-m", "bench.bench_fetch", "--serve", "--size", str(size)],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        with Fetcher(_settings(concurrency)) as fetcher:
            first_results, first = _pass(fetcher, _requests(port, pages))
            _, second = _pass(fetcher, _requests(port, pages, first_results))
        bare_first = _bare(port, pages, concurrency, conditional=False)
        bare_second = _bare(port, pages, concurrency, conditional=True)
    finally:
        server.terminate()
        server.wait(timeout=10)
    speedup = round(first["seconds"] / second["seconds"], 1) if second["seconds"] else float("inf")
    return {"first": first, "unchanged": second, "bare_httpx_200": bare_first, "bare_httpx_304": bare_second,
            "speedup": speedup, "page_bytes": size}


def markdown(figures: dict[str, Any]) -> str:
    rows = ["| pass | pages | s | pages/s | CPU ms/page | client capacity pages/s | peak RSS MB | outcomes |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for name in ("first", "unchanged", "bare_httpx_200", "bare_httpx_304"):
        f = figures[name]
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(f["outcomes"].items()))
        cells = [name, f["pages"], f["seconds"], f["pages_per_s"], f["cpu_ms_per_page"],
                 f"{f['client_capacity_pages_per_s']:.0f}", f["peak_rss_mb"], outcomes]
        rows.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    rows.append(f"\n{figures['page_bytes'] // 1000} KB pages. Targets: unchanged pass ≥ 5× faster than the "
                f"first: {figures['speedup']}× ({_verdict(figures['speedup'] >= 5)}); client capacity ≥ 200 "
                f"pages/s on the first pass: {figures['first']['client_capacity_pages_per_s']:.0f} "
                f"({_verdict(figures['first']['client_capacity_pages_per_s'] >= 200)}).")
    rows.append("bare_httpx rows: plain httpx GETs, same server and concurrency, no processing: the floor.")
    return "\n".join(rows)


def _verdict(met: bool) -> str:
    return "met" if met else "not met"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--size", type=int, default=60_000, help="bytes per page")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(_serve(args.size))
        return {}
    logging.getLogger("etl.fetch").setLevel(logging.WARNING)
    figures = run(args.pages, args.size, args.concurrency)
    print(markdown(figures))
    return figures


if __name__ == "__main__":
    main()

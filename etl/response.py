"""One HTTP response: which statuses end or retry a fetch, what may be read, and bytes to text.

The content type must be on the allow-list (pages and feeds); the body is streamed up to
``max_bytes`` (a cut page is kept and marked, a cut feed is skipped); a short unread body is
drained so its connection returns to the pool.

Charsets: header, then the page's own declaration, then detection. Chinese municipal sites often
declare ``gb2312`` while using characters only GBK or GB18030 has, and send
``charset=iso-8859-1`` from a default server setup in front of GBK pages; both are handled here.
A declaration that does not decode strictly is not trusted; detection (charset-normalizer)
decides, and only if everything fails is the body decoded with replacements.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx
from charset_normalizer import from_bytes

from etl.models import FetchOutcome, Validators
from etl.politeness import HostGate, Transient, parse_retry_after
from etl.urls import canonicalize

ALLOWED_TYPES = frozenset(
    {"text/html", "application/xhtml+xml", "application/rss+xml", "application/atom+xml",
     "application/xml", "text/xml", "text/plain"}
)
# A page cut at the size cap is still worth reading; a cut feed is broken XML, so it is skipped.
CUTTABLE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
DRAIN_BYTES = 65_536  # an unread body this small is read to keep the connection; a bigger one is dropped


class Stop(Exception):
    """Ends one fetch with a recorded outcome (skipped or error); never escapes ``fetch_all``."""

    def __init__(self, outcome: FetchOutcome, error_class: str, reason: str, **fields: Any) -> None:
        super().__init__(f"{error_class}: {reason}")
        self.outcome = outcome
        self.error_class = error_class
        self.reason = reason
        self.fields = fields


@dataclass
class Answer:
    """What one HTTP exchange produced."""

    url: str
    status: int
    location: str | None = None
    content_type: str | None = None
    charset: str | None = None
    body: bytes = b""
    truncated: bool = False
    etag: str | None = None
    last_modified: str | None = None


# --- statuses and bodies -----------------------------------------------------------------------------


async def release(response: httpx.Response) -> None:
    """Finish reading a short unread body (304, redirect, error page) so the connection is reused;
    closing a response mid-body makes httpcore drop the connection and the next request reconnect."""
    if not response.is_stream_consumed:
        length = response.headers.get("content-length", "")
        if response.status_code == 304 or (length.isdigit() and int(length) <= DRAIN_BYTES):
            with suppress(httpx.HTTPError):
                await response.aread()
    await response.aclose()


def conditional_headers(validators: Validators) -> dict[str, str]:
    headers = {}
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers


def transport_failure(exc: httpx.TransportError, url: str) -> Exception:
    if isinstance(exc, httpx.TimeoutException):
        reason = f"{type(exc).__name__}: {exc or 'timed out'}"
        return Transient(Stop("error", "timeout", reason, final_url=url))
    if isinstance(exc, httpx.ConnectError):
        return Transient(Stop("error", "connect_error", f"cannot connect: {exc}", final_url=url))
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError):
        return Stop("error", "invalid_url", str(exc), final_url=url)
    reason = f"{type(exc).__name__}: {exc or 'connection closed'}"
    return Transient(Stop("error", "connection_error", reason, final_url=url))


def check_status(response: httpx.Response, url: str, gate: HostGate, cap: float) -> None:
    """Raise for a status that ends or retries the fetch; 2xx, 304 and redirects pass."""
    status = response.status_code
    fields = {"final_url": url, "status": status}
    if status in (429, 503):
        retry_after = parse_retry_after(response.headers.get("retry-after"), cap)
        if retry_after:
            gate.defer(retry_after)
        raise Transient(Stop("error", f"http_{status}", response.reason_phrase, **fields), retry_after)
    if status >= 500:
        raise Transient(Stop("error", f"http_{status}", response.reason_phrase, **fields))
    if status >= 400 or (300 <= status < 400 and status != 304 and status not in REDIRECTS):
        raise Stop("error", f"http_{status}", response.reason_phrase or "client error", **fields)


async def read_answer(response: httpx.Response, url: str, limit: int, raw: bool) -> Answer:
    answer = Answer(url=url, status=response.status_code, etag=response.headers.get("etag"),
                     last_modified=response.headers.get("last-modified"))
    if response.status_code in REDIRECTS:
        location = response.headers.get("location")
        if not location:
            raise Stop("error", f"http_{answer.status}", "redirect without a Location", final_url=url)
        answer.location = canonicalize(urljoin(url, location))
        return answer
    if response.status_code == 304 or (raw and response.status_code >= 300):
        return answer
    answer.content_type, answer.charset = split_content_type(response.headers.get("content-type"))
    _check_type(answer, response, limit, raw)
    answer.body, answer.truncated = await _read_capped(response, limit)
    _check_body(answer, limit, raw)
    return answer


def _check_type(answer: Answer, response: httpx.Response, limit: int, raw: bool) -> None:
    fields = {"final_url": answer.url, "status": answer.status, "content_type": answer.content_type}
    if answer.content_type and answer.content_type not in ALLOWED_TYPES and not raw:
        raise Stop("skipped", "content_type", f"{answer.content_type} is not a page or a feed", **fields)
    length = response.headers.get("content-length", "")
    cuttable = raw or answer.content_type in CUTTABLE_TYPES or answer.content_type is None
    if length.isdigit() and int(length) > limit and not cuttable:
        raise Stop("skipped", "oversized", f"{length} bytes, more than max_bytes={limit}", **fields)


async def _read_capped(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    """Read the decoded body up to ``limit`` bytes; the rest is never downloaded."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        if size + len(chunk) > limit:
            chunks.append(chunk[: limit - size])
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks), False


def _check_body(answer: Answer, limit: int, raw: bool) -> None:
    fields = {"final_url": answer.url, "status": answer.status, "content_type": answer.content_type,
              "bytes_read": len(answer.body), "truncated": answer.truncated}
    if answer.truncated and not raw and answer.content_type not in CUTTABLE_TYPES:
        raise Stop("skipped", "oversized", f"more than max_bytes={limit}", **fields)
    if answer.content_type is None and not raw:
        if b"\x00" in answer.body[:4096]:
            raise Stop("skipped", "content_type", "no content type and the body is binary", **fields)
        head = answer.body[:512].lstrip().lower()
        answer.content_type = "text/html" if head.startswith(b"<") else "text/plain"


# --- charsets ---------------------------------------------------------------------------------------

_HEAD = 4096  # declarations live in the first bytes of a document
_DETECT = 65536  # enough text for a confident guess, cheap enough for every page
_META = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Declared labels mapped to the superset browsers actually use for them.
_SUPERSETS = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030", "csgb2312": "gb18030",
    "cp936": "gb18030", "big5": "big5hkscs", "x-big5": "big5hkscs", "cp950": "big5hkscs",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
}
# Labels servers send by default, whatever the page is written in; the page's own word beats them.
_WEAK = frozenset({"cp1252"})
_MULTIBYTE = frozenset(codecs.lookup(name).name for name in (
    "gb18030", "big5hkscs", "shift_jis", "euc_jp", "euc_kr", "cp949", "iso2022_jp", "utf-16"))


def split_content_type(header: str | None) -> tuple[str | None, str | None]:
    """'text/html; charset=GBK' -> ('text/html', 'GBK')."""
    if not header:
        return None, None
    media, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return media.strip().lower() or None, charset


def codec_name(label: str | None) -> str | None:
    """The Python codec for a charset label, with legacy Chinese labels widened; None if unknown."""
    if not label:
        return None
    label = label.strip().lower()
    try:
        return codecs.lookup(_SUPERSETS.get(label, label)).name
    except LookupError:
        return None


def declared_charset(body: bytes) -> str | None:
    """<meta charset>, <meta http-equiv content="...; charset=...">, or the XML declaration."""
    head = body[:_HEAD]
    match = _XML_DECL.match(head) or _META.search(head)
    return match.group(1).decode("ascii") if match else None


def _strict(body: bytes, codec: str, truncated: bool) -> str | None:
    try:
        return body.decode(codec)
    except UnicodeDecodeError as exc:
        # A body cut at the size cap may end inside a multi-byte character; that is not an error.
        if truncated and exc.start >= len(body) - 4:
            return body[: exc.start].decode(codec, "replace")
        return None


def _candidates(body: bytes, header_charset: str | None) -> tuple[list[str], str | None]:
    """Codecs to try strictly before detection, and a weak header label to fall back on after it."""
    header = codec_name(header_charset)
    weak = header if header in _WEAK else None
    # UTF-8 goes before detection: most of the web, and a strict decode rarely succeeds by accident.
    ordered = [None if weak else header, codec_name(declared_charset(body)), "utf-8"]
    return [codec for codec in dict.fromkeys(ordered) if codec], weak


def _detected(body: bytes, weak: str | None) -> str | None:
    """charset-normalizer's guess, when it is worth more than the fallback.

    A CJK multi-byte codec always is (the GBK page behind a default server setup). Otherwise the
    guess counts only with no weak header and a recognised language: on short Latin text the
    guesses are noise (cp1006 for 'café'), and windows-1252 is the better default.
    """
    best = from_bytes(body[:_DETECT]).best()
    codec = codec_name(best.encoding) if best is not None else None
    if codec is None or best is None:
        return None
    return codec if codec in _MULTIBYTE or (weak is None and best.coherence > 0) else None


def _in_order(body: bytes, candidates: list[str], weak: str | None) -> Iterator[str]:
    """Declared codecs first; detection runs only when none of them decodes."""
    yield from candidates
    detected = _detected(body, weak)
    if detected:
        yield detected
    yield weak or "cp1252"  # the WHATWG default for undeclared pages


def decode_body(body: bytes, header_charset: str | None, truncated: bool = False) -> tuple[str, str]:
    """Decode a fetched body; returns the text and the codec name used."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(codec, "replace"), codec
    candidates, weak = _candidates(body, header_charset)
    for codec in _in_order(body, candidates, weak):
        text = _strict(body, codec, truncated)
        if text is not None:
            return text, codec
    return body.decode(candidates[0], "replace"), candidates[0]

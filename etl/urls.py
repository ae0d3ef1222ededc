"""Canonical URLs and the rules for where discovered links may lead.

One article must have one key in the warehouse however it was linked: ``canonicalize`` lowercases
scheme and host, drops default ports, fragments and tracking parameters, sorts the query and
normalizes the path. ``is_allowed_link`` keeps discovery on the source's own site and away from
private, loopback and link-local addresses (a public page must not steer us to 169.254.169.254).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from etl.config import Source

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Parameters that identify a click or a campaign, never the document.
_TRACKING = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid",
     "_ga", "_gl", "ref_src", "spm", "oly_anon_id", "oly_enc_id", "vero_id", "mkt_tok"}
)
_TRACKING_PREFIXES = ("utm_", "hmsr", "hmpl", "hmcu", "hmkw", "hmci")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
# RFC 3986 "unreserved" characters never need escaping; an escaped one means the same URL.
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = "/?:@!$'()*+,;=-._~%"
_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
ParsedAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _normalize_escapes(text: str, safe: str) -> str:
    """Uppercase %-escapes, decode escaped unreserved characters, escape the rest (non-ASCII, spaces)."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(0)[1:], 16))
        return char if char in _UNRESERVED else match.group(0).upper()

    return quote(_PERCENT.sub(fix, text), safe=safe)


def _host(hostname: str) -> str:
    host = hostname.lower().rstrip(".")
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _netloc(scheme: str, parts_netloc: str, hostname: str | None, port: int | None) -> str:
    host = _host(hostname or "")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    userinfo = parts_netloc.rpartition("@")[0]
    prefix = f"{userinfo}@" if userinfo else ""
    suffix = f":{port}" if port is not None and port != _DEFAULT_PORTS.get(scheme) else ""
    return f"{prefix}{host}{suffix}"


def _path(path: str) -> str:
    """Escapes normalized and dot segments removed (RFC 3986 5.2.4); '//' is kept, it can be meaningful."""
    if not path:
        return "/"
    kept: list[str] = []
    segments = _normalize_escapes(path, _PATH_SAFE).lstrip("/").split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment in (".", ".."):
            if segment == ".." and kept:
                kept.pop()
            if last:
                kept.append("")  # 'a/b/..' names the directory 'a/'
        else:
            kept.append(segment)
    return "/" + "/".join(kept)


def _is_tracking(pair: str) -> bool:
    name = unquote(pair.partition("=")[0]).lower()
    return name in _TRACKING or name.startswith(_TRACKING_PREFIXES)


def _query(query: str) -> str:
    pairs = [_normalize_escapes(p, _QUERY_SAFE) for p in query.split("&") if p and not _is_tracking(p)]
    # Sort by name only: the order of repeated values of one name can carry meaning.
    pairs.sort(key=lambda pair: pair.partition("=")[0])
    return "&".join(pairs)


def canonicalize(url: str, base: str | None = None) -> str:
    """The one spelling of ``url`` (resolved against ``base``) used as its key everywhere."""
    absolute = urljoin(base, url.strip()) if base else url.strip()
    parts = urlsplit(absolute)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # a port out of range or not a number: keep the URL as written
        return urlunsplit((scheme, parts.netloc.lower(), _path(parts.path), _query(parts.query), ""))
    netloc = _netloc(scheme, parts.netloc, parts.hostname, port)
    return urlunsplit((scheme, netloc, _path(parts.path), _query(parts.query), ""))


# --- addresses -----------------------------------------------------------------------------------


def parse_address(host: str) -> ParsedAddress | None:
    """An IP literal in any spelling a resolver accepts ('127.1', '0x7f.0.0.1', '2130706433'), or None."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if not host or not all(c in "0123456789abcdefxABCDEFX." for c in host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def is_private_address(address: ParsedAddress) -> bool:
    """True for anything that is not a public unicast address (loopback, RFC 1918, link-local, ...)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def is_private_host(host: str) -> bool:
    """Whether a host name is private on its face: an internal IP literal or a localhost name."""
    host = host.lower().rstrip(".")
    if host in _LOCAL_NAMES or host.endswith(".localhost"):
        return True
    address = parse_address(host)
    return address is not None and is_private_address(address)


def same_host(host: str, other: str | None) -> bool:
    return other is not None and _host(host) == _host(other)


# --- allowed links --------------------------------------------------------------------------------


def allowed_domains(source: Source) -> tuple[str, ...]:
    """``allow_domains``, else the source's host without a leading 'www.' (so its subdomains count)."""
    if source.allow_domains:
        return tuple(_host(domain.lstrip(".")) for domain in source.allow_domains)
    host = _host(source.host)
    return (host.removeprefix("www."),) if host.count(".") >= 2 else (host,)


ANY_DOMAIN = "*"  # allow_domains: ["*"] lets an aggregator feed lead anywhere public


def in_domains(host: str, domains: tuple[str, ...]) -> bool:
    return any(domain == ANY_DOMAIN or host == domain or host.endswith("." + domain) for domain in domains)


def is_allowed_link(url: str, source: Source) -> bool:
    """May a link found on ``source`` be followed? Its domains only, and no private hosts but its own."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    host = _host(parts.hostname)
    if not in_domains(host, allowed_domains(source)):
        return False
    if is_private_host(host):
        return source.allow_private or same_host(host, source.host)
    return True

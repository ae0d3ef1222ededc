"""Deliver a rendered digest: one MIME message over SMTP, plus any apprise channels.

Delivery never raises for a failure on the other side (refused connection, no STARTTLS, bad login,
a channel that reports failure): it returns a ``DeliveryResult`` naming each channel, so the caller
can record it and try again on the next run. SMTP credentials come only from the environment
(``TWINWATCH_SMTP_USERNAME`` / ``TWINWATCH_SMTP_PASSWORD``) and never appear in logs or results.
"""

from __future__ import annotations

import base64
import email.policy
import email.utils
import ipaddress
import logging
import os
import smtplib
import ssl
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import NamedTuple

import apprise
from apprise import NotifyFormat

from etl.config import DigestSettings, Smtp
from etl.digest_model import RenderedDigest

log = logging.getLogger(__name__)

USERNAME_ENV = "TWINWATCH_SMTP_USERNAME"
PASSWORD_ENV = "TWINWATCH_SMTP_PASSWORD"
CHART_CID = "chart@twinwatch"  # the HTML refers to an inline chart as <img src="cid:chart@twinwatch">
ERROR_MAX = 300
# 7bit transfer encoding (quoted-printable or base64 bodies) passes every relay, 8BITMIME or not;
# non-ASCII headers are RFC 2047 encoded either way.
POLICY = email.policy.default.clone(cte_type="7bit")


class ChannelResult(NamedTuple):
    name: str  # "smtp://host:port" or the apprise URL with secrets masked
    ok: bool
    error: str | None = None


class DeliveryResult(NamedTuple):
    ok: bool  # every channel delivered
    channels: list[ChannelResult]


# --- the message ----------------------------------------------------------------------------------------


def build_message(
    rendered: RenderedDigest, settings: DigestSettings, now: datetime | None = None
) -> EmailMessage:
    """multipart/alternative (text, then HTML); the HTML becomes multipart/related if there is a chart PNG."""
    message = EmailMessage(policy=POLICY)
    message["Subject"] = rendered.subject
    message["From"] = settings.from_
    if settings.to:
        message["To"] = ", ".join(settings.to)
    message["Date"] = email.utils.format_datetime(now or datetime.now(UTC))
    message["Message-ID"] = email.utils.make_msgid("twinwatch", domain=_domain(settings.from_))
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a robot
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    if rendered.chart_png:
        html = message.get_body(("html",))
        assert html is not None  # added just above
        html.add_related(rendered.chart_png, "image", "png", cid=f"<{CHART_CID}>", filename="chart.png")
    return message


def _domain(address: str) -> str:
    # Passing the domain keeps make_msgid from calling socket.getfqdn(), which can hang on DNS.
    return email.utils.parseaddr(address)[1].rpartition("@")[2] or "twinwatch.localhost"


# --- delivery -------------------------------------------------------------------------------------------


def send_digest(
    message: EmailMessage, settings: DigestSettings, env: Mapping[str, str] = os.environ
) -> DeliveryResult:
    """Send over SMTP to ``settings.to`` and to every ``settings.apprise`` URL; report, never raise."""
    channels = []
    if settings.to:
        channels.append(send_smtp(message, settings, env))
    channels.extend(send_apprise(url, message) for url in settings.apprise)
    if not channels:
        channels.append(ChannelResult("none", False, "nothing configured: set digest.to or digest.apprise"))
    for channel in channels:
        if channel.ok:
            log.info("digest %s sent via %s", message["Subject"], channel.name)
        else:
            log.warning("digest not sent via %s: %s", channel.name, channel.error)
    return DeliveryResult(all(c.ok for c in channels), channels)


def send_smtp(message: EmailMessage, settings: DigestSettings, env: Mapping[str, str]) -> ChannelResult:
    smtp = settings.smtp
    name = f"smtp://{smtp.host}:{smtp.port}"
    username, password = env.get(USERNAME_ENV), env.get(PASSWORD_ENV) or ""
    if username and smtp.security == "none" and not _is_loopback(smtp.host):
        return ChannelResult(name, False, "refusing to send credentials unencrypted: use starttls or ssl")
    try:
        with _connect(smtp) as client:
            if username:
                _login(client, username, password)
            refused = client.send_message(message, to_addrs=list(settings.to))
    # ssl.SSLError and timeouts are OSErrors; UnicodeError from an address the server cannot take.
    except (smtplib.SMTPException, OSError, UnicodeError) as exc:
        return ChannelResult(name, False, _redact(_describe(exc), password))
    if refused:
        # Some recipients took it: a retry would send the rest a second copy, so this counts as sent.
        return ChannelResult(name, True, _redact(f"refused: {_describe_refused(refused)}", password))
    return ChannelResult(name, True)


def _connect(smtp: Smtp) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if smtp.security == "ssl":
        return smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
    client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    if smtp.security == "starttls":
        try:
            client.starttls(context=context)  # raises when the server does not offer STARTTLS
        except BaseException:
            client.close()
            raise
    return client


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _login(client: smtplib.SMTP, username: str, password: str) -> None:
    if (username + password).isascii():
        client.login(username, password)  # negotiates CRAM-MD5, PLAIN or LOGIN
        return
    # smtplib encodes credentials as ASCII; AUTH PLAIN is defined over UTF-8 (RFC 4616), so send it directly.
    client.ehlo_or_helo_if_needed()
    token = base64.b64encode(f"\0{username}\0{password}".encode()).decode("ascii")
    code, reply = client.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def send_apprise(url: str, message: EmailMessage) -> ChannelResult:
    name = f"{url.partition('://')[0]}://…"  # until apprise can mask the secrets in it
    try:
        notifier = apprise.Apprise()
        if not notifier.add(url):
            return ChannelResult(name, False, "not a valid apprise URL")
        name = str(notifier[0].url(privacy=True))  # type: ignore[no-untyped-call]  # apprise is unannotated
        # apprise reports failure by a falsy return and a log line, not an exception: keep the line.
        with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
            title = str(message["Subject"])
            sent = notifier.notify(body=_text(message), title=title, body_format=NotifyFormat.TEXT)
    except Exception as exc:  # a plugin bug must not stop the other channels or the run
        return ChannelResult(name, False, _describe(exc))
    if sent:
        return ChannelResult(name, True)
    return ChannelResult(name, False, _last_line(captured.getvalue()) or "apprise reported a failure")


def _text(message: EmailMessage) -> str:
    """The plain-text part: chat channels get the text alternative, not the HTML."""
    body = message.get_body(("plain",))
    return body.get_content() if isinstance(body, EmailMessage) else ""


# --- error text -----------------------------------------------------------------------------------------


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or "no details"
    return f"{type(exc).__name__}: {text}"[:ERROR_MAX]


def _describe_refused(refused: Mapping[str, tuple[int, bytes]]) -> str:
    parts = (f"{rcpt} ({code} {reply.decode('utf-8', 'replace')})" for rcpt, (code, reply) in refused.items())
    return "; ".join(parts)[:ERROR_MAX]


def _redact(text: str, secret: str) -> str:
    return text.replace(secret, "***") if secret else text


def _last_line(log_text: str) -> str:
    lines = [line.split(" - ", 2)[-1].strip() for line in log_text.splitlines() if line.strip()]
    return lines[-1][:ERROR_MAX] if lines else ""

"""Delivery against a real SMTP server (aiosmtpd on 127.0.0.1), SMTP and apprise, success and failure."""

from __future__ import annotations

import email.policy
import importlib.util
import logging
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from html import escape
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from etl.config import DigestSettings, Smtp
from etl.digest import build_digest, render_digest
from etl.digest_model import RenderedDigest
from etl.mail import CHART_CID, build_message, send_digest

# apprise imports the deprecated imghdr module lazily, on the first notify(); not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:.imghdr. is deprecated:DeprecationWarning")

USER, PASSWORD, ASCII_PASSWORD = "digest-bot", "s3cret-Pässword", "plain-s3cret"
HOSTILE = 'Nanjing & Porto <script>alert("x")</script> <b broken ]]> 南京'


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps every message it accepts, and who logged in."""

    envelopes: list[Envelope] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def authenticate(
        self, server: Any, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        accepted = [(USER.encode(), secret.encode()) for secret in (PASSWORD, ASCII_PASSWORD)]
        if isinstance(data, LoginPassword) and (data.login, data.password) in accepted:
            self.logins.append(data.login.decode())
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    def received(self, index: int = -1) -> EmailMessage:
        content = self.envelopes[index].original_content
        assert content is not None
        parsed = BytesParser(policy=email.policy.default).parsebytes(content)
        assert isinstance(parsed, EmailMessage)
        return parsed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder()
    port = free_port()
    # Plain SMTP with optional AUTH: auth_require_tls=False lets the test log in without a certificate.
    controller = Controller(
        recorder, hostname="127.0.0.1", port=port, authenticator=recorder.authenticate, auth_require_tls=False
    )
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


@pytest.fixture
def smtp(server: tuple[Recorder, int]) -> Recorder:
    server[0].envelopes.clear()
    server[0].logins.clear()
    return server[0]


def settings(port: int, security: str = "none", **fields: Any) -> DigestSettings:
    base: dict[str, Any] = {
        "from": "twinwatch@example.org",
        "to": ("ops@example.org", "team@example.cn", "x@example.com"),
        "smtp": Smtp(host="127.0.0.1", port=port, security=security, timeout=5),
    }
    base.update(fields)
    return DigestSettings(**base)


def rendered(chart: bytes | None = None) -> RenderedDigest:
    subject = "twinwatch 2026-W47: 3 new partnerships, 1 upgraded, 1 suspended"
    html = f"<p>Biên Hòa &harr; 南京</p><p>{escape(HOSTILE)}</p>"
    if chart:
        html += f'<img src="cid:{CHART_CID}" alt="chart">'
    return RenderedDigest(subject, html, f"Biên Hòa <-> 南京\n{HOSTILE}\n", chart, False)


# --- the message ----------------------------------------------------------------------------------------


def test_message_headers() -> None:
    config = settings(25, to=("ops@example.org", "南京@example.cn", "x@example.com"))
    message = build_message(rendered(), config, now=datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    assert message["Subject"] == "twinwatch 2026-W47: 3 new partnerships, 1 upgraded, 1 suspended"
    assert [a.addr_spec for a in message["To"].addresses] == [
        "ops@example.org",
        "南京@example.cn",
        "x@example.com",
    ]
    assert message["Date"] == "Mon, 23 Nov 2026 08:00:00 +0000"
    assert message["Message-ID"].endswith("@example.org>")
    assert message.get_content_type() == "multipart/alternative"


def test_chart_png_is_an_inline_related_part() -> None:
    message = build_message(rendered(chart=b"\x89PNG fake"), settings(25))
    html_part = message.get_payload()[1]  # type: ignore[index]
    assert html_part.get_content_type() == "multipart/related"
    image = html_part.get_payload()[1]
    assert image.get_content_type() == "image/png" and image["Content-ID"] == f"<{CHART_CID}>"


def sample_input() -> Any:
    path = Path(__file__).parent / "fixtures" / "digest" / "sample.py"
    spec = importlib.util.spec_from_file_location("digest_sample_for_mail", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.sample_input()


# --- SMTP -----------------------------------------------------------------------------------------------


def test_mail_arrives_intact(smtp: Recorder, server: tuple[Recorder, int]) -> None:
    config = settings(server[1], subject_prefix="x")
    message = build_message(replace(rendered(), subject="友好城市 2026-W47: Biên Hòa, 南京"), config)
    result = send_digest(message, config, env={})
    assert result.ok and result.channels[0].name == f"smtp://127.0.0.1:{server[1]}"
    assert sorted(smtp.envelopes[0].rcpt_tos) == sorted(config.to)
    received = smtp.received()
    assert received["Subject"] == "友好城市 2026-W47: Biên Hòa, 南京"
    assert received.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in received.iter_parts()] == ["text/plain", "text/html"]
    text, html = (p.get_content() for p in received.iter_parts())
    assert HOSTILE in text and "Biên Hòa <-> 南京" in text
    assert "&lt;script&gt;" in html and "<script>" not in html and "Biên Hòa" in html and "]]&gt;" in html


def test_the_sample_digest_arrives_whole(smtp: Recorder, server: tuple[Recorder, int]) -> None:
    config = settings(server[1])
    digest = render_digest(build_digest(sample_input(), config))
    assert send_digest(build_message(digest, config), config, env={}).ok
    received = smtp.received()
    assert received["Subject"] == digest.subject and received["Subject"].startswith(
        "twinwatch 2026-W47: 3 new partnerships, 1 upgraded, 1 suspended, 1 terminated"
    )
    text, html = (part.get_content().replace("\r\n", "\n") for part in received.iter_parts())
    assert text == digest.text and "南京市与越南边和市（Biên Hòa）" in text
    assert html.rstrip() == digest.html.rstrip() and "<script>" not in html and "&lt;script&gt;" in html


def test_raw_message_is_7bit_with_encoded_subject(smtp: Recorder, server: tuple[Recorder, int]) -> None:
    config = settings(server[1])
    send_digest(build_message(replace(rendered(), subject="南京 digest"), config), config, env={})
    raw = smtp.envelopes[0].original_content
    assert raw is not None and raw.isascii()
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n", 1)[0]


def test_non_ascii_recipient_goes_out_with_smtputf8(smtp: Recorder, server: tuple[Recorder, int]) -> None:
    config = settings(server[1], to=("南京@example.cn",))
    result = send_digest(build_message(rendered(), config), config, env={})
    assert result.ok and smtp.envelopes[0].rcpt_tos == ["南京@example.cn"]
    assert "SMTPUTF8" in smtp.envelopes[0].mail_options


@pytest.mark.parametrize("password", [ASCII_PASSWORD, PASSWORD])
def test_login_uses_credentials_from_env_and_never_shows_them(
    smtp: Recorder, server: tuple[Recorder, int], caplog: pytest.LogCaptureFixture, password: str
) -> None:
    caplog.set_level(logging.DEBUG)
    config = settings(server[1])
    env = {"TWINWATCH_SMTP_USERNAME": USER, "TWINWATCH_SMTP_PASSWORD": password}
    result = send_digest(build_message(rendered(), config), config, env=env)
    assert result.ok and smtp.logins == [USER] and len(smtp.envelopes) == 1
    assert password not in caplog.text


def test_wrong_password_fails_without_raising_or_leaking(
    smtp: Recorder, server: tuple[Recorder, int], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    config = settings(server[1])
    env = {"TWINWATCH_SMTP_USERNAME": USER, "TWINWATCH_SMTP_PASSWORD": "wrong-" + PASSWORD}
    result = send_digest(build_message(rendered(), config), config, env=env)
    assert not result.ok and "SMTPAuthenticationError" in (result.channels[0].error or "")
    assert PASSWORD not in caplog.text and PASSWORD not in str(result)
    assert smtp.envelopes == []


def test_credentials_are_never_sent_in_clear_to_a_remote_host() -> None:
    config = settings(25, smtp=Smtp(host="mail.example.org", port=25, security="none"))
    env = {"TWINWATCH_SMTP_USERNAME": USER, "TWINWATCH_SMTP_PASSWORD": PASSWORD}
    result = send_digest(build_message(rendered(), config), config, env=env)
    assert not result.ok and "unencrypted" in (result.channels[0].error or "")


def test_starttls_not_offered_is_a_failure_not_an_exception(
    smtp: Recorder, server: tuple[Recorder, int]
) -> None:
    config = settings(server[1], security="starttls")
    result = send_digest(build_message(rendered(), config), config, env={})
    assert not result.ok
    assert "STARTTLS" in (result.channels[0].error or "")
    assert smtp.envelopes == []  # never falls back to plain text


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Recorder, int, Path]]:
    """A STARTTLS-only server with a self-signed certificate for 127.0.0.1."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    recorder, port = Recorder(), free_port()
    controller = Controller(
        recorder, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True
    )
    controller.start()
    try:
        yield recorder, port, cert
    finally:
        controller.stop()


def test_starttls_with_a_trusted_certificate_delivers(
    tls_server: tuple[Recorder, int, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder, port, cert = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # read by ssl.create_default_context()
    config = settings(port, security="starttls")
    result = send_digest(build_message(rendered(), config), config, env={})
    assert result.ok, result
    assert recorder.received()["Subject"].startswith("twinwatch 2026-W47")


def test_starttls_with_an_untrusted_certificate_fails(tls_server: tuple[Recorder, int, Path]) -> None:
    recorder, port, _ = tls_server
    before = len(recorder.envelopes)
    config = settings(port, security="starttls")
    result = send_digest(build_message(rendered(), config), config, env={})
    assert not result.ok and "CERTIFICATE_VERIFY_FAILED" in (result.channels[0].error or "")
    assert len(recorder.envelopes) == before


def test_ssl_against_a_plain_server_fails(smtp: Recorder, server: tuple[Recorder, int]) -> None:
    config = settings(server[1], security="ssl")
    result = send_digest(build_message(rendered(), config), config, env={})
    assert not result.ok and result.channels[0].error


def test_connection_refused_fails() -> None:
    config = settings(free_port())
    result = send_digest(build_message(rendered(), config), config, env={})
    assert not result.ok and "ConnectionRefusedError" in (result.channels[0].error or "")


def test_nothing_configured_is_not_ok() -> None:
    config = settings(25, to=())
    result = send_digest(build_message(rendered(), config), config, env={})
    assert not result.ok and result.channels[0].name == "none"


# --- apprise --------------------------------------------------------------------------------------------


def mailto(port: int) -> str:
    return f"mailto://127.0.0.1:{port}?from=twinwatch@example.org&to=chat@example.org&mode=insecure"


def test_apprise_mailto_reaches_the_local_server(smtp: Recorder, server: tuple[Recorder, int]) -> None:
    config = settings(server[1], to=(), apprise=(mailto(server[1]),))
    result = send_digest(build_message(rendered(), config), config, env={})
    assert result.ok, result
    assert smtp.envelopes[0].rcpt_tos == ["chat@example.org"]
    assert smtp.received()["Subject"] == "twinwatch 2026-W47: 3 new partnerships, 1 upgraded, 1 suspended"


def test_failing_apprise_channel_is_reported(smtp: Recorder, server: tuple[Recorder, int]) -> None:
    config = settings(server[1], apprise=(mailto(free_port()), "nosuchscheme://x"))
    result = send_digest(build_message(rendered(), config), config, env={})
    assert not result.ok
    assert [c.ok for c in result.channels] == [True, False, False]
    assert result.channels[1].error and result.channels[2].error == "not a valid apprise URL"
    assert len(smtp.envelopes) == 1  # the SMTP channel still delivered

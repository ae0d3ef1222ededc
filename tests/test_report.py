"""The digest job: exactly once per period, a failed delivery retried by the next run, --force resends.

A real SMTP server (aiosmtpd) on 127.0.0.1 and a real DuckDB file.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session

from etl.cli import main
from etl.config import Config, parse_config
from etl.report import digest_once, period_label, retry_failed_digests
from etl.store import Warehouse

UNTIL = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


@dataclass
class Inbox:
    envelopes: list[Envelope] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture()
def port() -> int:
    return free_port()


@pytest.fixture()
def inbox(port: int) -> Iterator[Inbox]:
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def config_for(port: int, out: Path, empty: str = "notify") -> Config:
    return parse_config(
        "digest:\n"
        "  timezone: Asia/Shanghai\n"
        "  from: tw@example.org\n"
        "  to: [a@example.org, b@example.org]\n"
        f"  smtp: {{host: 127.0.0.1, port: {port}, security: none, timeout: 5}}\n"
        f"  out_dir: {out}\n"
        f"  empty: {empty}\n"
        "sources: []\n"
    )


def test_the_week_label_is_the_week_that_just_ended_on_a_monday_morning() -> None:
    assert period_label(UNTIL, "Asia/Shanghai") == "2026-W47"  # Monday 08:00 in Shanghai
    assert period_label(datetime(2026, 11, 26, 12, 0, tzinfo=UTC), "Asia/Shanghai") == "2026-W48"


def test_a_period_is_sent_once_and_force_sends_again(tmp_path: Path, port: int, inbox: Inbox) -> None:
    config, db = config_for(port, tmp_path / "reports"), tmp_path / "w.duckdb"
    first = digest_once(config, db, until=UNTIL, send=True)
    assert first.delivery == "sent" and "no changes" in first.subject
    again = digest_once(config, db, until=UNTIL + timedelta(hours=1), send=True)
    assert again.delivery == "already sent"
    forced = digest_once(config, db, until=UNTIL + timedelta(hours=2), send=True, force=True)
    assert forced.delivery == "sent"
    assert len(inbox.envelopes) == 2
    assert sorted(inbox.envelopes[0].rcpt_tos) == ["a@example.org", "b@example.org"]


def test_the_next_period_starts_where_the_last_one_ended(tmp_path: Path, port: int, inbox: Inbox) -> None:
    config, db = config_for(port, tmp_path / "reports"), tmp_path / "w.duckdb"
    digest_once(config, db, until=UNTIL, send=True)
    following = digest_once(config, db, until=UNTIL + timedelta(days=7), send=True)
    assert following.since == UNTIL and following.period_label == "2026-W48"


def test_an_empty_week_can_send_nothing(tmp_path: Path, port: int, inbox: Inbox) -> None:
    config, db = config_for(port, tmp_path / "reports", empty="skip"), tmp_path / "w.duckdb"
    outcome = digest_once(config, db, until=UNTIL, send=True)
    assert outcome.delivery == "skipped: empty week"
    assert inbox.envelopes == []
    assert digest_once(config, db, until=UNTIL, send=True).delivery == "already sent"


def test_a_failed_delivery_is_recorded_and_retried_by_the_next_run(tmp_path: Path, port: int) -> None:
    config, db = config_for(port, tmp_path / "reports"), tmp_path / "w.duckdb"
    failed = digest_once(config, db, until=UNTIL, send=True)  # nobody listens on the port yet
    assert failed.failed and "smtp" in failed.delivery.lower()

    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert retry_failed_digests(config, db) == ["digest 2026-W47: retried, sent"]
        assert retry_failed_digests(config, db) == []  # delivered: nothing left to retry
    finally:
        controller.stop()
    assert len(box.envelopes) == 1
    with Warehouse.open(db, read_only=True) as warehouse:
        assert warehouse.digest_sent_for("2026-W47")


def test_the_cli_reports_a_failed_send_with_exit_1(tmp_path: Path, port: int, capsys: Any) -> None:
    config_file = tmp_path / "c.yaml"
    config_file.write_text(
        "digest:\n"
        f"  smtp: {{host: 127.0.0.1, port: {port}, security: none, timeout: 2}}\n"
        "  to: [a@example.org]\n"
        f"  out_dir: {tmp_path / 'reports'}\n"
        "sources: []\n",
        encoding="utf-8",
    )
    code = main(["digest", "--send", "--config", str(config_file), "--db", str(tmp_path / "w.duckdb")])
    assert code == 1
    out = capsys.readouterr().out
    assert "delivery: failed" in out

"""The ``twinwatch`` command. The only place that turns errors into messages and exit codes.

Exit codes: 0 all good; 1 some sources (or a digest delivery) failed; 2 bad config or unusable
(or busy) warehouse.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from etl import __version__
from etl.config import Config, db_path, load_config
from etl.errors import ConfigError, InputError, TwinwatchError, WarehouseError
from etl.logs import setup_logging
from etl.output import fact_record, format_rows, print_facts

log = logging.getLogger("twinwatch")

EXIT_OK, EXIT_PARTIAL, EXIT_UNUSABLE = 0, 1, 2


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", metavar="PATH", help="sources.yaml (default: $TWINWATCH_CONFIG or ./sources.yaml)"
    )
    common.add_argument(
        "--db", metavar="PATH", help="warehouse file (default: $TWINWATCH_DB or warehouse/twinwatch.duckdb)"
    )
    common.add_argument(
        "--log-format", choices=["text", "json"], default="text", help="log lines as text or JSON"
    )
    common.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    common.add_argument(
        "-q", "--quiet", action="store_true", default=None, help="log only warnings and errors"
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="twinwatch", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--version", action="version", version=f"twinwatch {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run", parents=[common], help="one cycle over the sources that are due (for cron)"
    )
    run.add_argument("--all", action="store_true", help="every enabled source, due or not")
    run.add_argument("--source", action="append", metavar="ID", help="only this source (repeatable)")

    extract = commands.add_parser("extract", parents=[common], help="print the facts in local files")
    extract.add_argument("paths", nargs="+", metavar="PATH", help=".html/.txt files, or - for stdin")
    extract.add_argument("--format", choices=["jsonl", "table"], default="jsonl")
    extract.add_argument("--home", metavar="CITY", help="the place the pages are about")
    extract.add_argument("--lang", metavar="LANG", help="language of the pages, e.g. en or zh")

    digest = commands.add_parser("digest", parents=[common], help="render (and --send) the change digest")
    digest.add_argument(
        "--since", metavar="DATE", type=_date, help="period start (default: last digest sent)"
    )
    digest.add_argument("--out", metavar="DIR", type=Path, help="output directory (default: reports/)")
    digest.add_argument("--send", action="store_true", help="mail it (once per period)")
    digest.add_argument("--force", action="store_true", help="with --send: send even if already sent")

    commands.add_parser("daemon", parents=[common], help="run on the configured schedules until SIGTERM")

    sources = commands.add_parser("sources", parents=[common], help="list or check the configured sources")
    sources.add_argument("action", choices=["list", "check"])
    sources.add_argument(
        "id", nargs="?", metavar="ID", help="with check: fetch this source and show its facts"
    )
    sources.add_argument("--limit", type=int, default=5, metavar="N", help="with check: articles to fetch")

    query = commands.add_parser("query", parents=[common], help="ad-hoc SQL on the warehouse")
    query.add_argument("sql", metavar="SQL")
    query.add_argument("--format", choices=["table", "csv", "json"], default="table")

    export = commands.add_parser("export", parents=[common], help="export the warehouse tables")
    export.add_argument(
        "--parquet", metavar="DIR", type=Path, required=True, help="write one Parquet file per table"
    )

    commands.add_parser("demo", parents=[common], help="the offline end-to-end demo (what `make demo` runs)")
    return parser


def _date(text: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-16") from None


# --- commands --------------------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    from etl.pipeline import run_once  # after the config: a bad config is reported without heavy imports
    from etl.report import retry_failed_digests

    summary = run_once(config, db_path(args.db), source_ids=args.source, all_sources=args.all)
    if summary.sources_total == 0:
        log.info("no source is due")
    for line in summary.failures:
        print(f"FAILED {line}", file=sys.stderr)
    retried = retry_failed_digests(config, db_path(args.db))
    digest_failed = any("retried, sent" not in line for line in retried)
    return EXIT_PARTIAL if summary.sources_failed or digest_failed else EXIT_OK


def cmd_extract(args: argparse.Namespace) -> int:
    from etl.extract import extract_facts, load_gazetteer
    from etl.models import Hints
    from etl.output import read_documents

    documents = list(read_documents(args.paths))  # unreadable files fail before the gazetteer loads
    gazetteer = load_gazetteer()
    hints = Hints(home=args.home, lang=args.lang, today=date.today())
    records: list[dict[str, object]] = []
    for stem, document in documents:
        records.extend(fact_record(stem, fact) for fact in extract_facts(document, gazetteer, hints))
    print_facts(records, args.format)
    return EXIT_OK


def cmd_digest(args: argparse.Namespace) -> int:
    from etl.report import digest_once

    config = load_config(args.config)
    outcome = digest_once(
        config, db_path(args.db), since=args.since, out_dir=args.out, send=args.send, force=args.force
    )
    print(f"{outcome.subject}")
    for path in outcome.paths.all():
        print(f"  {path}")
    if args.send:
        print(f"delivery: {outcome.delivery}")
    return EXIT_PARTIAL if outcome.failed else EXIT_OK


def cmd_daemon(args: argparse.Namespace) -> int:
    from etl.service import daemon

    return daemon(args.config, db_path(args.db))


def cmd_sources(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    if args.action == "list" or args.id is None:
        return _list_sources(config, checked=args.action == "check")
    source = config.source(args.id)
    from etl.pipeline import check_source

    report = check_source(config, source, limit=args.limit)
    for line in report.lines:
        print(line)
    print_facts([fact_record(url, fact) for url, fact in report.facts], "table")
    return EXIT_PARTIAL if report.failed else EXIT_OK


def _list_sources(config: Config, checked: bool) -> int:
    rows = [
        (s.id, s.kind, s.schedule, "yes" if s.enabled else "no", s.home or "", ",".join(s.tags), s.url)
        for s in config.sources
    ]
    print(format_rows(["id", "kind", "schedule", "enabled", "home", "tags", "url"], rows, "table"))
    if checked:
        print(f"configuration OK: {len(config.sources)} sources")
    return EXIT_OK


def cmd_query(args: argparse.Namespace) -> int:
    path = db_path(args.db)
    if not path.exists():
        raise WarehouseError(f"{path}: no warehouse yet (run `twinwatch run` first, or pass --db)")
    from etl.store import Warehouse

    with Warehouse.open(path, read_only=True) as warehouse:
        columns, rows = warehouse.query(args.sql)
    print(format_rows(columns, rows, args.format))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from etl.store import Warehouse

    with Warehouse.open(db_path(args.db), read_only=True) as warehouse:
        for path in warehouse.export_parquet(args.parquet):
            print(path)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from etl.demo import run_demo

    return run_demo(Path(args.db) if args.db else None)


# How an error ends the command, most specific first: the message prefix and the exit code.
ERROR_EXITS: tuple[tuple[type[TwinwatchError], str, int], ...] = (
    (ConfigError, "configuration error: ", EXIT_UNUSABLE),
    (InputError, "", EXIT_UNUSABLE),
    (WarehouseError, "warehouse: ", EXIT_UNUSABLE),  # the busy-warehouse message included
    (TwinwatchError, "", EXIT_PARTIAL),
)

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": cmd_run,
    "extract": cmd_extract,
    "digest": cmd_digest,
    "daemon": cmd_daemon,
    "sources": cmd_sources,
    "query": cmd_query,
    "export": cmd_export,
    "demo": cmd_demo,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # The daemon's job lines are its record (journald, not a terminal): INFO unless --quiet.
    quiet = False if args.command == "daemon" and args.quiet is None else args.quiet
    setup_logging(args.log_format, args.verbose, quiet)
    try:
        return COMMANDS[args.command](args)
    except TwinwatchError as exc:
        prefix, code = next((prefix, code) for kind, prefix, code in ERROR_EXITS if isinstance(exc, kind))
        print(f"twinwatch: {prefix}{exc}", file=sys.stderr)
        return code
    except BrokenPipeError:  # `twinwatch query … | head` closed the pipe: not an error
        return EXIT_OK
    except KeyboardInterrupt:
        return 130

"""Terminal and file formats for the CLI: fact records, tables, CSV, JSON, and local documents."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from etl.errors import InputError
from etl.models import Document, Fact, Place


def place_record(place: Place, mention: str) -> dict[str, Any]:
    return {
        "name": place.name,
        "mention": mention,
        "country": place.country,
        "geonameid": place.geonameid,
        "kind": place.kind,
    }


def fact_record(doc: str, fact: Fact) -> dict[str, Any]:
    """The JSONL contract of `twinwatch extract`."""
    return {
        "doc": doc,
        "a": place_record(fact.a, fact.a_mention),
        "b": place_record(fact.b, fact.b_mention),
        "relation": fact.relation,
        "status": fact.status,
        "year": fact.year,
        "evidence": fact.evidence,
        "confidence": round(fact.confidence, 3),
    }


def _cell(value: Any, width: int = 60) -> str:
    text = "" if value is None else str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max([len(column)] + [len(row[i]) for row in cells]) for i, column in enumerate(columns)]
    lines = ["  ".join(column.ljust(width) for column, width in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * width for width in widths))
    lines.extend(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in cells
    )
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def format_rows(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str) -> str:
    """Rows as an aligned table, CSV, or a JSON array of objects."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        return buffer.getvalue().rstrip("\n")
    if fmt == "json":
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        return json.dumps(records, ensure_ascii=False, default=str, indent=2)
    return format_table(columns, rows)


def print_facts(records: Sequence[dict[str, Any]], fmt: str) -> None:
    if fmt == "jsonl":
        for record in records:
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    columns = ["doc", "a", "b", "relation", "status", "year", "conf", "evidence"]
    rows = [
        (
            r["doc"],
            f"{r['a']['name']} ({r['a']['country']})",
            f"{r['b']['name']} ({r['b']['country']})",
            r["relation"],
            r["status"],
            r["year"],
            r["confidence"],
            r["evidence"],
        )
        for r in records
    ]
    print(format_table(columns, rows))


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith("<") and (
        "<html" in head or "<!doctype" in head or "<body" in head or "<p" in head
    )


def read_documents(paths: Sequence[str]) -> Iterator[tuple[str, Document]]:
    """Local files (or - for stdin) as documents; the doc id is the file stem."""
    for name in paths:
        if name == "-":
            text, stem, url = sys.stdin.read(), "stdin", "stdin:"
            html = _looks_like_html(text)
        else:
            path = Path(name)
            try:
                text = path.read_bytes().decode("utf-8", errors="replace")
            except OSError as exc:
                raise InputError(f"{name}: cannot read: {exc.strerror}") from None
            stem, url = path.stem, path.resolve().as_uri()
            html = path.suffix.lower() in (".html", ".htm", ".xhtml") or _looks_like_html(text)
        content_type = "text/html" if html else "text/plain"
        yield stem, Document(url=url, source_id="local", content=text, content_type=content_type)

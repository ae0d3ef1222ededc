"""How long the weekly digest takes for a big week: build, render (jinja2 + CSS inlining), MIME message.

A synthetic week of 1,000 events over 300 places in 40 countries, with every event kind, long
evidence quotes (some with markup to escape) and one to three sources each. The first run of a
new installation looks like this: most events are older ties recorded for the first time.

    python -m bench.bench_digest [--events 1000] [--repeats 20] [--max-items 10] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from etl.config import DigestSettings
from etl.digest import build_digest, render_digest
from etl.digest_model import DigestInput
from etl.mail import build_message
from etl.models import PartnershipEvent, Place, SourceHealth, SourceRef

UNTIL = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
COUNTRIES = [
    "CN",
    "DE",
    "FR",
    "IT",
    "JP",
    "KR",
    "US",
    "GB",
    "ES",
    "PT",
    "PL",
    "RU",
    "VN",
    "NL",
    "BE",
    "AT",
    "CZ",
    "HU",
    "RO",
    "BG",
    "GR",
    "TR",
    "IR",
    "IN",
    "TH",
    "MY",
    "ID",
    "PH",
    "AU",
    "NZ",
    "CA",
    "MX",
    "BR",
    "AR",
    "CL",
    "ZA",
    "EG",
    "NG",
    "KE",
    "MA",
]
KINDS = [
    ("first_seen", 40),
    ("new", 30),
    ("corroborated", 10),
    ("upgraded", 5),
    ("status_changed", 5),
    ("anniversary", 5),
    ("conflicting_claim", 3),
    ("year_changed", 2),
]
NAMES = ["Biên Hòa", "南京", "Gdańsk", "São Paulo", "Zürich", "Yokohama", "Porto", "Leipzig"]
RELATIONS = ["sister_city", "friendship_city", "mou", "letter_of_intent", "partnership_other"]
WORDS = "the city council signed agreement cooperation trade culture youth exchange delegation mayor".split()


def places(rng: random.Random, count: int) -> list[Place]:
    return [
        Place(f"gn:{n}", n, f"{NAMES[n % len(NAMES)]} {n}", rng.choice(COUNTRIES), "city")
        for n in range(count)
    ]


def evidence(rng: random.Random) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60)))
    return text if rng.random() > 0.1 else text + ' <script>alert("x")</script> ]]>'


def event(rng: random.Random, event_id: int, pool: list[Place]) -> PartnershipEvent:
    kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
    a, b = rng.sample(pool[:30], 1)[0] if rng.random() < 0.5 else rng.choice(pool), rng.choice(pool)
    sources = tuple(
        SourceRef(f"https://news{n}.example.org/{event_id}", "bench", f"Article {event_id}")
        for n in range(rng.randint(1, 3))
    )
    previous, current = {
        "upgraded": ("mou", "sister_city"),
        "status_changed": ("established", "suspended"),
        "conflicting_claim": ("1994", "1995"),
        "year_changed": ("1994", "1995"),
    }.get(kind, (None, None))
    return PartnershipEvent(
        event_id,
        kind,
        UNTIL - timedelta(hours=rng.randint(1, 160)),
        f"{a.key}|{b.key}|twinning",
        a,
        b,
        rng.choice(RELATIONS),
        "established",
        rng.randint(1960, 2026),
        previous,
        current,
        evidence(rng),
        0.9,
        len(sources),
        sources,
    )


def week(events: int, seed: int = 7) -> DigestInput:
    rng = random.Random(seed)
    pool = places(rng, 300)
    health = [
        SourceHealth(f"source-{n}", f"https://s{n}.example.org/", "failing", n, None, "timeout", "failing")
        for n in range(15)
    ]
    weekly = [(f"2026-W{w}", rng.randint(0, 40)) for w in range(36, 48)]
    stats = {
        "runs": 28,
        "fetches": 40000,
        "pages_ok": 39000,
        "failures": 1000,
        "documents": 5000,
        "facts": 3000,
    }
    return DigestInput(
        "2026-W47",
        UNTIL - timedelta(days=7),
        UNTIL,
        [event(rng, n, pool) for n in range(events)],
        health,
        stats,
        weekly,
    )


def timed(function: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def run(events: int = 1000, repeats: int = 20, max_items: int = 10) -> dict[str, Any]:
    """Median milliseconds per step for one week of ``events`` events, and the size of the mail."""
    data = week(events)
    settings = DigestSettings(to=("ops@example.org",), max_items=max_items)
    digest = build_digest(data, settings)
    rendered = render_digest(digest)  # also warms the template and CSS caches
    steps = {
        "build_ms": timed(lambda: build_digest(data, settings), repeats),
        "render_ms": timed(lambda: render_digest(digest), repeats),
        "message_ms": timed(lambda: build_message(rendered, settings), repeats),
    }
    medians = {name: round(statistics.median(times), 2) for name, times in steps.items()}
    return {
        "events": events,
        "max_items": max_items,
        **medians,
        "total_ms": round(sum(medians.values()), 2),
        "html_kb": round(len(rendered.html.encode()) / 1024, 1),
        "text_kb": round(len(rendered.text.encode()) / 1024, 1),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--max-items", type=int, default=10)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    figures = run(args.events, args.repeats, args.max_items)
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return figures


if __name__ == "__main__":
    main()

"""Extractor speed: ms per ~100 KB news page against trafilatura.extract alone; gazetteer warm load.

    python -m bench.bench_extract [--pages 40] [--repeats 3]

Pages are generated here, deterministically: a news-site shell (inline CSS, navigation, teaser
sidebar, an analytics/state script blob, footer) around an article in English or Chinese. Positives
report a sister-city or friendship-city signing; negatives contain no trigger term at all.

Targets: negatives >= 20x faster than trafilatura alone (the pre-filter skips them), positives
<= 1.5x trafilatura alone (one lxml parse shared with trafilatura), warm load <= 1 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

import trafilatura

from etl.extract import extract_document, has_trigger, load_gazetteer
from etl.models import Document, Hints

PAGE_BYTES = 100_000
WORDS_EN = (
    "council budget transport housing schools harbour museum festival river market bridge tram office "
    "students library hospital park district workers investment exhibition water energy climate digital "
    "tourism residents heritage culture mayor officials plan project report growth design centre"
).split()
WORDS_ZH = list("城市发展建设交通住房学校港口博物馆节日河流市场桥梁医院公园区域投资展览能源气候数字旅游")
# (home, home in Chinese, partner, partner in Chinese, partner's country in Chinese)
CITIES = [
    ("Nanjing", "南京", "Leipzig", "莱比锡", "德国"),
    ("Wuhan", "武汉", "Bordeaux", "波尔多", "法国"),
    ("Suzhou", "苏州", "Grenoble", "格勒诺布尔", "法国"),
    ("Chengdu", "成都", "Palermo", "巴勒莫", "意大利"),
    ("Xi'an", "西安", "Kyoto", "京都", "日本"),
    ("Qingdao", "青岛", "Daegu", "大邱", "韩国"),
]


def sentence(rng: random.Random, lang: str) -> str:
    if lang == "zh":
        return "".join(rng.choice(WORDS_ZH) for _ in range(rng.randint(18, 40))) + "。"
    words = [rng.choice(WORDS_EN) for _ in range(rng.randint(12, 24))]
    return " ".join(words).capitalize() + "."


def positive_paragraph(rng: random.Random, lang: str) -> str:
    home, home_zh, partner, partner_zh, country_zh = rng.choice(CITIES)
    if lang == "zh":
        day = rng.randint(1, 28)
        return f"{day}日，{home_zh}市与{country_zh}{partner_zh}市正式签署建立友好城市关系协议书。"
    return (f"{home} and {partner} signed a sister-city agreement on Tuesday, the city government said, "
            f"after {rng.randint(3, 9)} years of exchanges in education and trade.")


def shell(rng: random.Random, lang: str, article: str) -> str:
    rules = "".join(f".c{i}{{margin:{i}px;padding:{i % 7}px;color:#{i:06x}}}" for i in range(400))
    nav = "".join(f'<li><a href="/s/{i}">{sentence(rng, lang)[:18]}</a></li>' for i in range(120))
    teasers = "".join(f'<li><a href="/n/{i}">{sentence(rng, lang)}</a></li>' for i in range(60))
    state = "<script>window.__STATE__=" + repr([sentence(rng, lang) for _ in range(120)]) + ";</script>"
    head = f"<head><title>{sentence(rng, lang)[:60]}</title><style>{rules}</style></head>"
    page = (f"<!DOCTYPE html><html>{head}<body><nav><ul>{nav}</ul></nav>"
            f"<main><article><h1>{sentence(rng, lang)[:70]}</h1>{article}</article>"
            f"<aside><ul>{teasers}</ul></aside></main>{state}"
            f"<footer>{sentence(rng, lang)}</footer></body></html>")
    filler = "".join(f"<p class='c{i % 400}'>{sentence(rng, lang)}</p>" for i in range(400))
    while len(page.encode()) < PAGE_BYTES:
        page = page.replace("</aside>", f"<div class='more'>{filler[: PAGE_BYTES // 4]}</div></aside>", 1)
    return page


def make_page(seed: int, positive: bool) -> str:
    rng = random.Random(f"bench-extract:{seed}:{positive}")
    lang = "zh" if seed % 3 == 0 else "en"
    paragraphs = [f"<p>{' '.join(sentence(rng, lang) for _ in range(4))}</p>" for _ in range(14)]
    if positive:
        paragraphs.insert(2, f"<p>{positive_paragraph(rng, lang)}</p>")
    html = shell(rng, lang, "".join(paragraphs))
    assert has_trigger(html) == positive, "a negative page must not contain a trigger term"
    return html


def per_page_ms(work: Callable[[str], Any], pages: Sequence[str], repeats: int) -> float:
    """Median over ``repeats`` of the mean milliseconds per page."""
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        for page in pages:
            work(page)
        timings.append((time.perf_counter() - started) * 1000 / len(pages))
    return statistics.median(timings)


def warm_load_s(repeats: int) -> float:
    load_gazetteer()  # builds the cache on a fresh machine; not timed
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        load_gazetteer()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def run_bench(pages: int = 40, repeats: int = 3) -> dict[str, Any]:
    """Measure and print a markdown table; return the figures."""
    repeats = max(3, repeats)
    gazetteer = load_gazetteer()
    positives = [make_page(i, True) for i in range(pages)]
    negatives = [make_page(i, False) for i in range(pages)]

    def ours(html: str) -> Any:
        return extract_document(Document(url="bench:", source_id="bench", content=html), gazetteer, Hints())

    def trafilatura_alone(html: str) -> Any:
        return trafilatura.extract(html, include_comments=False)

    baseline = {kind: per_page_ms(trafilatura_alone, sample, repeats)
                for kind, sample in (("positive", positives), ("negative", negatives))}
    measured = {kind: per_page_ms(ours, sample, repeats)
                for kind, sample in (("positive", positives), ("negative", negatives))}
    facts = sum(len(ours(html).facts) for html in positives)
    figures = {
        "negative ms/page": _row(measured["negative"], baseline["negative"], "target: >= 20x faster"),
        "positive ms/page": _row(measured["positive"], baseline["positive"], "target: <= 1.5x trafilatura"),
        "gazetteer warm load s": {"twinwatch": round(warm_load_s(repeats), 3), "unit": "s",
                                  "better": "lower", "note": "target: <= 1 s"},
        "facts on positives": {"twinwatch": facts, "note": f"{pages} positive pages, one tie each"},
    }
    print(_table(figures, pages, repeats))
    return figures


def _row(ours: float, peer: float, note: str) -> dict[str, Any]:
    return {"twinwatch": round(ours, 3), "peer": round(peer, 3), "unit": "ms", "better": "lower",
            "note": f"peer: trafilatura.extract alone; {note}; twinwatch/peer = {ours / peer:.3f}"}


def _table(figures: dict[str, Any], pages: int, repeats: int) -> str:
    lines = [f"### extract ({pages} pages of ~{PAGE_BYTES // 1000} KB each kind, median of {repeats})", "",
             "| figure | twinwatch | trafilatura alone | note |", "| --- | ---: | ---: | --- |"]
    for name, row in figures.items():
        lines.append(f"| {name} | {row['twinwatch']} | {row.get('peer', '')} | {row.get('note', '')} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_extract", description="extractor speed")
    parser.add_argument("--pages", type=int, default=40, help="pages of each kind (default 40)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats, the median is reported (>= 3)")
    args = parser.parse_args(argv)
    return run_bench(pages=args.pages, repeats=args.repeats)


if __name__ == "__main__":
    main()

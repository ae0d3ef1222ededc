"""Held-out evaluation of `twinwatch extract` on tests/fixtures/eval/ (24 documents, written blind).

The documents and tests/fixtures/eval/gold.jsonl were written without looking at the extractor or its
fixtures, in the format of ../shared/corpus/gold.jsonl.  The score follows ../shared/tools/score_extract.py:
a gold fact is matched by a predicted pair whose two sides share a normalized name with the gold
alternates (order ignored); duplicates of a matched pair are forgiven; a spurious pair counts once;
relation is compared in coarse classes (formal / preliminary / other); year only where gold has one.
The scorer is vendored below so the test does not depend on ../shared being present.

The set was blind when written (the extractor then scored pair F1 0.785, relation 0.920); its misses
have since been studied and fixed, so it is now a regression set, not a held-out one (pair F1 0.985,
relation 0.940). The baselines sit a little below that: a drop below them is a regression, not noise.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

PAIR_F1_BASELINE = 0.95
RELATION_BASELINE = 0.92

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "tests" / "fixtures" / "eval"

STOP_WORDS = {
    "city",
    "municipality",
    "municipal",
    "prefecture",
    "province",
    "the",
    "of",
    "metropolitan",
    "region",
}
COARSE = {
    "sister_city": "formal",
    "friendship_city": "formal",
    "twin_town": "formal",
    "mou": "preliminary",
    "letter_of_intent": "preliminary",
    "cooperation_agreement": "preliminary",
    "friendship_cooperation": "preliminary",
    "partnership_other": "other",
}


def norm(name: str) -> str:
    s = unicodedata.normalize("NFKD", name or "")
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = re.sub(r"\bsaint\b|\bst\b\.?", "st", s)
    s = re.sub(r"\(.*?\)", " ", s)
    s = s.split(",")[0]
    words = [w for w in re.split(r"[^a-z0-9\u4e00-\u9fff]+", s) if w and w not in STOP_WORDS]
    return "".join(words)


def gold_names(value: str) -> set[str]:
    return {norm(v) for v in (value or "").split("|") if norm(v)}


def pred_names(side: dict | str) -> set[str]:
    if isinstance(side, str):
        side = {"name": side}
    values = [side.get(k) for k in ("name", "mention", "ascii_name", "en_name")] + list(
        side.get("aliases", [])
    )
    return {norm(v) for v in values if isinstance(v, str) and norm(v)}


def match(g: dict, p: dict) -> bool:
    ga, gb = gold_names(g["city_a"]), gold_names(g["city_b"])
    pa, pb = pred_names(p.get("a", {})), pred_names(p.get("b", {}))
    return bool((ga & pa and gb & pb) or (ga & pb and gb & pa))


def coarse(relation: str | None) -> str | None:
    return COARSE.get(relation, relation)


def score(gold: list[dict], pred: list[dict], docs: set[str]) -> tuple[dict, list[str]]:
    tp = fp = fn = rel_ok = year_ok = year_n = 0
    errors: list[str] = []
    for doc in sorted(docs):
        g_facts = [g for g in gold if g["doc"] == doc]
        p_facts = [p for p in pred if p.get("doc") == doc]
        used: set[int] = set()
        for g in g_facts:
            hit = next((i for i, p in enumerate(p_facts) if i not in used and match(g, p)), None)
            if hit is None:
                fn += 1
                errors.append(f"{doc}: MISSED {g['city_a']} ~ {g['city_b']} ({g['relation']}, {g['year']})")
                continue
            tp += 1
            used |= {i for i, p in enumerate(p_facts) if match(g, p)}
            p = p_facts[hit]
            if coarse(p.get("relation")) == coarse(g["relation"]):
                rel_ok += 1
            else:
                errors.append(
                    f"{doc}: RELATION {g['city_a']} ~ {g['city_b']}: "
                    f"{p.get('relation')} (gold {g['relation']})"
                )
            if g.get("year"):
                year_n += 1
                year_ok += p.get("year") == g["year"]
        seen: list[tuple[set[str], set[str]]] = []
        for i, p in enumerate(p_facts):
            if i in used:
                continue
            key = (pred_names(p.get("a", {})), pred_names(p.get("b", {})))
            if key in seen:
                continue
            seen.append(key)
            fp += 1
            errors.append(
                f"{doc}: SPURIOUS {p['a'].get('name')} ~ {p['b'].get('name')} "
                f"({p.get('relation')}, {p.get('year')})"
            )
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    return {
        "P": prec,
        "R": rec,
        "F1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0,
        "relation": rel_ok / tp if tp else 0.0,
        "year": year_ok / year_n if year_n else 0.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }, errors


# (directory, documents, pair F1 baseline, relation baseline). eval2 was written blind by a second
# author (31 documents, 131 facts; first measured at pair F1 0.637) and has since been studied too.
# Each set's README.md states its gold rules.
SETS = [
    ("eval", 24, PAIR_F1_BASELINE, RELATION_BASELINE),
    ("eval2", 31, 0.88, 0.87),
    # eval3: a third author, blind when first measured (pair F1 0.819; the extractor as it stood at the
    # start of that work scored 0.603); studied since.
    ("eval3", 24, 0.89, 0.86),
    # eval4: a fourth author, blind when first measured (pair F1 0.674; 0.533 for the extractor of the
    # session before); studied since.
    ("eval4", 24, 0.86, 0.93),
    # eval5: a fifth author, blind when first measured (pair F1 0.750; 0.564 for the extractor of the
    # session before); studied since.
    ("eval5", 20, 0.79, 0.85),
    # eval6: news as a feed brings it, a sixth author, blind when first measured (pair F1 0.659);
    # eval7: reference and municipal pages (flattened Wikipedia tables), a seventh author, blind when
    # first measured (pair F1 0.618); both studied since.
    ("eval6", 21, 0.88, 0.89),
    ("eval7", 20, 0.89, 0.90),
    # eval8: news from wires, local papers and Chinese outlets, an eighth author, blind when first
    # measured (pair F1 0.788); eval9: municipal and regional pages of small places (counties, towns,
    # districts, 外办 tables in transliteration), a ninth author, blind when first measured (pair F1
    # 0.590); both studied since.
    ("eval8", 21, 0.82, 0.95),
    ("eval9", 20, 0.78, 0.93),
    # eval10: list pages, bilateral and forum news across five continents; eval11: everyday local news
    # (council agendas, anniversaries, 会见 and 云签约 items, provincial reviews); a tenth and an eleventh
    # author, blind when first measured (pair F1 0.828 and 0.824).
    ("eval10", 21, 0.86, 0.93),
    ("eval11", 22, 0.88, 0.93),
    # eval12: list pages, two-city and forum stories from places earlier sets under-covered (Latin
    # America, Africa, Central Asia, Oceania); eval13: what a weekly crawl brings (regional wires,
    # district ties, a 侨乡 tour, a 外办 report, a long 特稿); a twelfth and a thirteenth author, blind
    # when first measured (pair F1 0.840 and 0.714); studied since.
    ("eval12", 21, 0.88, 0.95),
    ("eval13", 20, 0.86, 0.92),
    # eval14: list pages, two-city and forum stories (a German wiki town, a 省会 友城 page, a Korean
    # city's Chinese page, a China–Central Asia forum, a 外办 review); eval15: news as outlets report
    # it (council votes, anniversary trips, 视频连线签约, a Taiwanese county, a long 通讯); a fourteenth
    # and a fifteenth author, blind when first measured (pair F1 0.800 and 0.759); studied since.
    ("eval14", 20, 0.85, 0.93),
    ("eval15", 20, 0.84, 0.93),
    # eval16: list pages and news away from the familiar pairs (a Polish wiki town, Asunción, a 市外办
    # table with 友好交流城市, a 省外办 友好省州 page, a Japanese prefecture's sister states, a forum of
    # seven signings); eval17: what a weekly feed brings (wire briefs, an op-ed, a council debate,
    # 客户端 stories, a Taiwanese 姊妹市 page); a sixteenth and a seventeenth author, blind when first
    # measured (pair F1 0.821 and 0.818); studied since.
    ("eval16", 21, 0.86, 0.93),
    ("eval17", 22, 0.88, 0.86),
]


@pytest.mark.parametrize(
    ("name", "count", "f1_baseline", "relation_baseline"), SETS, ids=[s[0] for s in SETS]
)
def test_extract_eval_set(name: str, count: int, f1_baseline: float, relation_baseline: float) -> None:
    folder = EVAL.parent / name
    paths = sorted(p for p in folder.iterdir() if p.suffix in {".txt", ".html"})
    assert len(paths) == count
    out = subprocess.run(
        [sys.executable, "-m", "etl", "extract", *map(str, paths), "--format", "jsonl", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    pred = [json.loads(line) for line in out.splitlines() if line.strip()]
    gold = [
        json.loads(line) for line in (folder / "gold.jsonl").read_text(encoding="utf-8").splitlines() if line
    ]
    docs = {p.stem for p in paths}
    assert {g["doc"] for g in gold} <= docs

    s, errors = score(gold, pred, docs)
    line = (
        f"pairs P={s['P']:.3f} R={s['R']:.3f} F1={s['F1']:.3f} | relation={s['relation']:.3f} "
        f"year={s['year']:.3f} (tp={s['tp']} fp={s['fp']} fn={s['fn']})"
    )
    print(line)
    report = "\n".join([line, *errors])
    assert s["F1"] >= f1_baseline, f"pair F1 below baseline {f1_baseline}\n{report}"
    assert s["relation"] >= relation_baseline, (
        f"relation accuracy below baseline {relation_baseline}\n{report}"
    )

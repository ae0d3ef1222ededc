"""Regenerate ``etl/extract/data/cn_counties.tsv``: China's counties, districts, banners and
county-level cities, which sign ties of their own (安吉县, 吴江区) but which GeoNames' city lists mostly
lack.

Source: the administrative-division table (code, name) shipped in the ``cpca`` package (MIT), which
copies the National Bureau of Statistics' codes. English names are the pinyin of the name without its
suffix (pypinyin), plus "County", "District" or "Banner" as English-language Chinese media write them.
Neither package is a dependency of twinwatch: this script runs by hand, only when the file is redone.

    python -m venv /tmp/gen && /tmp/gen/bin/pip install cpca pypinyin
    /tmp/gen/bin/python scripts/make_cn_counties.py > etl/extract/data/cn_counties.tsv
"""

from __future__ import annotations

import csv
import sys
from importlib.util import find_spec
from pathlib import Path

from pypinyin import lazy_pinyin

SUFFIX_WORDS = {"县": "County", "区": "District", "新区": "New Area", "旗": "Banner", "市": ""}
# pypinyin reads these characters in their common sense; place names use the other reading.
PLACE_READINGS = {"长": "chang", "朝": "chao", "六": "lu", "蚌": "beng", "番": "pan", "乐": "le"}
# Names that say where a district lies in its city rather than what it is called.
AXES = ("latitude", "longitude")
GENERIC = {"市辖区", "城区", "郊区", "矿区", "市中区", "新区", "开发区"}


def english(name: str, peoples: list[str]) -> str:
    stem, suffix = name[:-1], name[-1]
    if name.endswith("新区"):  # 浦东新区: Pudong New Area
        stem, suffix = name[:-2], "新区"
    autonomous = "自治" in stem  # 民和回族土族自治县: the place, its peoples, then "Autonomous County"
    if autonomous:
        stem = stem.split("自治")[0]
        first_people = min((i for people in peoples if (i := stem.find(people)) > 0), default=len(stem))
        stem = stem[:first_people].removesuffix("族")
    syllables = lazy_pinyin(stem)
    if stem[0] in PLACE_READINGS:
        syllables[0] = PLACE_READINGS[stem[0]]
    for i in range(1, len(syllables)):  # Xi'an, Lu'an: a syllable starting with a vowel is set apart
        if syllables[i][:1] in "aeo" and syllables[i - 1][-1:] not in "'":
            syllables[i] = "'" + syllables[i]
    word = "".join(syllables).capitalize()
    return f"{word} {'Autonomous ' if autonomous else ''}{SUFFIX_WORDS[suffix]}".strip()


def main() -> None:
    spec = find_spec("cpca")  # located, not imported: importing it loads pandas
    if spec is None or not spec.submodule_search_locations:
        sys.exit("cpca is not installed")
    resources = Path(spec.submodule_search_locations[0]) / "resources"
    table = (resources / "adcodes.csv").read_text(encoding="utf-8")
    peoples = (resources / "56_nations.csv").read_text(encoding="utf-8").split()
    rows = list(csv.DictReader(table.splitlines()))
    names = {row["adcode"]: row["name"] for row in rows}
    out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    out.writerow(["# adcode", "name", "parent", "english", "latitude", "longitude"])
    for row in sorted(rows, key=lambda r: r["adcode"]):
        code, name = row["adcode"], row["name"]
        if code[4:6] == "00" or name in GENERIC or name[-1] not in SUFFIX_WORDS or len(name) < 3:
            continue
        parent = names.get(code[:4] + "00000000", "市辖区")  # Beijing's districts: 北京市 itself
        if parent in GENERIC:
            parent = names.get(code[:2] + "0000000000", "")
        latitude, longitude = (f"{float(row[axis]):.3f}" if row[axis] else "" for axis in AXES)
        out.writerow([code[:6], name, parent, english(name, peoples), latitude, longitude])


if __name__ == "__main__":
    main()

"""Regenerate ``etl/extract/data/cn_counties.tsv``: China's counties, districts, banners and
county-level cities, which sign ties of their own (安吉县, 吴江区) but which GeoNames' city lists mostly
lack.

Source: the administrative-division table (code, name) shipped in the ``cpca`` package (MIT), which
copies the National Bureau of Statistics' codes. English names are the pinyin of the name without its
suffix (pypinyin), plus "County", "District" or "Banner" as English-language Chinese media write them.
Neither package is a dependency of twinwatch: this script runs by hand, only when the file is redone.

    python -m venv /tmp/gen && /tmp/gen/bin/pip install cpca pypinyin
    /tmp/gen/bin/python scripts/make_cn_counties.py > etl/extract/data/cn_counties.tsv
    /tmp/gen/bin/python scripts/make_cn_counties.py --prefectures > etl/extract/data/cn_prefectures.tsv
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


# Prefecture-level areas that are no city (autonomous prefectures, 地区, 盟): GeoNames lists them as
# no city, yet they sign ties of their own (德宏州, 延边州). Written with ``--prefectures``.
PREFECTURE_WORDS = {"自治州": "Autonomous Prefecture", "地区": "Prefecture", "盟": "League"}
# Their English names where these are not the pinyin (Uyghur, Mongolian and Tibetan names).
PREFECTURE_EXONYMS = {
    "喀什": "Kashgar", "和田": "Hotan", "阿克苏": "Aksu", "阿勒泰": "Altay", "塔城": "Tacheng", "伊犁": "Ili",
    "博尔塔拉": "Bortala", "巴音郭楞": "Bayingolin", "克孜勒苏": "Kizilsu", "锡林郭勒": "Xilingol",
    "阿拉善": "Alxa", "兴安": "Hinggan", "大兴安岭": "Da Hinggan Ling", "阿里": "Ngari", "那曲": "Nagqu",
    "甘孜": "Garzê", "阿坝": "Ngawa", "迪庆": "Dêqên", "果洛": "Golog",
}


def prefecture_row(code: str, name: str, province: str, peoples: list[str]) -> list[str] | None:
    """adcode, name, short name (the place without its peoples and kind: 西双版纳), province, English."""
    word = next((w for w in PREFECTURE_WORDS if name.endswith(w)), None)
    if word is None:
        return None
    stem = name.removesuffix(word)
    first_people = min((i for people in peoples for form in (people, people.removesuffix("族"))
                        if (i := stem.find(form)) > 0), default=len(stem))
    short = stem[:first_people]
    place = PREFECTURE_EXONYMS.get(short) or english(short + "县", [])[:-len(" County")]
    return [code[:6], name, short, province, f"{place} {PREFECTURE_WORDS[word]}"]


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
    if "--prefectures" in sys.argv:
        out.writerow(["# adcode", "name", "short", "province", "english"])
        for row in sorted(rows, key=lambda r: r["adcode"]):
            code = row["adcode"]
            if code[2:4] != "00" and code[4:] == "0" * 8:
                province = names.get(code[:2] + "0000000000", "")
                if (line := prefecture_row(code, row["name"], province, peoples)) is not None:
                    out.writerow(line)
        return
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

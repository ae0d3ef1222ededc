"""A deterministic corpus of city news pages, English and Chinese, for the benchmarks.

``Corpus(size, seed)`` describes ``size`` pages; ``page(index, version)`` renders one of them on
demand. The same seed gives byte-identical pages on every machine, so runs are comparable. A
share of the pages (5% by default) report a partnership ("Nanjing and Leipzig signed a
sister-city agreement on …", "南京市与莱比锡市正式缔结友好城市关系"); the rest are ordinary city
news. Each page is 30–150 KB with the boilerplate real news sites carry: navigation, inline
styles, analytics scripts, a state blob of teasers, related links and a footer — that is what a
monitor has to download and strip. ``version`` > 0 is the same page after an edit.
"""

from __future__ import annotations

import hashlib
import html
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime

BASE_DAY = date(2026, 11, 2)  # a fixed "today" so no page depends on the clock
BASE_TIME = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)

# Vocabulary tables, kept compact as data rather than one item per line.
# fmt: off
# (English, Chinese) names; chosen from the gazetteer's well-covered cities.
HOME_CITIES = [
    ("Nanjing", "南京"), ("Chengdu", "成都"), ("Wuhan", "武汉"), ("Qingdao", "青岛"), ("Xiamen", "厦门"),
    ("Hangzhou", "杭州"), ("Suzhou", "苏州"), ("Tianjin", "天津"), ("Shenzhen", "深圳"), ("Dalian", "大连"),
]
PARTNER_CITIES = [
    ("Leipzig", "莱比锡"), ("Florence", "佛罗伦萨"), ("Nagoya", "名古屋"), ("Rotterdam", "鹿特丹"),
    ("Hamburg", "汉堡"), ("Lyon", "里昂"), ("Barcelona", "巴塞罗那"), ("Vancouver", "温哥华"),
    ("Melbourne", "墨尔本"), ("Seattle", "西雅图"), ("Osaka", "大阪"), ("Milan", "米兰"),
    ("Gothenburg", "哥德堡"), ("Kraków", "克拉科夫"), ("Auckland", "奥克兰"), ("Busan", "釜山"),
]
POSITIVE_EN = [
    "{a} and {b} signed a sister-city agreement on {day}, sealing ties that began with a trade mission.",
    "{a} and {b} formally established friendship city relations on {day} at a ceremony in {a}.",
    "The mayors of {a} and {b} signed a memorandum of understanding on {day} to become sister cities.",
]
POSITIVE_ZH = [
    "{a}市与{b}市于{day}正式缔结友好城市关系，双方将在经贸、教育和文化领域加强合作。",
    "{day}，{a}市与{b}市签署建立友好城市关系协议书，标志着两市正式结为友好城市。",
    "{a}市与{b}市{day}签署建立友好城市关系意向书，两市市长出席签约仪式。",
]
TITLE_POSITIVE = {"en": "{a} and {b} become sister cities", "zh": "{a}市与{b}市缔结友好城市关系"}
SUBJECTS_EN = ["The city council", "The transport bureau", "Residents", "The district office",
               "Local schools", "The port authority", "Volunteers", "The health commission",
               "Shop owners", "The water utility"]
VERBS_EN = ["approved", "announced", "reviewed", "postponed", "celebrated", "expanded", "opened", "discussed"]
OBJECTS_EN = ["a new bus line to the airport", "the budget for next year", "repairs to the riverside park",
              "a night market near the old town", "the autumn marathon", "a recycling programme",
              "longer library hours", "a metro extension", "flood defences along the canal",
              "a public consultation on parking fees", "a film festival", "free health checks for seniors"]
TAILS_EN = ["after months of debate.", "despite the rain.", "to mixed reactions.", "ahead of the holidays.",
            "according to officials.", "with support from local firms.", "at a press briefing on Monday."]
SUBJECTS_ZH = ["市政府", "交通局", "市民", "区政府", "教育局", "港务局", "志愿者", "卫健委", "商户",
               "自来水公司"]
VERBS_ZH = ["批准了", "宣布了", "审议了", "推迟了", "庆祝了", "扩大了", "开通了", "讨论了"]
OBJECTS_ZH = ["通往机场的新公交线路", "明年的财政预算", "滨江公园的修缮工程", "老城区附近的夜市",
              "秋季马拉松赛", "垃圾分类计划", "图书馆延长开放时间", "地铁延伸段", "运河沿岸的防洪设施",
              "停车收费听证会", "电影节", "老年人免费体检"]
TAILS_ZH = ["，经过数月讨论。", "，尽管当天下雨。", "，引发市民热议。", "，赶在节假日之前。",
            "，据官方介绍。", "，得到本地企业支持。", "，在周一的新闻发布会上。"]
SECTIONS = {"en": ["Home", "City", "Politics", "Business", "Transport", "Culture", "Sport", "Health",
                   "Education", "Weather", "Opinion", "Video", "Photos", "Events", "Jobs", "Contact"],
            "zh": ["首页", "本地", "政务", "经济", "交通", "文化", "体育", "健康", "教育", "天气", "评论",
                   "视频", "图片", "活动", "招聘", "联系我们"]}
# fmt: on
# Real pages carry minified analytics and consent scripts; this one is repeated to the page's size.
SCRIPT_CHUNK = (
    "!function(e,t,n){var r=e.dataLayer=e.dataLayer||[];function o(){r.push(arguments)}o('js',new Date);"
    "o('config','G-BENCH01',{anonymize_ip:!0});var a=t.createElement(n);a.async=1;a.src='/static/a.js';"
    "t.getElementsByTagName(n)[0].parentNode.insertBefore(a,null)}(window,document,'script');"
)
CSS = (
    "body{margin:0;font:16px/1.5 sans-serif;color:#222}header nav ul{display:flex;gap:12px;list-style:none}"
    ".article-body p{margin:0 0 1em}aside.related li{font-size:14px}footer{background:#eee;padding:24px}"
)


@dataclass(frozen=True)
class Page:
    """One rendered page and what the benchmark knows to be true about it."""

    index: int
    version: int
    lang: str  # "en" or "zh"
    positive: bool  # reports a partnership
    pair: tuple[str, str] | None  # the two cities of the partnership, English names
    body: bytes  # UTF-8 HTML
    etag: str
    last_modified: str


@dataclass(frozen=True)
class _Spec:
    lang: str
    home: tuple[str, str]
    partner: tuple[str, str] | None


class Corpus:
    """``size`` pages described by a seed; rendering is on demand and pure."""

    def __init__(
        self,
        size: int,
        seed: int = 8,
        positive_share: float = 0.05,
        zh_share: float = 0.4,
        size_range: tuple[int, int] = (30_000, 150_000),
    ) -> None:
        self.size, self.seed, self.size_range = size, seed, size_range
        rng = random.Random(f"corpus:{seed}")
        positives = set(rng.sample(range(size), round(size * positive_share)))
        self._specs = [self._spec(rng, index in positives, zh_share) for index in range(size)]
        self._teasers = {lang: teaser_pool(seed, lang) for lang in ("en", "zh")}

    @staticmethod
    def _spec(rng: random.Random, positive: bool, zh_share: float) -> _Spec:
        lang = "zh" if rng.random() < zh_share else "en"
        return _Spec(lang, rng.choice(HOME_CITIES), rng.choice(PARTNER_CITIES) if positive else None)

    def lang(self, index: int) -> str:
        return self._specs[index].lang

    def home(self, index: int) -> str:
        return self._specs[index].home[0]

    def is_positive(self, index: int) -> bool:
        return self._specs[index].partner is not None

    def positives(self) -> list[int]:
        return [index for index in range(self.size) if self.is_positive(index)]

    def etag(self, index: int, version: int = 0) -> str:
        """Derived from seed, index and version only, so a 304 costs no rendering."""
        digest = hashlib.blake2b(f"{self.seed}:{index}:{version}".encode(), digest_size=8).hexdigest()
        return f'"{digest}"'

    def last_modified(self, index: int, version: int = 0) -> str:
        moment = BASE_TIME - timedelta(days=30) + timedelta(minutes=index % 1440, days=version)
        return format_datetime(moment, usegmt=True)

    def title(self, index: int, version: int = 0) -> str:
        spec = self._specs[index]
        if spec.partner is not None:
            return TITLE_POSITIVE[spec.lang].format(
                a=_name(spec.home, spec.lang), b=_name(spec.partner, spec.lang)
            )
        return _sentence(random.Random(f"title:{self.seed}:{index}:{version}"), spec).rstrip("。.")[:80]

    def page(self, index: int, version: int = 0) -> Page:
        spec = self._specs[index]
        rng = random.Random(f"page:{self.seed}:{index}:{version}")
        target = rng.randint(*self.size_range)
        body = _render(rng, spec, self.title(index, version), target, version, self._teasers[spec.lang])
        pair = (spec.home[0], spec.partner[0]) if spec.partner is not None else None
        return Page(
            index,
            version,
            spec.lang,
            pair is not None,
            pair,
            body,
            self.etag(index, version),
            self.last_modified(index, version),
        )


# --- rendering ------------------------------------------------------------------------------------


def _name(city: tuple[str, str], lang: str) -> str:
    return city[1] if lang == "zh" else city[0]


def _day(rng: random.Random, lang: str) -> str:
    day = BASE_DAY - timedelta(days=rng.randint(0, 20))
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else f"{day:%B} {day.day}, {day.year}"


def _sentence(rng: random.Random, spec: _Spec) -> str:
    if spec.lang == "zh":
        return (
            rng.choice(SUBJECTS_ZH)
            + rng.choice(VERBS_ZH)
            + rng.choice(OBJECTS_ZH)
            + rng.choice(TAILS_ZH).rstrip("。")
            + "。"
        )
    return (
        f"{rng.choice(SUBJECTS_EN)} of {spec.home[0]} {rng.choice(VERBS_EN)} {rng.choice(OBJECTS_EN)} "
        f"{rng.choice(TAILS_EN)}"
    )


def _paragraphs(rng: random.Random, spec: _Spec, count: int) -> list[str]:
    joiner = "" if spec.lang == "zh" else " "
    paragraphs = [joiner.join(_sentence(rng, spec) for _ in range(rng.randint(3, 6))) for _ in range(count)]
    if spec.partner is not None:
        template = rng.choice(POSITIVE_ZH if spec.lang == "zh" else POSITIVE_EN)
        lead = template.format(
            a=_name(spec.home, spec.lang), b=_name(spec.partner, spec.lang), day=_day(rng, spec.lang)
        )
        paragraphs[0] = lead + joiner + paragraphs[0]
    return paragraphs


def _links(rng: random.Random, spec: _Spec, count: int, prefix: str) -> str:
    items = []
    for _ in range(count):
        slug = rng.randrange(1, 999_999)
        text = html.escape(_sentence(rng, spec).rstrip("。.")[:70])
        items.append(f'<li><a href="/{prefix}/{slug:06d}.html">{text}</a></li>')
    return "<ul>" + "".join(items) + "</ul>"


def _nav(spec: _Spec) -> str:
    sections = SECTIONS[spec.lang]
    items = "".join(
        f'<li><a href="/section/{i}/">{html.escape(name)}</a></li>' for i, name in enumerate(sections)
    )
    logo = html.escape(_name(spec.home, spec.lang))
    return f'<header><div class="logo">{logo} Daily</div><nav><ul>{items}</ul></nav></header>'


def teaser_pool(seed: int, lang: str, count: int = 400) -> list[bytes]:
    """Serialized teaser headlines, built once per corpus: rendering picks from them, which is fast."""
    rng = random.Random(f"teasers:{seed}:{lang}")
    spec = _Spec(lang, HOME_CITIES[0], None)
    return [
        json.dumps(
            {
                "id": rng.randrange(10**8),
                "title": _sentence(rng, spec),
                "section": rng.choice(SECTIONS["en"]),
            },
            ensure_ascii=False,
        )
        .replace("</", "<\\/")
        .encode()
        for _ in range(count)
    ]


def _state_blob(rng: random.Random, pool: Sequence[bytes], size: int) -> bytes:
    """A framework state blob of teaser headlines (as server-rendered news sites embed), ≤ ``size`` bytes."""
    head, tail = b'<script id="__STATE__" type="application/json">{"props":{"teasers":[', b"]}}</script>"
    room = size - len(head) - len(tail)
    average = sum(len(item) for item in pool[:50]) // 50 + 1
    chosen = rng.choices(pool, k=max(room // average, 0) + 2)
    while chosen and sum(len(item) + 1 for item in chosen) > room:
        chosen.pop()
    return head + b",".join(chosen) + tail


def _render(
    rng: random.Random, spec: _Spec, title: str, target: int, version: int, pool: Sequence[bytes]
) -> bytes:
    escaped = html.escape(title)
    head = (
        f'<!DOCTYPE html><html lang="{spec.lang}"><head><meta charset="utf-8"><title>{escaped}</title>'
        f'<meta name="viewport" content="width=device-width"><meta property="og:title" content="{escaped}">'
        f"<style>{CSS}</style><script>{SCRIPT_CHUNK * rng.randint(2, 8)}</script></head><body>"
    )
    article = (
        f'<main><article><h1>{escaped}</h1><p class="dateline">{_day(rng, spec.lang)}'
        f'{" (updated)" if version else ""}</p><div class="article-body">'
        + "".join(f"<p>{html.escape(p)}</p>" for p in _paragraphs(rng, spec, rng.randint(4, 12)))
        + "</div></article>"
    )
    related = _links(rng, spec, rng.randint(10, 25), "news")
    aside = f'<aside class="related"><h2>Related</h2>{related}</aside></main>'
    footer = (
        f"<footer>{_links(rng, spec, 20, 'about')}<p>&copy; 2026 {html.escape(spec.home[0])} Daily</p>"
        "</footer>"
        f"<script>{SCRIPT_CHUNK * 3}</script></body></html>"
    )
    before = "".join((head, _nav(spec), article, aside)).encode()
    after = footer.encode()
    return before + _state_blob(rng, pool, target - len(before) - len(after)) + after


def feed_xml(corpus: Corpus, indexes: Sequence[int], base_url: str, versions: Sequence[int]) -> bytes:
    """An RSS 2.0 feed over some pages of the corpus (newest first, as feeds list them)."""
    items = []
    for index, version in zip(indexes, versions, strict=True):
        link = f"{base_url}/news/{index:06d}.html"
        items.append(
            f"<item><title>{html.escape(corpus.title(index, version))}</title><link>{link}</link>"
            f"<guid>{link}</guid><pubDate>{corpus.last_modified(index, version)}</pubDate></item>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>City news</title>'
        f"<link>{base_url}/</link><description>Bench feed</description>{''.join(items)}</channel></rss>"
    ).encode()


def listing_html(corpus: Corpus, indexes: Sequence[int], base_url: str, versions: Sequence[int]) -> bytes:
    """A listing page linking to some pages of the corpus."""
    items = "".join(
        f'<li class="story"><a href="{base_url}/news/{i:06d}.html">{html.escape(corpus.title(i, v))}</a></li>'
        for i, v in zip(indexes, versions, strict=True)
    )
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>News</title></head><body>'
        f'<ul class="stories">{items}</ul></body></html>'
    ).encode()

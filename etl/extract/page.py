"""What the fact readers share about one page: its text, place mentions, relation cues and subject."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from etl.extract.cues import Cue
from etl.extract.mention import Mention

# What may remain of a list line once places, years and punctuation are removed.
LIST_FILLER = re.compile(
    r"(?i)[(（][^()（）\d\n]{2,30}[)）]"  # a name in another language: "Senta (Zenta), Serbia"
    r"|[\s\d,.;:、，\-–—|•*·/]+|[()（）]|\b(?:city|town|village|district|municipality|province|prefecture|state"
    r"|region|county|and|since|year|"
    r"established|signed|in|(?:friendship|partnership|twinning|sister[- ]city|cooperation)"
    r" (?:links?|agreements?|relationships?|pacts?|accords?|charters?)"
    # a date written out: "Nov. 18, 1968", "22 April 2002"
    r"|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b"
    r"|[年月日市省州县縣区區道府和及]|民[国國]|\bthe\b|\brepublic(?: of)?\b"
)


@dataclass(frozen=True)
class Page:
    text: str
    mentions: list[Mention]
    cues: list[Cue]
    subject: Mention | None
    published: date | None
    today: date | None
    plain: str = ""  # the text in simplified Chinese without accents, same offsets: what rules read

    @cached_property
    def read(self) -> str:
        return self.plain or self.text

    @cached_property
    def _mention_starts(self) -> list[int]:
        return [m.start for m in self.mentions]

    @cached_property
    def _cue_starts(self) -> list[int]:
        return [c.start for c in self.cues]

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        """Mentions starting in [start, end); both lists are in text order, so bisect finds them."""
        starts = self._mention_starts
        return self.mentions[bisect_left(starts, start):bisect_left(starts, end)]

    def gap_without_places(self, start: int, end: int, kind: str | None = None) -> str:
        """The text of [start, end) with the places named in it (of ``kind`` only, if given) taken out:
        "与日本" between 浙江省 and 静冈县 is "与"."""
        gap = self.read[start:end]
        for mention in reversed(self.mentions_in(start, end)):
            if kind is None or mention.place.kind == kind:
                gap = gap[:mention.start - start] + gap[mention.end - start:]
        return gap

    def cues_in(self, start: int, end: int) -> list[Cue]:
        starts = self._cue_starts
        return self.cues[bisect_left(starts, start):bisect_left(starts, end)]


def distinct(mentions: list[Mention]) -> list[Mention]:
    """Each place once, at its first mention."""
    seen: set[int] = set()
    kept = []
    for mention in mentions:
        if mention.index not in seen:
            seen.add(mention.index)
            kept.append(mention)
    return kept


def only_filler(
    text: str, start: int, end: int, mentions: list[Mention], words: list[tuple[int, int]] | None = None
) -> bool:
    """Whether ``text[start:end]`` holds nothing but the ``mentions`` inside it, years, separators and
    place words (and the spans of ``words``, a table's relation column): a list line ("Leipzig,
    Germany (1988)", "8 | 白俄罗斯 | 布列斯特市 | 友好交流城市 | 2018年7月") or the gap between two listed
    places."""
    spans = [(m.start, m.end) for m in mentions]
    spans += [(low, high) for low, high in words or [] if start <= low and high <= end]
    rest = text[start:end]
    for low, high in sorted(spans, key=lambda span: -span[0]):
        rest = rest[:low - start] + rest[high - start:]
    return len(LIST_FILLER.sub("", rest)) <= 2

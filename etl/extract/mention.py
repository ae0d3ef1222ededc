"""A place as one text names it: the span, the gazetteer entry it resolved to, and how it was decided."""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.models import Place

SAME_NATION = {"HK": "CN", "MO": "CN"}


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    surface: str
    place: Place
    index: int  # gazetteer index
    cued: bool = False  # a country or region written right next to it decided the sense
    fuzzy: bool = False
    context: bool = False  # only locates another place ("Oregon" in "Portland, Oregon")

    @property
    def nation(self) -> str:
        """The country for pairing: Hong Kong and Macao with Shenzhen is cooperation within one state."""
        return SAME_NATION.get(self.place.country, self.place.country)

    @property
    def partner(self) -> bool:
        """Whether this mention can be one side of a partnership."""
        return self.place.kind != "country" and not self.context


def outside_names(
    pattern: re.Pattern[str], text: str, mentions: list[Mention], start: int = 0, end: int | None = None
) -> re.Match[str] | None:
    """The first match of ``pattern`` not inside a place's name: 本市 ("this city") is not the tail of
    熊本市 (Kumamoto) or 松本市 (Matsumoto)."""
    for found in pattern.finditer(text, start, len(text) if end is None else end):
        if not any(m.start < found.end() and found.start() < m.end for m in mentions):
            return found
    return None

"""A place as one text names it: the span, the gazetteer entry it resolved to, and how it was decided."""

from __future__ import annotations

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

"""Tables whose first column names the home place of each tie, as list articles print them ("List of
sister cities in New Zealand", 浙江省国际友好城市列表). Copied from a browser, a cell spanning several rows
is written on its first row only:

    Authority  Partner      Country        Type           Since
    Auckland   Brisbane     Australia      Sister city    1988
               Busan        South Korea    Sister city    1996     <- one cell fewer: still Auckland

so a row with every cell names its home place, and a row one cell short belongs to the last one named.
Cells are split by tabs or by " | " (tables flattened from HTML)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.extract import cues as C
from etl.extract.lists import heading_status, list_relation
from etl.extract.mention import Mention
from etl.extract.merge import Draft
from etl.extract.page import Page, distinct

CELL = re.compile(r"\t|\s+\|\s+")
ROW_MAX = 200
ROW_NUMBER = re.compile(r"\s*\d{0,3}\.?\s*")
# At least this many rows with a home place of their own make a table of many home places.
OWNED_ROWS_MIN = 2


@dataclass(frozen=True)
class _Row:
    start: int
    end: int
    cells: list[tuple[int, int]]


def table_drafts(page: Page) -> tuple[list[Draft], set[int]]:
    """Ties of tables with a home-place column, and the offsets of the rows they came from (so that
    the rows are not read again as entries of the page's own list)."""
    drafts: list[Draft] = []
    used: set[int] = set()
    for block in _blocks(page.text):
        dated = [row for row in block if C.years_in(page.text[row.start:row.end])]
        if not dated:
            continue
        full = max(len(row.cells) for row in dated)  # rows under a spanning cell are the short ones
        homes = [row for row in dated if len(row.cells) == full and (pair := _home_and_partner(page, row))
                 and pair[1]]
        if len(homes) < OWNED_ROWS_MIN:
            continue
        home: Mention | None = None
        for row in block:
            if len(row.cells) == full:
                pair = _home_and_partner(page, row)
                if pair is None:
                    home = None
                    continue
                home, partners = pair
            elif len(row.cells) == full - 1 and home is not None:
                partners = _places(page, *row.cells[0])
            else:
                continue
            partners = [m for m in partners if m.index != home.index]
            if not partners:
                continue
            # the partner cell names one place; another one in it only locates it ("Los Angeles, California")
            drafts.append(_row_draft(page, row, home, partners[0]))
            used.add(row.start)
    return drafts, used


def _row_draft(page: Page, row: _Row, home: Mention, partner: Mention) -> Draft:
    text = page.text[row.start:row.end]
    years = C.years_in(text)
    in_row = page.cues_in(row.start, row.end)  # the "Type" column: Sister city, 友好交流关系
    relation = in_row[0].relation if in_row else list_relation(page, row.start)
    status = heading_status(page, row.start) or "established"
    year = years[0][1] if years else None
    confidence = 0.6 + (0.1 if years else 0.0)
    return Draft(partner, home, relation, status, year, row.start, row.end, confidence, "list")


def _home_and_partner(page: Page, row: _Row) -> tuple[Mention, list[Mention]] | None:
    """The home place of the first cell (after a row number) and the partners of the next cell naming
    any (none when the gazetteer does not know the partner: the rows below still belong to this home),
    on a full row."""
    cells = row.cells
    while cells and ROW_NUMBER.fullmatch(page.text, *cells[0]):  # a numbered table: "1 | 吴兴区 | 韩国 | …"
        cells = cells[1:]
    if len(cells) < 3:
        return None
    home = _places(page, *cells[0])
    if len(home) != 1:
        return None
    # the partner's cell, maybe after a country's: "安吉县 | 日本 | 静冈县川根本町"
    partners = next((found for cell in cells[1:3] if (found := _places(page, *cell))), [])
    return home[0], partners


def _places(page: Page, start: int, end: int) -> list[Mention]:
    return distinct([m for m in page.mentions_in(start, end) if m.partner and m.end <= end])


def _blocks(text: str) -> list[list[_Row]]:
    """Runs of consecutive lines split into three or more cells."""
    blocks: list[list[_Row]] = []
    current: list[_Row] = []
    offset = 0
    for line in text.split("\n"):
        row = _row(line, offset)
        if row is not None:
            current.append(row)
        elif current:
            blocks.append(current)
            current = []
        offset += len(line) + 1
    if current:
        blocks.append(current)
    return blocks


def _row(line: str, offset: int) -> _Row | None:
    if len(line) > ROW_MAX:
        return None
    cells, start = [], 0
    for separator in CELL.finditer(line):
        cells.append((offset + start, offset + separator.start()))
        start = separator.end()
    cells.append((offset + start, offset + len(line)))
    return _Row(offset, offset + len(line), cells) if len(cells) >= 3 else None

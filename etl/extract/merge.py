"""Merging the drafts about one pair of places into the facts a page states.

The most formal claim stated in a sentence wins; a list line ("Leipzig, Germany (1988)") lends its
year to it, and beats preliminary steps told in sentences with another year (a memorandum in 2000
before the sister-city tie of 2001). One fact per pair and coarse relation class is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from etl.extract.mention import Mention
from etl.models import RELATION_RANK, Fact, Relation, Status

# The scorer's and the digest's coarse classes: formal ties, preliminary steps, other cooperation.
ENDINGS: tuple[Status, ...] = ("terminated", "suspended")  # the later state first
COARSE = {"sister_city": "formal", "friendship_city": "formal", "mou": "preliminary",
          "letter_of_intent": "preliminary", "partnership_other": "other"}


@dataclass(frozen=True)
class Draft:
    a: Mention
    b: Mention
    relation: Relation
    status: Status
    year: int | None
    start: int
    end: int
    confidence: float
    source: str  # "sentence", "both", "subject" or "list"


def merge(drafts: list[Draft]) -> list[Draft]:
    """One fact per pair and coarse relation class, the pair's best claim first."""
    by_pair: dict[frozenset[int], list[Draft]] = {}
    for draft in drafts:
        if draft.a.index != draft.b.index:
            by_pair.setdefault(frozenset((draft.a.index, draft.b.index)), []).append(draft)
    merged = [_merge_pair(group) for group in by_pair.values()]
    return [draft for group in sorted(merged, key=lambda g: g[0].start) for draft in group]


def _merge_pair(group: list[Draft]) -> list[Draft]:
    primary = _primary(group)
    primary = _with_status(_with_year(primary, group), group)
    others: dict[str, Draft] = {}
    for draft in sorted(group, key=lambda d: -d.confidence):
        coarse = COARSE[draft.relation]
        if coarse != COARSE[primary.relation] and draft.source == "sentence":
            others.setdefault(coarse, draft)
    return [primary, *others.values()]


def _primary(group: list[Draft]) -> Draft:
    """The pair's best claim: a formal tie told in a sentence; else a formal list entry, unless a
    sentence tells of a preliminary step in the entry's year (the list called an MoU a sister city)."""
    sentences = [d for d in group if d.source != "list"]
    listed = [d for d in group if d.source == "list"]
    settled = [d for d in sentences if d.status not in ("proposed", "mentioned")]
    sentences = settled or sentences  # a tie told as done outranks one hoped for or named in passing
    formal = [d for d in sentences
              if RELATION_RANK[d.relation] >= 3 and (d.source == "sentence" or not listed)]
    if formal:
        return max(formal, key=lambda d: (d.year is not None, d.confidence))
    if listed:
        entry = max(listed, key=lambda d: d.confidence)
        same_step = [d for d in sentences if RELATION_RANK[d.relation] < 3 and d.year in (None, entry.year)]
        if same_step and RELATION_RANK[entry.relation] >= 3:
            return max(same_step, key=lambda d: d.confidence)
        if not sentences or RELATION_RANK[entry.relation] >= 3:
            return entry
    return max(sentences, key=lambda d: (RELATION_RANK[d.relation], d.year is not None, d.confidence))


def _with_year(primary: Draft, group: list[Draft]) -> Draft:
    if primary.year is not None:
        return primary
    dated = [d for d in group if d.year is not None and COARSE[d.relation] == COARSE[primary.relation]]
    dated = dated or [d for d in group if d.year is not None and d.source == "list"]
    if not dated or primary.status == "anniversary":
        return primary
    best = max(dated, key=lambda d: d.confidence)
    status = "established" if primary.status == "mentioned" else primary.status
    return replace(primary, year=best.year, status=status)


def _with_status(primary: Draft, group: list[Draft]) -> Draft:
    """What became of the tie: "Nara suspended its exchanges with Xi'an" in one sentence and "the two
    cities were twinned in 1974" in another is a suspended tie of 1974; an anniversary told beside the
    founding year is an anniversary of that tie."""
    if primary.status in ENDINGS:
        return primary
    told = {d.status for d in group if COARSE[d.relation] == COARSE[primary.relation]}
    ending = next((status for status in ENDINGS if status in told), None)
    if ending is not None and primary.status in ("established", "mentioned", "anniversary"):
        return replace(primary, status=ending)
    if "anniversary" in told and primary.status == "established":
        return replace(primary, status="anniversary")
    return primary


def to_fact(text: str, draft: Draft) -> Fact:
    return Fact(
        a=draft.a.place, b=draft.b.place, a_mention=draft.a.surface, b_mention=draft.b.surface,
        relation=draft.relation, status=draft.status, year=draft.year, evidence=text[draft.start:draft.end],
        evidence_start=draft.start, evidence_end=draft.end, confidence=round(draft.confidence, 3),
    )

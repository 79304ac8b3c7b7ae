"""Canonical venue names: how a source spells a venue → the name a researcher cites.

The table is data (``citekit/data/venues.json``), not code: NeurIPS/NIPS with the volume
of each year, ICML with its PMLR volume, ICLR, JMLR, TMLR, ACL/EMNLP/NAACL, AAAI, IJCAI,
CVPR/ICCV/ECCV. :func:`canonical` rewrites a published record's venue in the ``full``
style (default) or the ``short`` one (``NeurIPS 2020``). A venue naming a workshop is
never matched, so a workshop paper is never promoted to its main conference.

Pure apart from reading the packaged table once; imports nothing outside citekit.model.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from ..model import Record

__all__ = ["Venue", "canonical", "find", "is_workshop", "venue_key"]

Style = Literal["full", "short"]

_NON_WORD = re.compile(r"[\W_]+")
_PART = re.compile(r"\s*\([^()]*\)\s*$")  # DBLP's "ACL (1)", "ICLR (Poster)"
# "MATH-AI@NeurIPS" is how DBLP names a workshop held at a conference.
_WORKSHOP = re.compile(r"\bworkshops?\b|@|\bwksp\b", re.IGNORECASE)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", _PART.sub("", text.strip()))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", plain.casefold()).strip()


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass(frozen=True)
class Venue:
    """One row of the table (see ``citekit/data/venues.json`` for the fields)."""

    id: str
    type: str
    spellings: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    data: dict[str, Any]

    def matches(self, folded: str) -> bool:
        """Whether a folded venue text names this venue."""
        return folded in self.spellings or any(p.match(folded) for p in self.patterns)

    def name(self, year: int | None, style: Style) -> str:
        """The venue's name for a paper of ``year`` in ``style``."""
        if style == "short":
            shorts = self.data["short"]
            since = max((int(y) for y in shorts if year is None or int(y) <= year), default=0)
            template = str(shorts[str(since)])
        else:
            template = str(self.data["full"])
        if year is None and ("{year}" in template or "{ordinal}" in template):
            return str(self.data["full"]).replace(" {ordinal}", "").replace(" {year}", "")
        offset = int(self.data.get("ordinal_offset", 0))
        ordinal = _ordinal((year or 0) - offset) if offset else ""
        if offset and year is not None and year < int(self.data.get("ordinal_since", 0)):
            template = template.replace(" {ordinal}", "")
        return template.format(year=year, ordinal=ordinal)

    def volume(self, year: int | None) -> str:
        """The volume of ``year``'s proceedings when the table knows it, else ""."""
        if year is None:
            return ""
        if str(year) in self.data.get("volumes", {}):
            return str(self.data["volumes"][str(year)])
        offset = self.data.get("volume_offset")
        if offset is None or year < int(self.data.get("volume_since", 0)):
            return ""
        return str(year - int(offset))


@cache
def _table() -> tuple[Venue, ...]:
    text = resources.files("citekit").joinpath("data/venues.json").read_text(encoding="utf-8")
    rows = json.loads(text)["venues"]
    return tuple(
        Venue(
            id=row["id"],
            type=row["type"],
            spellings=frozenset(_fold(s) for s in row["spellings"]),
            patterns=tuple(re.compile(p) for p in row.get("patterns", ())),
            data=row,
        )
        for row in rows
    )


def is_workshop(venue: str) -> bool:
    """Whether a venue text names a workshop (never promoted to its conference)."""
    return bool(_WORKSHOP.search(venue))


def find(venue: str) -> Venue | None:
    """The table row a venue text names, or None (unknown venue, or a workshop)."""
    if not venue.strip() or is_workshop(venue):
        return None
    folded = _fold(venue)
    return next((v for v in _table() if v.matches(folded)), None)


def venue_key(record: Record) -> str:
    """What identifies a record's venue for comparison: the table id, else the folded text."""
    text = record.container_title or record.event_title
    row = find(text)
    return row.id if row is not None else _fold(text)


def canonical(record: Record, style: Style = "full") -> Record:
    """``record`` with its venue named as researchers cite it; unknown venues unchanged.

    The table's volume (by year) wins over the source's, which for NeurIPS is often
    missing (DBLP) or the conference number; a publisher or series is added only when
    the record has none.
    """
    row = find(record.container_title) or find(record.event_title)
    if row is None:
        return record
    year = record.issued.year if record.issued else None
    changes: dict[str, Any] = {
        "container_title": row.name(year, style),
        "type": row.type,
        "genre": "",
    }
    volume = row.volume(year)
    if volume:
        changes["volume"] = volume
    if row.data.get("publisher") and not record.publisher:
        changes["publisher"] = row.data["publisher"]
    if row.data.get("collection_title") and not record.collection_title:
        changes["collection_title"] = row.data["collection_title"]
    if record.event_title and find(record.event_title) is row:
        changes["event_title"] = ""
    return record.with_(**changes)

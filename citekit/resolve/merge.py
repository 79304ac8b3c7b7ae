"""Merging what a source says into what the library holds, field by field (pure).

The rule: a field the user wrote is never overwritten. A field counts as citekit's own
only when the provenance record says citekit wrote exactly its current value on an
earlier run (``owned``: field name → canonical value); everything else present in the
library is the user's. Without a provenance record (a fresh clone: it lives in the
git-ignored cache directory) every present field is the user's — the safe default.

* empty field → filled from the source;
* citekit's own field, or ``accept_upstream`` → replaced by the source's value (or
  dropped when the source no longer has one: an upgrade is whole-record);
* the user's field, different from the source → kept, and reported as a difference.

An upgrade to a published version is whole-record: when any venue field the user wrote
disagrees with the published record, no venue field is taken (never a mix of the two).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from ..model import Date, Name, Record, plain_text

__all__ = [
    "ARXIV_FIELDS",
    "VENUE_FIELDS",
    "WORK_FIELDS",
    "Change",
    "MergeResult",
    "canonical",
    "merge",
    "owned_fields",
]

#: Never taken from a source: identity of the entry in the library.
_LIBRARY_FIELDS = frozenset({"key", "collections", "extra", "entry_type"})
#: Fields the arXiv record keeps through an upgrade.
ARXIV_FIELDS = ("arxiv_id", "arxiv_version", "arxiv_class")
#: Where and when a work appeared: taken from one record as a whole.
VENUE_FIELDS = (
    "type",
    "issued",
    "container_title",
    "collection_title",
    "volume",
    "issue",
    "page",
    "number",
    "publisher",
    "publisher_place",
    "event_title",
    "genre",
    "doi",
    "isbn",
    "issn",
)
#: What a preprint may contribute to an entry whose venue the user wrote by hand.
WORK_FIELDS = ("title", "author", "issued", "abstract", "language", "url", *ARXIV_FIELDS)
MERGED_FIELDS = tuple(f.name for f in fields(Record) if f.name not in _LIBRARY_FIELDS)
#: BibTeX/BibLaTeX fields (as the writers name them) → the Record fields they carry. An
#: entry's *extra* under one of these names is a value the user wrote that citekit could
#: not read (``date = {2021/2022}``, ``month = {Spring}``): the Record fields behind it
#: are the user's, never filled from a source, because the writer would then emit that
#: name and the user's value would be lost.
CARRIERS: dict[str, tuple[str, ...]] = {
    "year": ("issued",),
    "month": ("issued",),
    "date": ("issued",),
    "day": ("issued",),
    "number": ("issue", "number"),
    "issue": ("issue",),
    "journal": ("container_title",),
    "journaltitle": ("container_title",),
    "booktitle": ("container_title",),
    "series": ("collection_title",),
    "eventtitle": ("event_title",),
    "volume": ("volume",),
    "pages": ("page",),
    "publisher": ("publisher",),
    "institution": ("publisher",),
    "school": ("publisher",),
    "address": ("publisher_place",),
    "location": ("publisher_place",),
    "doi": ("doi",),
    "url": ("url",),
    "urldate": ("accessed",),
    "eprint": ("arxiv_id", "arxiv_version"),
    "primaryclass": ("arxiv_class",),
    "eprintclass": ("arxiv_class",),
    "isbn": ("isbn",),
    "issn": ("issn",),
    "type": ("genre",),
    "language": ("language",),
    "abstract": ("abstract",),
    "note": ("note",),
    "title": ("title",),
    "author": ("author",),
    "editor": ("editor",),
}


def canonical(value: Any) -> Any:
    """A JSON-able form of a field value, for provenance and reports."""
    if isinstance(value, Name):
        return [value.family, value.given, value.particle, value.suffix, value.literal]
    if isinstance(value, Date):
        return [value.year, value.month, value.day, value.literal]
    if isinstance(value, tuple):
        return [canonical(v) for v in value]
    return value


def _display(value: Any) -> str:
    if isinstance(value, Date):
        return value.iso()
    if isinstance(value, tuple):
        shown = [v.display() if isinstance(v, Name) else str(v) for v in value]
        return "; ".join(shown)
    return plain_text(str(value)) if value is not None else ""


def _empty(value: Any) -> bool:
    return value in ("", (), None)


@dataclass(frozen=True)
class Change:
    """One field: what the library holds (``old``) and what the source says (``new``)."""

    field: str
    old: str
    new: str

    def as_dict(self) -> dict[str, str]:
        """Plain data for the report."""
        return {"field": self.field, "library": self.old, "source": self.new}


@dataclass(frozen=True)
class MergeResult:
    """The merged record, the fields it took, and the user's fields that differ."""

    record: Record
    changes: tuple[Change, ...] = ()
    differences: tuple[Change, ...] = ()


def _is_owned(owned: Mapping[str, Any], name: str, value: Any) -> bool:
    return name in owned and owned[name] == canonical(value)


def _derived(record: Record, name: str, value: Any) -> bool:
    """A value the entry's eprint implies, which the user did not choose.

    arXiv's DataCite DOI, ``publisher = arXiv``, ``number = <id>``, ``genre = preprint``,
    and the preprint type of an ``@misc``: the arXiv source and the library loader both
    derive them from ``eprint``.
    """
    text = str(value).casefold()
    if name == "doi":
        if not text.startswith("10.48550/arxiv."):
            return False
        return not record.arxiv_id or text == f"10.48550/arxiv.{record.arxiv_id}".casefold()
    if not record.arxiv_id:
        return False
    implied = {"publisher": "arxiv", "number": record.arxiv_id.casefold(), "genre": "preprint"}
    if record.entry_type.lower() in ("", "misc"):
        implied["type"] = "article"  # an @misc with an eprint reads as a preprint
    return implied.get(name) == text


def _mine(owned: Mapping[str, Any], record: Record, name: str, value: Any) -> bool:
    """Whether citekit may replace this value (empty, written by citekit, or derived)."""
    return _empty(value) or _is_owned(owned, name, value) or _derived(record, name, value)


def _venue_conflict(current: Record, upstream: Record, owned: Mapping[str, Any]) -> bool:
    """Whether the user wrote a venue field that the upstream record contradicts."""
    for name in VENUE_FIELDS:
        cur, up = getattr(current, name), getattr(upstream, name)
        if name == "type" and _placeholder_type(current):
            continue
        if cur != up and not _mine(owned, current, name, cur) and not _consistent(cur, up):
            return True
    return False


def merge(
    current: Record,
    upstream: Record,
    owned: Mapping[str, Any],
    *,
    accept_upstream: bool = False,
    only: Iterable[str] | None = None,
    whole_venue: bool = False,
) -> MergeResult:
    """Merge ``upstream`` into ``current`` under the rule in the module docstring.

    ``only`` limits the fields considered (a preprint onto a hand-written venue gives
    only :data:`WORK_FIELDS`); ``whole_venue`` applies the all-or-nothing rule to
    :data:`VENUE_FIELDS` (for upgrades to a published version).
    """
    names = [n for n in MERGED_FIELDS if only is None or n in set(only)]
    frozen_venue = whole_venue and not accept_upstream and _venue_conflict(current, upstream, owned)
    held = {} if accept_upstream else _held(current)
    updates: dict[str, Any] = {}
    changes: list[Change] = []
    differences: list[Change] = []
    for name in names:
        cur, up = getattr(current, name), getattr(upstream, name)
        if name in held:
            if not _empty(up):
                differences.append(Change(name, held[name], _display(up)))
            continue
        if name == "type":
            cur_type = _take_type(current, upstream)
            if cur_type is not None:
                cur = cur_type
        if cur == up or (_empty(up) and name in ARXIV_FIELDS) or _consistent(cur, up):
            continue
        mine = _mine(owned, current, name, cur) or accept_upstream
        if mine and not (frozen_venue and name in VENUE_FIELDS):
            updates[name] = up
            changes.append(Change(name, _display(cur), _display(up)))
        elif not _empty(up):
            differences.append(Change(name, _display(cur), _display(up)))
    if "type" in updates and not accept_upstream:
        _carry_number(current, owned, updates, changes, differences)
    record = current.with_(**updates)
    if "type" in updates:
        record = record.with_(entry_type=upstream.entry_type)
    return MergeResult(record, tuple(changes), tuple(differences))


def _held(current: Record) -> dict[str, str]:
    """Record field → the raw value of the user's unreadable extra that carries it."""
    out: dict[str, str] = {}
    for name, value in current.extra:
        for field in CARRIERS.get(name.lower(), ()):
            out.setdefault(field, value)
    return out


def _carry_number(
    current: Record,
    owned: Mapping[str, Any],
    updates: dict[str, Any],
    changes: list[Change],
    differences: list[Change],
) -> None:
    """Keep the user's BibTeX ``number`` when the type moves across ``article-journal``.

    The writers emit ``number`` from ``issue`` for a journal article and from ``number``
    otherwise, so a new type would silently swap the user's ``number = {TR-42}`` for the
    source's issue. The user's value moves to the field that is written as ``number``;
    the source's differing value is reported.
    """
    to_journal = updates["type"] == "article-journal"
    if to_journal == (current.type == "article-journal"):
        return
    old, new = ("number", "issue") if to_journal else ("issue", "number")
    value = getattr(current, old)
    if _empty(value) or _mine(owned, current, old, value):
        return
    source = updates.get(new, getattr(current, new))
    changes[:] = [c for c in changes if c.field not in (old, new)]
    if not _empty(source) and source != value:
        differences.append(Change(new, _display(value), _display(source)))
    updates[new], updates[old] = value, ""


def _placeholder_type(record: Record) -> bool:
    """A stub written as ``@misc`` (or with no type) has no type of its own yet."""
    incomplete = not record.title or not record.author or record.issued is None
    return incomplete and record.entry_type.lower() in ("", "misc")


def _take_type(current: Record, upstream: Record) -> str | None:
    """The empty string (unset) for a placeholder type that differs; None otherwise."""
    if _placeholder_type(current):
        return "" if current.type != upstream.type else None
    return None


def _consistent(current: Any, upstream: Any) -> bool:
    """A date the user gave with less precision that agrees with the source's."""
    if not isinstance(current, Date) or not isinstance(upstream, Date):
        return False
    if current.year != upstream.year or current.literal:
        return False
    # A range, a season or an approximate date says more than "less precise": it differs.
    if getattr(current, "end", None) is not None or getattr(current, "season", None):
        return False
    if getattr(current, "circa", False):
        return False
    return current.month is None or (current.month == upstream.month and current.day is None)


def owned_fields(
    previous: Mapping[str, Any], result: MergeResult, record: Record
) -> dict[str, Any]:
    """The provenance after a merge: what citekit wrote, dropping fields the user changed."""
    out = {n: v for n, v in previous.items() if _is_owned(previous, n, getattr(record, n, None))}
    for change in result.changes:
        value = getattr(record, change.field)
        if _empty(value):
            out.pop(change.field, None)
        else:
            out[change.field] = canonical(value)
    return out


def all_fields(record: Record) -> dict[str, Any]:
    """Provenance for a record citekit wrote whole (``add``)."""
    return {
        n: canonical(getattr(record, n)) for n in MERGED_FIELDS if not _empty(getattr(record, n))
    }

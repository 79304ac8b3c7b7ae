"""The one boundary every source record crosses before citekit uses it (pure).

A source (arXiv, Crossref, DBLP, OpenAlex, …) parses its answer into a
:class:`~citekit.model.Record` and hands it to :func:`checked` before returning it. The
boundary cleans every text value (control characters and bidi overrides dropped,
whitespace collapsed, citekit's own ``nocase`` markup neutralised) and validates every
value that a writer copies verbatim or reads as a number:

* ``doi``: the DOI grammar ``10.NNNN/suffix`` with a printable, whitespace-free suffix;
* ``url``: ``http``/``https`` with a host and no whitespace or control characters;
* ``arxiv_id``/``arxiv_version``: an arXiv id without version, and ``vN``;
* ``arxiv_class``: ``[a-z-]+(\\.[A-Za-z-]+)?`` (``cs.CL``, ``hep-th``, ``physics.acc-ph``);
* ``isbn``/``issn``: digits, ``X`` and hyphens (several ISBNs separated by spaces);
* dates: a year 1..9999, a month 1..12, a day 1..31, each a whole number;
* ``type``: a CSL type citekit knows, else ``document``; ``entry_type``: letters only.

An invalid value is dropped (never written) and reported: :func:`checked` calls ``warn``
once per record with one line naming the source, the entry and every dropped value.
:func:`clean_record` is the same boundary without the reporting.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlsplit

from ..identifiers import parse_arxiv_id
from ..model import CSL_TYPES, Date, Name, Record
from .http import squash

__all__ = ["Dropped", "checked", "clean_record", "is_doi", "is_url"]

_DOI = re.compile(r"10\.\d{4,9}/[^\s\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]+")
_CATEGORY = re.compile(r"[a-z-]+(?:\.[A-Za-z-]+)?")
_VERSION = re.compile(r"v[1-9]\d{0,3}")
_ISBN = re.compile(r"[0-9Xx-]+(?: [0-9Xx-]+)*")
_ISSN = re.compile(r"\d{4}-?\d{3}[\dXx](?: \d{4}-?\d{3}[\dXx])*")
_ENTRY_TYPE = re.compile(r"[A-Za-z]*")
_BAD_URL_CHAR = re.compile(r"[\s\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
# citekit's one piece of markup in text (model docstring): from a source it is text.
_NOCASE = re.compile(r'<span class="nocase">|</span>')
#: Fields holding plain text (cleaned, never dropped unless empty after cleaning).
_TEXT = (
    "title",
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
    "language",
    "abstract",
    "note",
)
_SHOWN = 60  # characters of a dropped value quoted in the warning


@dataclass(frozen=True)
class Dropped:
    """One value the boundary refused: which field, what it was, and why."""

    field: str
    value: str
    reason: str

    def describe(self) -> str:
        """``doi '10.1/x\\n@misc(' (not a DOI)`` on one line, the value shortened."""
        shown = self.value if len(self.value) <= _SHOWN else self.value[:_SHOWN] + "…"
        return f"{self.field} {shown!r} ({self.reason})"


def is_doi(text: str) -> bool:
    """Whether ``text`` is a bare DOI by the grammar above (no prefix, no whitespace)."""
    return _DOI.fullmatch(text) is not None


def is_url(text: str) -> bool:
    """Whether ``text`` is an http(s) URL with a host and no whitespace or control chars."""
    if _BAD_URL_CHAR.search(text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _text(value: Any) -> str:
    return squash(_NOCASE.sub("", value)) if isinstance(value, str) else ""


def _number(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if low <= value <= high else None


def _date(name: str, value: Any, dropped: list[Dropped]) -> Date | None:
    if value is None:
        return None
    if not isinstance(value, Date):
        dropped.append(Dropped(name, repr(value), "not a date"))
        return None
    year = _number(value.year, 1, 9999) if value.year is not None else None
    if value.year is not None and year is None:
        dropped.append(Dropped(name, repr(value.year), "not a year"))
        return None
    month = _number(value.month, 1, 12) if value.month is not None else None
    if value.month is not None and month is None:
        dropped.append(Dropped(f"{name} month", repr(value.month), "not a month 1-12"))
    day = _number(value.day, 1, 31) if value.day is not None and month else None
    if value.day is not None and month and day is None:
        dropped.append(Dropped(f"{name} day", repr(value.day), "not a day 1-31"))
    literal = _text(value.literal)
    if year is None and not literal:
        return None
    season = _number(value.season, 1, 4) if value.season is not None else None
    if value.season is not None and season is None:
        dropped.append(Dropped(f"{name} season", repr(value.season), "not a season 1-4"))
    return Date(
        year,
        month,
        day,
        literal if year is None else "",
        end=_end(name, value.end, dropped),
        season=season,
        circa=value.circa is True,
    )


def _end(name: str, end: Any, dropped: list[Dropped]) -> Date | None:
    """A range's end, checked like a date; ``Date()`` (an open range) stays open."""
    if end is None or end == Date():
        return end if isinstance(end, Date) or end is None else None
    return _date(f"{name} end", end, dropped)


def _names(name: str, value: Any, dropped: list[Dropped]) -> tuple[Name, ...]:
    out: list[Name] = []
    for person in value if isinstance(value, tuple) else ():
        if not isinstance(person, Name):
            dropped.append(Dropped(name, repr(person), "not a name"))
            continue
        parts = {f.name: _text(getattr(person, f.name)) for f in fields(Name)}
        if any(parts.values()):
            out.append(Name(**parts))
    return tuple(out)


def _checked_value(name: str, value: str) -> str | None:
    """The reason ``value`` of identifier-like field ``name`` is invalid, or None."""
    if name == "doi":
        return None if is_doi(value) else "not a DOI"
    if name == "url":
        return None if is_url(value) else "not an http(s) URL"
    if name == "arxiv_id":
        found = parse_arxiv_id(value)
        return None if found and found.value == value and not found.version else "not an arXiv id"
    if name == "arxiv_version":
        return None if _VERSION.fullmatch(value) else "not an arXiv version"
    if name == "arxiv_class":
        return None if _CATEGORY.fullmatch(value) else "not an arXiv category"
    if name == "isbn":
        return None if _ISBN.fullmatch(value) else "not an ISBN"
    if name == "issn":
        return None if _ISSN.fullmatch(value) else "not an ISSN"
    if name == "entry_type":
        return None if _ENTRY_TYPE.fullmatch(value) else "not an entry type"
    return None


_IDENTIFIERS = ("doi", "url", "arxiv_id", "arxiv_version", "arxiv_class", "isbn", "issn")


def clean_record(record: Record) -> tuple[Record, tuple[Dropped, ...]]:
    """``record`` with every value cleaned, and what had to be dropped (pure)."""
    dropped: list[Dropped] = []
    changes: dict[str, Any] = {}
    for name in _TEXT:
        changes[name] = _text(getattr(record, name))
    for name in (*_IDENTIFIERS, "entry_type"):
        raw = getattr(record, name)
        value = raw.strip() if isinstance(raw, str) else ""
        reason = _checked_value(name, value) if value else None
        if reason is None and (value or not raw):
            changes[name] = value
        else:
            dropped.append(Dropped(name, str(raw), reason or "not text"))
            changes[name] = ""
    if changes["arxiv_version"] and not changes["arxiv_id"]:
        changes["arxiv_version"] = ""
    changes["author"] = _names("author", record.author, dropped)
    changes["editor"] = _names("editor", record.editor, dropped)
    changes["issued"] = _date("issued", record.issued, dropped)
    changes["accessed"] = _date("accessed", record.accessed, dropped)
    changes["keywords"] = tuple(k for k in map(_text, _tuple(record.keywords)) if k)
    changes["type"] = record.type if record.type in CSL_TYPES else "document"
    if record.type not in CSL_TYPES:
        dropped.append(Dropped("type", str(record.type), "not a CSL type"))
    # A source says nothing about the library's own fields.
    changes |= {"key": "", "collections": (), "extra": ()}
    return record.with_(**changes), tuple(dropped)


def _tuple(value: Any) -> tuple[Any, ...]:
    return value if isinstance(value, tuple) else ()


def checked(record: Record, *, source: str, label: str, warn: Callable[[str], None]) -> Record:
    """The source boundary: :func:`clean_record`, and one ``warn`` line per record that lost
    values (``crossref 10.1234/abc: dropped doi '…' (not a DOI); the rest is used``)."""
    cleaned, dropped = clean_record(record)
    if dropped:
        what = "; ".join(d.describe() for d in dropped)
        warn(f"{source} {squash(label)[:80]}: dropped {what}; the rest of the answer is used")
    return cleaned

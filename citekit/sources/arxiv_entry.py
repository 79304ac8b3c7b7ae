"""Reading arXiv payloads (pure): the source-level data of one ``arxiv.Result`` (the raw
payload the cache keeps) into a Record, tolerating any JSON.

:func:`parse_entry` never raises on a payload of any shape: a value of an unexpected type
is left out. The readers (``parsed``, ``cached_entry``, ``parsed_search``) answer None for
data that is not a readable payload; the source then treats a cache row as a miss and a
fresh answer as one entry's error. Invalid values of the right type are dropped later, at
the boundary (:mod:`citekit.sources.validate`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..identifiers import arxiv_doi, parse_arxiv_id
from ..model import Date, Name, Record
from .http import squash

__all__ = [
    "SHAPE",
    "cached_entry",
    "parse_entry",
    "parsed",
    "parsed_search",
    "result_payload",
    "search_query",
    "split_name",
    "version_of",
]

_PARTICLES = {"de", "da", "del", "della", "der", "di", "dos", "du", "la", "le", "van", "von"}
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}


SHAPE = "unexpected answer (an arXiv entry of a shape citekit cannot read); try again later"


def parsed(payload: Any, version: str = "") -> Record | None:
    """The Record of one payload, or None when it is not one citekit can read.

    Why a broad catch: :func:`parse_entry` tolerates any JSON, but a payload of a shape
    nobody foresaw must stay one entry's problem, never an internal error of the run.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), str):
        return None
    try:
        return parse_entry(payload, version=version)
    except Exception:  # see the docstring
        return None


def _loads(data: bytes) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


def cached_entry(data: bytes, key: str) -> Record | None:
    """A cache row's Record when it is readable and is the paper ``key`` names; else a miss."""
    payload = _loads(data)
    record = parsed(payload, version_of(key))
    if record is None:
        return None
    found = parse_arxiv_id(payload["id"])
    asked = parse_arxiv_id(key)
    if found is None or asked is None or found.value != asked.value:
        return None
    if asked.version and found.version != asked.version:
        return None
    return record


def parsed_search(data: bytes) -> list[Record] | None:
    """The readable hits of a stored search, or None when the row is not a list of entries."""
    payloads = _loads(data)
    if not isinstance(payloads, list):
        return None
    return [r for r in map(parsed, payloads) if r is not None]


# -- pure parts ----------------------------------------------------------------------------
def version_of(key: str) -> str:
    found = parse_arxiv_id(key)
    return found.version if found else ""


def search_query(title: str, author: str) -> str:
    words = re.sub(r"[^\w\s-]", " ", title).split()
    query = 'ti:"' + " ".join(words) + '"'
    family = re.sub(r"[^\w\s-]", " ", author).split()
    return f"{query} AND au:{family[-1]}" if family else query


def result_payload(result: Any) -> dict[str, Any]:
    """The source-level data of an ``arxiv.Result`` as plain JSON-able data (the raw payload)."""
    return {
        "id": result.get_short_id(),
        "entry_id": result.entry_id,
        "title": result.title,
        "authors": [a.name for a in result.authors],
        "summary": result.summary,
        "published": result.published.isoformat(),
        "updated": result.updated.isoformat(),
        "doi": result.doi or "",
        "journal_ref": result.journal_ref or "",
        "primary_category": result.primary_category,
        "categories": list(result.categories),
        "comment": result.comment or "",
        "links": [{"href": ln.href, "title": ln.title or "", "rel": ln.rel} for ln in result.links],
    }


def split_name(name: str) -> Name:
    """``"Peter H. N. de With"`` → given ``Peter H. N.``, particle ``de``, family ``With``."""
    tokens = squash(name.replace(",", " , ")).split()
    suffix = ""
    if len(tokens) > 2 and tokens[-1].lower() in _SUFFIXES:
        suffix = tokens.pop()
    tokens = [t for t in tokens if t != ","]
    if len(tokens) < 2:
        return Name(literal=" ".join(tokens))
    family = tokens.pop()
    particle: list[str] = []
    while len(tokens) > 1 and tokens[-1].lower() in _PARTICLES:
        particle.insert(0, tokens.pop())
    return Name(family=family, given=" ".join(tokens), particle=" ".join(particle), suffix=suffix)


def _date(iso: str) -> Date | None:
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", iso)
    if not match:
        return None
    return Date(int(match[1]), int(match[2]), int(match[3]))


def _str(payload: dict[str, Any], name: str) -> str:
    """A text value of the payload; anything that is not a string counts as absent."""
    value = payload.get(name)
    return value if isinstance(value, str) else ""


def parse_entry(payload: dict[str, Any], *, version: str = "") -> Record:
    """A Record from one raw payload (pure); ``version`` when the input named one.

    Values of an unexpected type are left out; invalid values of the right type are
    dropped at the boundary (:func:`citekit.sources.validate.checked`).
    """
    found = parse_arxiv_id(_str(payload, "id"))
    arxiv_id = found.value if found else ""
    own_doi = _str(payload, "doi").strip().lower()
    authors = payload.get("authors")
    names = [n for n in authors if isinstance(n, str)] if isinstance(authors, list) else []
    return Record(
        type="article",
        genre="preprint",
        title=squash(_str(payload, "title")),
        author=tuple(split_name(n) for n in names),
        issued=_date(_str(payload, "published")),
        abstract=squash(_str(payload, "summary")),
        publisher="arXiv",
        number=arxiv_id,
        doi=own_doi or (arxiv_doi(arxiv_id) if arxiv_id else ""),
        url=f"https://arxiv.org/abs/{arxiv_id}{version}" if arxiv_id else "",
        arxiv_id=arxiv_id,
        arxiv_version=version if arxiv_id else "",
        arxiv_class=_str(payload, "primary_category").strip(),
        note=squash(_str(payload, "journal_ref")),
    )

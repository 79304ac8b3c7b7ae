"""Reading Crossref answers (pure): a work ``message`` into a Record, and stored or fresh
bodies into works, tolerating any JSON.

:func:`parse_work` never raises on a ``message`` of any shape: a value of an unexpected
type is left out. The body readers (``parsed_work``, ``cached_work``, ``parsed_search``)
answer None for a body that is not a readable Crossref answer; the source then treats a
cache row as a miss and a fresh answer as one entry's error. Invalid values of the right
type are dropped later, at the boundary (:mod:`citekit.sources.validate`).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from ..errors import IdentifierError, SourceUnavailable
from ..identifiers import normalize_doi
from ..model import Date, Name, Record
from .http import squash
from .validate import is_doi

__all__ = [
    "SHAPE",
    "TYPES",
    "cached_work",
    "message_of",
    "parse_work",
    "parsed_search",
    "parsed_work",
    "short",
    "work_answers",
]

SOURCE = "crossref"
#: Crossref work type → CSL type (anything else becomes "document").
TYPES = {
    "journal-article": "article-journal",
    "proceedings-article": "paper-conference",
    "book-chapter": "chapter",
    "book-section": "chapter",
    "book-part": "chapter",
    "posted-content": "article",
    "report": "report",
    "report-component": "report",
    "dataset": "dataset",
    "book": "book",
    "edited-book": "book",
    "monograph": "book",
    "reference-book": "book",
    "dissertation": "thesis",
    "reference-entry": "entry-encyclopedia",
    "standard": "standard",
}
_TAG_RE = re.compile(r"<[^>]+>")
# Control characters in an answer would make a .bib no BibTeX reader (citekit included) takes.
_DASHES = re.compile(r"\s*[\u2010-\u2015\u2212-]+\s*")


def message_of(body: Any, kind: str) -> dict[str, Any]:
    """The ``message`` of a Crossref JSON body of ``message-type`` ``kind``."""
    if not isinstance(body, dict) or body.get("message-type") != kind:
        raise SourceUnavailable(SOURCE, kind, f"unexpected answer (not a Crossref {kind})")
    message = body.get("message")
    if not isinstance(message, dict):
        raise SourceUnavailable(SOURCE, kind, f"unexpected answer (not a Crossref {kind})")
    return message


SHAPE = "unexpected answer (a Crossref work of a shape citekit cannot read); try again later"


def short(text: str) -> str:
    return squash(text)[:60]


def normalize_doi_or_empty(text: str) -> str:
    """The normalised DOI in ``text``, or "" when there is none."""
    try:
        return normalize_doi(text)
    except IdentifierError:
        return ""


def _loads(payload: bytes) -> Any:
    try:
        return json.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


def parsed_work(payload: bytes) -> Record | None:
    """The work in a stored or fresh body, or None when it is not a readable work.

    Why a broad catch: :func:`parse_work` is written to accept any JSON, but an answer of a
    shape nobody foresaw must stay one entry's problem, never an internal error of the run.
    """
    try:
        return parse_work(message_of(_loads(payload), "work"))
    except Exception:  # see the docstring
        return None


def cached_work(payload: bytes, doi: str) -> Record | None:
    """A cache row's work when it is readable and answers ``doi``; else None (a miss)."""
    record = parsed_work(payload)
    return record if record is not None and work_answers(record, doi) else None


def work_answers(record: Record, doi: str) -> bool:
    """Whether a work answers ``doi``: its DOI is ``doi``, or is no DOI at all (a value the
    boundary will drop, with a warning). A valid DOI of another work never passes."""
    return normalize_doi_or_empty(record.doi) == doi or not is_doi(record.doi.strip())


def parsed_search(payload: bytes) -> list[Record] | None:
    """The readable hits of a search body, or None when the body is not a work list."""
    try:
        items = message_of(_loads(payload), "work-list").get("items")
    except SourceUnavailable:
        return None
    if not isinstance(items, list):
        return [] if items is None else None
    hits = [_parsed_workmessage_of(item) for item in items if isinstance(item, dict)]
    return [h for h in hits if h is not None]


def _parsed_workmessage_of(message: dict[str, Any]) -> Record | None:
    try:
        return parse_work(message)
    except Exception:  # one unreadable hit is not the search's failure
        return None


# -- pure parse ------------------------------------------------------------------------------
def _text(value: Any) -> str:
    """Plain text from a Crossref string or list: JATS/HTML tags dropped, spaces squashed."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # a volume or issue sent as a JSON number
    if not isinstance(value, str):
        return ""
    return squash(html.unescape(_TAG_RE.sub(" ", value)))


def _names(people: Any) -> tuple[Name, ...]:
    out = []
    for person in people if isinstance(people, list) else []:
        if not isinstance(person, dict):
            continue
        if person.get("family"):
            out.append(
                Name(
                    family=_text(person["family"]),
                    given=_text(person.get("given", "")),
                    suffix=_text(person.get("suffix", "")),
                )
            )
        elif person.get("name") or person.get("given"):
            out.append(Name(literal=_text(person.get("name") or person.get("given"))))
    return tuple(out)


def _date(message: dict[str, Any]) -> Date | None:
    """The first readable date of ``issued``, ``published-print``, … (whole numbers only).

    A part that is not a whole number ends the date there: ``[[2020, "x"]]`` is 2020,
    ``[["2020x"]]`` is no date from that field. Ranges are checked at the boundary
    (``validate``): a month of 13 or -1 is dropped there, never wrapped round.
    """
    for field in ("issued", "published-print", "published-online", "published"):
        block = message.get(field)
        parts = block.get("date-parts") if isinstance(block, dict) else None
        first = parts[0] if isinstance(parts, list) and parts else None
        numbers: list[int] = []
        for part in first if isinstance(first, list) else []:
            if isinstance(part, bool) or not isinstance(part, int):
                break
            numbers.append(part)
        if numbers:
            numbers = [*numbers[:3], 0, 0]
            return Date(numbers[0], numbers[1] or None, numbers[2] or None)
    return None


def _page(value: Any) -> str:
    return _DASHES.sub("-", _text(value)).strip("-")


def _title(message: dict[str, Any]) -> str:
    title = _text(message.get("title"))
    subtitle = _text(message.get("subtitle"))
    if subtitle and subtitle.lower() not in title.lower():
        return f"{title}: {subtitle}"
    return title


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def parse_work(message: dict[str, Any]) -> Record:
    """A Record from a Crossref work ``message`` (pure; any JSON inside is tolerated).

    Values of an unexpected type are left out here; :func:`citekit.sources.validate.checked`
    then drops values of the right type that are invalid (a DOI with a newline, …).
    """
    kind = message.get("type")
    kind = kind if isinstance(kind, str) else ""
    issue = message.get("issue") or _dict(message.get("journal-issue")).get("issue")
    doi = message.get("DOI")
    return Record(
        type=TYPES.get(kind, "document"),
        genre="preprint" if kind == "posted-content" else "",
        title=_title(message),
        author=_names(message.get("author")),
        editor=_names(message.get("editor")),
        issued=_date(message),
        container_title=_text(message.get("container-title")),
        event_title=_text(_dict(message.get("event")).get("name")),
        volume=_text(message.get("volume")),
        issue=_text(issue),
        page=_page(message.get("page")),
        number=_text(message.get("article-number")),
        publisher=_text(message.get("publisher")),
        publisher_place=_text(message.get("publisher-location")),
        doi=doi.strip().lower() if isinstance(doi, str) else "",
        isbn=_text(message.get("ISBN")),
        issn=_text(message.get("ISSN")),
        language=_text(message.get("language")),
        abstract=_text(message.get("abstract")),
    )

"""Record → CSL-JSON (the input format of citeproc-js, citeproc-py, pandoc and Zotero).

Output is valid against the official CSL 1.0.2 data schema and deterministic: keys in a
fixed order, records in the order given, one record per line, UTF-8
(``ensure_ascii=False``), LF, a trailing newline. Records already use CSL variable names
and plain Unicode, so this is a cheap mapping per record: nothing here imports, compiles
or decodes per call.
"""

from __future__ import annotations

import itertools
import json
import operator
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..bibtex.texmath import flatten, rich_math
from ..model import CSL_TYPES, Date, Name, Record, csl_text, persons
from .csl_case import csl_language, is_english, sentence_case
from .csl_extra import TITLE_VARIABLES, extra_variables
from .preprint import as_preprint

__all__ = ["csl_lines", "csljson_chunks", "format_csljson", "record_to_csl"]

#: Variables written in sentence case (English records; see csl_case): the item's title,
#: and the container's for types whose container is a book with a title, not a name.
_BOOK_CONTAINED = frozenset({"chapter"})
_SERIES_NUMBER = frozenset({"book", "chapter"})  # BibTeX number = number in the series
# Variables that styles may case-transform (the nocase markup is kept in these only), and
# the plain ones, read with one attrgetter each: ``(CSL variables, record attributes)``.
_RICH = operator.attrgetter("title", "container_title", "collection_title", "event_title")
_Fields = tuple[tuple[str, ...], Callable[[Record], tuple[str, ...]]]
_HEAD: _Fields = (("volume", "issue", "page"), operator.attrgetter("volume", "issue", "page"))
_MIDDLE: _Fields = (
    ("publisher", "publisher-place", "DOI", "ISBN", "ISSN", "URL"),
    operator.attrgetter("publisher", "publisher_place", "doi", "isbn", "issn", "url"),
)
_FAMILY = operator.attrgetter("family")


def record_to_csl(record: Record) -> dict[str, Any]:
    """One CSL-JSON item; ``id`` and ``citation-key`` are the citation key.

    As Zotero's schema maps them (``schema.json`` ``csl``): a preprint's ``number`` is
    ``arXiv:ID`` (its ``archiveID``); a published paper's arXiv id stays in ``note`` (as
    Zotero's Extra line does); a book's series number is ``collection-number``
    (``seriesNumber``); Google Scholar's ``journal = {arXiv preprint arXiv:…}`` is a preprint.
    Variables are written in a fixed order (the writer's output is compared byte for byte).
    """
    record = as_preprint(record)
    kind = record.type
    item: dict[str, Any] = {"id": record.key, "citation-key": record.key}
    item["type"] = kind if kind in CSL_TYPES else "document"
    _preprint(record, item)
    language = _language(record)
    recase = not language or is_english(language)
    _titles(record, item, recase)
    _names(record, item)
    if record.issued is not None and (record.issued.year or record.issued.literal):
        item["issued"] = _date(record.issued)
    if record.accessed is not None and (record.accessed.year or record.accessed.literal):
        item["accessed"] = _date(record.accessed)
    _put(item, record, _HEAD)
    _put_one(item, "collection-number" if kind in _SERIES_NUMBER else "number", record.number)
    _put(item, record, _MIDDLE)
    _put_one(item, "language", csl_language(language) if language else "")
    _put_one(item, "abstract", record.abstract)
    note = record.note
    if record.arxiv_id and kind != "article":
        note = "\n".join(filter(None, (_arxiv_line(record), note)))
    _put_one(item, "note", note)
    if record.keywords:
        item["keyword"] = ", ".join(map(_plain, record.keywords))
    _extras(record, item, recase)
    return item


def _titles(record: Record, item: dict[str, Any], recase: bool) -> None:
    """The rich-text variables: the title in sentence case when ``recase`` (an English
    record), and a chapter's book title too; journal, series and event names as written."""
    title, container, collection, event = _RICH(record)
    if title:
        item["title"] = _rich(title, recase)
    if container:
        item["container-title"] = _rich(container, recase and record.type in _BOOK_CONTAINED)
    if collection:
        item["collection-title"] = _rich(collection, False)
    if event:
        item["event-title"] = _rich(event, False)


def _names(record: Record, item: dict[str, Any]) -> None:
    """``author`` and ``editor``. BibTeX's "and others" is no person: styles add "et al."
    by their own rules (:func:`citekit.model.persons`; most lists have none, which one
    C-level scan of the family names tells)."""
    for var, names in (("author", record.author), ("editor", record.editor)):
        if names and "others" in map(_FAMILY, names):
            names = persons(names)
        if names:
            item[var] = list(map(_name, names))


def _language(record: Record) -> str:
    """The record's language, or its BibLaTeX ``langid`` (as written, without braces)."""
    if record.language or not record.extra:
        return record.language
    return (record.extra_get("langid") or "").strip("{} ")


def _put(item: dict[str, Any], record: Record, fields: _Fields) -> None:
    """Plain variables: ``fields`` is ``(CSL variables, getter of their record values)``."""
    variables, values = fields
    for var, value in zip(variables, values(record), strict=True):
        if value and var not in item:
            item[var] = _plain(value)


def _put_one(item: dict[str, Any], var: str, value: str) -> None:
    """``var`` as plain text, unless ``value`` is empty or ``var`` already set."""
    if value and var not in item:
        item[var] = _plain(value)


def _extras(record: Record, item: dict[str, Any], recase: bool) -> None:
    """The variables of fields citekit does not model (:mod:`.csl_extra`), rendered as
    the modelled ones; a variable the record already fills is kept."""
    for var, value in extra_variables(record):
        rendered: Any
        if isinstance(value, Date):
            rendered = _date(value)
        elif isinstance(value, tuple):
            rendered = [_name(n) for n in value]
        elif var in TITLE_VARIABLES:
            rendered = _rich(value, recase)
        else:
            rendered = value if var == "URL" else _plain(value)
        if var == "note" and item.get("note"):
            item["note"] += "\n" + rendered  # biblatex's addendum, printed after the note
        else:
            item.setdefault(var, rendered)


def _preprint(record: Record, item: dict[str, Any]) -> None:
    """arXiv preprints: ``article`` + ``genre: preprint``, publisher arXiv, number the id."""
    if record.type == "article" and record.arxiv_id:
        item["genre"] = record.genre or "preprint"
        item["publisher"] = record.publisher or "arXiv"
        item["number"] = f"arXiv:{record.arxiv_id}"
    elif record.genre:
        item["genre"] = _plain(record.genre)


def _arxiv_line(record: Record) -> str:
    """Zotero's Extra line for the arXiv id (what Zotero's CSL export puts in ``note``)."""
    cls = f" [{record.arxiv_class}]" if record.arxiv_class else ""
    return f"arXiv:{record.arxiv_id}{cls}"


def _rich(text: str, sentence: bool) -> str:
    """CSL rich text: citekit's tex spans as their text, simple math as Unicode (#18);
    ``sentence``: in sentence case with case protection (#15, :mod:`.csl_case`)."""
    if "<" in text:
        text = csl_text(text)
    if sentence:
        text = sentence_case(text)  # before the math becomes text: math is protected whole
    return rich_math(text) if "$" in text else text


def _plain(text: str) -> str:
    """Text without markup; simple math as Unicode, super/subscripts as such characters."""
    if "$" in text:
        text = rich_math(text)
    return flatten(text) if "<" in text else text


def _name(name: Name) -> dict[str, str]:
    if name.literal:
        return {"literal": _plain(name.literal)}
    out = {"family": _plain(name.family)}
    if name.given:
        out["given"] = _plain(name.given)
    if name.particle:
        out["non-dropping-particle"] = name.particle
    if name.suffix:
        out["suffix"] = name.suffix
    return out


def _date(date: Date) -> dict[str, Any]:
    if date.year is None:
        return {"literal": date.literal}
    ranges = [_parts(date)]
    if date.end is not None and date.end.year is not None:
        ranges.append(_parts(date.end))
    out: dict[str, Any] = {"date-parts": ranges}
    if date.season:
        out["season"] = date.season
    if date.circa:
        out["circa"] = True
    return out


def _parts(date: Date) -> list[int]:
    parts = [date.year or 0]
    if date.month:
        parts.append(date.month)
        if date.day:
            parts.append(date.day)
    return parts


def _item_encoder() -> Callable[[dict[str, Any]], str]:
    """``json.JSONEncoder(ensure_ascii=False).encode`` with its C encoder made once: the
    standard ``encode`` makes a new one for every item (a quarter of the encoding time).
    No circular-reference markers: an item is a tree :func:`record_to_csl` has just built."""
    standard = json.JSONEncoder(ensure_ascii=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # an interpreter without the C accelerator
        return standard.encode
    encoder = make(
        None, standard.default, json.encoder.encode_basestring, None, ": ", ", ", False, False, True
    )
    return lambda item: "".join(encoder(item, 0))


_ENCODE = _item_encoder()


def format_csljson(records: Iterable[Record]) -> str:
    """The CSL-JSON array for ``records`` in the order given, one item per line.

    One line per item keeps diffs per record and lets the C JSON encoder do the work:
    ``json.dumps(indent=2)`` falls back to the pure-Python encoder and costs about three
    times as much as mapping the records.
    """
    return "".join(csljson_chunks(records))


def csljson_chunks(records: Iterable[Record], batch: int = 1_000) -> Iterator[str]:
    """:func:`format_csljson`'s text in pieces of ``batch`` items, rendered as they are
    asked for: an export streams them to its file instead of holding the whole text
    (100,000 entries: ~140 MB, and as much again encoded)."""
    lines = csl_lines(records)
    opening = "[\n"
    while group := list(itertools.islice(lines, batch)):
        yield opening + ",\n".join(group)
        opening = ",\n"
    yield "[]\n" if opening == "[\n" else "\n]\n"


def csl_lines(records: Iterable[Record]) -> Iterator[str]:
    """Each record's CSL-JSON item on one line (the array's items, without separators)."""
    return (_ENCODE(record_to_csl(r)) for r in records)

"""``crossref`` and ``xdata`` inheritance, with biber's rules, for every derived format.

The .bib file and the BibLaTeX export keep ``crossref``/``xdata`` as written (biber does the
inheritance when it reads them). Formats that have no such mechanism (CSL-JSON, Zotero,
RIS, formatted references) get each child completed from its parent: :func:`inherit`.

Rules (biblatex manual, appendix B, "Default Crossref Setup"):

* every field the child lacks is taken from the parent, except those in :data:`_NEVER`;
* a parent's ``title`` becomes the child's ``booktitle`` (``@book`` → ``@inbook``,
  ``@collection`` → ``@incollection``, ``@proceedings`` → ``@inproceedings``, …),
  ``maintitle`` when the parent is a multi-volume work (``@mvbook`` …), and
  ``journaltitle`` when it is a ``@periodical``; ``subtitle``/``titleaddon`` follow;
  the parent's ``author`` is also the ``bookauthor`` of an ``@inbook``;
* ``shorttitle``, ``sorttitle``, ``indextitle`` and ``indexsorttitle`` are never
  inherited (they describe the parent itself);
* ``xdata`` entries give every field the child lacks, as they are (no mapping); they nest.

A missing parent, or a cycle, leaves the child as it is (``check`` reports dangling
references). Inheritance is from the parent's own completed record, so chains work.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Sequence

from ..bibtex.fields import record_from_fields
from ..model import Record

__all__ = ["derived", "inherit", "inherit_one"]

#: Fields a child never takes from its parent (biber's defaults plus the references).
_NEVER = frozenset(
    {
        "ids",
        "crossref",
        "xref",
        "xdata",
        "entryset",
        "entrysubtype",
        "execute",
        "label",
        "options",
        "presort",
        "related",
        "relatedoptions",
        "relatedstring",
        "relatedtype",
        "shorthand",
        "shorthandintro",
        "sortkey",
        "shorttitle",
        "sorttitle",
        "indextitle",
        "indexsorttitle",
        "keywords",
        "groups",
    }
)
_IN = {"inbook", "bookinbook", "suppbook", "incollection", "suppcollection", "inreference"}
_IN |= {"inproceedings", "conference"}
_WHOLE = {"book", "collection", "reference", "proceedings"}
_MULTI = {"mvbook", "mvcollection", "mvreference", "mvproceedings"}
_PERIODICAL_CHILD = {"article", "suppperiodical"}
_TITLE_PARTS = frozenset(
    {"subtitle", "titleaddon", "booksubtitle", "journalsubtitle", "booktitleaddon"}
)
_LINK_FIELDS = frozenset({"crossref", "xdata"})
#: The unmodelled fields :func:`derived` acts on: links to parents, and title parts.
_DERIVING = _TITLE_PARTS | _LINK_FIELDS
_EXTRA = operator.attrgetter("extra")
_FIELD_NAME = operator.itemgetter(0)


def derived(records: Sequence[Record]) -> list[Record]:
    """``records`` as formats without BibLaTeX's links and title parts need them: children
    completed (:func:`inherit`), ``subtitle``/``titleaddon`` appended to the title and
    ``booksubtitle``/``journalsubtitle`` to the container, with biblatex's punctuation.

    One pass over the records' unmodelled fields finds the few that need either: a
    library without links (the usual one) is the records with their title parts joined,
    which is what :func:`inherit` then :func:`_titles` make of it (inherit leaves such a
    library as it is, and _titles leaves a record without title parts as it is)."""
    out = list(records)
    for i in itertools.compress(range(len(out)), map(_EXTRA, out)):  # records with extras
        record = out[i]
        if _DERIVING.isdisjoint(map(str.lower, map(_FIELD_NAME, record.extra))):
            continue  # the usual record: nothing to do
        if _refs(record):
            return [_titles(r) for r in inherit(records)]  # children completed first
        out[i] = _titles(record)
    return out


def _titles(record: Record) -> Record:
    if _TITLE_PARTS.isdisjoint(map(str.lower, map(_FIELD_NAME, record.extra))):
        return record
    from ..bibtex.latex import decode

    def part(name: str) -> str:
        raw = record.extra_get(name)
        return decode(raw, protect=True) if raw else ""

    title = _join(_join(record.title, part("subtitle")), part("titleaddon"))
    container = record.container_title
    if container:
        for name in ("booksubtitle", "journalsubtitle", "booktitleaddon"):
            container = _join(container, part(name))
    return record.with_(title=title, container_title=container)


def _join(text: str, more: str) -> str:
    """``text`` and ``more`` as biblatex prints them: a period between, unless ``text``
    already ends with punctuation (``What?`` ``A Study``)."""
    if not more:
        return text
    if not text:
        return more
    return f"{text} {more}" if text.rstrip()[-1:] in ".?!:;" else f"{text}. {more}"


def inherit(records: Sequence[Record]) -> list[Record]:
    """``records`` with every ``crossref``/``xdata`` child completed from its parents."""
    if not any(map(_refs, records)):
        return list(records)  # the usual case: nothing to do
    by_key = {r.key.lower(): r for r in records if r.key}
    done: dict[str, Record] = {}
    return [inherit_one(r, by_key, done) for r in records]


def inherit_one(
    record: Record, by_key: dict[str, Record], done: dict[str, Record] | None = None
) -> Record:
    """``record`` completed from its parents in ``by_key`` (lower-case keys)."""
    return _resolve(record, by_key, {} if done is None else done, ())


def _refs(record: Record) -> bool:
    return not _LINK_FIELDS.isdisjoint(map(str.lower, map(_FIELD_NAME, record.extra)))


def _resolve(
    record: Record, by_key: dict[str, Record], done: dict[str, Record], path: tuple[str, ...]
) -> Record:
    key = record.key.lower()
    if key in done:
        return done[key]
    if not _refs(record) or key in path:
        return record
    from .bibtex import entry_fields

    path = (*path, key)
    _, own = entry_fields(record, "biblatex")
    fields = [(n.lower(), _unwrap(v)) for n, v in own if n.lower() not in ("crossref", "xdata")]
    have = {n for n, _ in fields}
    child_type = (record.entry_type or "misc").lower()
    xdata = record.extra_get("xdata") or ""
    for parent_key in (k.strip().lower() for k in _unwrap(xdata).split(",")):
        parent = by_key.get(parent_key)
        if parent is not None and parent_key not in path:
            for name, value in _fields_of(_resolve(parent, by_key, done, path)):
                if name not in have and name not in _NEVER:
                    fields.append((name, value))
                    have.add(name)
    crossref = _unwrap(record.extra_get("crossref") or "").strip().lower()
    parent = by_key.get(crossref) if crossref else None
    if parent is not None and crossref not in path:
        full = _resolve(parent, by_key, done, path)
        parent_type = (full.entry_type or "misc").lower()
        for name, value in _mapped(_fields_of(full), parent_type, child_type):
            if name not in have and name not in _NEVER:
                fields.append((name, value))
                have.add(name)
    result = record_from_fields(child_type, record.key, fields)
    done[key] = result
    return result


def _fields_of(record: Record) -> list[tuple[str, str]]:
    from .bibtex import entry_fields

    _, fields = entry_fields(record, "biblatex")
    return [(n.lower(), _unwrap(v)) for n, v in fields]


def _mapped(
    fields: list[tuple[str, str]], parent_type: str, child_type: str
) -> list[tuple[str, str]]:
    """The parent's fields under the names the child takes them as (mapped ones first)."""
    prefix = ""
    if child_type in _IN and parent_type in _WHOLE:
        prefix = "book"
    elif child_type in _IN | _WHOLE and parent_type in _MULTI:
        prefix = "main"
    elif child_type in _PERIODICAL_CHILD and parent_type == "periodical":
        prefix = "journal"
    out: list[tuple[str, str]] = []
    for name, value in fields:
        if prefix and name in ("title", "subtitle", "titleaddon"):
            # the parent's title is the child's container, never its own title
            if not (prefix == "journal" and name == "titleaddon"):
                out.append((prefix + name, value))
            continue
        out.append((name, value))
        if name == "author" and child_type in ("inbook", "bookinbook", "suppbook"):
            out.append(("bookauthor", value))
    return [(n, v) for n, v in out if n]


def _unwrap(value: str) -> str:
    """The content of a raw field value: outer braces or quotes removed."""
    text = value.strip()
    if len(text) >= 2 and (text[0], text[-1]) in (("{", "}"), ('"', '"')):
        inner = text[1:-1]
        depth = 0
        for ch in inner:
            depth += {"{": 1, "}": -1}.get(ch, 0)
            if depth < 0:
                return text  # "{a} # {b}": the braces do not wrap the whole value
        return inner
    return text

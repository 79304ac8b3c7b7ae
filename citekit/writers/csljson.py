"""Record → CSL-JSON (the input format of citeproc-js, citeproc-py, pandoc and Zotero).

Output is valid against the official CSL 1.0.2 data schema and deterministic: keys in a
fixed order, records in the order given, one record per line, UTF-8
(``ensure_ascii=False``), LF, a trailing newline. Records already use CSL variable names
and plain Unicode, so this is a cheap mapping per record: nothing here imports, compiles
or decodes per call.

Each item is written straight to its JSON line (:func:`csl_line`): every value is encoded
by the C string encoder of :mod:`json` as it is mapped, and the line is the join of the
``"variable": value`` pieces. That is the text ``json.dumps(item, ensure_ascii=False)``
gives for the item as a dict, without building the dict (and its name dicts) and walking
it again: about half of the writer's time on a large library.
:func:`record_to_csl` (the dict, for citeproc-py) is read back from the line.
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
from .memo import BoundedMemo
from .preprint import as_preprint

__all__ = [
    "csl_line",
    "csl_lines",
    "csljson_array",
    "csljson_chunks",
    "format_csljson",
    "record_to_csl",
]

#: The JSON of a string (``ensure_ascii=False``): the C encoder ``json.dumps`` itself uses.
_STRING: Callable[[str], str] = json.encoder.encode_basestring
#: Variables written in sentence case (English records; see csl_case): the item's title,
#: and the container's for types whose container is a book with a title, not a name.
_BOOK_CONTAINED = frozenset({"chapter"})
_SERIES_NUMBER = frozenset({"book", "chapter"})  # BibTeX number = number in the series
# Variables that styles may case-transform (the nocase markup is kept in these only), and
# the plain ones, read with one attrgetter each.
_RICH = operator.attrgetter("title", "container_title", "collection_title", "event_title")
_FAMILY = operator.attrgetter("family")
_FIELD_NAME = operator.itemgetter(0)
#: An item being written: each variable's ``"variable": value`` JSON text (its key and
#: value, a piece of the line), in the output's order.
_Item = dict[str, str]


class _Keys(dict[str, str]):
    """``"variable": `` for each variable name, made once."""

    def __missing__(self, var: str) -> str:
        self[var] = text = _STRING(var) + ": "
        return text


_KEYS = _Keys()
#: Plain variables: ``((CSL variable, its "variable": text), …)`` and the getter of their
#: record values.
_Fields = tuple[tuple[tuple[str, str], ...], Callable[[Record], tuple[str, ...]]]


def _fields(variables: tuple[str, ...], attributes: tuple[str, ...]) -> _Fields:
    keys = tuple(zip(variables, map(_KEYS.__getitem__, variables), strict=True))
    return keys, operator.attrgetter(*attributes)


_HEAD = _fields(("volume", "issue", "page"), ("volume", "issue", "page"))
_MIDDLE = _fields(
    ("publisher", "publisher-place", "DOI", "ISBN", "ISSN", "URL"),
    ("publisher", "publisher_place", "doi", "isbn", "issn", "url"),
)


def record_to_csl(record: Record) -> dict[str, Any]:
    """One CSL-JSON item; ``id`` and ``citation-key`` are the citation key.

    As Zotero's schema maps them (``schema.json`` ``csl``): a preprint's ``number`` is
    ``arXiv:ID`` (its ``archiveID``); a published paper's arXiv id stays in ``note`` (as
    Zotero's Extra line does); a book's series number is ``collection-number``
    (``seriesNumber``); Google Scholar's ``journal = {arXiv preprint arXiv:…}`` is a preprint.
    """
    item: dict[str, Any] = json.loads(csl_line(record))
    return item


def csl_line(record: Record) -> str:
    """:func:`record_to_csl`'s item as one line of JSON, its variables in a fixed order
    (the writer's output is compared byte for byte)."""
    record = as_preprint(record)
    kind = record.type
    key = _STRING(record.key)
    # the line's opening brace rides on its first piece: one copy of the line less
    item: _Item = {"id": '{"id": ' + key, "citation-key": '"citation-key": ' + key}
    item["type"] = _TYPES[kind]
    _preprint(record, item)
    language = _language(record)
    recase = not language or is_english(language)
    _titles(record, item, recase)
    _names(record, item)
    issued, accessed = record.issued, record.accessed
    if issued is not None and (issued.year or issued.literal):
        item["issued"] = '"issued": ' + _date(issued)
    if accessed is not None and (accessed.year or accessed.literal):
        item["accessed"] = '"accessed": ' + _date(accessed)
    _put(item, record, _HEAD)
    _put_one(item, "collection-number" if kind in _SERIES_NUMBER else "number", record.number)
    _put(item, record, _MIDDLE)
    if language:
        _put_one(item, "language", csl_language(language))
    if record.abstract:
        _put_one(item, "abstract", record.abstract)
    note = record.note
    if record.arxiv_id and kind != "article":
        note = "\n".join(filter(None, (_arxiv_line(record), note)))
    if note:
        item["note"] = ""  # its place: the text is written once the addenda are known
    if record.keywords:
        item["keyword"] = '"keyword": ' + _STRING(", ".join(map(_plain, record.keywords)))
    if record.extra or kind == "thesis" or note:
        _extras(record, item, recase, _plain(note) if note else None)
    return ", ".join(item.values()) + "}"


class _Types(dict[str, str]):
    """``"type": …`` for each record type (``document`` for one CSL does not know)."""

    def __missing__(self, kind: str) -> str:
        self[kind] = text = '"type": ' + _STRING(kind if kind in CSL_TYPES else "document")
        return text


_TYPES = _Types()


def _name_text(name: str) -> str:
    """The JSON of a journal, series or event name (as written: never re-cased)."""
    return _STRING(_rich(name, False))


#: :func:`_name_text` of each name, made once: a library names the same few hundred
#: journals again and again, and the text is a function of the name alone.
_NAME_TEXTS = BoundedMemo(_name_text, 20_000)


def _titles(record: Record, item: _Item, recase: bool) -> None:
    """The rich-text variables: the title in sentence case when ``recase`` (an English
    record), and a chapter's book title too; journal, series and event names as written."""
    title, container, collection, event = _RICH(record)
    if title:
        item["title"] = '"title": ' + _STRING(_rich(title, recase))
    if container:
        if recase and record.type in _BOOK_CONTAINED:
            item["container-title"] = '"container-title": ' + _STRING(_rich(container, True))
        else:
            item["container-title"] = '"container-title": ' + _NAME_TEXTS[container]
    if collection:
        item["collection-title"] = '"collection-title": ' + _NAME_TEXTS[collection]
    if event:
        item["event-title"] = '"event-title": ' + _NAME_TEXTS[event]


def _names(record: Record, item: _Item) -> None:
    """``author`` and ``editor``. BibTeX's "and others" is no person: styles add "et al."
    by their own rules (:func:`citekit.model.persons`; most lists have none, which one
    C-level scan of the family names tells)."""
    names = record.author
    if names and "others" in map(_FAMILY, names):
        names = persons(names)
    if names:
        item["author"] = '"author": ' + _name_list(names)
    names = record.editor
    if names and "others" in map(_FAMILY, names):
        names = persons(names)
    if names:
        item["editor"] = '"editor": ' + _name_list(names)


def _language(record: Record) -> str:
    """The record's language, or its BibLaTeX ``langid`` (as written, without braces)."""
    if record.language or not record.extra:
        return record.language
    if "langid" not in map(str.lower, map(_FIELD_NAME, record.extra)):
        return ""  # a C-level scan: most records with unmodelled fields have no langid
    return (record.extra_get("langid") or "").strip("{} ")


def _put(item: _Item, record: Record, fields: _Fields) -> None:
    """Plain variables: ``fields`` is ``((CSL variable, its key's text), …)`` and the
    getter of their record values; a variable already set is kept."""
    keys, getter = fields
    for (var, key), value in zip(keys, getter(record), strict=True):
        if value and var not in item:
            # _plain inline: most values hold neither markup nor math
            item[var] = key + _STRING(_plain(value) if "$" in value or "<" in value else value)


def _put_one(item: _Item, var: str, value: str) -> None:
    """``var`` as plain text, unless ``value`` is empty or ``var`` already set."""
    if value and var not in item:
        item[var] = _KEYS[var] + _STRING(_plain(value))


def _extras(record: Record, item: _Item, recase: bool, note: str | None) -> None:
    """The variables of fields citekit does not model (:mod:`.csl_extra`), rendered as
    the modelled ones; a variable the record already fills is kept. ``note`` is the
    item's note (None: it has none): biblatex's addendum is printed after it."""
    for var, value in extra_variables(record):
        if var == "note":
            if note is None:
                note = _plain(str(value))
                item["note"] = ""  # its place, among the extras
            elif note:
                note += "\n" + _plain(str(value))
        elif var in item:
            continue
        elif isinstance(value, Date):
            item[var] = _KEYS[var] + _date(value)
        elif isinstance(value, tuple):
            item[var] = _KEYS[var] + _name_list(value)
        elif var in TITLE_VARIABLES:
            item[var] = _KEYS[var] + _STRING(_rich(value, recase))
        else:
            item[var] = _KEYS[var] + _STRING(value if var == "URL" else _plain(value))
    if note is not None:
        item["note"] = '"note": ' + _STRING(note)


def _preprint(record: Record, item: _Item) -> None:
    """arXiv preprints: ``article`` + ``genre: preprint``, publisher arXiv, number the id."""
    if record.type == "article" and record.arxiv_id:
        item["genre"] = '"genre": ' + _STRING(record.genre or "preprint")
        item["publisher"] = '"publisher": ' + _STRING(record.publisher or "arXiv")
        item["number"] = '"number": ' + _STRING(f"arXiv:{record.arxiv_id}")
    elif record.genre:
        item["genre"] = '"genre": ' + _STRING(_plain(record.genre))


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
    return rich_math(text)


def _plain(text: str) -> str:
    """Text without markup; simple math as Unicode, super/subscripts as such characters."""
    text = rich_math(text)
    return flatten(text) if "<" in text else text


def _name_list(names: Iterable[Name]) -> str:
    return "[" + ", ".join(map(_name, names)) + "]"


def _name(name: Name) -> str:
    """A name's JSON object: ``literal``, or ``family``, ``given``, particle and suffix."""
    if name.literal:
        return f'{{"literal": {_STRING(_plain(name.literal))}}}'
    family, given = name.family, name.given
    # the markup test of _plain inline: a library has five names an entry
    family = _STRING(_plain(family) if "$" in family or "<" in family else family)
    if not given:
        text = f'{{"family": {family}'
    else:
        given = _STRING(_plain(given) if "$" in given or "<" in given else given)
        if not name.particle and not name.suffix:
            return f'{{"family": {family}, "given": {given}}}'  # the usual name
        text = f'{{"family": {family}, "given": {given}'
    if name.particle:
        text += f', "non-dropping-particle": {_STRING(name.particle)}'
    if name.suffix:
        text += f', "suffix": {_STRING(name.suffix)}'
    return text + "}"


def _date(date: Date) -> str:
    """A date's JSON object: ``date-parts`` (a range: two), ``season``, ``circa``; or the
    ``literal`` of a date without a year."""
    if date.year is None:
        return '{"literal": ' + _STRING(date.literal) + "}"
    ranges = _parts(date)
    if date.end is not None and date.end.year is not None:
        ranges += ", " + _parts(date.end)
    text = '{"date-parts": [' + ranges + "]"
    if date.season:
        text += f', "season": {date.season}'
    if date.circa:
        text += ', "circa": true'
    return text + "}"


def _parts(date: Date) -> str:
    """``[year, month, day]`` as far as the date goes (its numbers are ints)."""
    if not date.month:
        return f"[{date.year or 0}]"
    if not date.day:
        return f"[{date.year or 0}, {date.month}]"
    return f"[{date.year or 0}, {date.month}, {date.day}]"


def format_csljson(records: Iterable[Record]) -> str:
    """The CSL-JSON array for ``records`` in the order given, one item per line.

    One line per item keeps diffs per record: ``json.dumps(indent=2)`` would also fall
    back to the pure-Python encoder, about three times the cost of mapping the records.
    """
    return "".join(csljson_chunks(records))


def csljson_chunks(records: Iterable[Record], batch: int = 1_000) -> Iterator[str]:
    """:func:`format_csljson`'s text in pieces of ``batch`` items, rendered as they are
    asked for: an export streams them to its file instead of holding the whole text
    (100,000 entries: ~140 MB, and as much again encoded)."""
    lines = csl_lines(records)
    return csljson_array(iter(lambda: ",\n".join(itertools.islice(lines, batch)), ""))


def csljson_array(groups: Iterable[str]) -> Iterator[str]:
    """The CSL-JSON array of ``groups`` of items (each group its item lines joined by
    ``",\n"``; an empty group adds nothing), a chunk per group and a closing one."""
    opening = "[\n"
    for group in groups:
        if group:
            yield opening + group
            opening = ",\n"
        else:
            yield ""
    yield "[]\n" if opening == "[\n" else "\n]\n"


def csl_lines(records: Iterable[Record]) -> Iterator[str]:
    """Each record's CSL-JSON item on one line (the array's items, without separators)."""
    return map(csl_line, records)

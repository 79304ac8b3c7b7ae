"""BibTeX fields citekit does not model (``Record.extra``) → CSL-JSON variables.

A book's ``edition``, a chapter's ``chapter``, a paper's ``pmid`` or a talk's ``venue``
were kept in the .bib only: a style could not print them. The mapping follows
citation-js's BibLaTeX → CSL table (``@citation-js/plugin-bibtex`` 0.8.2,
``lib/mapping/biblatex.js``, MIT), which agrees with biblatex's field meanings and with
pandoc's reader where they overlap; only variables of the CSL 1.0.2 data schema are
written (citation-js's ``part-number`` is not one). A variable the record already fills is
never overwritten, and the first of two fields for one variable wins (``annote`` before
``annotation``). ``addendum`` is appended to ``note``, as biblatex prints it after it;
``pubstate`` keys and a thesis's kind become the English text biblatex prints for them.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..bibtex.dates import parse_date
from ..bibtex.fields import link_target
from ..bibtex.latex import decode
from ..bibtex.names import parse_names
from ..model import Date, Name, Record, persons

__all__ = ["TITLE_VARIABLES", "Value", "extra_variables"]

#: BibTeX/BibLaTeX field → CSL variable holding its text.
_TEXT: dict[str, str] = {
    "edition": "edition",
    "chapter": "chapter-number",
    "annote": "annote",
    "annotation": "annote",
    "pmid": "PMID",
    "pmcid": "PMCID",
    "library": "call-number",
    "shortjournal": "container-title-short",
    "venue": "event-place",
    "origtitle": "original-title",  # in the original's language: never re-cased
    "origpublisher": "original-publisher",
    "origlocation": "original-publisher-place",
    "pagetotal": "number-of-pages",
    "numpages": "number-of-pages",
    "volumes": "number-of-volumes",
    "pubstate": "status",
    "organization": "publisher",  # where the entry has no publisher (Zotero does the same)
    "version": "version",
}
#: Titles: decoded with their case protection, then rendered as the item's own title
#: (in sentence case for an English record, as the title is).
_TITLES: dict[str, str] = {
    "shorttitle": "title-short",
    "issuetitle": "volume-title",
}
#: Fields holding a name list (BibTeX's ``and``-separated names).
_NAMES: dict[str, str] = {"translator": "translator", "bookauthor": "container-author"}
#: Fields holding a date (ISO 8601 / EDTF, as biblatex's ``date``).
_DATES: dict[str, str] = {"eventdate": "event-date", "origdate": "original-date"}
#: biblatex's ``pubstate`` keys and the English text biblatex prints for them (english.lbx).
_PUBSTATE = {
    "inpreparation": "in preparation",
    "submitted": "submitted",
    "forthcoming": "forthcoming",
    "inpress": "in press",
    "prepublished": "pre-published",
}
#: What biblatex prints for a thesis's kind (english.lbx), as CSL's ``genre``.
_THESIS = {"phdthesis": "PhD thesis", "mastersthesis": "Master's thesis"}
_KNOWN = frozenset({*_TEXT, *_TITLES, *_NAMES, *_DATES, "addendum", "howpublished"})


#: Variables rendered as titles (rich text, cased like the item's title).
TITLE_VARIABLES = frozenset(_TITLES.values())
#: A value for the CSL writer to render: text, a date, or names.
Value = str | Date | tuple[Name, ...]


def extra_variables(record: Record) -> Iterator[tuple[str, Value]]:
    """``(CSL variable, value)`` for ``record.extra``, in the file's field order, plus a
    thesis's kind as ``genre``. The CSL-JSON writer renders each value as it renders the
    modelled ones and keeps a variable it already has (``note`` is appended to). A
    ``URL`` is yielded as its address, to be written verbatim."""
    if record.type == "thesis" and record.entry_type in _THESIS:
        yield "genre", _THESIS[record.entry_type]  # APA prints it: "[PhD thesis, MIT]"
    for field, raw in record.extra:
        low = field.lower()
        if low not in _KNOWN:
            continue  # most extras (glottolog's hhtype, JabRef's owner…) have no variable
        if low in _NAMES:
            if names := persons(parse_names(raw)):
                yield _NAMES[low], names
            continue
        text = " ".join(decode(raw, protect=low in _TITLES).split())
        if not text:
            continue
        if low in _TITLES:
            yield _TITLES[low], text
        elif low in _DATES:
            parsed = parse_date(text)
            if parsed is not None and parsed.year:
                yield _DATES[low], parsed
        elif low == "pubstate":
            yield "status", _PUBSTATE.get(text.lower(), text)
        elif low in _TEXT:
            yield _TEXT[low], text
        elif low == "addendum":
            yield "note", text
        elif low == "howpublished":
            # A link is the item's address; other text says how it was published, which
            # citation-js and pandoc both read as the publisher.
            address = link_target(raw)
            yield ("URL", address) if address else ("publisher", text)

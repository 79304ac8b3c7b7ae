"""Record ↔ BibTeX / BibLaTeX entries.

Two flavours:

* **BibTeX** (:func:`format_bibtex`): ASCII; non-ASCII as braced LaTeX commands via
  pylatexenc (``{\\"u}``); characters with no LaTeX command (CJK) stay UTF-8.
* **BibLaTeX** (:func:`format_biblatex`): UTF-8, ``date``, ``journaltitle``, ``location``,
  ``eprinttype``/``eprintclass``; no ``groups`` (not in biblatex's data model).

Both escape ``& % $ # _ { } ~ ^ \\`` in text fields, so text from outside cannot become a TeX
command; ``url``, ``doi`` and ``eprint`` are verbatim. Title-like fields (title, journal,
booktitle, series, eventtitle) brace each word that carries case beyond its first letter
(``{GPT}-3``) and every ``<span class="nocase">`` (``{Bayesian}``), never the whole title.
Names are ``von Last, Jr., First`` joined by ``and``, all of them; organisations are braced
(``{OpenAI}``). Field order is fixed (:data:`FIELD_ORDER`), values are ``{…}``, lines end LF.

Field mapping (BibTeX name ↔ Record attribute), used in both directions:

====================================================  ===================================
``author``, ``editor``                                ``author``, ``editor`` (``Name``)
``title``                                             ``title``
``journal`` / ``journaltitle`` / ``booktitle``        ``container_title``
``series``                                            ``collection_title``
``eventtitle``                                        ``event_title``
``year`` + ``month`` (BibTeX), ``date`` (BibLaTeX)    ``issued``
``urldate``                                           ``accessed``
``volume``, ``pages`` (``--``)                        ``volume``, ``page`` (``-``)
``number``                                            ``issue`` for articles, else ``number``
``publisher`` / ``institution`` / ``school``          ``publisher`` (institution: reports,
                                                      school: theses)
``address`` / ``location``                            ``publisher_place``
``type``                                              ``genre``
``entrysubtype = {blog}`` / ``{webpage}`` on ``@misc``   ``type = "post-weblog"`` / ``"webpage"``
``doi``, ``url``, ``isbn``, ``issn``                  same names
``eprint`` + ``archiveprefix``/``eprinttype`` arXiv   ``arxiv_id`` + ``arxiv_version``
``primaryclass`` / ``eprintclass``                    ``arxiv_class``
``howpublished = {\\url{…}}`` (read; ``export bibtex``)  ``url``, and the type ``webpage``
``language``, ``abstract``, ``note``                  same names
``keywords`` (``,``-separated)                        ``keywords``
``groups`` (``, ``-separated, ``/`` nests)            ``collections`` (JabRef / Better BibTeX)
anything else                                         ``extra``: ``(name, content)``, the
                                                      LaTeX between the braces, unchanged
====================================================  ===================================

An arXiv preprint's ``publisher = "arXiv"``, ``number = <id>`` and ``genre = "preprint"``
(how the arXiv source fills them) are implied by ``eprint``: not written, restored on
reading. biblatex's ``@online`` has no container or publisher: the site is written as
``organization`` and read back as ``container_title``.

Types: arXiv preprint (CSL ``article``) → ``@misc`` with ``eprint``, ``archiveprefix``,
``primaryclass`` / ``@online`` with ``eprinttype = {arxiv}``; ``article-journal`` →
``@article``; ``paper-conference`` → ``@inproceedings``; ``report`` → ``@techreport`` /
``@report``; ``webpage``/``post-weblog`` → ``@misc`` with ``url`` and ``entrysubtype`` /
``@online``. A web page's address is written once (#15 item 2): ``url`` in the library,
which pandoc, natbib's styles, JabRef and Zotero print or read; ``export bibtex`` trades it
for ``howpublished = {\\url{…}}``, the one field plain.bst prints. A record read from a
file keeps its entry type (``@conference``, ``@manual``) when that type still means the
record's CSL type. A stub (only ``eprint``/``doi``/``url`` +
``groups``) reads as a Record whose ``is_stub`` is true.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Literal

from ..bibtex.fields import csl_type, record_from_fields
from ..bibtex.latex import encode
from ..bibtex.names import format_names
from ..model import Date, Record
from .chunks import joined

__all__ = [
    "FIELD_ORDER",
    "biblatex_chunks",
    "bibtex_for_styles_chunks",
    "entry_fields",
    "entry_type_for",
    "format_biblatex",
    "format_bibtex",
    "format_bibtex_for_styles",
    "format_entry",
    "record_from_fields",
]

Flavour = Literal["bibtex", "biblatex"]

#: The order fields are written in; extras follow in their own order.
FIELD_ORDER = (
    "author",
    "editor",
    "title",
    "journal",
    "journaltitle",
    "booktitle",
    "series",
    "eventtitle",
    "organization",
    "year",
    "month",
    "date",
    "volume",
    "number",
    "pages",
    "publisher",
    "institution",
    "school",
    "address",
    "location",
    "edition",
    "isbn",
    "issn",
    "doi",
    "eprint",
    "archiveprefix",
    "primaryclass",
    "eprinttype",
    "eprintclass",
    "url",
    "urldate",
    "howpublished",
    "type",
    "entrysubtype",
    "language",
    "keywords",
    "abstract",
    "note",
    "groups",
)

_BIBTEX_TYPES = {
    "article": "misc",
    "article-journal": "article",
    "paper-conference": "inproceedings",
    "chapter": "incollection",
    "book": "book",
    "report": "techreport",
    "thesis": "phdthesis",
    "manuscript": "unpublished",
    "entry-encyclopedia": "incollection",
    "pamphlet": "booklet",
}
_BIBLATEX_TYPES = {
    "article": "online",
    "article-journal": "article",
    "paper-conference": "inproceedings",
    "chapter": "incollection",
    "book": "book",
    "report": "report",
    "thesis": "thesis",
    "webpage": "online",
    "post-weblog": "online",
    "software": "software",
    "dataset": "dataset",
    "manuscript": "unpublished",
    "patent": "patent",
    "entry-encyclopedia": "inreference",
    "pamphlet": "booklet",
    "periodical": "periodical",
    "standard": "standard",
    "legislation": "legislation",
    "motion_picture": "movie",
    "song": "audio",
    "graphic": "artwork",
    "figure": "image",
    "personal_communication": "letter",
    "performance": "performance",
    "review": "review",
    "musical_score": "music",
    "legal_case": "jurisdiction",
    "treaty": "legal",
}
# Kept as read in BibLaTeX output: every type of biblatex's data model (blx-dm.def) but
# ``misc``, so that a ``@misc`` preprint becomes ``@online``.
_BIBLATEX_NATIVE = frozenset(
    re.findall(
        r"\w+",
        """article artwork audio bibnote book bookinbook booklet collection commentary customa
        customb customc customd custome customf dataset image inbook incollection inproceedings
        inreference jurisdiction legal legislation letter manual movie music mvbook mvcollection
        mvproceedings mvreference online patent performance periodical proceedings reference
        report review set software standard suppbook suppcollection suppperiodical thesis
        unpublished video xdata""",
    )
)
#: BibTeX's own types (plain.bst); kept as read in BibTeX output.
_BIBTEX_NATIVE = frozenset(
    re.findall(
        r"\w+",
        """article book booklet conference inbook incollection inproceedings manual mastersthesis
        misc phdthesis proceedings techreport unpublished""",
    )
)
#: biblatex-only types → the closest BibTeX type (biblatex's manual, §2.1: the
#: correspondences of its BibTeX aliases, and the parent type of each "mv"/"supp" type).
_BIBTEX_FOR_BIBLATEX = {
    "mvbook": "book", "bookinbook": "inbook", "suppbook": "inbook", "collection": "book",
    "mvcollection": "book", "suppcollection": "incollection", "reference": "book",
    "mvreference": "book", "inreference": "incollection", "mvproceedings": "proceedings",
    "periodical": "misc", "suppperiodical": "article", "report": "techreport",
    "online": "misc", "thesis": "phdthesis",
}  # fmt: skip
#: biblatex requires ``type`` for these; the value is biblatex's key for the default.
_BIBLATEX_MANDATORY_TYPE = {"report": "techreport", "thesis": "phdthesis"}
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_WIDTH = 13  # len("archiveprefix"): values line up without depending on the entry


def format_bibtex(records: Sequence[Record], preamble: str = "") -> str:
    """The records as ASCII BibTeX (non-ASCII as LaTeX commands), one blank line apart,
    after the library's ``@preamble`` blocks (the commands its entries use)."""
    entries = "\n".join(format_entry(*entry_fields(r, "bibtex"), key=r.key) for r in records)
    return preamble + "\n" + entries if preamble else entries


def format_bibtex_for_styles(records: Sequence[Record], preamble: str = "") -> str:
    """``export bibtex``: :func:`format_bibtex` tuned for what classic styles print.

    plain, plainnat and IEEEtran know no ``eprint``, so an arXiv preprint that is a
    ``@misc`` also gets ``howpublished = {arXiv preprint arXiv:ID}`` (what Google Scholar
    and DBLP export; ``eprint``/``archiveprefix``/``primaryclass`` stay for natbib and
    biblatex users). A web page's ``url`` becomes ``howpublished = {\\url{…}}``: plain
    prints only that field, plainnat and IEEEtran print both, so one field prints the
    address exactly once everywhere (#15 items 2 and 3).
    The library itself keeps :func:`format_bibtex`: reading it back gives the same record.
    The library's ``@preamble`` blocks come first (the commands its entries use).
    """
    return "".join(bibtex_for_styles_chunks(records, preamble))


def bibtex_for_styles_chunks(records: Iterable[Record], preamble: str = "") -> Iterator[str]:
    """:func:`format_bibtex_for_styles` in pieces, rendered as they are asked for."""
    return _document((format_entry(*_for_styles(r), key=r.key) for r in records), preamble)


def _document(entries: Iterable[str], preamble: str) -> Iterator[str]:
    """The ``@preamble`` blocks, then the entries one blank line apart, in pieces."""
    if preamble:
        yield preamble + "\n"
    yield from joined(entries, "\n")


def _for_styles(record: Record) -> tuple[str, list[tuple[str, str]]]:
    etype, fields = entry_fields(record, "bibtex")
    if etype == "misc" and _is_web(record):
        address = "{\\url{" + _verbatim(record.url) + "}}"
        fields = [("howpublished", address) if n == "url" else (n, v) for n, v in fields]
    elif etype == "misc" and record.arxiv_id:
        note = "{arXiv preprint arXiv:" + _verbatim(record.arxiv_id) + "}"
        at = next((i for i, (n, _) in enumerate(fields) if n == "eprint"), len(fields))
        fields = [*fields[:at], ("howpublished", note), *fields[at:]]
    return etype, fields


def format_biblatex(records: Sequence[Record], preamble: str = "") -> str:
    """The records as UTF-8 BibLaTeX (``date``, ``eprinttype``, ``journaltitle``), after the
    library's ``@preamble`` blocks."""
    return "".join(biblatex_chunks(records, preamble))


def biblatex_chunks(records: Iterable[Record], preamble: str = "") -> Iterator[str]:
    """:func:`format_biblatex` in pieces, rendered as they are asked for."""
    return _document(
        (format_entry(*entry_fields(r, "biblatex"), key=r.key) for r in records), preamble
    )


def format_entry(entry_type: str, fields: Sequence[tuple[str, str]], *, key: str) -> str:
    """One entry; ``fields`` hold complete values (``{…}`` or a month macro)."""
    lines = [f"@{entry_type}{{{key},"]
    lines += [f"  {name:<{_WIDTH}} = {value}," for name, value in fields]
    lines.append("}")
    return "\n".join(lines) + "\n"


def entry_type_for(record: Record, flavour: Flavour) -> str:
    """The entry type to write: the one read from the file if it still fits, else mapped."""
    table = _BIBTEX_TYPES if flavour == "bibtex" else _BIBLATEX_TYPES
    kept = record.entry_type.lower()
    journal = bool(record.container_title)
    fits = kept and csl_type(kept, bool(record.arxiv_id), _is_web(record), journal) == record.type
    if fits and flavour == "biblatex" and kept in _BIBLATEX_NATIVE:
        return kept  # @inbook, @xdata, @set, @video… stay what they are (#18)
    if fits and flavour == "bibtex":
        if kept in _BIBTEX_NATIVE or kept not in _BIBLATEX_NATIVE:
            return kept  # BibTeX's own types, and custom ones the user's style may know
        if kept == "thesis" and "master" in record.genre.lower().replace("mathesis", "master"):
            return "mastersthesis"
        return _BIBTEX_FOR_BIBLATEX.get(kept, "misc")
    if record.type in ("webpage", "post-weblog") and flavour == "bibtex":
        return "misc"
    return table.get(record.type, "misc")


def _is_web(record: Record) -> bool:
    return record.type in ("webpage", "post-weblog") and bool(record.url)


def entry_fields(record: Record, flavour: Flavour) -> tuple[str, list[tuple[str, str]]]:
    """``(entry type, [(field, value)])`` for ``record``, in :data:`FIELD_ORDER`."""
    etype = entry_type_for(record, flavour)
    ascii_only = flavour == "bibtex"
    out: dict[str, str] = {}

    def put(name: str, text: str, *, protect: bool = False) -> None:
        if text:
            out[name] = "{" + encode(text, ascii_only=ascii_only, protect=protect) + "}"

    def verbatim(name: str, text: str) -> None:
        if text:
            out[name] = "{" + _verbatim(text) + "}"

    if record.author:
        out["author"] = "{" + format_names(record.author, ascii_only=ascii_only) + "}"
    if record.editor:
        out["editor"] = "{" + format_names(record.editor, ascii_only=ascii_only) + "}"
    put("title", record.title, protect=True)
    record = _without_implied(record)
    put(_container_field(etype, flavour), record.container_title, protect=True)
    put("series", record.collection_title, protect=True)
    put("eventtitle", record.event_title, protect=True)
    _put_dates(out, record, flavour)
    put("volume", record.volume)
    put("number", record.issue if record.type == "article-journal" else record.number)
    if record.page:
        pieces = re.split(r"\s*[-–—]+\s*", record.page)
        out["pages"] = "{" + "--".join(encode(p, ascii_only=ascii_only) for p in pieces) + "}"
    put(_publisher_field(record.type, flavour, etype), record.publisher)
    put("address" if flavour == "bibtex" else "location", record.publisher_place)
    verbatim("isbn", record.isbn)
    verbatim("issn", record.issn)
    verbatim("doi", record.doi)
    _put_arxiv(out, record, flavour)
    verbatim("url", record.url)
    if record.accessed:
        out["urldate"] = "{" + record.accessed.iso() + "}"
    if record.type == "post-weblog":
        out["entrysubtype"] = "{blog}"
    elif flavour == "bibtex" and etype == "misc" and _is_web(record):
        out["entrysubtype"] = "{webpage}"  # the type, without a second copy of the address
    put("type", record.genre or (_mandatory_type(record, etype) if flavour == "biblatex" else ""))
    put("language", record.language)
    put("keywords", ", ".join(record.keywords))
    put("abstract", record.abstract)
    put("note", record.note)
    if flavour == "bibtex" and record.collections:
        out["groups"] = "{" + _verbatim(", ".join(record.collections)) + "}"
    if flavour == "biblatex" and etype == "online":
        _fit_online(out)
    fields = [(n, out[n]) for n in FIELD_ORDER if n in out]
    taken = set(out)
    for name, value in record.extra:
        if name.lower() not in taken:
            fields.append((name, "{" + _balanced(value, ascii_only) + "}"))
    return etype, fields


def _mandatory_type(record: Record, etype: str) -> str:
    if record.entry_type == "mastersthesis":
        return "mathesis"
    return _BIBLATEX_MANDATORY_TYPE.get(etype, "")


def _without_implied(record: Record) -> Record:
    """An arXiv preprint without the fields its ``eprint`` implies (restored on reading)."""
    if record.type != "article" or not record.arxiv_id:
        return record
    return record.with_(
        publisher="" if record.publisher == "arXiv" else record.publisher,
        number="" if record.number == record.arxiv_id else record.number,
        genre="" if record.genre == "preprint" else record.genre,
    )


def _fit_online(out: dict[str, str]) -> None:
    """biblatex's ``@online`` has no container, publisher or number: the site goes to
    ``organization`` (biber --validate-datamodel would warn about the others)."""
    site = out.pop("journal", "") or out.pop("journaltitle", "") or out.pop("booktitle", "")
    publisher = out.pop("publisher", "")
    if site or publisher:
        out["organization"] = site or publisher
    for name in ("number", "type", "location", "volume", "pages", "isbn", "issn", "series"):
        out.pop(name, None)


def _container_field(etype: str, flavour: Flavour) -> str:
    if etype == "article":
        return "journal" if flavour == "bibtex" else "journaltitle"
    if etype in ("misc", "online", "www", "electronic", "unpublished"):
        return "journal"  # a web site or blog; biblatex's @online moves it to organization
    return "booktitle"


def _publisher_field(ctype: str, flavour: Flavour, etype: str = "") -> str:
    if etype == "manual":
        return "organization"  # @manual has no institution, in BibTeX or biblatex
    if ctype == "report":
        return "institution"
    if ctype == "thesis":
        return "school" if flavour == "bibtex" else "institution"
    return "publisher"


def _put_dates(out: dict[str, str], record: Record, flavour: Flavour) -> None:
    issued: Date | None = record.issued
    if issued is None:
        return
    if issued.year is None:
        if issued.literal:
            out["year"] = "{" + encode(issued.literal, ascii_only=flavour == "bibtex") + "}"
        return
    if flavour == "biblatex":
        out["date"] = "{" + issued.iso() + "}"
        return
    out["year"] = "{" + f"{issued.year:04d}" + "}"
    if issued.month:
        out["month"] = _MONTHS[issued.month - 1]
    if issued.day or issued.end is not None or issued.season or issued.circa:
        # what year and month cannot say (a day, a range, a season, circa): BibTeX styles
        # ignore the field, biber and citekit read it
        out["date"] = "{" + issued.iso() + "}"


def _put_arxiv(out: dict[str, str], record: Record, flavour: Flavour) -> None:
    if not record.arxiv_id:
        return
    out["eprint"] = "{" + _verbatim(record.arxiv_id + record.arxiv_version) + "}"
    if flavour == "bibtex":
        out["archiveprefix"] = "{arXiv}"
        if record.arxiv_class:
            out["primaryclass"] = "{" + _verbatim(record.arxiv_class) + "}"
    else:
        out["eprinttype"] = "{arxiv}"
        if record.arxiv_class:
            out["eprintclass"] = "{" + _verbatim(record.arxiv_class) + "}"


def _verbatim(text: str) -> str:
    """Identifiers as they are; only characters that would break the entry are %-encoded."""
    return text.strip().replace("{", "%7B").replace("}", "%7D").replace("\\", "%5C")


def _balanced(value: str, ascii_only: bool) -> str:
    """A raw extra value as it was, unless its braces would break the entry."""
    depth = 0
    for ch in value:
        depth += 1 if ch == "{" else -1 if ch == "}" else 0
        if depth < 0:
            break
    if depth == 0:
        return value
    return encode(value, ascii_only=ascii_only)

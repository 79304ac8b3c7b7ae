"""Raw BibTeX/BibLaTeX fields → :class:`~citekit.model.Record` (pure; see ``writers.bibtex``).

The values given here are field *contents*: LaTeX as written between the outer braces or
quotes, with ``@string`` macros already expanded. Fields citekit does not model go to
``Record.extra`` unchanged, in their original order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from ..model import Date, Record
from .dates import month_day, parse_date
from .latex import collapse, decode, preamble_key
from .names import parse_names

__all__ = ["TYPE_TO_CSL", "csl_type", "link_target", "parse_date", "record_from_fields"]

#: BibTeX / BibLaTeX entry type → CSL type (``misc``/``online`` are refined by content).
TYPE_TO_CSL = {
    "article": "article-journal",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "incollection": "chapter",
    "inbook": "chapter",
    "book": "book",
    "mvbook": "book",
    "collection": "book",
    "proceedings": "book",
    "techreport": "report",
    "report": "report",
    "manual": "report",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "software": "software",
    "dataset": "dataset",
    "unpublished": "manuscript",
    "patent": "patent",
    "inreference": "entry-encyclopedia",
    "online": "webpage",
    "www": "webpage",
    "electronic": "webpage",
    # biblatex's other types: the closest CSL 1.0.2 type (citation-js's mapping, except
    # booklet, which CSL has a type for)
    "bookinbook": "book",
    "suppbook": "chapter",
    "booklet": "pamphlet",
    "mvcollection": "book",
    "suppcollection": "chapter",
    "mvproceedings": "book",
    "reference": "book",
    "mvreference": "book",
    "periodical": "periodical",
    "suppperiodical": "article-journal",
    "artwork": "graphic",
    "audio": "song",
    "image": "figure",
    "jurisdiction": "legal_case",
    "legislation": "legislation",
    "legal": "treaty",
    "letter": "personal_communication",
    "movie": "motion_picture",
    "video": "motion_picture",
    "music": "musical_score",
    "performance": "performance",
    "review": "review",
    "standard": "standard",
}

_ARXIV_ID = re.compile(r"^(?:arXiv:)?(\d{4}\.\d{4,5}|[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7})(v\d+)?$")
_URL_CMD = re.compile(r"^\s*\\url\s*\{([^{}]*)\}\s*$")
# ``\href{URL}{text}``: the address is the first argument, whatever the text shows.
_HREF_CMD = re.compile(r"^\s*\\href\s*\{([^{}]*)\}\s*\{")
_BARE_URL = re.compile(r"^\s*((?:https?://|mailto:)\S+)\s*$")
_URL_ESCAPE = re.compile(r"\\([#%&_~$])")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_THESIS_KINDS = {"mathesis": "mastersthesis", "phdthesis": "phdthesis"}
_DEFAULT_GENRE = {"report": "techreport", "thesis": "phdthesis"}
_PAGE_DASH = re.compile(r"\s*[-–—]+\s*")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r]*\n")  # a CR too: a file that mixes line ends keeps them


def record_from_fields(entry_type: str, key: str, fields: Sequence[tuple[str, str]]) -> Record:
    """A Record from an entry's type, key and raw ``(name, LaTeX content)`` fields.

    The record takes each field it models out of ``values`` (the first of a repeated
    name): what is left are the fields it does not model, its ``extra``.
    """
    values, plain = _by_name(fields)
    pop = values.pop
    etype = entry_type.lower()
    arxiv_id, arxiv_version, arxiv_class = _arxiv(values)
    url = pop("url", "").strip()
    how_url = _URL_CMD.match(values["howpublished"]) if "howpublished" in values else None
    if how_url and (not url or url == how_url.group(1).strip()):
        del values["howpublished"]
        url = url or how_url.group(1).strip()
    issued, accessed = _dates(values)
    journal = "journal" in values or "journaltitle" in values
    subtype = collapse(values["entrysubtype"]).lower() if "entrysubtype" in values else ""
    # citekit marks a web page's type with biblatex's universal field, and writes its
    # address once, in ``url`` (#15 item 2); ``howpublished = {\url{…}}`` is Zotero's
    # and older citekit's way, and what ``export bibtex`` writes for plain.bst.
    web = bool(how_url) or (bool(url) and subtype in ("webpage", "blog"))
    ctype = csl_type(etype, bool(arxiv_id), web, journal)
    if ctype == "webpage" and subtype in ("webpage", "blog"):
        del values["entrysubtype"]
        if subtype == "blog":
            ctype = "post-weblog"
    container_names: tuple[str, ...] = ("booktitle", "journal", "journaltitle")
    if ctype == "article-journal":
        container_names = ("journal", "journaltitle", "booktitle")
    elif ctype in ("webpage", "post-weblog"):
        container_names = ("journal", "journaltitle", "booktitle", "organization")
    number = _decoded(pop("number", ""))
    genre = _decoded(pop("type", ""))
    if etype == "thesis" and genre in _THESIS_KINDS:
        etype, genre = _THESIS_KINDS[genre], ""  # @thesis + type={mathesis} = @mastersthesis
    elif genre == _DEFAULT_GENRE.get(ctype):
        genre = ""  # biblatex's mandatory key for the default kind ("techreport")
    publisher = _decoded(_take(values, _publisher_fields(ctype)))
    if ctype == "article" and arxiv_id:  # what the eprint implies, as the arXiv source has it
        publisher, number, genre = publisher or "arXiv", number or arxiv_id, genre or "preprint"
    return Record(
        key=key,
        type=ctype,
        entry_type=etype,
        author=parse_names(pop("author", "")),
        editor=parse_names(pop("editor", "")),
        title=_decoded(pop("title", ""), protect=True),
        container_title=_decoded(_take(values, container_names), protect=True),
        collection_title=_decoded(pop("series", ""), protect=True),
        event_title=_decoded(pop("eventtitle", ""), protect=True),
        volume=_decoded(pop("volume", "")),
        page=_pages(_decoded(pop("pages", ""))),
        publisher=publisher,
        publisher_place=_decoded(_take(values, ("address", "location"))),
        genre=genre,
        doi=_doi(pop("doi", "").strip()),
        url=url,
        isbn=_decoded(pop("isbn", "")),
        issn=_decoded(pop("issn", "")),
        arxiv_id=arxiv_id,
        arxiv_version=arxiv_version,
        arxiv_class=arxiv_class,
        issued=issued,
        accessed=accessed,
        language=_decoded(pop("language", "")),
        abstract=_paragraphs(pop("abstract", "")),
        note=_decoded(pop("note", "")),
        keywords=_split_list(_decoded(pop("keywords", ""))),
        collections=_split_list(pop("groups", "")),
        issue=number if ctype == "article-journal" else "",
        number="" if ctype == "article-journal" else number,
        extra=tuple(values.items()) if plain else _extra(fields, values),  # last: after every pop
    )


def _by_name(fields: Sequence[tuple[str, str]]) -> tuple[dict[str, str], bool]:
    """The value of each field by lower-case name (the first of a repeated name), and
    whether the dict's items are ``fields`` themselves.

    They are when every name is lower-case and none repeats (the usual entry): the dict
    is then built in C, and what the record leaves of it is its ``extra`` as written, in
    file order. (A string equals its lower-case form exactly when each of its characters
    does, so the names are tested joined.)
    """
    values = dict(fields)
    if len(values) == len(fields):
        names = "\0".join(values)
        if names == names.lower():
            return values, True
    values = {}
    for name, value in fields:
        values.setdefault(name.lower(), value)
    return values, False


def _take(values: dict[str, str], names: tuple[str, ...]) -> str:
    """The first of the fields ``names`` in ``values``, taken out of it ("" if none is)."""
    for name in names:
        if name in values:
            return values.pop(name)
    return ""


def _decoded(raw: str, protect: bool = False) -> str:
    """:func:`decode` of a field's content ("" for an absent or empty field)."""
    return decode(raw, protect=protect) if raw else ""


def _pages(text: str) -> str:
    return _PAGE_DASH.sub("-", text) if text else ""


def _doi(text: str) -> str:
    return _DOI_PREFIX.sub("", text) if text else ""


def _extra(fields: Sequence[tuple[str, str]], left: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """Fields the record does not model (the first of each name still in ``left``, and
    every repeat: a repeated field is never merged), as written, in file order."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name, value in fields:
        low = name.lower()
        if low in seen or low in left:
            out.append((name, value))
        seen.add(low)
    return tuple(out)


def link_target(raw: str) -> str:
    """The address a raw field value links to: ``\\url{U}``, ``\\href{U}{…}`` or a bare
    ``http(s)://`` address; "" for anything else. (Decoding ``\\href``'s shown text would
    give ``…/discretionary126gaehler/…`` for a typeset ``~gaehler``.)"""
    match = _URL_CMD.match(raw) or _HREF_CMD.match(raw) or _BARE_URL.match(raw)
    return _URL_ESCAPE.sub(r"\1", match.group(1).strip()) if match else ""


def csl_type(entry_type: str, arxiv: bool, web: bool, journal: bool) -> str:
    """The CSL type of a BibTeX entry type, refined for arXiv preprints and web pages."""
    if entry_type in ("misc", "online", "www", "electronic", "unpublished") and arxiv:
        return "article"
    if entry_type == "article" and arxiv and not journal:
        return "article"
    if entry_type == "misc":
        return "webpage" if web else "document"
    return TYPE_TO_CSL.get(entry_type, "document")


def _publisher_fields(ctype: str) -> tuple[str, ...]:
    if ctype == "thesis":
        return ("school", "institution", "publisher")
    if ctype == "report":
        return ("institution", "publisher", "organization")
    return ("publisher", "institution", "school")


def _arxiv(values: dict[str, str]) -> tuple[str, str, str]:
    """The arXiv id, version and class of an arXiv ``eprint``, taking the fields that say
    so out of ``values``; empty for no eprint or another archive's."""
    if "eprint" not in values:
        return "", "", ""
    eprint = collapse(values["eprint"])
    prefix = collapse(values.get("archiveprefix", "") or values.get("eprinttype", "")).lower()
    match = _ARXIV_ID.match(eprint)
    if not match or prefix not in ("arxiv", ""):
        return "", "", ""
    del values["eprint"]
    values.pop("archiveprefix", None)
    values.pop("eprinttype", None)
    arxiv_class = ""
    for name in ("primaryclass", "eprintclass"):
        if name in values and not arxiv_class:
            arxiv_class = collapse(values.pop(name))
    return match.group(1), match.group(2) or "", arxiv_class


def _dates(values: dict[str, str]) -> tuple[Date | None, Date | None]:
    """The issued and accessed dates, taking the fields read for them out of ``values``."""
    issued = None
    if "date" in values and (parsed := parse_date(values["date"])) is not None:
        del values["date"]
        issued = parsed
        # BibTeX output carries year and month beside a day-precise date: they agree.
        if "year" in values and collapse(values["year"]) == str(parsed.year):
            del values["year"]
            if "month" in values and month_day(values["month"])[0] == parsed.month:
                del values["month"]
    elif "year" in values:
        issued = _year_month(values.pop("year"), values.get("month", ""), preamble_key())
        if "month" in values and (issued.month or not collapse(values["month"])):
            del values["month"]
    accessed = None
    if "urldate" in values and (parsed := parse_date(values["urldate"])) is not None:
        del values["urldate"]
        accessed = parsed
    return issued, accessed


@lru_cache(maxsize=4096)
def _year_month(year: str, month: str, macros: object) -> Date:
    """The date of ``year`` and ``month`` fields (``macros``: the ``@preamble`` in force,
    which decoding depends on). Cached: a file has a few hundred year-month pairs, and a
    Date is immutable, so records may share one."""
    text = decode(year)
    month_number, day = month_day(month) if month else (None, None)
    if text.isdigit() and len(text) <= 4:
        return Date(year=int(text), month=month_number, day=day if month_number else None)
    return Date(literal=text)


def _split_list(value: str) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(p.strip() for p in value.split(",") if p.strip())


def _paragraphs(value: str) -> str:
    """Abstracts keep their paragraph breaks; everything else is collapsed."""
    if not value:
        return ""
    paragraphs = _PARAGRAPH_BREAK.split(value.strip())
    return "\n\n".join(decode(p) for p in paragraphs if p.strip())

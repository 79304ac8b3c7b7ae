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
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_TITLE_FIELDS = {"title", "journal", "journaltitle", "booktitle", "series", "eventtitle"}


def record_from_fields(entry_type: str, key: str, fields: Sequence[tuple[str, str]]) -> Record:
    """A Record from an entry's type, key and raw ``(name, LaTeX content)`` fields."""
    values: dict[str, str] = {}
    extra: list[tuple[str, str]] = []
    for name, value in fields:
        low = name.lower()
        if low in values:
            extra.append((name, value))  # a repeated field is kept, not merged
        else:
            values[low] = value
    etype = entry_type.lower()
    used: set[str] = set()

    def take(*names: str) -> str:
        for n in names:
            if n in values and n not in used:
                used.add(n)
                return values[n]
        return ""

    def text(*names: str) -> str:
        for n in names:  # take(*names), decoded
            if n in values and n not in used:
                used.add(n)
                raw = values[n]
                return decode(raw, protect=names[0] in _TITLE_FIELDS) if raw else ""
        return ""

    arxiv_id, arxiv_version, arxiv_class = _arxiv(values, used)
    url = take("url").strip()
    how = values.get("howpublished", "")
    how_url = _URL_CMD.match(how)
    if how_url and (not url or url == how_url.group(1).strip()):
        used.add("howpublished")
        url = url or how_url.group(1).strip()
    issued, accessed = _dates(values, used)
    journal = "journal" in values or "journaltitle" in values
    subtype = collapse(values.get("entrysubtype", "")).lower()
    # citekit marks a web page's type with biblatex's universal field, and writes its
    # address once, in ``url`` (#15 item 2); ``howpublished = {\url{…}}`` is Zotero's
    # and older citekit's way, and what ``export bibtex`` writes for plain.bst.
    web = bool(how_url) or (bool(url) and subtype in ("webpage", "blog"))
    ctype = csl_type(etype, bool(arxiv_id), web, journal)
    if ctype == "webpage" and subtype in ("webpage", "blog"):
        used.add("entrysubtype")
        if subtype == "blog":
            ctype = "post-weblog"
    container_names: tuple[str, ...] = ("booktitle", "journal", "journaltitle")
    if ctype == "article-journal":
        container_names = ("journal", "journaltitle", "booktitle")
    elif ctype in ("webpage", "post-weblog"):
        container_names = ("journal", "journaltitle", "booktitle", "organization")
    number = text("number")
    genre = text("type")
    if etype == "thesis" and genre in _THESIS_KINDS:
        etype, genre = _THESIS_KINDS[genre], ""  # @thesis + type={mathesis} = @mastersthesis
    elif genre == _DEFAULT_GENRE.get(ctype):
        genre = ""  # biblatex's mandatory key for the default kind ("techreport")
    publisher = text(*_publisher_fields(ctype))
    if ctype == "article" and arxiv_id:  # what the eprint implies, as the arXiv source has it
        publisher, number, genre = publisher or "arXiv", number or arxiv_id, genre or "preprint"
    return Record(
        key=key,
        type=ctype,
        entry_type=etype,
        author=parse_names(take("author")),
        editor=parse_names(take("editor")),
        title=text("title"),
        container_title=text(*container_names),
        collection_title=text("series"),
        event_title=text("eventtitle"),
        volume=text("volume"),
        page=_PAGE_DASH.sub("-", text("pages")),
        publisher=publisher,
        publisher_place=text("address", "location"),
        genre=genre,
        doi=_DOI_PREFIX.sub("", take("doi").strip()),
        url=url,
        isbn=text("isbn"),
        issn=text("issn"),
        arxiv_id=arxiv_id,
        arxiv_version=arxiv_version,
        arxiv_class=arxiv_class,
        issued=issued,
        accessed=accessed,
        language=text("language"),
        abstract=_paragraphs(take("abstract")),
        note=text("note"),
        keywords=_split_list(text("keywords")),
        collections=_split_list(take("groups")),
        issue=number if ctype == "article-journal" else "",
        number="" if ctype == "article-journal" else number,
        extra=_extra(fields, used, bool(extra)),  # last: after every take()
    )


def _extra(
    fields: Sequence[tuple[str, str]], used: set[str], repeated: bool
) -> tuple[tuple[str, str], ...]:
    """Fields the record does not model, in file order (a repeated field is never merged)."""
    if not repeated:
        return tuple([(n, v) for n, v in fields if n.lower() not in used])
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name, value in fields:
        low = name.lower()
        if low not in used or low in seen:
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


def _arxiv(values: dict[str, str], used: set[str]) -> tuple[str, str, str]:
    if "eprint" not in values:
        return "", "", ""
    eprint = collapse(values.get("eprint", ""))
    prefix = collapse(values.get("archiveprefix", "") or values.get("eprinttype", "")).lower()
    match = _ARXIV_ID.match(eprint)
    if not match or prefix not in ("arxiv", ""):
        return "", "", ""
    used.add("eprint")
    used.update(n for n in ("archiveprefix", "eprinttype") if n in values)
    arxiv_class = ""
    for name in ("primaryclass", "eprintclass"):
        if name in values and not arxiv_class:
            used.add(name)
            arxiv_class = collapse(values[name])
    return match.group(1), match.group(2) or "", arxiv_class


def _dates(values: dict[str, str], used: set[str]) -> tuple[Date | None, Date | None]:
    issued = None
    if "date" in values and (parsed := parse_date(values["date"])) is not None:
        used.add("date")
        issued = parsed
        # BibTeX output carries year and month beside a day-precise date: they agree.
        if "year" in values and collapse(values["year"]) == str(parsed.year):
            used.add("year")
            if "month" in values and month_day(values["month"])[0] == parsed.month:
                used.add("month")
    elif "year" in values:
        used.add("year")
        issued = _year_month(values["year"], values.get("month", ""), preamble_key())
        if "month" in values and (issued.month or not collapse(values["month"])):
            used.add("month")
    accessed = None
    if "urldate" in values and (parsed := parse_date(values["urldate"])) is not None:
        used.add("urldate")
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

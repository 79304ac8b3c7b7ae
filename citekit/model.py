"""The one neutral record every format converts to and from.

Field names follow CSL-JSON variables (``container_title`` is CSL ``container-title``).
Records are frozen; transforms return new records with :func:`dataclasses.replace`.
This module is stdlib only and does no I/O.

Text conventions (shared by every reader and writer):

* Text fields hold plain Unicode, never LaTeX. ``{\\"u}`` is ``ü``, ``\\&`` is ``&``.
* The markup allowed in text is CSL's rich text, in title-like fields only: ``<i>``, ``<b>``,
  ``<sup>``, ``<sub>``, ``<span style="font-variant:small-caps;">`` and
  ``<span class="nocase">…</span>`` for case protection the user asked for explicitly.
  Case protection that the BibTeX writer would add anyway (a word with a capital after its
  first letter, such as ``GPT``, ``InstructGPT``, ``RLHF``) is *not* stored: it is implied
  by the text. That rule is BibTeX's and lives in :mod:`citekit.bibtex.case`.
* One more span, citekit's own, is never written to a non-TeX format:
  ``<span class="tex" data-tex="\\acro{PDF}">PDF</span>`` is text read from a TeX command
  citekit does not know (or that the file's ``@preamble`` defines). Its content is plain
  text, its attribute the TeX as written (HTML-escaped), so the BibTeX writers can write
  the command back. :func:`csl_text` removes it, :func:`plain_text` removes all markup.
* Empty string means "absent" for text; ``None`` for dates; ``()`` for tuples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from typing import Any

__all__ = [
    "CSL_TYPES",
    "OTHERS",
    "Date",
    "Name",
    "Record",
    "csl_text",
    "persons",
    "plain_text",
]

#: CSL types citekit produces and understands.
CSL_TYPES = frozenset(
    {
        "article",  # preprints (arXiv)
        "article-journal",
        "paper-conference",
        "chapter",
        "book",
        "report",
        "thesis",
        "webpage",
        "post-weblog",
        "software",
        "dataset",
        "manuscript",
        "document",
        "speech",
        "patent",
        "entry-encyclopedia",
        "standard",
        # read from biblatex's other entry types (issue #18)
        "pamphlet",
        "periodical",
        "graphic",
        "song",
        "figure",
        "legal_case",
        "legislation",
        "treaty",
        "personal_communication",
        "motion_picture",
        "musical_score",
        "performance",
        "review",
    }
)


@dataclass(frozen=True, slots=True)
class Name:
    """A person (family/given/particle/suffix) or an organisation (``literal``)."""

    family: str = ""
    given: str = ""
    particle: str = ""  # CSL non-dropping-particle: "von" in "von Werra"
    suffix: str = ""  # "Jr.", "III"
    literal: str = ""  # organisations, or names that must not be split ("OpenAI")

    @property
    def is_literal(self) -> bool:
        return bool(self.literal)

    def display(self) -> str:
        """``Given particle Family, Suffix`` or the literal; for messages and matching."""
        if self.literal:
            return self.literal
        parts = [self.given, self.particle, self.family]
        text = " ".join(p for p in parts if p)
        return f"{text}, {self.suffix}" if self.suffix else text


#: BibTeX's ``and others``: "and more names" (et al.), as ``bibtex`` and biber read it.
#: It stays in ``author``/``editor`` so that the .bib writes it back exactly (the BibTeX
#: reader makes it of an unbraced ``others``; ``{others}`` is an organisation's name).
#: Formats without the convention (CSL-JSON, RIS, Zotero) leave it out: citation styles
#: add "et al." by their own rules. :func:`persons` is the list without it.
OTHERS = Name(family="others")


def persons(names: tuple[Name, ...]) -> tuple[Name, ...]:
    """The names that are people or organisations: ``names`` without :data:`OTHERS`."""
    return tuple(n for n in names if n != OTHERS) if OTHERS in names else names


@dataclass(frozen=True, slots=True)
class Date:
    """A partial date. ``literal`` holds what could not be read as numbers (``undated``).

    A range (``1984/1986``) has its ``end``; an open range (``1996/..``) has an empty
    ``end`` (``Date()``). ``season`` is 1-4 (spring, summer, autumn, winter; EDTF's
    ``2020-21``…``24``); ``circa`` marks an approximate or uncertain date (EDTF ``~``/``?``).
    """

    year: int | None = None
    month: int | None = None
    day: int | None = None
    literal: str = ""
    end: Date | None = None
    season: int | None = None
    circa: bool = False

    def iso(self) -> str:
        """``2020``, ``2020-05``, ``2020-05-28``, ``2020-21``, ``1984~``, ``1984/1986``,
        ``1996/`` (EDTF, as biblatex reads it); the literal when there is no year."""
        if self.year is None:
            return self.literal
        sign = "-" if self.year < 0 else ""
        out = f"{sign}{abs(self.year):04d}"
        if self.season:
            out += f"-{20 + self.season}"
        elif self.month:
            out += f"-{self.month:02d}"
            if self.day:
                out += f"-{self.day:02d}"
        if self.circa:
            out += "~"
        if self.end is not None:
            out += "/" + self.end.iso()
        return out


@dataclass(frozen=True, slots=True)
class Record:
    """One bibliographic item, in CSL terms.

    ``key`` is the citation key ("" until one is assigned). ``extra`` keeps fields citekit
    does not model, as ``(bibtex_field_name, raw_value)`` pairs in their original order,
    so a load/save cycle loses nothing. ``entry_type`` remembers the BibTeX entry type it
    was read from (``""`` for records from a source) so an unusual type survives.
    """

    key: str = ""
    type: str = "article-journal"
    title: str = ""
    author: tuple[Name, ...] = ()
    editor: tuple[Name, ...] = ()
    issued: Date | None = None
    container_title: str = ""  # journal, proceedings or blog name
    collection_title: str = ""  # series ("K-CAP '09")
    volume: str = ""
    issue: str = ""
    page: str = ""  # "1877-1901" (CSL hyphen; BibTeX writer emits "--")
    number: str = ""  # report number; arXiv id for preprints in CSL
    publisher: str = ""  # also institution for reports, school for theses
    publisher_place: str = ""
    event_title: str = ""
    genre: str = ""  # "preprint", "Technical report"
    doi: str = ""  # lower-case-insensitive, without "https://doi.org/"
    url: str = ""
    isbn: str = ""
    issn: str = ""
    arxiv_id: str = ""  # without version: "2005.14165", "hep-th/9901001"
    arxiv_version: str = ""  # "v4" when the input named one
    arxiv_class: str = ""  # primary category: "cs.CL"
    accessed: Date | None = None
    language: str = ""
    abstract: str = ""
    note: str = ""
    keywords: tuple[str, ...] = ()
    collections: tuple[str, ...] = ()  # "LLM Hub/GPT series": "/" nests
    entry_type: str = ""
    extra: tuple[tuple[str, str], ...] = field(default=())

    def with_(self, **changes: Any) -> Record:
        """A copy with ``changes`` applied (``dataclasses.replace`` under a short name)."""
        return replace(self, **changes)

    def extra_get(self, name: str) -> str | None:
        """The raw value of an unmodelled field, by case-insensitive name."""
        low = name.lower()
        for k, v in self.extra:
            if k.lower() == low:
                return v
        return None

    @property
    def is_stub(self) -> bool:
        """True when the record names an identifier but carries no title yet."""
        return not self.title and bool(self.doi or self.arxiv_id or self.url)

    @property
    def is_data_only(self) -> bool:
        """True for biblatex's ``@xdata`` and ``@set``: containers of fields or of other
        entries, never cited as works, so they need no title and have nothing to resolve."""
        return self.entry_type.lower() in ("xdata", "set")

    def as_dict(self) -> dict[str, Any]:
        """Non-empty fields as plain data (for reports and debugging)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value in ("", (), None):
                continue
            out[f.name] = value
        return out


_MARKUP_RE = re.compile(
    r"</?(?:i|b|sup|sub)>|</span>|<span (?:class=\"nocase\"|"
    r'style="font-variant:small-caps;"|class="tex" data-tex="[^"<>]*")>'
)
_TEX_SPAN_RE = re.compile(r'<span class="tex" data-tex="[^"<>]*">([^<]*)</span>')


def plain_text(text: str) -> str:
    """``text`` without markup (for matching, keys and plain formats such as RIS)."""
    return _MARKUP_RE.sub("", text) if "<" in text else text


def csl_text(text: str) -> str:
    """``text`` as CSL rich text: citekit's own tex spans replaced by their text."""
    return _TEX_SPAN_RE.sub(r"\1", text) if 'class="tex"' in text else text

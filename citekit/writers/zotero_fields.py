"""BibTeX fields citekit does not model (``Record.extra``) → Zotero fields or Extra lines.

Follows Zotero's own BibTeX import (zotero/translators ``BibTeX.js`` at 2814370):
``fieldMap`` (lines 89-107: ``edition``, ``chapter`` → ``section``, ``assignee``),
``inputFieldMap`` (lines 206-217: ``shortjournal`` → ``journalAbbreviation``,
``pagetotal`` → ``numPages``, ``version``), ``processField`` (lines 322-509: ``number`` of
a book → ``seriesNumber``, ``institution``/``organization`` → publisher when there is
none, a non-URL ``howpublished`` → ``Published:``, ``pmid``/``pmcid``/``lccn``/
``mrnumber``/``zmnumber`` → identifier lines in Extra, ``date`` kept as written) and
``beginRecord`` (lines 881-882: ``@mastersthesis`` / ``@phdthesis`` set ``thesisType``).
Where the item type has no such field, and for what BibTeX.js drops (``venue``,
``eventdate``, ``pubstate``, ``eid``, ``holder`` outside patents, any other field), the
value goes to Extra as a ``Label: value`` line: a CSL variable's label where there is one
(Zotero and citeproc-js read those when citing), else the BibTeX field name.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..bibtex.fields import link_target
from ..bibtex.latex import decode
from ..model import Record

__all__ = ["extra_fields", "thesis_type"]

# BibTeX field → (Zotero field when the type has it, Extra label otherwise).
_TO_FIELD: dict[str, tuple[str, str]] = {
    "edition": ("edition", "Edition"),
    "version": ("versionNumber", "Version"),
    "pagetotal": ("numPages", "Number of Pages"),
    "chapter": ("section", "Chapter Number"),
    "shortjournal": ("journalAbbreviation", "Container Title Short"),
    "holder": ("assignee", "Holder"),
    "organization": ("publisher", "Organization"),  # BibTeX.js's backupPublisher
    "date": ("date", "Issued"),  # only when citekit could not read it as a date
}
# BibTeX field → Extra label (CSL variable labels where one exists; BibTeX.js's own
# identifier labels, lines 119-125; its "Published" for howpublished, line 450).
_TO_EXTRA: dict[str, str] = {
    "venue": "Event Place",
    "eventdate": "Event Date",
    "pubstate": "Status",
    "pmid": "PMID",
    "pmcid": "PMCID",
    "lccn": "LCCN",
    "mrnumber": "MR",
    "zmnumber": "Zbl",
    "howpublished": "Published",
}
# What the BibTeX writer keeps for itself and Zotero has no use for.
_SKIP = frozenset({"archiveprefix", "eprinttype", "primaryclass", "eprintclass", "groups"})


def extra_fields(record: Record) -> Iterator[tuple[str, str, str]]:
    """``(text, Zotero field or "", Extra label)`` for each field of ``record.extra``.

    An empty field name means "Extra only". ``howpublished`` that is a URL becomes the
    item's ``url`` (as BibTeX.js does) when the record has none.
    """
    for name, raw in record.extra:
        low = name.lower()
        if low in _SKIP or (low == "date" and record.issued is not None):
            continue
        text = " ".join(decode(raw).split())
        if not text:
            continue
        if low == "howpublished" and (address := link_target(raw)):
            yield address, "url" if not record.url else "", "URL"
        elif low in _TO_FIELD:
            field, label = _TO_FIELD[low]
            yield text, field, label
        else:
            yield text, "", _TO_EXTRA.get(low, name)


def thesis_type(record: Record) -> str:
    """``Master's Thesis`` / ``PhD Thesis`` for ``@mastersthesis`` / ``@phdthesis``."""
    return {"mastersthesis": "Master's Thesis", "phdthesis": "PhD Thesis"}.get(
        record.entry_type, ""
    )

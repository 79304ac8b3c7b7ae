"""What an entry or an input says about itself: identifiers, completeness, duplicates (pure).

Used by :mod:`citekit.resolve.resolver` to decide what to ask the sources, and by ``add`` to refuse
a duplicate of an entry already in the library.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import CitekitError, IdentifierError
from ..identifiers import Identifier, is_arxiv_doi, looks_like_identifier, parse_identifier
from ..model import Record
from .match import PUBLISHED_TYPES, same_family, title_similarity

__all__ = [
    "arxiv_of",
    "doi_of",
    "find_duplicate",
    "has_venue",
    "incomplete",
    "is_protected",
    "stub_for",
]


def is_protected(record: Record) -> bool:
    """``citekit-protect = {true}``: citekit never touches the entry."""
    value = record.extra_get("citekit-protect")
    return value is not None and value.strip().strip("{}").lower() in ("true", "yes", "1")


def arxiv_of(record: Record) -> Identifier | None:
    """The entry's arXiv id: ``eprint``, an arXiv DOI, or an arxiv.org ``url``."""
    if record.arxiv_id:
        return Identifier("arxiv", record.arxiv_id, record.arxiv_version)
    for text in (record.doi, record.url):
        if text and looks_like_identifier(text):
            try:
                found = parse_identifier(text)
            except IdentifierError:
                continue
            if found.kind == "arxiv":
                return found
    return None


def doi_of(record: Record) -> str:
    """The entry's own (non-arXiv) DOI, from ``doi`` or a doi.org ``url``."""
    for text in (record.doi, record.url):
        if text and looks_like_identifier(text):
            try:
                found = parse_identifier(text)
            except IdentifierError:
                continue
            if found.kind == "doi":
                return found.value
    return ""


def incomplete(record: Record) -> bool:
    """Whether an entry still lacks a title, authors or a date (a stub, or half a stub)."""
    return not record.title or not record.author or record.issued is None


def has_venue(record: Record) -> bool:
    """Whether the entry says where it was published (by hand or from an upgrade)."""
    return bool(record.container_title) or record.type in PUBLISHED_TYPES


def stub_for(text: str, groups: tuple[str, ...]) -> Record | CitekitError | str:
    """An input as a stub record, an error (invalid input), or a bare title (str)."""
    if not looks_like_identifier(text):
        title = " ".join(text.split())
        return title if title else IdentifierError(text, "empty input")
    try:
        ident = parse_identifier(text)
    except IdentifierError as exc:
        return exc
    if ident.kind == "arxiv":
        return Record(arxiv_id=ident.value, arxiv_version=ident.version, collections=groups)
    if ident.kind == "doi":
        return Record(doi=ident.value, collections=groups)
    return IdentifierError(text, "a web page, not an arXiv or DOI URL; write its entry by hand")


def _distinct_ids(a: Record, b: Record) -> bool:
    """Both carry an arXiv id, or both a publisher DOI, and they differ."""
    if a.arxiv_id and b.arxiv_id and a.arxiv_id != b.arxiv_id:
        return True
    doi_a, doi_b = a.doi.casefold(), b.doi.casefold()
    real = doi_a and doi_b and not is_arxiv_doi(doi_a) and not is_arxiv_doi(doi_b)
    return bool(real and doi_a != doi_b)


def find_duplicate(record: Record, pool: Iterable[Record]) -> Record | None:
    """An entry of ``pool`` that is the same work: same DOI, arXiv id, or title and author."""
    doi, arxiv = record.doi.casefold(), record.arxiv_id
    for other in pool:
        if doi and other.doi.casefold() == doi and not is_arxiv_doi(doi):
            return other
        if arxiv and other.arxiv_id == arxiv:
            return other
        if _distinct_ids(record, other):
            continue  # "Study 1" and "Study 2" by one author: two works, never merged away
        if record.title and other.title and title_similarity(record.title, other.title) >= 0.95:
            first, second = record.author[:1], other.author[:1]
            if not first or not second or same_family(first[0], second[0]):
                return other
    return None

"""Finding a preprint's published version: an ordered list of finders, one small protocol.

A :class:`Finder` turns a preprint into candidate published records (``find``) and
completes the one the no-false-match rule accepted (``complete``: DBLP's own BibTeX
adds editors and the full booktitle). :func:`published_version` asks them in order:

1. a finder ``by_identifier`` (Crossref by arXiv's own DOI) is trusted: its record is
   the published version, and nobody else is asked;
2. every other finder's hits go through :func:`citekit.resolve.match.decide` (title,
   first author, year window, type, clear lead over the runner-up); the first match wins;
3. after a match, finders marked ``second_opinion`` (DBLP, OpenAlex) are asked too: a
   match of theirs on another venue makes the item ``ambiguous`` (never a guess); one on
   the same venue fills what the first lacks (OpenAlex's pages for a DBLP NeurIPS record).

A finder that fails (rate limit, outage) is passed over; when no finder found anything,
the first failure is raised. Every accepted record gets its canonical venue name
(:mod:`citekit.resolve.venues`). A fourth source is one more adapter below, not a branch in the
resolver.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Protocol

from ..errors import NotFound, SourceError
from ..identifiers import is_arxiv_doi
from ..model import Record, plain_text
from . import venues
from .match import assess, decide, same_family, title_similarity
from .merge import ARXIV_FIELDS

__all__ = [
    "Ambiguous",
    "CrossrefByDoi",
    "CrossrefSearch",
    "DblpSearch",
    "Finder",
    "OpenAlexSearch",
    "Published",
    "combine",
    "published_version",
]

ROWS = 5
#: Fields a second opinion on the same venue may fill when the first record lacks them.
FILLABLE = ("volume", "issue", "page", "editor", "publisher", "doi", "isbn", "issn")
_STOP = frozenset({"on", "and", "of", "the", "for", "in", "de", "a", "an"})


class Finder(Protocol):
    """One way to find a preprint's published version (see the module docstring)."""

    name: str
    by_identifier: bool
    second_opinion: bool

    def find(self, preprint: Record) -> Sequence[Record]: ...

    def complete(self, hit: Record) -> Record: ...


@dataclass(frozen=True)
class Published:
    """The published version found, the source that found it and those that agreed."""

    record: Record
    source: str
    confirmed_by: tuple[str, ...] = ()


class Ambiguous(Exception):
    """Several published versions fit, or two sources disagree on the venue."""

    def __init__(self, reason: str, candidates: Sequence[dict[str, object]] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.candidates = tuple(candidates)


def first_family(record: Record) -> str:
    """The first author's family name (or literal), for search queries."""
    if not record.author:
        return ""
    first = record.author[0]
    return first.family or first.literal


# -- the adapters ----------------------------------------------------------------------
class _Crossref(Protocol):
    def work(self, doi: str) -> Record: ...

    def search(self, title: str, author: str = "", rows: int = 5) -> list[Record]: ...


class _Searchable(Protocol):
    def search(self, title: str, author: str = "") -> list[Record]: ...


class CrossrefByDoi:
    """The DOI in arXiv's own record, looked up on Crossref (trusted: an identifier)."""

    name, by_identifier, second_opinion = "crossref", True, False

    def __init__(self, crossref: _Crossref) -> None:
        self.crossref = crossref

    def find(self, preprint: Record) -> Sequence[Record]:
        doi = preprint.doi if preprint.doi and not is_arxiv_doi(preprint.doi) else ""
        if not doi:
            return ()
        try:
            return (self.crossref.work(doi),)
        except NotFound:
            return ()  # a DOI Crossref does not know: the searches decide

    def complete(self, hit: Record) -> Record:
        return hit


class CrossrefSearch:
    """Crossref's bibliographic search by title and first author."""

    name, by_identifier, second_opinion = "crossref", False, False

    def __init__(self, crossref: _Crossref) -> None:
        self.crossref = crossref

    def find(self, preprint: Record) -> Sequence[Record]:
        return self.crossref.search(plain_text(preprint.title), first_family(preprint), ROWS)

    def complete(self, hit: Record) -> Record:
        return hit


class _Dblp(_Searchable, Protocol):
    def record(self, key: str) -> Record: ...


class DblpSearch:
    """DBLP's publication search; the accepted hit completed from its own BibTeX."""

    name, by_identifier, second_opinion = "dblp", False, True

    def __init__(self, dblp: _Dblp) -> None:
        self.dblp = dblp

    def find(self, preprint: Record) -> Sequence[Record]:
        return self.dblp.search(plain_text(preprint.title), first_family(preprint))

    def complete(self, hit: Record) -> Record:
        key = hit.extra_get("dblp") or ""
        hit = hit.with_(extra=())
        if not key:
            return hit
        try:
            full = self.dblp.record(key).with_(extra=())
        except SourceError:
            return hit  # the hit alone is a published version; its BibTeX only adds detail
        # The hit's venue, year and pages are the search index's; the BibTeX adds editors,
        # the full booktitle, publisher and series, and is the better spelling of names.
        filled = ("container_title", "volume", "issue", "page")
        keep = {f: getattr(full, f) or getattr(hit, f) for f in filled}
        # The hit's ``ee``/``doi`` are plain; the BibTeX escapes "_" in them as "\_".
        keep |= {f: getattr(hit, f) or getattr(full, f).replace("\\_", "_") for f in ("url", "doi")}
        return full.with_(type=hit.type, issued=hit.issued or full.issued, **keep)


class _OpenAlex(_Searchable, Protocol):
    def work(self, doi: str) -> Record: ...


class OpenAlexSearch:
    """OpenAlex by title search, plus the work listing the preprint's arXiv DOI.

    OpenAlex often files the arXiv copy as a location of the published work: looked up
    by ``10.48550/arXiv.<id>`` it answers with that work (a preprint-only work is
    rejected by the type rule like any other preprint).
    """

    name, by_identifier, second_opinion = "openalex", False, True

    def __init__(self, openalex: _OpenAlex) -> None:
        self.openalex = openalex

    def find(self, preprint: Record) -> Sequence[Record]:
        hits = self.openalex.search(plain_text(preprint.title), first_family(preprint))
        if preprint.arxiv_id:
            with suppress(NotFound):  # NotFound: OpenAlex does not list this arXiv copy
                hits.append(self.openalex.work(f"10.48550/arXiv.{preprint.arxiv_id}"))
        return hits

    def complete(self, hit: Record) -> Record:
        return hit


# -- the policy ------------------------------------------------------------------------
def _accepted(preprint: Record, finder: Finder) -> Record | None:
    hits = finder.find(preprint)
    if finder.by_identifier:
        return hits[0] if hits else None
    decision = decide(preprint, hits, "upgrade")
    if decision.kind == "ambiguous":
        raise Ambiguous(
            f"published version ({finder.name}): {decision.reason}", decision.candidates()
        )
    return decision.record


def _abbreviates(short: list[str], full: list[str]) -> bool:
    """``ieee trans pattern anal`` abbreviates ``ieee transactions pattern analysis``."""
    return len(short) == len(full) and all(
        f.startswith(s) for s, f in zip(short, full, strict=True)
    )


def same_venue(a: Record, b: Record) -> bool:
    """Whether two records name the same venue (table ids, abbreviations, close spellings)."""
    left, right = a.container_title or a.event_title, b.container_title or b.event_title
    if not left or not right:
        return True  # nothing to disagree about
    key_a, key_b = venues.venue_key(a), venues.venue_key(b)
    if key_a == key_b:
        return True
    if venues.find(left) or venues.find(right):
        return False  # a known venue against another (or a workshop against its conference)
    words_a = [w for w in re.split(r"\W+", key_a) if w and w not in _STOP]
    words_b = [w for w in re.split(r"\W+", key_b) if w and w not in _STOP]
    return (
        _abbreviates(words_a, words_b)
        or _abbreviates(words_b, words_a)
        or title_similarity(left, right) >= 0.9
    )


def _filled(first: Record, second: Record) -> Record:
    return first.with_(
        **{f: getattr(second, f) for f in FILLABLE if not getattr(first, f) and getattr(second, f)}
    )


def combine(preprint: Record, published: Record) -> Record:
    """The published record, keeping the arXiv identity (and abstract when it has none).

    When both list the same people in the same order, the preprint's names are kept:
    they are the authors' own spelling ("Jeff Wu"), where an index may write the one it
    filed them under ("Jeffrey Wu", "Paul F. Christiano").
    """
    keep: dict[str, object] = {name: getattr(preprint, name) for name in ARXIV_FIELDS}
    if not published.abstract:
        keep["abstract"] = preprint.abstract
    people = preprint.author, published.author
    if len(people[0]) == len(people[1]) > 0 and all(map(same_family, *people)):
        keep["author"] = preprint.author
    return published.with_(**keep)


def published_version(
    preprint: Record,
    finders: Sequence[Finder],
    style: venues.Style = "full",
    failed: list[SourceError] | None = None,
) -> Published | None:
    """The published version of ``preprint``, or None; raises :class:`Ambiguous`.

    A source that fails is passed over and appended to ``failed``; when nothing was
    found and no search answered at all, its error is raised instead (the item cannot
    say whether it was published).
    """
    found: Published | None = None
    failures: list[SourceError] = []
    answered = False
    for finder in finders:
        if found is not None and not finder.second_opinion:
            continue
        try:
            hit = _accepted(preprint, finder)
            answered = answered or not finder.by_identifier
            if hit is None:
                continue
            hit = venues.canonical(finder.complete(hit), style)
        except SourceError as exc:
            failures.append(exc)
            continue
        except Ambiguous:
            if found is None:
                raise
            continue  # a second opinion that cannot decide confirms nothing
        if found is None:
            found = Published(hit, finder.name)
            if finder.by_identifier:
                return found
        elif not same_venue(found.record, hit):
            reason = (
                f"{found.source} and {finder.name} disagree on the venue "
                f"({found.record.container_title!r} vs {hit.container_title!r})"
            )
            rows = [assess(preprint, r, "upgrade").summary() for r in (found.record, hit)]
            raise Ambiguous(f"published version: {reason}", rows)
        else:
            confirmed = (*found.confirmed_by, finder.name)
            found = Published(_filled(found.record, hit), found.source, confirmed)
    if found is None and failures and not answered:
        raise failures[0]
    if failed is not None:
        failed.extend(failures)
    return found

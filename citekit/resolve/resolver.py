"""Resolution policy: identifiers (and titles) in, complete records out, never a false match.

* A DOI → Crossref ``/works/{doi}``.
* An arXiv id → arXiv (all ids of a run in one batched fetch), then its published
  version, asked of an ordered list of finders (:mod:`citekit.resolve.finders`): the DOI
  in arXiv's own record → Crossref; otherwise Crossref search, DBLP, OpenAlex, each hit
  accepted only under :mod:`citekit.resolve.match`'s rule, sources that disagree on the
  venue → ``ambiguous``. arXiv's DataCite DOIs (``10.48550/arXiv.*``) are never sent to
  Crossref. The outcome names the source of every upgrade.
* A bare title (``add`` only) → Crossref search, then arXiv search, under the same rule.
* Entries that are already complete are not fetched again unless ``refresh``; the one
  exception is a preprint with no venue yet, whose "is it published?" search is cached
  for a week. Offline, an entry that is complete and not in the cache is left as it is.
* Entries without an identifier, and entries with ``citekit-protect = {true}``, are the
  user's: ``unchanged``, no request.

Every input ends in exactly one :data:`State`. Failed items leave the library as it was;
the merge (:mod:`citekit.resolve.merge`) never overwrites a field the user wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol

from .. import keys
from ..errors import CitekitError, IdentifierError, NotFound, SourceError
from ..identifiers import Identifier
from ..model import Record
from .entries import (
    arxiv_of,
    doi_of,
    find_duplicate,
    has_venue,
    incomplete,
    is_protected,
    stub_for,
)
from .finders import Ambiguous, CrossrefByDoi, CrossrefSearch, Finder, combine
from .finders import published_version as find_published
from .match import decide
from .merge import WORK_FIELDS, all_fields, merge, owned_fields
from .outcome import FAILED_STATES, STATES, Outcome, Resolution, State

__all__ = [
    "FAILED_STATES",
    "STATES",
    "ArxivLike",
    "CrossrefLike",
    "Outcome",
    "Resolution",
    "Resolver",
    "find_duplicate",
    "incomplete",
    "is_protected",
]

ROWS = 5  # Crossref rows / arXiv results per title search
Provenance = Mapping[str, Mapping[str, Any]]


class ArxivLike(Protocol):
    """What the policy needs from the arXiv source (``citekit.sources.arxiv``)."""

    def fetch(self, ids: Sequence[str]) -> Mapping[str, Record | SourceError]: ...

    def search(self, title: str, author: str = "", max_results: int = 5) -> list[Record]: ...


class CrossrefLike(Protocol):
    """What the policy needs from the Crossref source (``citekit.sources.crossref``)."""

    def work(self, doi: str) -> Record: ...

    def search(self, title: str, author: str = "", rows: int = 5) -> list[Record]: ...


@dataclass(frozen=True)
class _Found:
    """What the sources say about one entry, before merging."""

    record: Record
    upgraded: bool = False
    only: tuple[str, ...] | None = None
    source: str = ""  # the finder that found the published version
    note: str = ""  # sources that could not be asked for a published version


class _Failed(Exception):
    """One item cannot be resolved; carries its final state."""

    def __init__(
        self, state: State, message: str, candidates: Sequence[dict[str, object]] = ()
    ) -> None:
        super().__init__(message)
        self.state = state
        self.message = message
        self.candidates = tuple(candidates)


def _state_of(exc: CitekitError) -> State:
    if isinstance(exc, IdentifierError):
        return "invalid"
    if isinstance(exc, NotFound):
        return "invalid" if exc.status == 400 else "not-found"
    return "error"


def _fail(exc: CitekitError) -> _Failed:
    text = exc.message if isinstance(exc, SourceError) else str(exc)
    if isinstance(exc, SourceError):
        text = f"{exc.source}: {text}"
    return _Failed(_state_of(exc), text)


class Resolver:
    """Runs the policy over a library (:meth:`library`) or new inputs (:meth:`add`).

    ``progress`` is called once per finished item (for a progress bar).
    """

    def __init__(
        self,
        arxiv: ArxivLike,
        crossref: CrossrefLike,
        *,
        refresh: bool = False,
        accept_upstream: bool = False,
        progress: Callable[[Outcome], None] | None = None,
        finders: Sequence[Finder] | None = None,
        venue_names: Literal["full", "short"] = "full",
    ) -> None:
        self.arxiv = arxiv
        self.crossref = crossref
        self.finders = (
            tuple(finders)
            if finders is not None
            else (CrossrefByDoi(crossref), CrossrefSearch(crossref))
        )
        self.venue_names = venue_names
        self.refresh = refresh
        self.accept_upstream = accept_upstream
        self._progress = progress
        self._preprints: dict[str, Record | SourceError] = {}

    # -- the published version -------------------------------------------------------
    def _upgrade(self, preprint: Record) -> tuple[_Found | None, str]:
        """The published version (or None) and a note naming sources that could not answer;
        raises _Failed when ambiguous."""
        failed: list[SourceError] = []
        try:
            published = find_published(preprint, self.finders, self.venue_names, failed)
        except Ambiguous as exc:
            raise _Failed("ambiguous", exc.reason, exc.candidates) from None
        note = "; ".join(
            f"{e.source} not asked for a published version ({e.message})" for e in failed
        )
        if published is None:
            return None, note
        return _Found(combine(preprint, published.record), True, source=published.source), ""

    def _preprint(self, ident: Identifier) -> Record:
        answer = self._preprints.get(str(ident))
        if answer is None:
            answer = self.arxiv.fetch([str(ident)]).get(str(ident))
        if isinstance(answer, SourceError):
            raise answer
        if answer is None:
            raise NotFound("arxiv", str(ident), "arXiv returned nothing for this id")
        return answer

    def _prefetch(self, idents: Iterable[Identifier]) -> None:
        """One batched arXiv fetch for every id of the run."""
        wanted = list(dict.fromkeys(str(i) for i in idents if str(i) not in self._preprints))
        if not wanted:
            return
        try:
            self._preprints |= dict(self.arxiv.fetch(wanted))
        except SourceError as exc:
            self._preprints |= {w: exc for w in wanted}

    # -- one library entry -----------------------------------------------------------
    def _needs_fetch(self, record: Record) -> bool:
        return incomplete(record) or self.refresh

    def _upstream(self, current: Record) -> _Found | None:
        """What the sources say about ``current``; None when there is nothing to ask."""
        ident, doi = arxiv_of(current), doi_of(current)
        if not self._needs_fetch(current):
            if ident is None or doi or has_venue(current):
                return None
            return self._upgrade(current)[0]  # "is it published yet?"
        preprint = self._preprint(ident) if ident else None
        if doi:
            published = self.crossref.work(doi)
            return _Found(combine(preprint, published) if preprint else published)
        if preprint is None:
            return None
        upgraded, note = self._upgrade(preprint)
        if upgraded is not None:
            return upgraded
        # A venue the user wrote by hand is the published record: the preprint adds
        # only what identifies the work, never its own venue fields.
        return _Found(preprint, False, WORK_FIELDS if has_venue(current) else None, note=note)

    def _by_title(self, title: str) -> _Found:
        """A bare title: Crossref search, then arXiv search, under the no-false-match rule."""
        ref = Record(title=title)
        first = decide(ref, self.crossref.search(title, "", ROWS), "title")
        if first.kind == "match" and first.record is not None:
            return _Found(first.record)
        second = decide(ref, self.arxiv.search(title, "", ROWS), "title")
        if second.kind == "match" and second.record is not None:
            return self._upgrade(second.record)[0] or _Found(second.record)
        candidates = (*first.candidates(), *second.candidates())
        if "ambiguous" in (first.kind, second.kind):
            reason = first.reason if first.kind == "ambiguous" else second.reason
            raise _Failed("ambiguous", f"title search: {reason}", candidates)
        raise _Failed("not-found", "no Crossref or arXiv record matches this title", candidates)

    def _entry(self, current: Record, owned: Mapping[str, Any]) -> Outcome:
        name = current.key
        if is_protected(current):
            return Outcome(name, "unchanged", name, "protected (citekit-protect)", current)
        if current.is_data_only:  # @xdata/@set: fields for other entries, not a work
            kind = current.entry_type.lower()
            return Outcome(name, "unchanged", name, f"@{kind}: data for other entries", current)
        if not (arxiv_of(current) or doi_of(current)):
            if current.title:
                return Outcome(name, "unchanged", name, "no identifier; kept as written", current)
            return Outcome(name, "invalid", name, "no title and no eprint, doi or arXiv/DOI url")
        optional = not self._needs_fetch(current)  # only "is it published yet?"
        try:
            found = self._upstream(current)
        except _Failed as exc:
            state: State = "unchanged" if optional else exc.state
            record = current if optional else None
            return Outcome(name, state, name, exc.message, record, candidates=exc.candidates)
        except CitekitError as exc:
            failure = _fail(exc)
            if optional:  # the entry is complete: a failed check leaves it as it is
                message = f"not checked for a published version ({failure.message})"
                return Outcome(name, "unchanged", name, message, current)
            return Outcome(name, failure.state, name, failure.message)
        if found is None:
            return Outcome(name, "unchanged", name, "", current)
        return self._merged(name, current, found, owned)

    def _merged(
        self, name: str, current: Record, found: _Found, owned: Mapping[str, Any]
    ) -> Outcome:
        result = merge(
            current,
            found.record,
            owned,
            accept_upstream=self.accept_upstream,
            only=found.only,
            whole_venue=found.upgraded,
        )
        state: State = "unchanged"
        if result.changes:
            venue_taken = any(c.field in ("container_title", "doi") for c in result.changes)
            state = "upgraded" if found.upgraded and venue_taken else "resolved"
        message = ""
        if result.differences:
            message = f"{len(result.differences)} field(s) differ from the source; kept yours"
            if found.upgraded and state != "upgraded":
                message += " (a published version exists: --accept-upstream takes it)"
        message = "; ".join(m for m in (message, found.note) if m)
        return Outcome(
            name,
            state,
            name,
            message,
            result.record,
            result.changes,
            result.differences,
            owned=owned_fields(owned, result, result.record),
            source=found.source if state == "upgraded" else "",
        )

    def _finish(self, outcome: Outcome) -> Outcome:
        if self._progress is not None:
            self._progress(outcome)
        return outcome

    def library(
        self,
        records: Sequence[Record],
        provenance: Provenance,
        key_pattern: str = keys.DEFAULT_PATTERN,
    ) -> Resolution:
        """Resolve every entry of a library in place; failed entries stay as they were.

        An entry whose key is provisional gets its generated key (``key_pattern``) once
        resolved (:func:`citekit.keys.rename_provisional`); no other key changes.
        """
        self._prefetch(
            i
            for r in records
            if self._needs_fetch(r) and not is_protected(r)
            for i in [arxiv_of(r)]
            if i is not None
        )
        outcomes = [self._finish(self._entry(r, provenance.get(r.key, {}))) for r in records]
        merged = tuple(
            o.record if o.record is not None and not o.failed else r
            for r, o in zip(records, outcomes, strict=True)
        )
        merged, renamed = keys.rename_provisional(records, merged, key_pattern)
        outcomes = [_renamed(o, renamed) for o in outcomes]
        kept = {renamed.get(k, k): dict(v) for k, v in provenance.items()}
        for o in outcomes:
            if o.owned is not None and o.key:
                kept[o.key] = dict(o.owned)
        return Resolution(merged, tuple(outcomes), kept, renamed)

    # -- new inputs ------------------------------------------------------------------
    def add(
        self,
        texts: Sequence[str],
        existing: Sequence[Record],
        *,
        assign_keys: Callable[[Sequence[Record], Sequence[Record]], Sequence[Record]],
        groups: Sequence[str] = (),
        provenance: Provenance | None = None,
    ) -> Resolution:
        """Resolve ``texts`` (ids, URLs, titles) and append them to ``existing``.

        A duplicate of an entry already present (same DOI, arXiv id, or title and first
        author) is refused as ``unchanged``. ``assign_keys(new, existing)`` names the new
        records (``keys.assign_keys``).
        """
        stubs = {t: stub_for(t, tuple(groups)) for t in texts}
        self._prefetch(
            i for s in stubs.values() if isinstance(s, Record) for i in [arxiv_of(s)] if i
        )
        fresh: list[Record] = []
        outcomes: list[Outcome] = []
        for text, stub in stubs.items():
            outcome = self._new(text, stub, [*existing, *fresh], tuple(groups))
            if outcome.record is not None and outcome.state in ("resolved", "upgraded"):
                fresh.append(outcome.record)
            outcomes.append(outcome)
        # All new keys at once, so collision suffixes follow stable ids, not input order.
        named = {id(r): n for r, n in zip(fresh, assign_keys(fresh, existing), strict=True)}
        final = [self._finish(_named(o, named)) for o in outcomes]
        kept = {k: dict(v) for k, v in (provenance or {}).items()}
        kept |= {o.key: dict(o.owned) for o in final if o.owned is not None and o.key}
        return Resolution((*existing, *named.values()), tuple(final), kept)

    def _new(
        self,
        text: str,
        stub: Record | CitekitError | str,
        pool: Sequence[Record],
        groups: tuple[str, ...],
    ) -> Outcome:
        if isinstance(stub, CitekitError):
            failure = _fail(stub)
            return Outcome(text, failure.state, "", failure.message)
        if isinstance(stub, Record):
            twin = find_duplicate(stub, pool)
            if twin is not None:
                return Outcome(text, "unchanged", twin.key, "", twin)
        try:
            found = self._by_title(stub) if isinstance(stub, str) else self._upstream(stub)
        except _Failed as exc:
            return Outcome(text, exc.state, "", exc.message, candidates=exc.candidates)
        except CitekitError as exc:
            failure = _fail(exc)
            return Outcome(text, failure.state, "", failure.message)
        if found is None:
            return Outcome(text, "not-found", "", "the sources returned nothing")
        record = merge(Record(type="", collections=groups), found.record, {}).record
        twin = find_duplicate(record, pool)
        if twin is not None:
            return Outcome(text, "unchanged", twin.key, "", twin)
        state: State = "upgraded" if found.upgraded else "resolved"
        return Outcome(text, state, "", "", record, changes=(), source=found.source)


def _renamed(outcome: Outcome, renamed: Mapping[str, str]) -> Outcome:
    """The outcome of an entry under its new key when its provisional key was replaced."""
    new = renamed.get(outcome.key)
    if new is None or outcome.record is None:
        return outcome
    record = outcome.record.with_(key=new)
    return replace(outcome, key=new, record=record, renamed_from=outcome.key)


def _named(outcome: Outcome, named: Mapping[int, Record]) -> Outcome:
    """The outcome with the key its record (or the duplicate it names) was given."""
    record = outcome.record
    if record is None:
        return outcome
    final = named.get(id(record), record)
    if outcome.state == "unchanged":
        message = f"already in the library as {final.key}; not added again"
        return Outcome(outcome.input, "unchanged", final.key, message)
    return Outcome(
        outcome.input,
        outcome.state,
        final.key,
        "",
        final,
        owned=all_fields(final),
        source=outcome.source,
    )
